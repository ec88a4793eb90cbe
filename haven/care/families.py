"""Alternative-care families (Decree 56/2017 art. 41; Circular 14/2020; vietnam-process.md §3.3–3.4):
registration (Form 08), verification (Form 11), the commune chairman's decision (Form 12), handover
within 15 working days on the deadline engine, and matching that explains itself.

Law on Children art. 64: a relative must be an adult; any other caregiver at least 20 years older
than the child; household consent and no member sanctioned for abuse of children. Decree 56 art. 41:
a non-kin applicant brings a health certificate issued within 6 months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import NotVisible, granting, memberships, require
from haven.accounts.models import Membership, Role, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.care import services
from haven.care.models import CareFamily, CareForm, FamilyKind, FamilyStatus, Placement
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.deadlines.services import obligation_open, obligations_close
from haven.people.models import Child, SiblingLink

ADULT_YEARS = 18
# Law on Children art. 64: a caregiver who is not a relative is at least 20 years older than the child.
AGE_GAP_YEARS = 20
# Decree 56/2017 art. 41: the health certificate is issued within 6 months of the application.
HEALTH_CERTIFICATE_DAYS = 183
# Law on Children art. 60(3): a child of 7 or more is consulted.
HEARD_FROM_YEARS = 7


def years_between(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def families_visible(user: User):
    """Families registered in the communes (or province) of the user's authority; all for the nation."""
    clauses = []
    for m in granting(user, Verb.CHILD_VIEW):
        scope = POLICY[Role(m.role)].scope
        area = m.organisation.area
        if scope is Scope.NATION:
            return CareFamily.objects.select_related("commune__parent")
        if scope is Scope.AREA:
            clauses.append(Q(commune__parent=area) if area.level == "province" else Q(commune=area))
    if not clauses:
        return CareFamily.objects.none()
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return CareFamily.objects.filter(combined).select_related("commune__parent")


def _commune_role(actor: User, commune: Area, roles: set[str]) -> Membership:
    for m in memberships(actor):
        if m.role in roles and m.organisation.area_id == commune.pk:
            return m
    raise NotVisible


def _conditions(
    *,
    kind: str,
    applicant_born_on: dt.date,
    health_certificate_on: dt.date | None,
    consent: bool,
    clean: bool,
) -> list[tuple[str, str]]:
    today = clock.today()
    failed = []
    if years_between(applicant_born_on, today) < ADULT_YEARS:
        failed.append(("applicant_born_on", _("The caregiver must be an adult (Law on Children art. 64).")))
    if kind == FamilyKind.NON_KIN:
        if health_certificate_on is None:
            failed.append(
                ("health_certificate_on", _("A health certificate is required (Decree 56/2017 art. 41)."))
            )
        elif health_certificate_on > today or (today - health_certificate_on).days > HEALTH_CERTIFICATE_DAYS:
            failed.append(
                (
                    "health_certificate_on",
                    _(
                        "The health certificate must be issued within the last 6 months "
                        "(Decree 56/2017 art. 41)."
                    ),
                )
            )
    if not consent:
        failed.append(("household_consent", _("All household members must agree (Law on Children art. 64).")))
    if not clean:
        failed.append(
            (
                "no_abuse_record",
                _(
                    "No household member may have been prosecuted or sanctioned for abusing a child "
                    "(Law on Children art. 64)."
                ),
            )
        )
    return failed


