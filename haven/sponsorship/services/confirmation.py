"""A disbursement to a child's carer is confirmed by the carer (Notice 432-TB/VPTW §3: transparent
mobilisation; next-capabilities §3.3: spending confirmed by who received it).

The carer has no account. With the money she gets an SMS, through the outbox, with a short reference
and a one-time code, and the address of the public page (``/xacnhan/``) where she types both; a carer
without a smartphone reads them to the coordinator, who types the code on the entry's page. Or the
payment provider's return confirms it. Nobody in Haven sees the code: it is stored as an HMAC.

The code is single-use, lasts as long as the confirmation clock (14 days), and locks after
``MAX_ATTEMPTS`` wrong tries on its entry, from the page or the coordinator's: the coordinator is told
and sends a new reference and code. The public page says the same thing for a reference that does not
exist and a wrong code, and locks a guessed reference after as many tries as a real one, so a person
who guesses learns nothing, not even that a reference exists; only the right code shows that the
payment expired or was already confirmed. Nothing it answers names the child or the amount.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.deadlines.services import obligations_close
from haven.sponsorship.clocks import CONFIRM_DAYS
from haven.sponsorship.models import Entry, EntryKind

CONFIRM_RULE = "sponsorship.confirm_disbursement"
REFERENCE_DIGITS = 8
CODE_DIGITS = 6
# Five wrong codes: enough for a carer who mistypes on a small keypad, far too few to guess one in a
# million.
MAX_ATTEMPTS = 5
CODE_LIFETIME = dt.timedelta(days=CONFIRM_DAYS)
PAGE_PATH = "/xacnhan"


class Outcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"  # the right code, once more: the code is used up
    WRONG = "wrong"  # a wrong code, or a reference that waits for nothing
    LOCKED = "locked"
    EXPIRED = "expired"  # the right code, too late
    CLOSED = "closed"  # the right code for a disbursement corrected since


def normalise(value: str, digits: int) -> str:
    """What a person types from an SMS, as stored: spaces, dots and hyphens dropped; "" if it is not
    ``digits`` digits."""
    found = re.sub(r"[\s.\-]", "", value or "")
    return found if re.fullmatch(rf"[0-9]{{{digits}}}", found) else ""


def _code_hash(entry: Entry, code: str) -> str:
    return hmac.new(str(entry.pk).encode(), code.encode(), hashlib.sha256).hexdigest()


def _matches(entry: Entry, code: str) -> bool:
    return bool(code) and hmac.compare_digest(_code_hash(entry, code), entry.confirmation_hash)


def waiting(entry: Entry) -> bool:
    """A disbursement to a carer not yet confirmed, nor corrected."""
    return bool(entry.confirmation_hash) and entry.confirmed_at is None and not entry.corrections.exists()


def expired(entry: Entry) -> bool:
    return entry.confirmation_expires_at is not None and clock.now() > entry.confirmation_expires_at


def code_issue(entry: Entry) -> None:
    """A new reference and code for ``entry`` (at the disbursement, or when the coordinator sends
    another), sent to the carer's phone; the attempts start again. In the caller's transaction: the
    outbox sends the SMS after the commit, never for an entry rolled back."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = clock.now()
    for _try in range(20):
        reference = f"{secrets.randbelow(10**REFERENCE_DIGITS):0{REFERENCE_DIGITS}d}"
        if Entry.objects.filter(confirmation_reference=reference).exists():
            continue
        try:
            with transaction.atomic():
                Entry.objects.filter(pk=entry.pk).update(
                    confirmation_reference=reference,
                    confirmation_hash=_code_hash(entry, code),
                    confirmation_expires_at=now + CODE_LIFETIME,
                    confirmation_attempts=0,
                    confirmation_locked_at=None,
                )
        except IntegrityError:  # taken between the check and the write
            continue
        break
    else:  # pragma: no cover - a hundred million references, twenty draws
        raise Refused(_("No free reference could be drawn: try again."), code="no_reference")
    entry.refresh_from_db(
        fields=[
            "confirmation_reference",
            "confirmation_hash",
            "confirmation_expires_at",
            "confirmation_attempts",
            "confirmation_locked_at",
        ]
    )
    _send(entry, code)


def shown_reference(reference: str) -> str:
    """The reference as the SMS writes it, in two groups of four digits."""
    return f"{reference[:4]} {reference[4:]}" if len(reference) == REFERENCE_DIGITS else reference


