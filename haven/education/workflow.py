"""A child's enrolment as one table on the workflow engine:

    (a commune or a facility asks) ──request──▶ asked to enrol ──admit──▶ enrolled ──leave──▶ left
                                                      └──decline──▶ not admitted
    (whoever knows the child is at school, or the school again next year) ──enrol──▶ enrolled

Papers are never a condition of any step: a child without a birth certificate or a PIN is enrolled,
and the missing paper opens its own obligation (services/enrolments.py). An older-than-standard entry
is lawful only with its basis (Law on Education 2019 art. 28(2)(b)); a first grade more than 3 years
late also needs the education authority's decision (Circular 28/2020/TT-BGDĐT art. 33(2)).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.accounts.models import Membership, Role, User
from haven.accounts.selectors import authority_for
from haven.education import ages, clocks
from haven.education.models import CURRENT_STATES, EndReason, Enrolment, State
from haven.workflow.engine import Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard

R = Role
S = State
# Who cares for the child asks a school to take them: the commune, or the facility the child lives in.
CARERS = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER})
SCHOOL = frozenset({R.SCHOOL_OFFICER})
GRADE_FIELD = "grade"


def birth_year(child) -> int | None:
    return child.date_of_birth.year if child.date_of_birth else None


@guard("education.grade_exists", "The grade exists for the level, and the school teaches the level.")
def grade_exists(firing: Firing) -> None:
    enrolment: Enrolment = firing.subject
    errors: dict[str, list[ValidationError]] = {}
    if ages.rule_of(enrolment.level, enrolment.school_year) is None:
        errors.setdefault("level", []).append(
            ValidationError(_("This level is not taught in that school year."), code="unknown_level")
        )
    elif not ages.grade_exists(enrolment.level, enrolment.grade, enrolment.school_year):
        grades = ages.rule_of(enrolment.level, enrolment.school_year).grades
        errors.setdefault(GRADE_FIELD, []).append(
            ValidationError(
                _("%(level)s has grades %(first)s to %(last)s only.")
                % {"level": ages.Level(enrolment.level).label, "first": grades[0], "last": grades[-1]},
                code="no_such_grade",
            )
        )
    if not enrolment.school.teaches(enrolment.level):
        errors.setdefault("level", []).append(
            ValidationError(_("This school does not teach this level."), code="level_not_taught")
        )
    if errors:
        raise ValidationError(errors)


@guard(
    "education.age_lawful",
    "An older-than-standard entry names its lawful basis; a first grade more than 3 years late names the "
    "authority's decision.",
)
def age_lawful(firing: Firing) -> None:
    enrolment: Enrolment = firing.subject
    born = birth_year(enrolment.child)
    if born is None or not ages.grade_exists(enrolment.level, enrolment.grade, enrolment.school_year):
        return
    found = ages.check(born, enrolment.school_year, enrolment.level, enrolment.grade)
    given = {
        name: (firing.inputs.get(name) if name in firing.inputs else getattr(enrolment, name)) or ""
        for name in ("age_basis", "age_decided_by", "age_decision")
    }
    errors: dict[str, list[ValidationError]] = {}
    if found.needs_basis and given["age_basis"] not in found.bases:
        errors["age_basis"] = [
            ValidationError(
                _(
                    "The child is %(years)s year(s) older than the standard age for this grade: name the "
                    "lawful basis (%(citation)s)."
                )
                % {"years": found.over_by, "citation": found.citation},
                code="over_age_without_basis",
            )
        ]
    if found.needs_authority and not (given["age_decided_by"].strip() and given["age_decision"].strip()):
        errors["age_decision"] = [
            ValidationError(
                _(
                    "A first grade more than 3 years late is decided by the education authority: give who "
                    "decided and the decision's number and date (Circular 28/2020/TT-BGDĐT art. 33(2))."
                ),
                code="late_entry_needs_decision",
            )
        ]
    if errors:
        raise ValidationError(errors)


@guard("education.one_current", "The child has no other current enrolment in that school year.")
def one_current(firing: Firing) -> None:
    enrolment: Enrolment = firing.subject
    other = (
        Enrolment.objects.filter(
            child_id=enrolment.child_id, school_year=enrolment.school_year, state__in=CURRENT_STATES
        )
        .exclude(pk=enrolment.pk)
        .select_related("school__organisation")
        .first()
    )
    if other is not None:
        from haven.core.errors import invalid

        said = _("The child is already enrolled (or asked to enrol) for %(year)s at %(school)s.") % {
            "year": other.year_label,
            "school": other.school,
        }
        if other.state == S.ENROLLED:
            # The way on, for a child who moved: the old enrolment ends first (nobody is enrolled twice).
            way_on = _("If the child has left that school, record it on that enrolment first.")
            said = f"{said} {way_on}"
        raise invalid("school_year", said, "already_enrolled")


@guard("education.start_in_year", "The first day at school falls in the school year, not in the future.")
def start_in_year(firing: Firing) -> None:
    from haven.core import clock
    from haven.core.errors import invalid

    started = firing.inputs.get("started_on")
    if started is None:
        raise invalid("started_on", _("Give the first day at school."), "required")
    year = firing.subject.school_year
    if ages.school_year_of(started) != year:
        raise invalid(
            "started_on",
            _("The first day must fall in the school year %(year)s.") % {"year": f"{year}–{year + 1}"},
            "outside_year",
        )
    if started > clock.today():
        raise invalid("started_on", _("The first day at school cannot be in the future."), "future")


@guard("education.end_reason", "Leaving names its reason and a day not before the start.")
def end_reason(firing: Firing) -> None:
    from haven.core import clock

    errors: dict[str, list[ValidationError]] = {}
    reason, on = firing.inputs.get("reason"), firing.inputs.get("ended_on")
    if reason not in EndReason.values:
        errors["reason"] = [ValidationError(_("Choose why the child left."), code="required")]
    if on is None:
        errors["ended_on"] = [ValidationError(_("Give the day the child left."), code="required")]
    elif on > clock.today():
        errors["ended_on"] = [ValidationError(_("The day cannot be in the future."), code="future")]
    elif firing.subject.started_on and on < firing.subject.started_on:
        errors["ended_on"] = [
            ValidationError(_("The child cannot leave before the first day at school."), code="before_start")
        ]
    if errors:
        raise ValidationError(errors)


@guard("education.reason_given", "A school that does not admit a child says why.")
def reason_given(firing: Firing) -> None:
    from haven.core.errors import invalid

    if not (firing.inputs.get("reason") or "").strip():
        raise invalid("reason", _("Say why the school does not admit the child."), "required")


def _reaches(m: Membership, enrolment: Enrolment, user: User) -> bool:
    """A school acts on its own enrolments only; a carer on the children it reaches."""
    from haven.access.scoping import reach
    from haven.people.models import Child

    if m.role in SCHOOL:
        return m.organisation_id == enrolment.school.organisation_id
    q = reach([m])
    return q is not None and Child.objects.filter(q, pk=enrolment.child_id).exists()


def _school(firing: Firing):
    return firing.subject.school.organisation


def _requester(firing: Firing):
    return firing.subject.requested_by


TRANSITIONS: dict[str, Transition] = {
    "request": Transition(
        frozenset(),
        S.REQUESTED,
        CARERS,
        gettext_lazy("Ask a school to enrol the child"),
        guards=("education.grade_exists", "education.one_current"),
        opens=(clocks.ANSWER,),
        tells=(Tell(gettext_lazy("A school is asked to enrol a child"), to=_school),),
    ),
    "admit": Transition(
        frozenset({S.REQUESTED}),
        S.ENROLLED,
        SCHOOL,
        gettext_lazy("Admit the child"),
        guards=(
            "education.grade_exists",
            "education.age_lawful",
            "education.start_in_year",
        ),
        closes=(clocks.ANSWER,),
        tells=(Tell(gettext_lazy("The school admitted the child"), to=_requester),),
    ),
    "decline": Transition(
        frozenset({S.REQUESTED}),
        S.DECLINED,
        SCHOOL,
        gettext_lazy("Not admit the child, with the reason"),
        guards=("education.reason_given",),
        closes=(clocks.ANSWER,),
        confirm=gettext_lazy(
            "The commune or the facility that asked is told the reason and must find another school."
        ),
        tells=(Tell(gettext_lazy("A school did not admit the child: find another school"), to=_requester),),
    ),
    "enrol": Transition(
        frozenset(),
        S.ENROLLED,
        CARERS | SCHOOL,
        gettext_lazy("Record an enrolment"),
        guards=(
            "education.grade_exists",
            "education.one_current",
            "education.age_lawful",
            "education.start_in_year",
        ),
    ),
    "leave": Transition(
        frozenset({S.ENROLLED}),
        S.ENDED,
        CARERS | SCHOOL,
        gettext_lazy("Record that the child left the school"),
        guards=("education.end_reason",),
        refused={S.ENDED: gettext_lazy("The child has already left this school.")},
    ),
}


def _begins(enrolment: Enrolment):
    if enrolment.created_at is not None:
        return enrolment.created_at, _("the enrolment was recorded")
    return None


def _responsible(enrolment: Enrolment, code: str):
    if code == clocks.ANSWER:
        return enrolment.school.organisation
    return authority_for(enrolment.child.current_commune)


FLOW = Workflow(
    "enrolment",
    model=Enrolment,
    states=State,
    transitions=TRANSITIONS,
    verb=Verb.EDUCATION_RECORD,
    responsible=_responsible,
    reaches=_reaches,
    visible=lambda user, enrolment: (
        Enrolment.objects.visible_to(user, Verb.EDUCATION_VIEW).filter(pk=enrolment.pk).exists()
    ),
    begins=_begins,
    link=lambda enrolment: f"/education/enrolments/{enrolment.pk}/",
    audit_prefix="education",
    title=gettext_lazy("School enrolment"),
)