@transaction.atomic
def family_register(
    *,
    actor: User,
    commune: Area,
    kind: str,
    applicant_name: str,
    applicant_born_on: dt.date,
    address: str,
    household: str,
    economic_conditions: str,
    housing: str,
    household_consent: bool,
    no_abuse_record: bool,
    phone: str = "",
    health_certificate_on: dt.date | None = None,
    relative_of: Child | None = None,
    relationship: str = "",
) -> CareFamily:
    """Form 08 (non-kin) or the relative's notification (Law on Children art. 65(4)) at the commune."""
    membership = _commune_role(actor, commune, {Role.COMMUNE_CHILD_PROTECTION_OFFICER})
    if kind == FamilyKind.KIN:
        if relative_of is None:
            raise invalid("relative_of", _("Choose the child whose relative this is."), "required")
        require(actor, Verb.CHILD_VIEW, relative_of)
        relationship = services._required("relationship", relationship, _("Say how they are related."))
    failed = _conditions(
        kind=kind,
        applicant_born_on=applicant_born_on,
        health_certificate_on=health_certificate_on,
        consent=household_consent,
        clean=no_abuse_record,
    )
    if failed:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            {name: ValidationError(message, code="condition_failed") for name, message in failed}
        )
    family = CareFamily.objects.create(
        commune=commune,
        kind=kind,
        applicant_name=services._required("applicant_name", applicant_name, _("Give the applicant's name.")),
        applicant_born_on=applicant_born_on,
        address=services._required("address", address, _("Give the address.")),
        phone=phone.strip(),
        household=household.strip(),
        economic_conditions=economic_conditions.strip(),
        housing=housing.strip(),
        health_certificate_on=health_certificate_on,
        household_consent=household_consent,
        no_abuse_record=no_abuse_record,
        relative_of=relative_of if kind == FamilyKind.KIN else None,
        relationship=relationship.strip() if kind == FamilyKind.KIN else "",
        registered_by=actor,
    )
    record(actor=actor, action="care.family_register", obj=family, organisation=membership.organisation)
    return family


@transaction.atomic
def family_verify(*, actor: User, family: CareFamily, eligible: bool, note: str) -> CareFamily:
    """Form 11: the commune's child-protection officer verifies the conditions at the home."""
    family = CareFamily.objects.select_for_update().get(pk=family.pk)
    membership = _commune_role(actor, family.commune, {Role.COMMUNE_CHILD_PROTECTION_OFFICER})
    if family.status != FamilyStatus.REGISTERED:
        raise Refused(_("This family has already been verified."), code="out_of_order")
    family.verification_note = services._required("note", note, _("Summarise the verification."))
    family.status = FamilyStatus.VERIFIED if eligible else FamilyStatus.NOT_ELIGIBLE
    family.verified_on, family.verified_by = clock.today(), actor
    family.save(update_fields=["verification_note", "status", "verified_on", "verified_by", "updated_at"])
    record(
        actor=actor,
        action="care.family_verify",
        obj=family,
        organisation=membership.organisation,
        data={"eligible": eligible},
    )
    return family


def decision_refusals(family: CareFamily, child: Child) -> list[str]:
    """Why the chairman may not give ``child`` to ``family`` (Law on Children art. 60(3), 64)."""
    today = clock.today()
    reasons = []
    if family.kind == FamilyKind.NON_KIN and child.date_of_birth is not None:
        if years_between(family.applicant_born_on, child.date_of_birth) < AGE_GAP_YEARS:
            reasons.append(
                _(
                    "A caregiver who is not a relative must be at least 20 years older than the child "
                    "(art. 64)."
                )
            )
    if family.kind == FamilyKind.KIN and family.relative_of_id != child.pk:
        reasons.append(_("This family is registered as relatives of another child."))
    age = child.age_years(today)
    if age is not None and age >= HEARD_FROM_YEARS and not child.opinions.exists():
        reasons.append(_("The child is 7 or older: record the child's view first (art. 60(3))."))
    return reasons


@transaction.atomic
def family_decide(*, actor: User, family: CareFamily, child: Child, decision_number: str) -> CareFamily:
    """Form 12: the commune chairman (of the caregiver's residence) decides to hand the child over;
    the handover is due within 15 working days."""
    family = CareFamily.objects.select_for_update().get(pk=family.pk)
    membership = _commune_role(actor, family.commune, {Role.COMMUNE_CHAIRMAN})
    require(actor, Verb.CHILD_VIEW, child)
    if family.status != FamilyStatus.VERIFIED:
        raise Refused(_("Only a verified family can be chosen."), code="out_of_order")
    reasons = decision_refusals(family, child)
    if reasons:
        raise Refused(" ".join(reasons), code="condition_failed")
    family.decision_number = services._required(
        "decision_number", decision_number, _("Give the number of the decision.")
    )
    family.status, family.decided_child, family.decided_on, family.decided_by = (
        FamilyStatus.CHOSEN,
        child,
        clock.today(),
        actor,
    )
    family.save(
        update_fields=["decision_number", "status", "decided_child", "decided_on", "decided_by", "updated_at"]
    )
    obligation_open(
        rule_code="care.handover", subject=family, child=child, responsible=membership.organisation
    )
    record(
        actor=actor,
        action="care.family_decide",
        obj=family,
        child=child,
        organisation=membership.organisation,
        data={"decision": family.decision_number},
    )
    return family


