"""Locking sign-in after repeated wrong passwords, per account and per address.

Per account: a few wrong passwords for one username within the cool-off period lock it, whoever tries;
the right password is refused too until the period has passed or an administrator unlocks it. Per
address: many wrong passwords from one address, for any usernames, lock that address, which stops
password spraying (a few guesses at each of many accounts) that no account's own count would notice.
The address limit is far higher than the account's, since a commune office or a hospital may share one
address behind NAT. Every failure, lock and unlock is an audit event (security review, finding 10).

Counted on the machine's time (clock.real_now): a demo that moves Haven's clock does not unlock anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min

from haven.accounts.models import SignInFailure, User
from haven.audit.services import current_request, record
from haven.core import clock


@dataclass(frozen=True)
class Lock:
    """A lock in force: on an account (``username``) or on an address, until ``until``."""

    kind: str  # "account" or "address"
    key: str  # the folded username, or the address
    failures: int
    until: dt.datetime


def folded(username: str) -> str:
    """One account whatever the case and surrounding spaces it is typed with."""
    return (username or "").strip().casefold()[:150]


def client_address() -> str | None:
    """The address the audit trail records for this request (REMOTE_ADDR; see audit/middleware.py)."""
    return current_request.get().ip


def _lock(kind: str, key: str, limit: int, now: dt.datetime) -> Lock | None:
    recent = SignInFailure.objects.filter(**{"username" if kind == "account" else "address": key})
    recent = recent.filter(at__gt=now - settings.HAVEN_LOCKOUT_PERIOD).order_by("-at")
    times = list(recent.values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return None
    # The lock lifts when the oldest of the last ``limit`` failures leaves the period.
    return Lock(kind=kind, key=key, failures=len(times), until=times[-1] + settings.HAVEN_LOCKOUT_PERIOD)


def lock_on(username: str, address: str | None) -> Lock | None:
    """The lock that refuses a sign-in as ``username`` from ``address`` now, if any."""
    now = clock.real_now()
    found = _lock("account", folded(username), settings.HAVEN_LOGIN_FAILURE_LIMIT, now)
    if found is None and address:
        found = _lock("address", address, settings.HAVEN_ADDRESS_FAILURE_LIMIT, now)
    return found


@transaction.atomic
def note_failure(*, username: str, address: str | None, reason: str = "password") -> Lock | None:
    """A wrong password for ``username`` from ``address``: counted, audited, and audited again as a
    lockout when it is the failure that locks the account or the address."""
    key = folded(username)
    SignInFailure.objects.create(username=key, address=address, at=clock.real_now())
    # The username tried, never the password.
    record(actor=None, action="account.login_failed", data={"username": key, "reason": reason})
    locked = lock_on(key, address)
    if locked is not None:
        record(
            actor=None,
            action="account.lockout",
            data={"locked": locked.kind, "key": locked.key, "failures": locked.failures},
        )
    return locked


def note_refused(*, username: str, lock: Lock) -> None:
    """A sign-in refused while a lock is in force: audited, not counted (counting would let anyone keep
    an account locked for ever by trying once every few minutes)."""
    record(
        actor=None,
        action="account.login_failed",
        data={"username": folded(username), "reason": "locked", "locked": lock.kind},
    )


def forget_failures(username: str) -> None:
    """The right password (and code): the account's count starts again. The address's count stays, or
    a sprayer who knows one password could clear it."""
    SignInFailure.objects.filter(username=folded(username)).delete()


def locks_in_force() -> list[Lock]:
    """Every account and address locked now, for the administrator's page; accounts first."""
    now = clock.real_now()
    since = now - settings.HAVEN_LOCKOUT_PERIOD
    recent = SignInFailure.objects.filter(at__gt=since)
    found: list[Lock] = []
    for kind, field, limit in (
        ("account", "username", settings.HAVEN_LOGIN_FAILURE_LIMIT),
        ("address", "address", settings.HAVEN_ADDRESS_FAILURE_LIMIT),
    ):
        keys = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(n=Count("id"), first=Min("at"))
            .filter(n__gte=limit)
            .order_by("first")
            .values_list(field, flat=True)
        )
        found.extend(lock for key in keys if (lock := _lock(kind, key, limit, now)) is not None)
    return found


@transaction.atomic
def lift(*, actor: User, kind: str, key: str) -> int:
    """An administrator unlocks an account or an address at once (audited); returns the failures
    forgotten."""
    from haven.access.policy import Verb
    from haven.access.scoping import require

    membership = require(actor, Verb.ACCOUNT_MANAGE)
    field = {"account": "username", "address": "address"}[kind]
    forgotten, _ = SignInFailure.objects.filter(**{field: key}).delete()
    record(
        actor=actor,
        action="account.unlock",
        organisation=membership.organisation,
        data={"unlocked": kind, "key": key, "failures": forgotten},
    )
    return forgotten
