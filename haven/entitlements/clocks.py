"""The clocks of the allowance procedure on the one deadline engine (haven/deadlines/rules.py),
registered when the app starts (apps.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.deadlines.rules import ON, WD, L, R, Rule

RULES = (
    Rule(
        "entitlement.decide",
        _("Decide the allowance application"),
        10,
        WD,
        _(
            "Decree 20/2021 art. 8 as amended; Decree 147/2025 art. 5: within 10 working days of the "
            "application the commune chairman verifies it, checks the child against the national "
            "population database and decides, or refuses in writing with the reasons"
        ),
        L,
    ),
    Rule(
        "entitlement.proposal",
        _("Take up or set aside Haven's proposal"),
        5,
        WD,
        _(
            "Notice 432-TB/VPTW, part 4: children fully enjoy the welfare policies; the commune takes up "
            "or sets aside, with a reason, what Haven proposes within 5 working days (recommended)"
        ),
        R,
    ),
    # Haven's reading of "before the 25th of each month ... for the next month": the list of month M is
    # due at the end of the 24th of month M-1. Who sends it after the 2025 reform (the commune) is not
    # yet confirmed in the text (docs/decisions/0019-entitlements.md).
    Rule(
        "entitlement.provider_list",
        _("Send the month's payment list to the provider"),
        0,
        ON,
        _(
            "Decree 20/2021 art. 34: before the 25th of each month the funds and the payment list of the "
            "next month go to the payment provider (not yet checked against the official text)"
        ),
        L,
        overridable=False,
        top=2,
    ),
    # A card for a child under 6 lapses on a date the rule gives; from then the child needs the card of
    # a child in special circumstances, which takes an allowance decision: start three months before.
    Rule(
        "entitlement.health_card",
        _("Renew the health-insurance card before it lapses"),
        0,
        ON,
        _(
            "Law on Health Insurance, the state-budget group: children under 6 and children receiving social "
            "assistance; Haven asks for the next card three months before the card lapses (recommended)"
        ),
        R,
        overridable=False,
        top=2,
    ),
)


def register() -> None:
    from haven.access.policy import Verb
    from haven.deadlines import rules, subjects

    rules.register("entitlements", RULES)
    # A commune's payroll is no child's: its clock is seen by those who see the commune's payrolls.
    subjects.register(
        "entitlements.payrollrun",
        verb=Verb.CHILD_VIEW,
        page="/entitlements/payroll/{id}/",
        label=_("Allowance payroll"),
    )
    subjects.register("entitlements.application", page="/entitlements/applications/{id}/")
    subjects.register("entitlements.healthinsurancecard", page="/entitlements/children/{child}/")
