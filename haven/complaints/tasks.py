"""Who takes each step of a complaint that has a deadline (haven/deadlines/duties.py): the commune's
officer and chairman accept, settle and answer (the officer prepares, the chairman decides: both see it
until it is done); the province's department accepts and settles a second-time complaint. The window
for a second-time complaint is a timer, nobody's step."""

from __future__ import annotations

from haven.complaints import clocks, workflow
from haven.complaints.models import Complaint, State
from haven.deadlines.duties import Duty, declare

SUBJECT = Complaint._meta.label_lower
FIRST = frozenset(workflow.COMMUNE)
SECOND = frozenset(workflow.PROVINCE)

DUTIES = (
    Duty(clocks.ACCEPT, SUBJECT, FIRST, ready=frozenset({State.RECEIVED.value}), early=True),
    *(
        Duty(code, SUBJECT, FIRST, ready=frozenset({State.ACCEPTED.value}), early=True)
        for code in clocks.FIRST
    ),
    Duty(clocks.APPEAL_ACCEPT, SUBJECT, SECOND, ready=frozenset({State.APPEALED.value}), early=True),
    *(
        Duty(code, SUBJECT, SECOND, ready=frozenset({State.APPEAL_ACCEPTED.value}), early=True)
        for code in clocks.SECOND
    ),
    Duty(clocks.ANSWER, SUBJECT, FIRST, ready=frozenset({State.FEEDBACK_RECEIVED.value}), early=True),
)


def register() -> None:
    declare(*DUTIES)
