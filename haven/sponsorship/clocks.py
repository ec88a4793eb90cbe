"""The sponsorship clocks on the one deadline engine (haven/deadlines/rules.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Role
from haven.deadlines.duties import Duty, declare
from haven.deadlines.rules import ON, D, R, Rule

CONFIRM_DAYS = 14

RULES = (
    Rule(
        "sponsorship.confirm_disbursement",
        _("Have the carer confirm a disbursement"),
        CONFIRM_DAYS,
        D,
        _(
            "Notice 432-TB/VPTW, part 3: transparent mobilisation of resources; each disbursement to a "
            "child's carer is confirmed by the carer's one-time code or the payment provider's return, "
            "and one unconfirmed after 14 days escalates (recommended)"
        ),
        R,
        top=2,
    ),
    Rule(
        "sponsorship.exit_plan",
        _("Write the sponsorship's exit plan"),
        0,
        ON,
        _(
            'Notice 432-TB/VPTW, part 4.3, and the programme\'s own rule ("at least 12 months", "until 18"): '
            "an exit plan is written a month before a sponsorship's planned end or the child's 18th "
            "birthday, whichever comes first, so that support does not stop without warning (recommended)"
        ),
        R,
        overridable=False,
        top=2,
    ),
)

COORDINATOR = frozenset({Role.SPONSORSHIP_COORDINATOR})


def register() -> None:
    from haven.access.policy import Verb
    from haven.deadlines import rules, subjects

    rules.register("sponsorship", RULES)
    declare(
        Duty("sponsorship.confirm_disbursement", "sponsorship.entry", COORDINATOR),
        Duty("sponsorship.exit_plan", "sponsorship.sponsorship", COORDINATOR, ready=frozenset({"active"})),
    )
    subjects.register(
        "sponsorship.entry",
        verb=Verb.SPONSORSHIP_COORDINATE,
        page="/sponsorship/entries/{id}/",
        label=_("Disbursement"),
    )
    subjects.register(
        "sponsorship.sponsorship",
        verb=Verb.SPONSORSHIP_COORDINATE,
        page="/sponsorship/{id}/",
        label=_("Sponsorship"),
    )
