"""Who takes each step of a child-protection case that has a deadline (haven/deadlines/duties.py), and
when the case waits for it (Decree 56/2017 art. 25–32; vietnam-process.md §9b)."""

from __future__ import annotations

from haven.deadlines.duties import Duty, declare
from haven.protection import workflow
from haven.protection.models import CLOSED_STATES, ProtectionCase, State

SUBJECT = ProtectionCase._meta.label_lower


def _by(rule: str, action: str, *, early: bool = False) -> Duty:
    step = workflow.TRANSITIONS[action]
    return Duty(
        rule, SUBJECT, frozenset(step.roles), ready=frozenset(s.value for s in step.sources), early=early
    )


DUTIES = (
    _by("protection.transfer", "accept"),
    _by("protection.initial_assessment", "assess_support"),
    _by("protection.emergency", "emergency_measures"),
    _by("protection.plan", "draft_plan"),
    # Law on Children art. 52: once the plan is drafted it waits for the chairman alone, however far
    # the 7-working-day deadline is (walkthrough D14).
    _by("protection.approval", "approve_plan", early=True),
    _by("protection.review", "review"),
    # The commune a case is offered to answers it, whatever its deadline: the offer waits for it alone
    # (and its task ends if the sender withdraws the offer).
    Duty(
        workflow.TRANSFER_ANSWER,
        SUBJECT,
        frozenset(workflow.TRANSITIONS["transfer_accept"].roles),
        ready=frozenset(s.value for s in workflow.TRANSITIONS["transfer_accept"].sources),
        early=True,
    ),
    # Decree 56/2017 art. 32: the commune ends or has extended a separation before day 15.
    Duty(
        "protection.separation_review",
        SUBJECT,
        frozenset(workflow.TRANSITIONS["end_separation"].roles),
        ready=frozenset(s.value for s in State if s not in CLOSED_STATES),
    ),
)


def register() -> None:
    declare(*DUTIES)
