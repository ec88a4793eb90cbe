"""Who takes each step of a periodic report or a reminder that has a deadline
(haven/deadlines/duties.py): the commune (or the body standing in for it) submits its report, the
province its own; the province, then the Ministry, approves; the province sends its reminders."""

from __future__ import annotations

from haven.deadlines.duties import Duty, declare
from haven.reports import workflow
from haven.reports.models import PeriodicReport, ReportState, Urging, UrgingState

REPORT = PeriodicReport._meta.label_lower
MAKING = frozenset(s.value for s in workflow.WITH_MAKER)

DUTIES = (
    Duty(
        "reports.submit",
        REPORT,
        frozenset(workflow.PREPARERS | workflow.SUBMITTERS),
        ready=MAKING,
        early=True,
    ),
    Duty(
        "reports.resubmit",
        REPORT,
        frozenset(workflow.PREPARERS | workflow.SUBMITTERS),
        ready=frozenset({ReportState.RETURNED.value, ReportState.REVIEWED.value, ReportState.DRAFT.value}),
        early=True,
    ),
    Duty(
        "reports.approve",
        REPORT,
        frozenset(workflow.PROVINCE | workflow.MINISTRY),
        ready=frozenset({ReportState.SUBMITTED.value, ReportState.PROVINCE_APPROVED.value}),
        early=True,
    ),
    Duty(
        "reports.urge",
        Urging._meta.label_lower,
        frozenset(workflow.PROVINCE),
        ready=frozenset({UrgingState.OPEN.value}),
        early=True,
    ),
)


def register() -> None:
    declare(*DUTIES)
