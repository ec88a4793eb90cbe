"""The clocks of child-protection cases (Decree 56/2017 art. 25–32; vietnam-process.md §1.3 and §9b)
on the one deadline engine (haven/deadlines/rules.py), registered when the app starts (apps.py).
`haven rules` prints them with every other app's, and docs/rules.md is that table written out.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from haven.deadlines.rules import ON, WD, D, H, L, R, Rule

RULES = (
    Rule(
        "protection.transfer",
        _("Take up the report at the commune"),
        1,
        H,
        "Decree 56/2017 art. 26(1): transferred immediately to the commune of the incident (§9b: 1 hour)",
        R,
        dt.timedelta(hours=2),
    ),
    Rule(
        "protection.initial_assessment",
        _("Initial assessment (Form 02)"),
        6,
        H,
        "Decree 56/2017 art. 26(2); §9b: 6 hours, so that the 12-hour clock can be met",
        R,
        dt.timedelta(hours=3),
    ),
    Rule(
        "protection.emergency",
        _("Emergency measures or temporary separation"),
        12,
        H,
        "Decree 56/2017 art. 26(3): within 12 hours of receiving the information",
        L,
        dt.timedelta(hours=3),
    ),
    Rule(
        "protection.plan",
        _("Draft the support and intervention plan (Form 04)"),
        5,
        WD,
        "Decree 56/2017 art. 28(1): within 5 working days",
        L,
    ),
    Rule(
        "protection.approval",
        _("Approve the plan (Form 05)"),
        7,
        WD,
        "Law on Children art. 52; administrative procedure: 7 working days in all",
        L,
    ),
    # Due at the separation's own end (Separation.ends_at), moved when a decision extends it, met
    # when it ends: a child is never kept apart past the decided end without anyone being told. The
    # task list shows it from 7 days before (§9b asks for a reminder on day 12 of 15).
    Rule(
        "protection.separation_review",
        _("End the temporary separation or extend it by decision, before it ends"),
        0,
        ON,
        "Decree 56/2017 art. 32: at most 15 days unless a competent authority extends it; the child "
        "returns when the parents or caregiver are assessed safe",
        L,
        dt.timedelta(hours=12),
        overridable=False,
    ),
    Rule(
        "protection.review",
        _("Review the plan (Form 06)"),
        90,
        D,
        "Decree 56/2017 art. 30(1) (§9b: at the plan's end, at most 3 months after approval)",
        R,
    ),
)


def _case_worker():
    from django.db.models import OuterRef

    from haven.protection.models import ProtectionCase

    return ProtectionCase.objects.filter(pk=OuterRef("subject_id")).values("assigned_to")[:1]


def register() -> None:
    from haven.deadlines import rules, subjects

    rules.register("protection", RULES)
    # A head's team view groups a protection case's steps under its case worker.
    subjects.register("protection.protectioncase", case_worker=_case_worker)