@transaction.atomic
def family_handover(*, actor: User, family: CareFamily) -> Placement:
    """The child is handed to the family: the family placement starts today and any facility
    placement ends (its clocks stop); the commune follows the family every 6 months."""
    family = CareFamily.objects.select_for_update().get(pk=family.pk)
    membership = _commune_role(
        actor, family.commune, {Role.COMMUNE_CHILD_PROTECTION_OFFICER, Role.COMMUNE_CHAIRMAN}
    )
    if family.status != FamilyStatus.CHOSEN:
        raise Refused(_("The chairman has not chosen this family for a child."), code="out_of_order")
    placement = services.placement_from_decision(
        actor=actor,
        membership=membership,
        child=family.decided_child,
        form=CareForm.KIN if family.kind == FamilyKind.KIN else CareForm.FOSTER,
        carer_name=family.applicant_name,
        reason=_("Decision %(number)s (Form 12)") % {"number": family.decision_number},
    )
    family.status, family.handed_over_on = FamilyStatus.HANDED_OVER, clock.today()
    family.save(update_fields=["status", "handed_over_on", "updated_at"])
    obligations_close(subject=family, rules=["care.handover"], actor=actor)
    record(
        actor=actor,
        action="care.family_handover",
        obj=family,
        child=family.decided_child,
        organisation=membership.organisation,
    )
    return placement


# --- Matching -----------------------------------------------------------------------------------


@dataclass
class Suggestion:
    family: CareFamily
    rank: int
    reasons: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def suggestions(user: User, child: Child) -> list[Suggestion]:
    """Verified families of the child's province, kin first, then a family already caring for a
    sibling, then the child's own commune; each with its reasons and what would block a decision."""
    siblings = set(SiblingLink.objects.filter(child=child).values_list("sibling_id", flat=True)) | set(
        SiblingLink.objects.filter(sibling=child).values_list("child_id", flat=True)
    )
    carers_of_siblings = set(
        Placement.objects.filter(
            child_id__in=siblings, ended_on__isnull=True, group__isnull=True
        ).values_list("carer_name", flat=True)
    )
    found = []
    for family in families_visible(user).filter(
        status=FamilyStatus.VERIFIED, commune__parent=child.current_commune.parent
    ):
        reasons, rank = [], 3
        if family.kind == FamilyKind.KIN and family.relative_of_id == child.pk:
            rank = 0
            reasons.append(
                _("A relative (%(relation)s): kinship care comes first (Law on Children art. 60(4)).")
                % {"relation": family.relationship}
            )
        elif family.kind == FamilyKind.KIN:
            continue  # relatives of another child
        if family.applicant_name in carers_of_siblings:
            rank = min(rank, 1)
            reasons.append(_("Already cares for a sibling: siblings stay together (art. 60(4))."))
        if family.commune_id == child.current_commune_id:
            rank = min(rank, 2)
            reasons.append(_("Lives in the child's commune."))
        if not reasons:
            reasons.append(_("A verified family of the province."))
        age = child.age_years(clock.today())
        if age is not None and age >= HEARD_FROM_YEARS:
            heard = child.opinions.order_by("-heard_on").first()
            if heard:
                reasons.append(
                    _("The child's view (heard on %(date)s): %(view)s")
                    % {"date": heard.heard_on.strftime("%d/%m/%Y"), "view": heard.opinion}
                )
        found.append(Suggestion(family, rank, reasons, decision_refusals(family, child)))
    found.sort(key=lambda s: (bool(s.blocked), s.rank, s.family.applicant_name))
    return found
