"""Who takes each step of school for every child that has a deadline (haven/deadlines/duties.py): the
commune obtains a child's papers and visits the home of a child absent from school; whoever cares for a
child who moved commune enrols them there; the school answers a request to enrol (on its own page: a
school does not read a child's obligations) and reviews an inclusion plan."""

from __future__ import annotations

from haven.accounts.models import Role
from haven.deadlines.duties import Duty, declare
from haven.education import clocks
from haven.education.models import AbsenceAlert, Enrolment, InclusionPlan, SchoolMove

R = Role
COMMUNE = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})

# Early (a task from the moment it opens, whatever its deadline): a child waits for that body alone to
# answer a request to enrol, to enrol them after a move, to visit after the absences, or to obtain the
# PIN the education database keys on. Five working days always end beyond the list's 7-day horizon, so
# a list that showed them only then would say "nothing to do" on the day they open.
DUTIES = (
    Duty(clocks.PAPERS, Enrolment._meta.label_lower, COMMUNE, early=True),
    Duty(clocks.ANSWER, Enrolment._meta.label_lower, frozenset({R.SCHOOL_OFFICER}), early=True),
    Duty(
        clocks.ENROL_AFTER_MOVE,
        SchoolMove._meta.label_lower,
        frozenset({*COMMUNE, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
        early=True,
    ),
    Duty(clocks.HOME_VISIT, AbsenceAlert._meta.label_lower, COMMUNE, early=True),
    Duty(clocks.PLAN_REVIEW, InclusionPlan._meta.label_lower, frozenset({R.SCHOOL_OFFICER})),
)


def register() -> None:
    declare(*DUTIES)
