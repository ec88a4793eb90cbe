"""The clocks of the found-child pathway (vietnam-process.md §2 and §9a) on the one deadline engine
(haven/deadlines/rules.py), registered when the app starts (apps.py). `haven rules` prints them with
every other app's, and docs/rules.md is that table written out.

The six-monthly review of a placed child is one duty with care's (haven/care/clocks.py): the case's
own review clock runs only until the child's care placement carries one, and then gives it over.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from haven.care.clocks import PLACEMENT_REVIEW
from haven.deadlines.rules import WD, D, H, L, M, R, Rule


def _notice_expire(obligation, now) -> None:
    """When the 7 days are over, the sweep calls the pathway (a timer, not a duty)."""
    from haven.foundlings.services import notice_expire

    notice_expire(obligation, now)


RULES = (
    Rule(
        "foundling.acknowledge",
        _("Acknowledge the report of a found child"),
        1,
        H,
        _(
            "Decree 123/2015 art. 14(1): the commune People's Committee or the commune police is "
            "notified immediately (alert after 1 hour, recommended)"
        ),
        R,
        dt.timedelta(hours=2),
    ),
    Rule(
        "foundling.screen",
        _("Initial care and health screening"),
        24,
        H,
        _(
            "Notice 432-TB/VPTW, part 2: the place of discovery gives initial care and health screening "
            "without delay (24 hours, recommended)"
        ),
        R,
        dt.timedelta(hours=12),
    ),
    # Opened when the commune acknowledges the report, counted from the report (services.py).
    Rule(
        "foundling.record",
        _("Draw up the discovery record (biên bản)"),
        24,
        H,
        _(
            "Decree 123/2015 art. 14(1): the record is drawn up immediately after the commune People's "
            "Committee or the commune police is notified. Counted from the report, which reaches the "
            "commune as soon as it is recorded: not from the commune's acknowledgement, which cannot put "
            "off its duty, nor from the time the child was found, before the commune knew (24 hours, "
            "recommended)."
        ),
        R,
        dt.timedelta(hours=12),
    ),
    Rule(
        "foundling.temporary_care",
        _("Decide temporary care"),
        24,
        H,
        _(
            "Decree 123/2015 art. 14(1); Law on Adoption art. 15(2)(a): without delay, counted from the "
            "time the child was found (24 hours, recommended)"
        ),
        R,
        dt.timedelta(hours=12),
    ),
    Rule(
        "foundling.handover_answer",
        _("Accept or refuse the handover"),
        12,
        H,
        _("Notice 432-TB/VPTW, part 2: no buck-passing or delay (12 hours, recommended)"),
        R,
        dt.timedelta(hours=6),
    ),
    Rule(
        "foundling.post_notice",
        _("Post the public notice"),
        1,
        WD,
        _(
            "Decree 123/2015 art. 14(2): the commune posts the notice to find the parents (1 working "
            "day, recommended)"
        ),
        R,
    ),
    Rule(
        "foundling.notice_period",
        _("Public notice period"),
        7,
        D,
        _("Decree 123/2015 art. 14(2): 7 consecutive days of posting"),
        L,
        on_due=_notice_expire,
        overridable=False,
    ),
    Rule(
        "foundling.claim_decision",
        _("Verify the claim and decide"),
        12,
        H,
        _(
            "Recommended: a claim is verified within 12 hours, as an initial risk assessment before the "
            "child goes home (by analogy with Decree 56/2017 art. 26(3))"
        ),
        R,
        dt.timedelta(hours=6),
    ),
    Rule(
        "foundling.register_birth",
        _("Register the birth"),
        5,
        WD,
        _(
            "Decree 123/2015 art. 14(2)–(3): the birth is registered after the notice expires; the law "
            "sets no number (5 working days, recommended)"
        ),
        R,
    ),
    # The same working day as the birth registration, which Haven records only once the dossier is
    # complete; a registration after 15:00, or on a day off, is due the next working day.
    Rule(
        "foundling.pin",
        _("Receive the personal identification number"),
        0,
        WD,
        _(
            "Law on Civil Status 2014 art. 16(2); Law on Identification 2023 art. 12: as soon as the "
            "dossier is complete, the birth is entered and sent to the national population database for "
            "the personal identification number: the same working day, or the next working day when the "
            "dossier is completed after 15:00 (the commune's birth-registration procedure). Counted from "
            "the birth registration: it is recorded only once the dossier is complete, so it is the moment "
            "Haven knows the dossier was complete."
        ),
        L,
        cutoff=dt.time(15),
        overridable=False,
    ),
    Rule(
        "foundling.residence",
        _("Register residence"),
        60,
        D,
        _("Decree 154/2024 art. 7: within 60 days of birth registration"),
        L,
    ),
    Rule(
        "foundling.health_insurance",
        _("Issue the health-insurance card"),
        10,
        WD,
        _(
            "Decree 63/2024: a child under 6 gets the card through the procedure interlinked with the "
            "birth registration and the residence registration; the law sets no number (10 working days, "
            "recommended)"
        ),
        R,
    ),
    Rule(
        "foundling.allowance",
        _("Decide the monthly social allowance"),
        10,
        WD,
        _(
            "Decree 20/2021 art. 5(1)(a); Decree 147/2025 art. 5: the commune chairman decides (10 "
            "working days, recommended)"
        ),
        R,
    ),
    Rule(
        "foundling.care_plan",
        _("Draft the care plan"),
        5,
        WD,
        _("Decree 56/2017 art. 28(1): within 5 working days"),
        L,
    ),
    Rule(
        "foundling.place",
        _("Place the child"),
        15,
        WD,
        _("Circular 14/2020; Decree 56/2017 art. 41: handover within 15 working days of the decision"),
        L,
    ),
    Rule(
        "foundling.review",
        _("Six-monthly review of the placement"),
        6,
        M,
        _("Law on Children art. 68; Circular 14/2020 art. 13: every 6 months"),
        L,
        duty=PLACEMENT_REVIEW,
        yields=True,
    ),
    Rule(
        "foundling.hospital_discharge",
        _("Move the child out of hospital after discharge"),
        3,
        D,
        _(
            "Recommended: a child no longer needing hospital care leaves it within 3 days of medical "
            "discharge (children were kept in a Ho Chi Minh City hospital for over a year without "
            "papers, January 2026)"
        ),
        R,
    ),
)


def register() -> None:
    from haven.deadlines import rules, subjects

    rules.register("foundlings", RULES)
    subjects.register("foundlings.foundlingcase", page="/foundlings/{id}/")
