"""The clocks of periodic reports and reminders on the one deadline engine (haven/deadlines/rules.py),
registered when the app starts (apps.py). A report not submitted by its day, a submission nobody
approves, a reminder nobody sends: each escalates up the ladder like any late step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.deadlines.rules import ON, WD, R, Rule

RULES = (
    Rule(
        "reports.submit",
        _("Submit the periodic report"),
        0,
        ON,
        _(
            "The report is due on the day its type sets after the period ends (the list of periodic "
            "reports, each with its legal basis); the day is Haven's default where no text read fixes it"
        ),
        R,
        overridable=False,
    ),
    Rule(
        "reports.resubmit",
        _("Correct and submit again a returned report"),
        5,
        WD,
        _("A report returned for correction is submitted again within 5 working days (recommended)"),
        R,
    ),
    Rule(
        "reports.approve",
        _("Approve or return a submitted report"),
        5,
        WD,
        _(
            "The province, then the Ministry of Health, approves or returns a submitted report within 5 "
            "working days (recommended)"
        ),
        R,
    ),
    Rule(
        "reports.urge",
        _("Send a reminder to a commune that missed a target twice"),
        5,
        WD,
        _(
            "Notice 432-TB/VPTW, part 4.6 (monitor, urge, report): a commune that missed an indicator's "
            "target two periods in a row is reminded by its province within 5 working days (recommended)"
        ),
        R,
    ),
)


def register() -> None:
    from haven.access.policy import Verb
    from haven.deadlines import rules, subjects

    rules.register("reports", RULES)
    # A report and a reminder are no child's: their clocks are seen by those who read the figures of
    # the organisation that answers for them.
    subjects.register(
        "reports.periodicreport",
        verb=Verb.AGGREGATE_VIEW,
        page="/reports/periodic/{id}/",
        label=_("Periodic report"),
    )
    subjects.register(
        "reports.urging",
        verb=Verb.AGGREGATE_VIEW,
        page="/reports/reminders/{id}/",
        label=_("Reminder to a commune"),
    )