def _send(entry: Entry, code: str) -> None:
    from haven.notifications.models import Channel, OutboxMessage

    now = clock.now()
    # The carer reads Vietnamese, whatever language the coordinator's screen is in.
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "Haven: you received %(amount)s đồng for the child. To confirm, open %(address)s and type "
            "the reference %(reference)s and the code %(code)s (valid until %(until)s). Or read them to "
            "the coordinator."
        ) % {
            "amount": f"{entry.amount:,}".replace(",", "."),
            "address": settings.HAVEN_SITE_ADDRESS + PAGE_PATH,
            "reference": shown_reference(entry.confirmation_reference),
            "code": code,
            "until": clock.localdate(entry.confirmation_expires_at).strftime("%d/%m/%Y"),
        }
    OutboxMessage.objects.create(
        channel=Channel.SMS,
        to=entry.carer_phone,
        subject="Haven",
        body=body,
        next_attempt_at=now,
        created_at=now,
    )


def _tell(entry: Entry, title: str, kind: str) -> None:
    from haven.notifications.services import notify

    notify(
        organisation=entry.campaign.organiser,
        kind=kind,
        title=title,
        child=entry.child,
        link=f"/sponsorship/entries/{entry.pk}/",
    )


def _amount(entry: Entry) -> str:
    return f"{entry.amount:,}".replace(",", ".")


def _wrong(entry: Entry, *, actor: User | None, by: str) -> Outcome:
    """Count a wrong code on ``entry``; the last allowed one locks the code and tells the coordinator."""
    attempts = entry.confirmation_attempts + 1
    locked = attempts >= MAX_ATTEMPTS
    entry.confirmation_attempts = attempts
    entry.confirmation_locked_at = clock.now() if locked else None
    Entry.objects.filter(pk=entry.pk).update(
        confirmation_attempts=attempts, confirmation_locked_at=entry.confirmation_locked_at
    )
    record(
        actor=actor,
        action="sponsorship.confirmation_locked" if locked else "sponsorship.confirmation_wrong_code",
        obj=entry,
        child=entry.child,
        data={"attempts": attempts, "by": by},
    )
    if locked:
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                _(
                    "A carer's confirmation code is locked after %(n)s wrong tries: call the carer and "
                    "send a new code (%(amount)s đồng)"
                )
                % {"n": MAX_ATTEMPTS, "amount": _amount(entry)},
                "sponsorship.confirmation_locked",
            )
    return Outcome.LOCKED if locked else Outcome.WRONG


def _confirmed(entry: Entry, *, via: str, actor: User | None, by: str, provider_reference: str = "") -> None:
    entry.confirmed_at, entry.confirmed_via = clock.now(), via
    Entry.objects.filter(pk=entry.pk).update(confirmed_at=entry.confirmed_at, confirmed_via=via)
    obligations_close(subject=entry, rules=[CONFIRM_RULE], actor=actor)
    record(
        actor=actor,
        action="sponsorship.disbursement_confirm",
        obj=entry,
        child=entry.child,
        data={"via": via, "by": by, "provider_reference": provider_reference[:60]},
    )
    if by == "carer":
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                _("The carer confirmed receiving %(amount)s đồng: it is published with the disbursement")
                % {"amount": _amount(entry)},
                "sponsorship.confirmed",
            )


# A reference that waits for nothing counts its wrong tries here, as a real one does on its entry, so
# that the page locks both alike.
def _guessed(reference: str) -> Outcome:
    key = f"sponsorship:guessed-reference:{reference}"
    cache.add(key, 0, int(CODE_LIFETIME.total_seconds()))
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, int(CODE_LIFETIME.total_seconds()))
        tries = 1
    return Outcome.LOCKED if tries >= MAX_ATTEMPTS else Outcome.WRONG


