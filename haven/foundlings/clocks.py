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
from haven.deadlines.rules import WD, D, H, L, R, Rule


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
        "Decree 123/2015 art. 14(1): notify immediately; alert after 1 hour (§9a)",
        R,
        dt.timedelta(hours=2),
    ),
    Rule(
        "foundling.screen",
        _("Initial care and health screening"),
        24,
        H,
        "Notice 432-TB/VPTW §2: the place of discovery screens without delay",
        R,
        dt.timedelta(hours=12),
    ),
    Rule(
        "foundling.record",
        _("Draw up the discovery record (biên bản)"),
        24,
        H,
        "Decree 123/2015 art. 14(1): immediately after notification",
        R,
        dt.timedelta(hours=12),
    ),
    Rule(
        "foundling.temporary_care",
        _("Decide temporary care"),
        24,
        H,
        "Decree 123/2015 art. 14(1); Law on Adoption art. 15(2)(a): without delay",
        R,
        dt.timedelta(hours=12),
    ),
    Rule(
        "foundling.handover_answer",
        _("Accept or refuse the handover"),
        12,
        H,
        "Notice 432-TB/VPTW §2: no buck-passing or delay",
        R,
        dt.timedelta(hours=6),
    ),
    Rule("foundling.post_notice", _("Post the public notice"), 1, WD, "Decree 123/2015 art. 14(2)", R),
    Rule(
        "foundling.notice_period",
        _("Public notice period"),
        7,
        D,
        "Decree 123/2015 art. 14(2): 7 consecutive days of posting",
        L,
        on_due=_notice_expire,
        overridable=False,
    ),
    Rule(
        "foundling.claim_decision",
        _("Verify the claim and decide"),
        12,
        H,
        "§9a: initial risk assessment within 12 hours of a claim (mirrors Decree 56/2017 art. 26(3))",
        R,
        dt.timedelta(hours=6),
    ),
    Rule(
        "foundling.register_birth",
        _("Register the birth"),
        5,
        WD,
        "Decree 123/2015 art. 14(2)–(3): after the notice expires (§9a: 5 working days)",
        R,
    ),
    Rule(
        "foundling.pin",
        _("Receive the personal identification number"),
        1,
        WD,
        "Law on Identification 2023 art. 12: at birth registration",
        L,
    ),
    Rule(
        "foundling.residence",
        _("Register residence"),
        60,
        D,
        "Decree 154/2024 art. 7: within 60 days of birth registration",
        L,
    ),
    Rule(
        "foundling.health_insurance",
        _("Issue the health-insurance card"),
        10,
        WD,
        "Decree 63/2024: interlinked procedure for children under 6",
        R,
    ),
    Rule(
        "foundling.allowance",
        _("Decide the monthly social allowance"),
        10,
        WD,
        "Decree 20/2021 art. 5(1)(a); Decree 147/2025 art. 5 (§9a: 10 working days)",
        R,
    ),
    Rule(
        "foundling.care_plan",
        _("Draft the care plan"),
        5,
        WD,
        "Decree 56/2017 art. 28(1): within 5 working days",
        L,
    ),
    Rule(
        "foundling.place",
        _("Place the child"),
        15,
        WD,
        "Circular 14/2020; Decree 56/2017 art. 41: handover within 15 working days of the decision",
        L,
    ),
    Rule(
        "foundling.review",
        _("Six-monthly review of the placement"),
        183,
        D,
        "Law on Children art. 68; Circular 14/2020 art. 13: every 6 months",
        L,
        duty=PLACEMENT_REVIEW,
        yields=True,
    ),
    Rule(
        "foundling.hospital_discharge",
        _("Move the child out of hospital after discharge"),
        3,
        D,
        "Từ Dũ lesson (vietnam-process.md §2): escalate 3 days after medical discharge",
        R,
    ),
)


def register() -> None:
    from haven.deadlines import rules

    rules.register("foundlings", RULES)
