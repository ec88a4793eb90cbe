"""The child-protection case as one table (vietnam-process.md §9b; Decree 56/2017 art. 25–32)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from haven.accounts.models import Role
from haven.core.errors import Refused
from haven.protection.models import CLOSED_STATES, State

R = Role
S = State
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
COMMUNE = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN})
CHAIRMAN = frozenset({R.COMMUNE_CHAIRMAN})
OPEN = frozenset(set(State) - CLOSED_STATES)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    closes: tuple[str, ...] = ()
    opens: tuple[str, ...] = ()


INITIAL = ("protection.initial_assessment",)
TRANSITIONS: dict[str, Transition] = {
    # Decree 56 art. 26(2): the commune chairman has the commune child-protection worker take it up.
    "accept": Transition(
        frozenset({S.RECEIVED}),
        S.WITH_COMMUNE,
        COMMUNE,
        closes=("protection.transfer",),
        opens=("protection.initial_assessment", "protection.plan", "protection.approval"),
    ),
    # Form 02 decides the way on: emergency, support, or no case (recorded all the same).
    "assess_emergency": Transition(frozenset({S.WITH_COMMUNE}), S.EMERGENCY, OFFICER, closes=INITIAL),
    "assess_support": Transition(
        frozenset({S.WITH_COMMUNE}), S.ASSESSING, OFFICER, closes=(*INITIAL, "protection.emergency")
    ),
    "assess_unfounded": Transition(
        frozenset({S.WITH_COMMUNE}),
        S.UNFOUNDED,
        OFFICER,
        closes=(*INITIAL, "protection.emergency", "protection.plan", "protection.approval"),
    ),
    # Decree 56 art. 26(3), 31, 32: within 12 hours, by the chairman (or the competent body).
    "emergency_measures": Transition(
        frozenset({S.EMERGENCY}),
        S.ASSESSING,
        frozenset({*COMMUNE, R.COMMUNE_POLICE_OFFICER}),
        closes=("protection.emergency",),
    ),
    "assess_specific": Transition(frozenset({S.ASSESSING}), None, OFFICER),
    "draft_plan": Transition(frozenset({S.ASSESSING}), S.PLAN_DRAFTED, OFFICER, closes=("protection.plan",)),
    # Law on Children art. 52: only the chairman approves, after the meeting.
    "approve_plan": Transition(
        frozenset({S.PLAN_DRAFTED}),
        S.IN_INTERVENTION,
        CHAIRMAN,
        closes=("protection.approval",),
        opens=("protection.review",),
    ),
    "return_plan": Transition(frozenset({S.PLAN_DRAFTED}), S.ASSESSING, CHAIRMAN, opens=("protection.plan",)),
    "review": Transition(frozenset({S.IN_INTERVENTION}), S.REVIEW, OFFICER, closes=("protection.review",)),
    # Decree 56 art. 30(1)(b)–(c): close when safe and stable, otherwise plan again.
    "close": Transition(frozenset({S.REVIEW}), S.CLOSED, CHAIRMAN),
    "replan": Transition(
        frozenset({S.REVIEW}), S.ASSESSING, COMMUNE, opens=("protection.plan", "protection.approval")
    ),
    "end_separation": Transition(OPEN, None, COMMUNE, closes=("protection.separation_review",)),
}


def transition(action: str, state: str) -> Transition:
    rule = TRANSITIONS[action]
    if State(state) not in rule.sources:
        raise Refused(
            _("This step cannot be taken now: the case is “%(state)s”.") % {"state": State(state).label},
            code="out_of_order",
        )
    return rule


def actions_for(state: str, roles: set[str]) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if State(state) in t.sources and t.roles & roles]