@transaction.atomic
def carer_confirm(*, reference: str, code: str) -> Outcome:
    """The carer's own confirmation, from the public page: no account, only what the SMS said."""
    reference = normalise(reference, REFERENCE_DIGITS)
    code = normalise(code, CODE_DIGITS)
    entry = (
        Entry.objects.select_for_update()
        .select_related("campaign__organiser")
        .filter(kind=EntryKind.DISBURSEMENT, confirmation_reference=reference)
        .exclude(confirmation_reference="")
        .first()
        if reference
        else None
    )
    if entry is None or not waiting(entry):
        if entry is not None and _matches(entry, code):
            return Outcome.ALREADY if entry.confirmed_at is not None else Outcome.CLOSED
        return _guessed(reference or "-")
    if entry.confirmation_locked_at is not None:
        return Outcome.LOCKED
    if not _matches(entry, code):
        return _wrong(entry, actor=None, by="carer")
    if expired(entry):
        record(actor=None, action="sponsorship.confirmation_expired", obj=entry, child=entry.child)
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                _("A carer typed a code that has expired: send a new code (%(amount)s đồng)")
                % {"amount": _amount(entry)},
                "sponsorship.confirmation_expired",
            )
        return Outcome.EXPIRED
    _confirmed(entry, via="carer", actor=None, by="carer")
    return Outcome.CONFIRMED


@transaction.atomic
def _confirm(*, entry: Entry, code: str, provider_reference: str, actor: User | None) -> Outcome:
    from haven.sponsorship.services.ledger import keeping

    entry = Entry.objects.select_for_update().select_related("campaign__organiser").get(pk=entry.pk)
    if entry.kind != EntryKind.DISBURSEMENT or not entry.confirmation_hash:
        raise Refused(_("This entry waits for no confirmation."), code="nothing_to_confirm")
    if entry.confirmed_at is not None:
        raise Refused(_("This disbursement is already confirmed."), code="confirmed")
    if provider_reference:
        if actor is None:
            from haven.access.scoping import NotVisible

            raise NotVisible
        keeping(actor, entry.campaign)
        _confirmed(
            entry, via="provider", actor=actor, by="coordinator", provider_reference=provider_reference
        )
        return Outcome.CONFIRMED
    if entry.confirmation_locked_at is not None:
        return Outcome.LOCKED
    if not _matches(entry, normalise(code, CODE_DIGITS)):
        return _wrong(entry, actor=actor, by="coordinator")
    if expired(entry):
        return Outcome.EXPIRED
    _confirmed(entry, via="carer", actor=actor, by="coordinator")
    return Outcome.CONFIRMED


def disbursement_confirm(
    *, entry: Entry, code: str = "", provider_reference: str = "", actor: User | None = None
) -> Entry:
    """The carer's code as the carer reads it to the coordinator, or the payment provider's return (a
    coordinator records its reference). Either closes the clock. A wrong code counts toward the lock
    as on the public page: it is kept (its own transaction) before the refusal is raised. Neither a code
    nor a reference is no try at all: refused, nothing counted."""
    if not (code or "").strip() and not (provider_reference or "").strip():
        raise invalid("code", _("Type the carer's code, or the payment provider's reference."), "required")
    outcome = _confirm(entry=entry, code=code, provider_reference=provider_reference, actor=actor)
    if outcome == Outcome.WRONG:
        raise invalid("code", _("This code does not match the disbursement."), "wrong_code")
    if outcome == Outcome.LOCKED:
        raise Refused(
            _(
                "The code is locked after %(n)s wrong tries: call the carer, then send a new code, or "
                "record the payment provider's reference."
            )
            % {"n": MAX_ATTEMPTS},
            code="locked",
        )
    if outcome == Outcome.EXPIRED:
        raise Refused(
            _("The code has expired: send the carer a new code, or record the payment provider's reference."),
            code="expired",
        )
    entry.refresh_from_db(fields=["confirmed_at", "confirmed_via", "confirmation_attempts"])
    return entry


@transaction.atomic
def code_resend(*, actor: User, entry: Entry) -> Entry:
    """The coordinator sends the carer a new reference and code (the old ones stop working): after a
    lock, an expiry, or a lost message."""
    from haven.sponsorship.services.ledger import keeping

    membership = keeping(actor, entry.campaign)
    entry = Entry.objects.select_for_update().select_related("campaign").get(pk=entry.pk)
    if entry.kind != EntryKind.DISBURSEMENT or not entry.confirmation_hash:
        raise Refused(_("This entry waits for no confirmation."), code="nothing_to_confirm")
    if not waiting(entry):
        raise Refused(_("This disbursement no longer waits for the carer's code."), code="not_waiting")
    code_issue(entry)
    record(
        actor=actor,
        action="sponsorship.confirmation_resend",
        obj=entry,
        organisation=membership.organisation,
        child=entry.child,
    )
    return entry
