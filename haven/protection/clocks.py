"""The clocks of child-protection cases (Decree 56/2017 art. 25–32; vietnam-process.md §1.3 and §9b)
on the one deadline engine (haven/deadlines/rules.py), registered when the app starts (apps.py).
`haven rules` prints them with every other app's, and docs/rules.md is that table written out.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from haven.deadlines.rules import ON, WD, H, L, M, R, Rule

RULES = (
    Rule(
        "protection.transfer",
        _("Take up the report at the commune"),
        1,
        H,
        _(
            "Decree 56/2017 art. 26(1): the report is passed on immediately to the commune of the "
            "incident (1 hour, recommended)"
        ),
        R,
        dt.timedelta(hours=2),
    ),
    # Opened when the case is offered to another commune (transfer_request), met by its answer, no
    # longer needed if the sender withdraws the offer. The receiving commune answers for it.
    Rule(
        "protection.transfer_answer",
        _("Accept or refuse the case offered to your commune"),
        12,
        H,
        _(
            "No text read sets a period for a commune to answer a case offered to it: 12 hours is "
            "Haven's default, the period in which a receiver answers the handover of a found child "
            "(Notice 432-TB/VPTW, part 2: no buck-passing or delay)"
        ),
        R,
        dt.timedelta(hours=6),
    ),
    # Opened by the report (T0), like the 12-hour emergency clock it serves, not by the commune's
    # acceptance: a commune slow to take a report up must not push the assessment past the 12 hours.
    Rule(
        "protection.initial_assessment",
        _("Initial assessment (Form 02)"),
        6,
        H,
        _(
            "Decree 56/2017 art. 26(2)–(3): the commune assesses the report as soon as possible, and "
            "emergency measures are due within 12 hours of receiving the information. Counted from the "
            "report, not from when the commune takes it up: the place that receives the report must pass "
            "it on at once, so the 12 hours run from the report, and the assessment that decides on "
            "emergency measures must come well within them (6 hours, recommended)."
        ),
        R,
        dt.timedelta(hours=3),
    ),
    Rule(
        "protection.emergency",
        _("Emergency measures or temporary separation"),
        12,
        H,
        _(
            "Decree 56/2017 art. 26(3): within 12 hours of receiving the information, counted from the "
            "report, which the place that receives it must pass on at once"
        ),
        L,
        dt.timedelta(hours=3),
    ),
    Rule(
        "protection.plan",
        _("Draft the support and intervention plan (Form 04)"),
        5,
        WD,
        _("Decree 56/2017 art. 28(1): within 5 working days"),
        L,
    ),
    Rule(
        "protection.approval",
        _("Approve the plan (Form 05)"),
        7,
        WD,
        _("Law on Children art. 52; administrative procedure: 7 working days in all"),
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
        _(
            "Decree 56/2017 art. 32: at most 15 days unless a competent authority extends it; the child "
            "returns when the parents or caregiver are assessed safe"
        ),
        L,
        dt.timedelta(hours=12),
        overridable=False,
    ),
    # Opened by the approval (Form 05), due at the end of the approved plan's last day or 3 months
    # after the approval, whichever is earlier (the step gives the plan's end: workflow.py).
    Rule(
        "protection.review",
        _("Review the plan (Form 06)"),
        3,
        M,
        _(
            "Decree 56/2017 art. 30(1): the plan is reviewed when it ends. Due on the plan's end date, and "
            "at most 3 months after the plan is approved (Form 05), whichever comes first: the law sets no "
            "number, and a long plan must still be looked at again within 3 months of the decision that put "
            "it into force (3 months, recommended)."
        ),
        R,
        or_earlier=True,
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
    # The commune a case is offered to answers the offer before it may read the case: its task and the
    # message when it is late lead to the offer (views.offer finds it).
    subjects.register(
        "protection.protectioncase",
        page="/protection/{id}/",
        case_worker=_case_worker,
        pages={"protection.transfer_answer": "/protection/{id}/offer/"},
    )
