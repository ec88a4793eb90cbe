"""A child's health-insurance card as an entitlement: recorded with its number and dates, the end of a
card for a child under 6 computed by the rule (never typed), and a clock to renew it three months
before it lapses (the Từ Dũ lesson: a child in care without a valid card is found only when it is ill).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.scoping import NotVisible
from haven.accounts.models import User
from haven.accounts.selectors import authority_for
from haven.audit.services import record
from haven.core import calendar, clock
from haven.core.errors import Problems
from haven.deadlines.services import obligation_open, obligations_close
from haven.entitlements import workflow
from haven.entitlements.models import CardBasis, HealthInsuranceCard
from haven.people.models import Child

CARD_NUMBER = re.compile(r"^[A-Z0-9]{10,15}$")
RENEW_BEFORE_MONTHS = 3
SCHOOL_INTAKE = (9, 30)  # 30 September


@dataclass(frozen=True)
class CardRule:
    citation: str
    verified: bool
    note: str


# Law on Health Insurance as amended in 2014, art. 16(3): a child under 6's card is valid until the
# child is 72 months old, or until 30 September of that year when the school year has not begun;
# Decree 146/2018/NĐ-CP art. 13(2) words it by the month of birth. Decree 146/2018 was replaced by
# Decree 188/2025/NĐ-CP (2025), whose text Haven has not read: not yet checked.
UNDER_SIX = CardRule(
    citation=gettext_lazy(
        "Law on Health Insurance, as amended in 2014, art. 16(3); Decree 146/2018/NĐ-CP, art. 13(2), "
        "replaced by Decree 188/2025/NĐ-CP"
    ),
    verified=False,
    note=gettext_lazy(
        "Read in Decree 146/2018; the text of Decree 188/2025 that replaced it is not yet checked."
    ),
)


def under_six_card_end(born: dt.date) -> dt.date:
    """The last day of a child under 6's card: 30 September of the year the child turns 72 months when
    the birthday comes by then (the school year has not begun), else the last day of the month of the
    6th birthday."""
    sixth = calendar.add_months(born, 72)
    intake = dt.date(sixth.year, *SCHOOL_INTAKE)
    if sixth <= intake:
        return intake
    return calendar.add_months(sixth.replace(day=1), 1) - dt.timedelta(days=1)


def _check(
    problems: Problems, child: Child, number: str, basis: str, valid_from, expires_on
) -> dt.date | None:
    if not CARD_NUMBER.match(number):
        problems.add(
            "number",
            _("A card number has 10 to 15 letters and digits, as printed on the card."),
            "bad_number",
        )
    if basis not in CardBasis.values:
        problems.add("basis", _("Choose on what basis the child is insured."), "required")
    today = clock.today()
    if valid_from is None:
        problems.add("valid_from", _("Give the day the card is valid from."), "required")
        return None
    if valid_from > today + dt.timedelta(days=366):
        problems.add("valid_from", _("This date is too far in the future."), "date_too_far")
    if child.date_of_birth is not None and valid_from < child.date_of_birth:
        problems.add("valid_from", _("This cannot be before the child was born."), "before_birth")
    if basis == CardBasis.UNDER_SIX:
        if child.date_of_birth is None:
            problems.add(
                "basis", _("The child's date of birth is needed to compute the card's end."), "no_birth"
            )
            return None
        end = under_six_card_end(child.date_of_birth)
        if valid_from > end:
            problems.add("basis", _("The child is 6 or over on that day: choose the other basis."), "too_old")
        if expires_on is not None and expires_on != end:
            problems.add(
                "expires_on",
                _("A card for a child under 6 runs to %(day)s by the rule: it is computed, not typed.")
                % {"day": end.strftime("%d/%m/%Y")},
                "computed",
            )
        return end
    if basis in (CardBasis.SPECIAL, CardBasis.OTHER):
        if expires_on is None:
            problems.add(
                "expires_on", _("Give the last day the card is valid, as printed on it."), "required"
            )
        elif expires_on < valid_from:
            problems.add("expires_on", _("The end cannot be before the start."), "before_start")
        elif expires_on > calendar.add_months(valid_from, 60):
            problems.add("expires_on", _("A card is valid for at most 5 years: check the year."), "too_long")
    return expires_on


@transaction.atomic
def health_card_record(
    *,
    actor: User | None,
    child: Child,
    number: str,
    basis: str,
    valid_from: dt.date,
    expires_on: dt.date | None = None,
    source: str = "",
) -> HealthInsuranceCard:
    """Record a child's card. The commune's officer, the body standing in for it or the facility
    caring for the child records it (``actor`` None: Haven copies a card a found child's case
    recorded). The renewal clocks of the child's earlier cards are met; the new card's own opens."""
    organisation = None
    if actor is not None:
        membership = workflow.acting_for(actor, child, child.current_commune, workflow.APPLICANTS)
        if membership is None:
            raise NotVisible
        organisation = membership.organisation
    number = re.sub(r"\s", "", number or "").upper()
    problems = Problems()
    end = _check(problems, child, number, basis, valid_from, expires_on)
    if HealthInsuranceCard.objects.filter(child=child, number=number, valid_from=valid_from).exists():
        problems.add("number", _("This card is already recorded for the child."), "duplicate")
    problems.raise_any()
    card = HealthInsuranceCard.objects.create(
        child=child, number=number, basis=basis, valid_from=valid_from, expires_on=end, recorded_by=actor
    )
    for earlier in HealthInsuranceCard.objects.filter(child=child).exclude(pk=card.pk):
        obligations_close(subject=earlier, rules=["entitlement.health_card"], actor=actor)
    if end >= clock.today():
        obligation_open(
            rule_code="entitlement.health_card",
            subject=card,
            child=child,
            responsible=authority_for(child.current_commune),
            due=max(calendar.add_months(end, -RENEW_BEFORE_MONTHS), clock.today()),
        )
    record(
        actor=actor,
        action="entitlement.health_card",
        obj=card,
        child=child,
        organisation=organisation,
        data={"basis": basis, "from": valid_from.isoformat(), "until": end.isoformat(), "source": source},
    )
    return card


def card_from_foundling(child: Child, number: str, valid_from: dt.date) -> None:
    """A found child's case recorded its card among its papers: Haven keeps it with the child's
    entitlements too, insured as a child under 6 (nobody types it twice). Nothing when it cannot."""
    from django.core.exceptions import ValidationError

    if child.date_of_birth is None or calendar.add_months(child.date_of_birth, 72) <= valid_from:
        return
    try:
        with transaction.atomic():
            health_card_record(
                actor=None,
                child=child,
                number=number,
                basis=CardBasis.UNDER_SIX,
                valid_from=valid_from,
                source="foundling_case",
            )
    except ValidationError:
        return
