"""The register of alternative-care families (Decree 56/2017 art. 41; Circular 14/2020;
vietnam-process.md §3.3–3.4): who reads it, the conditions a family must meet, the children the
chairman may give a family, and matching that explains itself. The steps (Forms 08, 11, 12, the
handover, the quarterly update) are the family table of care/workflow/, taken by
care/services/families.py.

Law on Children art. 64: a relative must be an adult; any other caregiver at least 20 years older
than the child; household consent and no member sanctioned for abuse of children. Decree 56 art. 41:
a non-kin applicant brings a health certificate issued within 6 months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import granting
from haven.accounts.models import Role, User
from haven.audit.services import record
from haven.care.models import CareFamily, FamilyKind, FamilyStatus, Placement, RegisterUpdate
from haven.core import clock
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

# The families on the register: willing, chosen, or caring for a child, or whose care has ended. A
# family found not eligible, or removed, is no longer reviewed.
ON_REGISTER = (
    FamilyStatus.REGISTERED,
    FamilyStatus.VERIFIED,
    FamilyStatus.CHOSEN,
    FamilyStatus.HANDED_OVER,
    FamilyStatus.ENDED,
)


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


def conditions(
    *,
    kind: str,
    applicant_born_on: dt.date | None,
    health_certificate_on: dt.date | None,
    consent: bool,
    clean: bool,
) -> list[tuple[str, str]]:
    """The conditions of Law on Children art. 64 and Decree 56/2017 art. 41 a family fails, as
    (field, reason)."""
    today = clock.today()
    failed = []
    if applicant_born_on is not None and years_between(applicant_born_on, today) < ADULT_YEARS:
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


def register_pending(update: RegisterUpdate):
    """The families of the register not yet confirmed or removed in this quarter's update."""
    return CareFamily.objects.filter(commune=update.commune_id, state__in=ON_REGISTER).exclude(
        confirmed_in=update
    )


def siblings_of(child: Child) -> set:
    return set(SiblingLink.objects.filter(child=child).values_list("sibling_id", flat=True)) | set(
        SiblingLink.objects.filter(sibling=child).values_list("child_id", flat=True)
    )


def family_refusals(family: CareFamily, child: Child, *, siblings: set | None = None) -> list[str]:
    """Why ``family`` may not care for ``child`` (Law on Children art. 64): the age gap of a caregiver
    who is not a relative, and relatives of another child. ``siblings`` may be given when checking
    many families at once."""
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
    return reasons


def decision_refusals(
    family: CareFamily, child: Child, *, siblings: set | None = None, view=False
) -> list[str]:
    """Everything that would stop the chairman giving ``child`` to ``family`` (Law on Children
    art. 60(3), 64): the family's conditions and the child's view. ``view`` (the latest view) may be
    given when checking many families at once."""
    return family_refusals(family, child, siblings=siblings) + view_refusals(child, view=view)


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


def decide_choices(user: User, family: CareFamily):
    """The children offered on the chairman's Form 12 page: relatives of a child are relatives of the
    child's siblings too (siblings stay together)."""
    children = decidable_children(user, family)
    if family.relative_of_id:
        children = children.filter(pk__in={family.relative_of_id, *siblings_of(family.relative_of)})
    return children


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
        Q(state=FamilyStatus.VERIFIED) | Q(state=FamilyStatus.HANDED_OVER, pk__in=families_of_siblings),
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


# The register's steps are services (care/services/families.py); they stay importable from here for the
# callers that knew them here.
_MOVED = {
    "family_register",
    "family_verify",
    "family_decide",
    "family_handover",
    "family_withdraw",
    "family_review",
}


def __getattr__(name: str):
    if name in _MOVED:
        from haven.care.services import families as steps

        return getattr(steps, name)
    raise AttributeError(name)
