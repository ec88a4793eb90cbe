"""The clocks of the prevention work (vietnam-process.md §9c) on the one deadline engine
(haven/deadlines/rules.py), registered when the app starts (apps.py). `haven rules` prints them with
every other app's, and docs/rules.md is that table written out.

No statute sets these clocks but the newborn's papers: the others are recommendations [R], which a
province may shorten — all but the postnatal visits, each due on the day the schedule sets.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from haven.deadlines.rules import ON, D, H, L, R, Rule

RULES = (
    Rule(
        "prevention.first_contact",
        _("First contact with the person at risk"),
        3,
        D,
        _(
            "Law on Children art. 48–49; Notice 432-TB/VPTW: a person at risk is reached early, before a "
            "child is abandoned; the law sets no number (3 days, recommended)"
        ),
        R,
        dt.timedelta(days=1),
        top=2,
    ),
    Rule(
        "prevention.first_contact_urgent",
        _("First contact: a girl under 16 or suspected violence"),
        24,
        H,
        _(
            "Law on Children art. 49: a girl under 16, or a suspicion of violence, is reached first; the "
            "law sets no number (24 hours, recommended)"
        ),
        R,
        dt.timedelta(hours=12),
        top=2,
    ),
    Rule(
        "prevention.assessment",
        _("Assess her needs"),
        7,
        D,
        _(
            "Law on Children art. 49: her needs are assessed once she has consented; the law sets no "
            "number (7 days from her consent, recommended)"
        ),
        R,
        dt.timedelta(days=1),
        top=2,
    ),
    Rule(
        "prevention.contact_monthly",
        _("Monthly contact with the person at risk"),
        30,
        D,
        _(
            "Notice 432-TB/VPTW: social collaborators follow those at risk; the law sets no number (at "
            "least monthly through the pregnancy, and with every person followed, recommended)"
        ),
        R,
        dt.timedelta(days=7),
        top=2,
    ),
    Rule(
        "prevention.contact_weekly",
        _("Weekly contact in the last month of pregnancy"),
        7,
        D,
        _("Recommended, the law sets no number: weekly contact in the last month of the pregnancy"),
        R,
        dt.timedelta(days=3),
        top=2,
    ),
    Rule(
        "prevention.postnatal_visit",
        _("Postnatal home visit"),
        0,
        ON,
        _(
            "Recommended, the law sets no number: home visits in weeks 1, 2 and 4 after the birth, then "
            "monthly until the child is 6 months old, each due on its day"
        ),
        R,
        dt.timedelta(days=3),
        overridable=False,
        top=2,
    ),
    Rule(
        "prevention.newborn_papers",
        _("Newborn's birth registration, residence and health insurance"),
        60,
        D,
        _(
            "Law on Civil Status 2014 art. 15: the birth is registered within 60 days of it; residence and "
            "the health-insurance card through the one interlinked procedure (Decree 63/2024)"
        ),
        L,
        dt.timedelta(days=7),
        top=2,
    ),
)


def register() -> None:
    from haven.access.policy import Verb
    from haven.deadlines import rules, subjects

    rules.register("prevention", RULES)
    # A person at risk is not a child in Haven: her steps are seen by those who may see her.
    subjects.register(
        "prevention.atriskperson",
        verb=Verb.PREVENTION_VIEW,
        page="/prevention/{id}/",
        label=_("Person at risk (prevention)"),
    )
