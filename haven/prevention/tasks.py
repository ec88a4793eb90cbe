"""Who takes each step with a deadline in following a person at risk (haven/deadlines/duties.py;
vietnam-process.md §9c): the commune officer for every person of the commune (the committee answers
for them), and the social collaborator for the people given to her, whatever body answers for them.
"""

from __future__ import annotations

from haven.accounts.models import Role
from haven.deadlines.duties import Duty, declare
from haven.prevention import workflow
from haven.prevention.models import AtRiskPerson

SUBJECT = AtRiskPerson._meta.label_lower
COMMUNE = frozenset({Role.COMMUNE_CHILD_PROTECTION_OFFICER})
HERS = frozenset({Role.SOCIAL_COLLABORATOR})


def _by(rule: str, action: str) -> Duty:
    step = workflow.TRANSITIONS[action]
    return Duty(
        rule,
        SUBJECT,
        COMMUNE & step.roles,
        ready=frozenset(s.value for s in step.sources),
        assignee="collaborator",
        assigned_roles=HERS & step.roles,
    )


DUTIES = (
    _by("prevention.first_contact", "contact"),
    _by("prevention.first_contact_urgent", "contact"),
    _by("prevention.assessment", "assess"),
    _by("prevention.contact_monthly", "visit"),
    _by("prevention.contact_weekly", "visit"),
    _by("prevention.postnatal_visit", "visit"),
    _by("prevention.newborn_papers", "papers"),
)


def register() -> None:
    declare(*DUTIES)
