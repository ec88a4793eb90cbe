"""The clocks of family-like care (vietnam-process.md §3.4 C1, D2) on the one deadline engine
(haven/deadlines/rules.py), registered when the app starts (apps.py). `haven rules` prints them with
every other app's, and docs/rules.md is that table written out.

The six-monthly review of a placed child is one duty, ``placement.review``: the review of a child in a
facility and the monitoring visit of a child in a family are its clocks, and the found-child case's
review (haven/foundlings/clocks.py) gives its clock over to them, so one missed review escalates once.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.deadlines.rules import WD, D, L, M, R, Rule

# The one six-monthly review of a placed child (Law on Children art. 68; Circular 14/2020 art. 13).
# "Every 6 months" is a period of months, due at the end of the corresponding day of the sixth month
# or that month's last day (Civil Code 2015 art. 148(3)), not a number of days.
PLACEMENT_REVIEW = "placement.review"

RULES = (
    Rule(
        "care.review",
        _("Six-monthly review of a child in a facility"),
        6,
        M,
        _("Law on Children art. 47(4), 68(1): facility care is temporary, reviewed every 6 months"),
        L,
        duty=PLACEMENT_REVIEW,
    ),
    Rule(
        "care.family_plan",
        _("Family-based plan for a child under 3 in a facility"),
        6,
        M,
        _(
            "Law on Children art. 47(4), 60(4); Notice 432-TB/VPTW, part 3: a child under 3 in a facility "
            "has a plan for care in a family within 6 months (recommended)"
        ),
        R,
    ),
    Rule(
        "care.monitoring",
        _("Monitoring visit of a child in a family"),
        6,
        M,
        _("Decree 56/2017 art. 43(2), 46; Circular 14/2020 art. 13: every 6 months or on any change"),
        L,
        duty=PLACEMENT_REVIEW,
    ),
    Rule(
        "care.family_decision",
        _("Decide the handover to the verified relative (Form 12)"),
        5,
        WD,
        _(
            "Decree 56/2017 art. 41; Circular 14/2020: once the commune has verified the relative's "
            "conditions (Form 11), the commune chairman decides the handover (Form 12) (5 working days, "
            "recommended)"
        ),
        R,
    ),
    Rule(
        "care.handover",
        _("Hand the child to the chosen family"),
        15,
        WD,
        _(
            "Decree 56/2017 art. 41; administrative procedure (Form 12): within 15 working days of the "
            "decision"
        ),
        L,
    ),
    Rule(
        "care.register_update",
        _("Quarterly update of the register of alternative-care families"),
        92,
        D,
        _(
            "Decree 56/2017 art. 41; administrative procedure: the commune updates its register of families "
            "willing to provide alternative care every quarter (92 days, the longest quarter)"
        ),
        L,
        top=2,
    ),
)


def register() -> None:
    from haven.access.policy import Verb
    from haven.deadlines import rules, subjects

    rules.register("care", RULES)
    # The quarterly update of a commune's register of alternative-care families is no child's.
    subjects.register(
        "care.registerupdate",
        verb=Verb.CARE_MANAGE,
        page="/care/families/",
        label=_("Register of alternative-care families"),
    )
    subjects.register("care.carefamily", page="/care/families/{id}/", label=_("Alternative-care family"))
    subjects.register("care.placement", page="/care/children/{child}/")
