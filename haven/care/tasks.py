"""Who takes each step with a deadline in family-like care (haven/deadlines/duties.py): the facility
reviews the children it holds, the commune follows children in families and keeps its register, the
chairman decides a verified relative's Form 12 (Decree 56/2017 art. 41, 43, 46; Law on Children
art. 68; Circular 14/2020)."""

from __future__ import annotations

from haven.accounts.models import Role
from haven.care.models import CareFamily, Placement, RegisterUpdate
from haven.deadlines.duties import Duty, declare

R = Role
FACILITY = frozenset({R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER})
COMMUNE = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN})
PLACEMENT = Placement._meta.label_lower
FAMILY = CareFamily._meta.label_lower

DUTIES = (
    Duty("care.review", PLACEMENT, FACILITY),
    Duty("care.family_plan", PLACEMENT, FACILITY),
    Duty("care.monitoring", PLACEMENT, frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})),
    # Form 12 is the chairman's alone; the relative and the child wait for it (walkthrough D14).
    Duty("care.family_decision", FAMILY, frozenset({R.COMMUNE_CHAIRMAN}), early=True),
    Duty("care.handover", FAMILY, COMMUNE),
    Duty("care.register_update", RegisterUpdate._meta.label_lower, COMMUNE),
)


def register() -> None:
    declare(*DUTIES)
