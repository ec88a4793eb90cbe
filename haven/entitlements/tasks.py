"""Who takes each step of the allowance procedure that has a deadline (haven/deadlines/duties.py): the
commune officer takes up Haven's proposals; the officer checks and the chairman decides an application
within its 10 working days, so both see it on their list until it is decided."""

from __future__ import annotations

from haven.deadlines.duties import Duty, declare
from haven.entitlements import workflow
from haven.entitlements.models import Application, HealthInsuranceCard, PayrollRun, PayrollState

SUBJECT = Application._meta.label_lower
PAYROLL = PayrollRun._meta.label_lower
CARD = HealthInsuranceCard._meta.label_lower

DUTIES = (
    Duty(
        "entitlement.proposal",
        SUBJECT,
        frozenset(workflow.PREPARERS),
        ready=frozenset({workflow.S.PROPOSED.value}),
        early=True,
    ),
    Duty(
        "entitlement.decide",
        SUBJECT,
        frozenset(workflow.PREPARERS | workflow.DECIDERS),
        ready=frozenset(s.value for s in workflow.IN_PROGRESS),
        early=True,
    ),
    # The officer prepares and sends the list, the chairman approves it in between.
    Duty(
        "entitlement.provider_list",
        PAYROLL,
        frozenset(workflow.PREPARERS | workflow.DECIDERS),
        ready=frozenset({PayrollState.DUE.value, PayrollState.PREPARED.value, PayrollState.APPROVED.value}),
    ),
    Duty("entitlement.health_card", CARD, frozenset(workflow.PREPARERS)),
)


def register() -> None:
    declare(*DUTIES)
