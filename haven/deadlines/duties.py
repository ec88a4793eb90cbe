"""Who takes each step with a deadline: the next actor of every obligation, declared by the domain
that owns the step (its ``tasks.py``), so that a task list shows exactly the steps its reader can take.

An obligation names the organisation that answers for it (``responsible``); a duty says which roles
of that organisation take the step, and, where the domain knows it, when the step can be taken (the
states of the case that wait for it). A step whose case is waiting for its actor may be a task before
its deadline comes near (``early``): the chairman is asked to approve a plan as soon as it is drafted,
not when its deadline is a week away. Some steps belong to a person rather than an organisation: a
social collaborator visits the women of the villages she covers, whatever body answers for them
(``assignee``).

The deadline engine reads this table and imports no domain: each domain declares its duties when
Django starts (its AppConfig.ready), and a test checks that every clock of the rule table that a
person must act on has a duty.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q


@dataclass(frozen=True)
class Duty:
    rule: str  # the obligation's rule code (haven/deadlines/rules.py)
    subject: str  # the model label of the obligation's subject (a case, a placement, a person...)
    roles: frozenset[str]  # the roles, in the responsible organisation, that take the step
    # The states of the subject in which the step can be taken; None: whenever the clock runs.
    ready: frozenset[str] | None = None
    # Once ready, a task whatever its deadline: the case waits for this person and nobody else.
    early: bool = False
    # The subject's field naming the person who takes the step, and the roles that take it so: such a
    # step is theirs whatever organisation answers for it.
    assignee: str = ""
    assigned_roles: frozenset[str] = frozenset()

    def subjects(self, **lookups) -> Q:
        """Obligations whose subject matches ``lookups`` (a subquery on the subject's table)."""
        model = apps.get_model(self.subject)
        return Q(subject_id__in=model.objects.filter(**lookups).values("pk"))


DUTIES: dict[str, Duty] = {}


def declare(*duties: Duty) -> None:
    """Called by a domain when Django starts; declaring a rule twice is a mistake in the tables."""
    for duty in duties:
        known = DUTIES.get(duty.rule)
        if known is not None and known != duty:
            raise ValueError(f"{duty.rule} has two different duties")
        DUTIES[duty.rule] = duty


def actors(rule: str) -> frozenset[str]:
    """Every role that takes the step of ``rule`` (for the pages and docs that say who acts)."""
    duty = DUTIES.get(rule)
    return frozenset() if duty is None else duty.roles | duty.assigned_roles
