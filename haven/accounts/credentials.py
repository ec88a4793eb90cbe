"""A person's credentials: their password, their second factor, and the one-time link an
administrator issues when the password is forgotten. Each change is audited.

Changing the password or the second factor needs the password again, and turning the second factor off
(or setting one up) a current code as well, so that a stolen session cannot take the account over
(security review, finding 10). A wrong password here counts towards the account's lockout like one at
sign-in (accounts/lockout.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.access.policy import Verb
from haven.access.scoping import require, second_factor_required
from haven.accounts import lockout
from haven.accounts.models import PasswordReset, User
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Problems, Refused

BAD_CODE = gettext_lazy("This code is not valid. Check the time on your phone and try again.")


def _check_password(problems: Problems, user: User, password: str, field: str = "password") -> bool:
    locked = lockout.lock_on(user.username, lockout.client_address())
    if locked is not None:
        lockout.note_refused(username=user.username, lock=locked)
        problems.add(field, str(locked_message(locked)), "locked")
        return False
    # authenticate() is the one place a password is checked: a failure is counted and audited
    # (accounts/signals.py), and an inactive account is refused.
    if authenticate(None, username=user.username, password=password or "") is None:
        problems.add(field, _("The password is not correct."), "wrong_password")
        return False
    return True


def locked_message(lock: lockout.Lock) -> str:
    until = timezone.localtime(lock.until)
    if lock.kind == "account":
        text = _(
            "Too many wrong passwords: this account is locked until %(time)s. If you did not try to "
            "sign in, tell your administrator."
        )
    else:
        text = _(
            "Too many wrong passwords from this network: signing in from it is locked until %(time)s. "
            "Your administrator can unlock it."
        )
    return text % {"time": formats.time_format(until, "H:i")}


def _check_code(problems: Problems, user: User, token: str, devices) -> TOTPDevice | None:
    for device in devices:
        if device.verify_token(token):
            return device
    problems.add("token", str(BAD_CODE), "invalid_code")
    record(actor=user, action="account.otp_failed")
    return None


def totp_begin(*, actor: User) -> TOTPDevice:
    """An unconfirmed device the user scans; any earlier unconfirmed one is replaced. One device per
    person: another phone replaces the first (turn it off, then set up the new one)."""
    if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise Refused(
            _("Two-factor authentication is already on. To use another phone, turn it off first."),
            code="already_on",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name="Haven", confirmed=False)


def totp_confirm(*, actor: User, device: TOTPDevice, token: str, password: str) -> TOTPDevice:
    """The phone is set up when the person gives their password and the code it shows."""
    problems = Problems()
    if _check_password(problems, actor, password):
        _check_code(problems, actor, token, [device])
    problems.raise_any()
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(actor=actor, action="account.totp_enable", obj=device)
    return device


def totp_disable(*, actor: User, password: str, token: str) -> None:
    """The second factor off, with the password and a current code. A person whose role requires one
    is taken at once to set up a new one (the way to move to another phone)."""
    problems = Problems()
    devices = list(TOTPDevice.objects.filter(user=actor, confirmed=True))
    if not devices:
        raise Refused(_("Two-factor authentication is not on."), code="already_off")
    if _check_password(problems, actor, password):
        _check_code(problems, actor, token, devices)
    problems.raise_any()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        record(actor=actor, action="account.totp_disable", data={"required": second_factor_required(actor)})


def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """The person's own new password, given their current one; checked by the password rules."""
    problems = Problems()
    if _check_password(problems, actor, old_password, field="old_password"):
        _check_new_password(problems, actor, new_password)
    problems.raise_any()
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        record(actor=actor, action="account.password_change")
    return actor


def _check_new_password(problems: Problems, user: User, password: str) -> None:
    try:
        validate_password(password or "", user)
    except ValidationError as error:
        for message in error.messages:
            problems.add("new_password1", message, "weak_password")


# --- An administrator's help: a one-time link to choose a new password ----------------------------


def _reset_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def password_reset_issue(
    *, actor: User, user: User, remove_factor: bool = False
) -> tuple[PasswordReset, str]:
    """A link that lets ``user`` choose a new password once, within ``PasswordReset.HOURS`` hours. The
    administrator hands it over (in person, by telephone); an earlier link stops working. With
    ``remove_factor`` (a lost phone) the person's second factor goes too: they set up a new one at
    their next sign-in if their role requires it."""
    membership = require(actor, Verb.ACCOUNT_MANAGE)
    if user.pk == actor.pk:
        raise Refused(_("Change your own password on your security page."), code="own")
    if not user.is_active:
        raise Refused(_("This account is deactivated."), code="inactive")
    now = clock.real_now()
    PasswordReset.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    key = secrets.token_urlsafe(32)
    reset = PasswordReset.objects.create(
        user=user,
        key_hash=_reset_key_hash(key),
        issued_by=actor,
        issued_at=now,
        expires_at=now + dt.timedelta(hours=PasswordReset.HOURS),
    )
    removed = 0
    if remove_factor:
        removed, _deleted = TOTPDevice.objects.filter(user=user).delete()
    record(
        actor=actor,
        action="account.password_reset_issue",
        obj=user,
        organisation=membership.organisation,
        data={"expires_at": reset.expires_at.isoformat(), "factor_removed": bool(removed)},
    )
    return reset, key


def password_reset_find(key: str) -> PasswordReset | None:
    """The link's reset while it may still be used: not used, not expired, the account active."""
    return (
        PasswordReset.objects.select_related("user")
        .filter(
            key_hash=_reset_key_hash(key or ""),
            used_at__isnull=True,
            expires_at__gt=clock.real_now(),
            user__is_active=True,
        )
        .first()
    )


def password_reset_use(*, key: str, new_password: str) -> User:
    """The person chooses their new password through the link; the link is spent, and the account's
    failed sign-ins are forgotten (their administrator vouched for them)."""
    reset = password_reset_find(key)
    if reset is None:
        raise Refused(
            _(
                "This link is not valid any more: it was used, replaced, or it expired. Ask your "
                "administrator for a new one."
            ),
            code="link_invalid",
        )
    user = reset.user
    problems = Problems()
    _check_new_password(problems, user, new_password)
    problems.raise_any()
    with transaction.atomic():
        unused = PasswordReset.objects.filter(pk=reset.pk, used_at__isnull=True)
        spent = unused.update(used_at=clock.real_now())
        if not spent:  # the same link used twice at once: only one wins
            raise Refused(_("This link was used already."), code="link_used")
        user.set_password(new_password)
        user.save(update_fields=["password"])
        lockout.forget_failures(user.username)
        record(actor=user, action="account.password_reset_use", obj=user, data={"reset": reset.pk})
    return user
