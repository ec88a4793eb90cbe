"""A body standing in for a commune not yet in Haven (docs/decisions/0014), for every pathway whose
case belongs to a commune's People's Committee.

Where that committee is not in Haven yet, ``authority_for`` routes the case and its clocks to the
provincial Department of Health (the Ministry where the province has none). Its officers record there
what the commune decides and does, so no case is left with nobody who can move it — but they take the
commune's steps only while their body stands in for it: once the committee joins, the step is its own.

A pathway declares one ``StandingIn`` (which commune the case belongs to, and the words of its
refusal); its workflow rows name the guard, and its page asks ``needs`` and ``reaches``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from haven.accounts.models import OrganisationKind, Role
from haven.accounts.selectors import authority_for, stands_in
from haven.core.errors import Refused
from haven.workflow.guards import guard

# The officers of a body that may stand in for a commune: a province's Department of Health, the Ministry.
STAND_IN = frozenset({Role.PROVINCIAL_OFFICER, Role.MINISTRY_OFFICER})
GUARD_DESCRIPTION = (
    "A provincial or Ministry officer: only where their body stands in for a commune not yet in Haven."
)


def commune_step(roles) -> frozenset:
    """A commune's step: its own roles, and the officers of the body standing in for it."""
    return frozenset({*roles, *STAND_IN})


@dataclass(frozen=True)
class StandingIn:
    """The stand-in rule of one pathway. ``commune_of`` names the commune whose committee the case
    belongs to; ``committee_joined`` is the refusal when that committee is in Haven (with its legal
    basis), ``elsewhere`` when another body stands in; both take ``%(authority)s``."""

    guard_name: str
    commune_of: Callable[[object], object]
    committee_joined: str | Promise
    elsewhere: str | Promise

    def __post_init__(self) -> None:
        guard(self.guard_name, GUARD_DESCRIPTION)(self._guard)

    def _guard(self, firing) -> None:
        self.require(firing.membership, firing.subject)

    def require(self, membership, case) -> None:
        """Refused, with the reason, when a provincial or Ministry officer would take a commune's step
        on a case their body does not stand in for."""
        if membership is None or membership.role not in STAND_IN:
            return
        commune = self.commune_of(case)
        if stands_in(membership.organisation, commune):
            return
        authority = authority_for(commune)
        joined = authority.kind == OrganisationKind.COMMUNE_COMMITTEE
        message = str(self.committee_joined if joined else self.elsewhere)
        raise Refused(message % {"authority": authority.name}, code="not_your_step")

    def reaches(self, memberships, case) -> bool:
        """Whether one of ``memberships`` is an officer of the body standing in for the case's commune."""
        commune = self.commune_of(case)
        return any(m.role in STAND_IN and stands_in(m.organisation, commune) for m in memberships)

    def needs(self, flow, action: str, roles) -> bool:
        """Whether ``roles`` reach ``action`` only as a stand-in for the commune (for the page)."""
        rule = flow.transitions[action]
        return self.guard_name in rule.guards and not (rule.roles & (set(roles) - STAND_IN))

    def open_steps(self, flow, state, memberships, case) -> list[str]:
        """The rows open from ``state`` to the roles of ``memberships``, less the commune's steps
        where the person's body does not stand in for this case's commune."""
        roles = {m.role for m in memberships}
        standing = self.reaches(memberships, case)
        return [a for a in flow.actions_for(state, roles) if standing or not self.needs(flow, a, roles)]
