"""The one rule table: every clock in Haven, with its unit, its legal basis and how sure we are of it.

[L] a clock set by law, [R] a recommended service level (policy or design, configurable by a
provincial override that may only shorten it). See shared/domain/vietnam-process.md §9.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Unit(enum.StrEnum):
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


class Basis(enum.StrEnum):
    LAW = "L"
    RECOMMENDED = "R"


@dataclass(frozen=True)
class Rule:
    code: str
    title: str | Promise
    amount: int
    unit: Unit
    legal_basis: str
    basis: Basis
    # After the deadline, each further period without action climbs one level of the ladder.
    escalate_every: dt.timedelta = dt.timedelta(days=1)
    # A timer rather than a duty: when due, the sweep calls this function (dotted path) with the
    # obligation instead of escalating it (e.g. the end of the 7-day public notice).
    on_due: str | None = None
    # A province may shorten a duty's deadline, never a period the law guarantees (the 7-day notice).
    overridable: bool = True
    # The highest rung of the ladder the duty climbs (1 the organisation's head, 2 the provincial
    # Department of Health, 3 the Ministry). A missed home visit is the province's business at most.
    top: int = 3


H, D, WD = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS
L, R = Basis.LAW, Basis.RECOMMENDED

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        # Abandoned children (vietnam-process.md §2 and §9a).
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
            on_due="haven.foundlings.services.notice_expire",
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
        ),
        Rule(
            "foundling.hospital_discharge",
            _("Move the child out of hospital after discharge"),
            3,
            D,
            "Từ Dũ lesson (vietnam-process.md §2): escalate 3 days after medical discharge",
            R,
        ),
        # Family-like care (vietnam-process.md §3.4 C1, D2; haven/care).
        Rule(
            "care.review",
            _("Six-monthly review of a child in a facility"),
            183,
            D,
            "Law on Children art. 47(4), 68(1): facility care is temporary, reviewed every 6 months",
            L,
        ),
        Rule(
            "care.family_plan",
            _("Family-based plan for a child under 3 in a facility"),
            183,
            D,
            "Law on Children art. 47(4), 60(4); Notice 432-TB/VPTW §3 (issue #4: under 3, 6 months)",
            R,
        ),
        Rule(
            "care.monitoring",
            _("Monitoring visit of a child in a family"),
            183,
            D,
            "Decree 56/2017 art. 43(2), 46; Circular 14/2020 art. 13: every 6 months or on any change",
            L,
        ),
        Rule(
            "care.family_decision",
            _("Decide the handover to the verified relative (Form 12)"),
            5,
            WD,
            "Decree 56/2017 art. 41; Circular 14/2020: once the commune has verified the relative's "
            "conditions (Form 11), the commune chairman decides the handover (Form 12); recommended "
            "service level",
            R,
        ),
        Rule(
            "care.handover",
            _("Hand the child to the chosen family"),
            15,
            WD,
            "Decree 56/2017 art. 41; procedure (Form 12): within 15 working days of the decision",
            L,
        ),
        Rule(
            "care.register_update",
            _("Quarterly update of the register of alternative-care families"),
            92,
            D,
            "Decree 56/2017 art. 41; procedure (TTHC): the commune updates its register of families "
            "willing to provide alternative care quarterly (vietnam-process.md §3.4 B2, [S]); 92 days, "
            "the longest quarter",
            L,
            top=2,
        ),
        # Child-protection cases (Decree 56/2017 art. 25–32; vietnam-process.md §1.3 and §9b).
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
        Rule(
            "protection.separation_review",
            _("Review the temporary separation (day 12 of 15)"),
            12,
            D,
            "Decree 56/2017 art. 32: at most 15 days unless extended (§9b: reminder on day 12)",
            R,
        ),
        Rule(
            "protection.review",
            _("Review the plan (Form 06)"),
            90,
            D,
            "Decree 56/2017 art. 30(1) (§9b: at the plan's end, at most 3 months after approval)",
            R,
        ),
        # Preventing abandonment (vietnam-process.md §9c). No statute sets these clocks: every one is
        # a recommendation [R], which a province may shorten.
        Rule(
            "prevention.first_contact",
            _("First contact with the person at risk"),
            3,
            D,
            "§9c (Notice 432-TB/VPTW §1; Law on Children art. 48–49): first contact within 3 days",
            R,
            dt.timedelta(days=1),
            top=2,
        ),
        Rule(
            "prevention.first_contact_urgent",
            _("First contact: a girl under 16 or suspected violence"),
            24,
            H,
            "§9c: within 24 hours if she is under 16 or violence is suspected",
            R,
            dt.timedelta(hours=12),
            top=2,
        ),
        Rule(
            "prevention.assessment",
            _("Assess her needs"),
            7,
            D,
            "§9c: needs assessment within 7 days of consent",
            R,
            dt.timedelta(days=1),
            top=2,
        ),
        Rule(
            "prevention.contact_monthly",
            _("Monthly contact with the person at risk"),
            30,
            D,
            "§9c: at least monthly contact through the pregnancy (and with every person followed)",
            R,
            dt.timedelta(days=7),
            top=2,
        ),
        Rule(
            "prevention.contact_weekly",
            _("Weekly contact in the last month of pregnancy"),
            7,
            D,
            "§9c: weekly contact in the last month",
            R,
            dt.timedelta(days=3),
            top=2,
        ),
        Rule(
            "prevention.postnatal_visit",
            _("Postnatal home visit"),
            7,
            D,
            "§9c: visits at weeks 1, 2 and 4, then monthly to 6 months (prevention/schedule.py)",
            R,
            dt.timedelta(days=3),
            top=2,
        ),
        Rule(
            "prevention.newborn_papers",
            _("Newborn's birth registration, residence and health insurance"),
            60,
            D,
            "Law on Civil Status 2014 art. 15: birth registered within 60 days; §9c: 3-in-1 procedure",
            L,
            dt.timedelta(days=7),
            top=2,
        ),
    )
}


def rule(code: str) -> Rule:
    return RULES[code]


def timers() -> list[str]:
    return [code for code, r in RULES.items() if r.on_due]
