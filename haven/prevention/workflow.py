"""The follow-up of a person at risk as one table (vietnam-process.md §9c). Its clocks are the
``prevention.*`` rules of the one deadline engine; visits re-arm the contact clock (services.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from haven.accounts.models import Role
from haven.core.errors import Refused
from haven.prevention.models import OPEN_STATES, State

R = Role
S = State
# Those who follow her: the collaborator who covers her village, the commune officer, and the
# antenatal clinic that flagged her.
FOLLOWERS = frozenset({R.SOCIAL_COLLABORATOR, R.COMMUNE_CHILD_PROTECTION_OFFICER, R.HOSPITAL_SOCIAL_WORKER})
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
PREGNANT = frozenset({S.CONTACTED, S.ASSESSED, S.FOLLOW_UP})
FIRST = ("prevention.first_contact", "prevention.first_contact_urgent")
CONTACT = ("prevention.contact_monthly", "prevention.contact_weekly")
# The clocks of contact with her: the "visits on time" figure counts them.
VISIT_CLOCKS = (*FIRST, *CONTACT, "prevention.postnatal_visit")
EVERY_CLOCK = (
    *FIRST,
    "prevention.assessment",
    *CONTACT,
    "prevention.postnatal_visit",
    "prevention.newborn_papers",
)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    closes: tuple[str, ...] = ()
    opens: tuple[str, ...] = ()


TRANSITIONS: dict[str, Transition] = {
    # §9c CONTACTED: outreach done, consent asked. The contact clock starts with the first contact.
    "contact": Transition(
        frozenset({S.IDENTIFIED}), S.CONTACTED, FOLLOWERS, closes=FIRST, opens=("prevention.assessment",)
    ),
    # PDP Law 2025 art. 9: silence is not consent; she may refuse, and only the minimum is kept.
    # She may withdraw her consent at any time (PDP Law 2025 art. 4, 9).
    "decline": Transition(frozenset(OPEN_STATES), S.DECLINED, FOLLOWERS, closes=EVERY_CLOCK),
    "assess": Transition(frozenset({S.CONTACTED}), S.ASSESSED, FOLLOWERS, closes=("prevention.assessment",)),
    "plan": Transition(frozenset({S.ASSESSED}), S.FOLLOW_UP, FOLLOWERS),
    "visit": Transition(frozenset({S.CONTACTED, S.ASSESSED, S.FOLLOW_UP, S.POSTNATAL}), None, FOLLOWERS),
    "refer": Transition(frozenset({S.CONTACTED, S.ASSESSED, S.FOLLOW_UP, S.POSTNATAL}), None, FOLLOWERS),
    "support_outcome": Transition(
        frozenset({S.CONTACTED, S.ASSESSED, S.FOLLOW_UP, S.POSTNATAL}), None, FOLLOWERS
    ),
    "birth": Transition(
        PREGNANT,
        S.POSTNATAL,
        FOLLOWERS,
        closes=(*CONTACT, "prevention.assessment"),
        opens=("prevention.newborn_papers",),
    ),
    "papers": Transition(frozenset({S.POSTNATAL, S.ESCALATED}), None, FOLLOWERS),
    # Her village, the expected date of delivery, the pregnancy, learnt after the flag.
    "update": Transition(frozenset(OPEN_STATES), None, FOLLOWERS),
    # Law on Children art. 49; Decree 56 art. 28: a risk of abandonment becomes a child-protection
    # case at support level, on the 9b clocks. Only the commune officer opens it.
    "escalate": Transition(frozenset({S.POSTNATAL}), S.ESCALATED, OFFICER, closes=EVERY_CLOCK),
    # Actual abandonment opens the foundlings pathway (§9a) for the newborn.
    "abandoned": Transition(frozenset({S.POSTNATAL, S.ESCALATED}), S.CLOSED, OFFICER, closes=EVERY_CLOCK),
    "close_stable": Transition(
        frozenset({S.POSTNATAL, S.ESCALATED}), S.CLOSED_STABLE, OFFICER, closes=EVERY_CLOCK
    ),
    # The pregnancy ended otherwise, she moved away, or the risk is gone.
    "close": Transition(frozenset(OPEN_STATES), S.CLOSED, OFFICER, closes=EVERY_CLOCK),
}


def transition(action: str, state: str) -> Transition:
    rule = TRANSITIONS[action]
    if State(state) not in rule.sources:
        raise Refused(
            _("This step cannot be taken now: the record is “%(state)s”.") % {"state": State(state).label},
            code="out_of_order",
        )
    return rule


def actions_for(state: str, roles: set[str]) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if State(state) in t.sources and t.roles & roles]
