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

DUTIES = (
    Duty(clocks.PAPERS, Enrolment._meta.label_lower, COMMUNE),
    Duty(clocks.ANSWER, Enrolment._meta.label_lower, frozenset({R.SCHOOL_OFFICER})),
    Duty(
        clocks.ENROL_AFTER_MOVE,
        SchoolMove._meta.label_lower,
        frozenset({*COMMUNE, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
    ),
    Duty(clocks.HOME_VISIT, AbsenceAlert._meta.label_lower, COMMUNE),
    Duty(clocks.PLAN_REVIEW, InclusionPlan._meta.label_lower, frozenset({R.SCHOOL_OFFICER})),
)


def register() -> None:
    declare(*DUTIES)
