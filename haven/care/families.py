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

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import NotVisible, granting, memberships, require
from haven.accounts.models import Membership, Role, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.care import services
from haven.care.models import CareFamily, CareForm, FamilyKind, FamilyStatus, Placement, RegisterUpdate
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.deadlines.models import Status
from haven.deadlines.services import obligation_open, obligations_close
from haven.notifications.models import Notification
from haven.people import rules as names
from haven.people.models import Child, SiblingLink
from haven.people.rules import HEARD_FROM_YEARS, child_not_heard, latest_view

ADULT_YEARS = 18
# Law on Children art. 64: a caregiver who is not a relative is at least 20 years older than the child.
AGE_GAP_YEARS = 20
# Decree 56/2017 art. 41: the health certificate is issued within 6 calendar months of the application.
HEALTH_CERTIFICATE_MONTHS = 6


def years_between(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# Who reads the register of families (Decree 56/2017 art. 41): the commune that registers, verifies and
# decides, and the province that oversees; a facility reads only the families of the children it holds.
REGISTER_ROLES = frozenset(
    {Role.COMMUNE_CHILD_PROTECTION_OFFICER, Role.COMMUNE_CHAIRMAN, Role.PROVINCIAL_OFFICER}
)
FACILITY_ROLES = frozenset({Role.FACILITY_DIRECTOR, Role.FACILITY_SOCIAL_WORKER})


def families_visible(user: User):
    """Families registered in the communes (or province) of the user's authority; for a facility,
    the families of the children it holds. No one else (a hotline, a national body) reads them."""
    clauses = []
    for m in granting(user, Verb.CHILD_VIEW):
        area = m.organisation.area
        if m.role in REGISTER_ROLES and POLICY[Role(m.role)].scope is Scope.AREA:
            clauses.append(Q(commune__parent=area) if area.level == "province" else Q(commune=area))
        elif m.role in FACILITY_ROLES:
            held = Child.objects.visible_to(user).values("pk")
            clauses.append(Q(relative_of__in=held) | Q(decided_child__in=held))
    if not clauses:
        return CareFamily.objects.none()
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return CareFamily.objects.filter(combined).select_related("commune__parent")


def audit_read(user: User, action: str, found: list[CareFamily], child: Child | None = None) -> None:
    """A read of the register (list, one family, the suggestions for a child) leaves an audit event."""
    record(actor=user, action=action, child=child, data={"families": [str(f.pk) for f in found][:500]})


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
        elif health_certificate_on > today or health_certificate_on < today - relativedelta(
            months=HEALTH_CERTIFICATE_MONTHS
        ):
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


def _phone(value: str) -> str:
    return names.clean_phone(value, field="phone")


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
    names.check_names(applicant_name=applicant_name)
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
        phone=_phone(phone),
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
    register_update_open(commune)
    return family


# --- The quarterly update of the register (Decree 56/2017 art. 41; vietnam-process.md §3.4 B2) -------

# The families on the register: willing, or caring for a child. A family found not eligible, or
# removed, is no longer reviewed.
ON_REGISTER = (
    FamilyStatus.REGISTERED,
    FamilyStatus.VERIFIED,
    FamilyStatus.CHOSEN,
    FamilyStatus.HANDED_OVER,
)


def register_update_open(commune: Area) -> RegisterUpdate:
    """The commune's open quarterly update, opened (with its clock) if there is none."""
    from haven.accounts.selectors import authority_for

    # Two first registrations in a commune at once would both find no open update: the commune's row
    # is locked first, so the second waits and finds the first one's.
    Area.objects.select_for_update().filter(pk=commune.pk).first()
    update = (
        RegisterUpdate.objects.select_for_update().filter(commune=commune, completed_on__isnull=True).first()
    )
    if update is not None:
        return update
    update = RegisterUpdate.objects.create(commune=commune, opened_on=clock.today())
    obligation_open(
        rule_code="care.register_update", subject=update, child=None, responsible=authority_for(commune)
    )
    return update


def register_pending(update: RegisterUpdate):
    """The families of the register not yet confirmed or removed in this quarter's update."""
    return CareFamily.objects.filter(commune=update.commune_id, status__in=ON_REGISTER).exclude(
        confirmed_in=update
    )


def _cares_for_a_child(family: CareFamily) -> bool:
    return (
        family.status == FamilyStatus.CHOSEN
        or Placement.objects.filter(family=family, ended_on__isnull=True).exists()
    )


@transaction.atomic
def family_review(*, actor: User, family: CareFamily, keep: bool, reason: str = "") -> CareFamily:
    """The quarterly update: the commune confirms a family is still willing and able, or removes it
    from the register with the reason. When every family of the register has been reviewed, the
    quarter's update is done (its clock met) and the next quarter's opens."""
    family = CareFamily.objects.select_for_update().get(pk=family.pk)
    membership = _commune_role(
        actor, family.commune, {Role.COMMUNE_CHILD_PROTECTION_OFFICER, Role.COMMUNE_CHAIRMAN}
    )
    if family.status not in ON_REGISTER:
        raise Refused(_("This family is not on the register."), code="not_on_register")
    update = register_update_open(family.commune)
    if family.confirmed_in_id == update.pk:
        raise Refused(_("This family has already been reviewed this quarter."), code="unchanged")
    today = clock.today()
    if keep:
        family.confirmed_on = today
        update.confirmed += 1
        action, fields = "care.family_confirm", ["confirmed_on"]
    else:
        reason = services._required("reason", reason, _("Say why the family is removed."))
        if _cares_for_a_child(family):
            raise Refused(
                _(
                    "This family has been chosen for a child or cares for one: end the care by decision "
                    "(Form 16) first."
                ),
                code="in_care",
            )
        family.status, family.removed_on, family.removal_reason = FamilyStatus.REMOVED, today, reason[:300]
        obligations_close(
            subject=family, rules=["care.family_decision"], actor=actor, status=Status.CANCELLED
        )
        update.removed += 1
        action, fields = "care.family_remove", ["status", "removed_on", "removal_reason"]
    family.confirmed_in = update
    family.save(update_fields=[*fields, "confirmed_in", "updated_at"])
    update.save(update_fields=["confirmed", "removed", "updated_at"])
    record(
        actor=actor,
        action=action,
        obj=family,
        organisation=membership.organisation,
        reason=reason if not keep else "",
        data={"update": str(update.pk)},
    )
    _register_settle(actor, membership, update)
    return family


def _register_settle(actor: User, membership: Membership, update: RegisterUpdate) -> None:
    """The quarter's update is done when no family of the register is left to review — whether the
    last one was confirmed or removed, or left the register otherwise (found not eligible, Form 11):
    its clock is met, and the next quarter's opens while the register has families."""
    if update.completed_on is not None or register_pending(update).exists():
        return
    update.completed_on, update.completed_by = clock.today(), actor
    update.save(update_fields=["completed_on", "completed_by", "updated_at"])
    obligations_close(subject=update, rules=["care.register_update"], actor=actor)
    record(
        actor=actor,
        action="care.register_update",
        obj=update,
        organisation=membership.organisation,
        data={"confirmed": update.confirmed, "removed": update.removed},
    )
    if CareFamily.objects.filter(commune=update.commune_id, status__in=ON_REGISTER).exists():
        register_update_open(update.commune)


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
    if eligible:
        _tell_the_chairman(family, membership.organisation)
    if not eligible:
        # The family leaves the register: the open quarterly update may have nothing left to review.
        update = (
            RegisterUpdate.objects.select_for_update()
            .filter(commune=family.commune_id, completed_on__isnull=True)
            .first()
        )
        if update is not None:
            _register_settle(actor, membership, update)
    return family


def _tell_the_chairman(family: CareFamily, committee) -> None:
    """After Form 11 the decision (Form 12) is the commune chairman's (Circular 14/2020; vietnam-
    process.md §3.4 A4, B3): he is told, and a verified relative is a task of his, since the child is
    known and waits for that decision alone."""
    if family.relative_of_id is not None:
        obligation_open(
            rule_code="care.family_decision", subject=family, child=family.relative_of, responsible=committee
        )
    Notification.objects.create(
        organisation=committee,
        kind="care.family_verified",
        title=_("Form 11 done for %(family)s: the commune chairman decides the handover (Form 12)")
        % {"family": family.applicant_name},
        child=family.relative_of,
        link=f"/care/families/{family.pk}/",
        created_at=clock.now(),
    )


def siblings_of(child: Child) -> set:
    return set(SiblingLink.objects.filter(child=child).values_list("sibling_id", flat=True)) | set(
        SiblingLink.objects.filter(sibling=child).values_list("child_id", flat=True)
    )


def decision_refusals(
    family: CareFamily, child: Child, *, siblings: set | None = None, view=False
) -> list[str]:
    """Why the chairman may not give ``child`` to ``family`` (Law on Children art. 60(3), 64).
    ``siblings`` and ``view`` (the latest view) may be given when checking many families at once."""
    reasons = []
    if family.kind == FamilyKind.NON_KIN and child.date_of_birth is None:
        reasons.append(
            _(
                "Record the child's date of birth (or its estimate) first: a caregiver who is not a "
                "relative must be at least 20 years older than the child (art. 64)."
            )
        )
    if family.kind == FamilyKind.NON_KIN and child.date_of_birth is not None:
        if years_between(family.applicant_born_on, child.date_of_birth) < AGE_GAP_YEARS:
            reasons.append(
                _(
                    "A caregiver who is not a relative must be at least 20 years older than the child "
                    "(art. 64)."
                )
            )
    if family.kind == FamilyKind.KIN and family.relative_of_id != child.pk:
        if family.relative_of_id not in (siblings if siblings is not None else siblings_of(child)):
            reasons.append(_("This family is registered as relatives of another child."))
    reasons += view_refusals(child, view=view)
    return reasons


def view_refusals(child: Child, *, view=False) -> list[str]:
    """A child aged 7 or over must be consulted on an alternative-care decision (Law on Children
    art. 60(3); vietnam-process.md §3.1): the one rule of people/rules.py."""
    reason = child_not_heard(child, clock.today(), view=view)
    return [reason] if reason else []


def decidable_children(user: User, family: CareFamily):
    """The children the chairman of the family's commune may give to it: those the chairman sees, and
    the children of the province waiting in a facility for a family (Form 14), from any commune."""
    waiting = Placement.objects.filter(
        ended_on__isnull=True,
        group__isnull=False,
        needs_family=True,
        child__current_commune__parent=family.commune.parent_id,
    ).values("child_id")
    return Child.objects.filter(Q(pk__in=Child.objects.visible_to(user).values("pk")) | Q(pk__in=waiting))


@transaction.atomic
def family_decide(*, actor: User, family: CareFamily, child: Child, decision_number: str) -> CareFamily:
    """Form 12: the commune chairman (of the caregiver's residence) decides to hand the child over;
    the handover is due within 15 working days."""
    # The child's row first, then the family's: two decisions for one child wait for each other.
    child = Child.objects.select_for_update().get(pk=child.pk)
    family = CareFamily.objects.select_for_update().get(pk=family.pk)
    membership = _commune_role(actor, family.commune, {Role.COMMUNE_CHAIRMAN})
    if not decidable_children(actor, family).filter(pk=child.pk).exists():
        raise NotVisible
    decision_number = names.clean_reference(decision_number, field="decision_number")
    # A family that has taken a child may be chosen again, for a sibling (siblings stay together).
    if family.status not in (FamilyStatus.VERIFIED, FamilyStatus.HANDED_OVER):
        raise Refused(_("Only a verified family can be chosen."), code="out_of_order")
    if (
        CareFamily.objects.filter(decided_child=child, status=FamilyStatus.CHOSEN)
        .exclude(pk=family.pk)
        .exists()
        or Placement.objects.filter(child=child, ended_on__isnull=True, family__isnull=False).exists()
    ):
        raise Refused(
            _("Another family has already been chosen for this child or has taken the child."),
            code="already_chosen",
        )
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
    family.handed_over_on = None
    family.save(
        update_fields=[
            "decision_number",
            "status",
            "decided_child",
            "decided_on",
            "decided_by",
            "handed_over_on",
            "updated_at",
        ]
    )
    obligations_close(subject=family, rules=["care.family_decision"], actor=actor)
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
    # A child who has meanwhile been given to another family (Form 16) is not taken from it by this
    # handover: ending that care is a decision of its own (Law on Children art. 69; Form 16).
    if (
        Placement.objects.filter(child=family.decided_child_id, ended_on__isnull=True, family__isnull=False)
        .exclude(family=family)
        .exists()
    ):
        raise Refused(
            _("Another family has already been chosen for this child or has taken the child."),
            code="already_chosen",
        )
    placement = services.placement_from_decision(
        actor=actor,
        membership=membership,
        child=family.decided_child,
        form=CareForm.KIN if family.kind == FamilyKind.KIN else CareForm.FOSTER,
        carer_name=family.applicant_name,
        reason=_("Decision %(number)s (Form 12)") % {"number": family.decision_number},
        family=family,
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
    siblings = siblings_of(child)
    families_of_siblings = set(
        Placement.objects.filter(
            child_id__in=siblings, ended_on__isnull=True, family__isnull=False
        ).values_list("family_id", flat=True)
    )
    age = child.age_years(clock.today())
    heard = latest_view(child)  # once, not per family
    found = []
    for family in families_visible(user).filter(
        Q(status=FamilyStatus.VERIFIED) | Q(status=FamilyStatus.HANDED_OVER, pk__in=families_of_siblings),
        commune__parent=child.current_commune.parent,
    ):
        reasons, rank = [], 3
        if family.kind == FamilyKind.KIN and family.relative_of_id == child.pk:
            rank = 0
            reasons.append(
                _("A relative (%(relation)s): kinship care comes first (Law on Children art. 60(4)).")
                % {"relation": family.relationship}
            )
        elif family.kind == FamilyKind.KIN and family.relative_of_id not in siblings:
            continue  # relatives of another child
        if family.pk in families_of_siblings:
            rank = min(rank, 1)
            reasons.append(_("Already cares for a sibling: siblings stay together (art. 60(4))."))
        if family.commune_id == child.current_commune_id:
            rank = min(rank, 2)
            reasons.append(_("Lives in the child's commune."))
        if not reasons:
            reasons.append(_("A verified family of the province."))
        if age is not None and age >= HEARD_FROM_YEARS:
            if heard:
                reasons.append(
                    _("The child's view (heard on %(date)s): %(view)s")
                    % {"date": heard.heard_on.strftime("%d/%m/%Y"), "view": heard.opinion}
                )
        found.append(
            Suggestion(family, rank, reasons, decision_refusals(family, child, siblings=siblings, view=heard))
        )
    found.sort(key=lambda s: (bool(s.blocked), s.rank, s.family.applicant_name))
    return found
