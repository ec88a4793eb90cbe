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
        0,
        ON,
        "§9c: visits at weeks 1, 2 and 4, then monthly to 6 months, each due on its day "
        "(prevention/schedule.py)",
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
        "Law on Civil Status 2014 art. 15: birth registered within 60 days; §9c: 3-in-1 procedure",
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
    subjects.register("prevention.atriskperson", verb=Verb.PREVENTION_VIEW, page="/prevention/{id}/")
