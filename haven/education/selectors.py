"""Every read of school for every child starts from ``visible_to(user, EDUCATION_VIEW)``: a commune
officer reads the children of the commune, a facility those it cares for, a school only its pupils (and
children it was asked to enrol), and only their school facts. Each read of a child's school facts is
audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import NotVisible, child_filter, granting
from haven.accounts.models import Organisation, Role, User
from haven.accounts.selectors import authority_for
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.education import ages, clocks, continuity, roster
from haven.education.models import (
    CURRENT_STATES,
    AbsenceAlert,
    Attendance,
    Enrolment,
    InclusionPlan,
    School,
    SchoolMove,
    State,
)
from haven.education.workflow import SCHOOL
from haven.people.models import Child
from haven.protection.models import CLOSED_STATES, ProtectionCase

V = Verb.EDUCATION_VIEW


def children(user: User) -> QuerySet[Child]:
    return Child.objects.visible_to(user, V)


def child_for(user: User, child_id) -> Child:
    found = children(user).select_related("current_commune__parent").filter(pk=child_id).first()
    if found is None:
        raise NotVisible
    return found


def enrolments(user: User) -> QuerySet[Enrolment]:
    return Enrolment.objects.visible_to(user, V).select_related("school__organisation", "child")


def enrolment_for(user: User, enrolment_id) -> Enrolment:
    found = enrolments(user).filter(pk=enrolment_id).first()
    if found is None:
        raise NotVisible
    return found


def own_schools(user: User) -> list[School]:
    """The schools the user works in as a school officer."""
    ids = [m.organisation_id for m in granting(user, V) if m.role in SCHOOL]
    return list(School.objects.filter(organisation_id__in=ids).select_related("organisation__area"))


def school_for(user: User, school_id) -> School:
    found = next((s for s in own_schools(user) if s.pk == school_id), None)
    if found is None:
        raise NotVisible
    return found


def schools_for_child(child: Child) -> QuerySet[School]:
    """The schools a child may be asked to enrol in: those of the child's province (a child in a family
    of another province is enrolled where the family lives, by that commune)."""
    province = child.current_commune.parent_id
    return (
        School.objects.filter(organisation__is_active=True, organisation__area__parent_id=province)
        .select_related("organisation__area")
        .order_by("organisation__name")
    )


def schools_in(area: Area) -> QuerySet[School]:
    field = "organisation__area" if area.level == "commune" else "organisation__area__parent"
    return School.objects.filter(**{field: area}).select_related("organisation__area")


def communes_for(user: User) -> list[Area]:
    """The communes whose roster the user may read in full: a commune role its commune, a provincial
    one its province's communes. An organisation's role (a school, a facility) reads no commune's
    roster, only its own children, wherever they come from."""
    found: dict[int, Area] = {}
    for m in granting(user, V):
        if POLICY[Role(m.role)].scope is Scope.ORGANISATION:
            continue
        area = m.organisation.area
        if area.level == "commune":
            found[area.pk] = area
        elif area.level == "province":
            for c in Area.objects.filter(parent=area).order_by("name"):
                found[c.pk] = c
    return sorted(found.values(), key=lambda a: a.name)


@dataclass(frozen=True)
class Contact:
    """What a school is told instead of any protection case: whom to contact."""

    authority: Organisation


def contact_flag(child: Child) -> Contact | None:
    """The narrow flag a school sees: the child is followed by the commune (an open protection case,
    or a home visit after absences); never the case itself."""
    followed = (
        ProtectionCase.objects.filter(child=child).exclude(state__in=CLOSED_STATES).exists()
        or AbsenceAlert.objects.filter(child=child, visited_on__isnull=True).exists()
    )
    return Contact(authority_for(child.current_commune)) if followed else None


def pupils(user: User, school: School, year: int) -> QuerySet[Enrolment]:
    return (
        enrolments(user)
        .filter(school=school, school_year=year, state__in=CURRENT_STATES)
        .order_by("grade", "class_name", "child__family_name", "child__given_name")
    )


def roster_of(user: User, commune: Area, on: dt.date | None = None) -> list[roster.Row]:
    """The school-age roster of a commune, by name: for those who may read every child there."""
    on = on or clock.today()
    q = child_filter(user, V)
    if q is None:
        raise NotVisible
    found = Child.objects.filter(q).filter(current_commune=commune)
    rows = roster.compute(found, on)
    rows.sort(key=lambda r: (not r.status.out_of_school, r.status.value, r.name))
    record(
        actor=user,
        action="child.list",
        data={
            "page": "school roster",
            "commune": commune.code,
            "shown": [str(r.child_id) for r in rows][:500],
        },
    )
    return rows


def attendance_of(enrolment: Enrolment, *, days: int = 35) -> list[tuple[dt.date, str | None]]:
    """The last ``days`` days of the enrolment, each with its mark or None (unknown: not marked)."""
    today = clock.today()
    start = max(enrolment.started_on or today, today - dt.timedelta(days=days - 1))
    end = min(enrolment.ended_on or today + dt.timedelta(days=1), today + dt.timedelta(days=1))
    marks = dict(
        Attendance.objects.filter(enrolment=enrolment, day__gte=start, day__lt=end).values_list("day", "mark")
    )
    out, day = [], start
    while day < end:
        out.append((day, marks.get(day)))
        day += dt.timedelta(days=1)
    return out


@dataclass
class ChildSchool:
    child: Child
    expected: ages.Expected | None
    year: int
    enrolments: list[Enrolment]
    current: Enrolment | None
    row: roster.Row | None
    contact: Contact | None
    obligations: list[Obligation]
    moves: list[tuple[SchoolMove, int]]
    alerts: list[AbsenceAlert]
    plan: InclusionPlan | None


def school_facts(user: User, child: Child) -> ChildSchool:
    """A child's school facts, as the user may read them (a school: only these), audited."""
    today = clock.today()
    year = ages.school_year_of(today)
    found = list(enrolments(user).filter(child=child).order_by("-school_year", "-created_at"))
    current = next((e for e in found if e.school_year == year and e.state in CURRENT_STATES), None)
    rows = roster.compute(Child.objects.filter(pk=child.pk), today)
    expected = ages.expected(child.date_of_birth.year, year) if child.date_of_birth else None
    obligations = list(
        Obligation.objects.visible_to(user)
        .filter(
            child=child,
            rule__in=[clocks.PAPERS, clocks.ENROL_AFTER_MOVE, clocks.HOME_VISIT],
            status=Status.OPEN,
        )
        .select_related("responsible")
    )
    moves = [
        (m, continuity.days_out(m, today))
        for m in SchoolMove.objects.filter(child=child).select_related("to_commune", "from_commune")
    ]
    record(actor=user, action="child.view", obj=child, reason="school")
    return ChildSchool(
        child=child,
        expected=expected,
        year=year,
        enrolments=found,
        current=current,
        row=rows[0] if rows else None,
        contact=contact_flag(child),
        obligations=obligations,
        moves=moves,
        alerts=list(
            AbsenceAlert.objects.filter(child=child).select_related("enrolment__school__organisation")
        ),
        plan=InclusionPlan.objects.filter(child=child, valid_to__isnull=True).first(),
    )


def school_of_child(user: User, child: Child) -> list:
    """The child's school, for the child's page (people/cases.py)."""
    from django.utils.translation import gettext as _

    from haven.people.cases import CaseLink

    if not Child.objects.visible_to(user, V).filter(pk=child.pk).exists():
        return []
    current = (
        Enrolment.objects.filter(child=child, state__in=CURRENT_STATES)
        .select_related("school__organisation")
        .order_by("-school_year")
        .first()
    )
    if current is None:
        state, since = _("No current enrolment"), None
    else:
        state = f"{current.get_state_display()} — {current.school}"
        since = current.started_on
    return [CaseLink(str(_("School")), f"/education/children/{child.pk}/", state, since)]


__all__ = ["State"]
