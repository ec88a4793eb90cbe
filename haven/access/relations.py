"""Named relations: an organisation's link to one case, which is not a link to the child.

The policy table (policy.py) and the child's involvements (scoping.py) say whose children a user
sees. Some people must read one *case* without holding the child's whole record:

- ``asked_to_accept``: the organisation a found child is being handed over to reads what it needs
  to decide — the child's sex and age, the health screening, the discovery facts and who sends the
  child — while the handover waits for its answer. Nobody can be asked to accept a child blind, and
  the answer is due within hours (Notice 432-TB/VPTW §2). Once it accepts, the handover involves it
  (scoping.py) and it sees the child; once it refuses, the relation ends.
- ``reported``: the hospital, police or commune committee that reported a found child keeps
  following its report (the state of the case and who answers for the child now), also when the
  child was found in another commune and the case went to that commune (Decree 123/2015 art. 14(1)).
  It reads its report and the case's progress, never the child's record, and takes no step.
- ``offered_the_case``: the commune a child-protection case is offered to (the child moved) answers
  the offer before it may see the case (protection/selectors.py, ``transfer_to_answer``): the only
  thing the relation gives it is the answer's deadline on its task list, which ends when it answers
  or the sender withdraws the offer.

A relation is declared by field paths, so access/ imports no domain. It is read-only; the steps its
holder takes are the domain's own to check (the handover answer checks the receiving organisation).
Every read through a relation leaves an audit event that names the relation (the domain's selectors
record it). ``rules`` are the deadlines of the case that become the holder's tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Model, Q

from haven.access.policy import Verb
from haven.accounts.models import Membership, Role

if TYPE_CHECKING:
    from haven.accounts.models import User

R = Role


@dataclass(frozen=True)
class Relation:
    name: str
    subject: str  # the model label of the case it links to, e.g. "foundlings.foundlingcase"
    roles: frozenset[Role]  # the members of the linked organisation who hold it
    link: Callable[[list[int]], Q]  # the cases linked to these organisations, as a Q over the subject
    rules: tuple[str, ...] = ()  # deadlines of the linked case that are the holder's tasks


ASKED_TO_ACCEPT = Relation(
    "asked_to_accept",
    "foundlings.foundlingcase",
    # Those who may answer for the receiving body: a facility's director, a hospital holding the
    # child, the commune authority for a registered family (foundlings/workflow.py, RECEIVERS).
    frozenset(
        {
            R.FACILITY_DIRECTOR,
            R.HOSPITAL_SOCIAL_WORKER,
            R.COMMUNE_CHILD_PROTECTION_OFFICER,
            R.COMMUNE_CHAIRMAN,
        }
    ),
    lambda organisations: Q(handovers__status="pending", handovers__to_organisation_id__in=organisations),
    rules=("foundling.handover_answer",),
)
REPORTED = Relation(
    "reported",
    "foundlings.foundlingcase",
    # The roles that report a found child from the place of discovery (foundlings/services.py).
    frozenset(
        {
            R.HOSPITAL_SOCIAL_WORKER,
            R.COMMUNE_POLICE_OFFICER,
            R.COMMUNE_CHILD_PROTECTION_OFFICER,
            R.COMMUNE_CHAIRMAN,
            R.HOTLINE_OPERATOR,
        }
    ),
    lambda organisations: Q(reporting_organisation_id__in=organisations),
)
OFFERED_THE_CASE = Relation(
    "offered_the_case",
    "protection.protectioncase",
    # Those who accept or refuse a case for the receiving commune (protection/workflow.py, COMMUNE).
    frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN}),
    lambda organisations: Q(transfers__status="pending", transfers__to_organisation_id__in=organisations),
    rules=("protection.transfer_answer",),
)
RELATIONS: tuple[Relation, ...] = (ASKED_TO_ACCEPT, REPORTED, OFFERED_THE_CASE)


@dataclass(frozen=True)
class Held:
    """A relation a user holds to one case, and the membership through which they hold it."""

    relation: Relation
    membership: Membership

    @property
    def name(self) -> str:
        return self.relation.name


def _holding(user: User, relation: Relation) -> list[Membership]:
    from haven.access.scoping import granting

    return [m for m in granting(user, Verb.CHILD_VIEW) if m.role in relation.roles]


def _linked(relation: Relation, organisations: list[int]):
    """The ids of the cases linked to ``organisations``, as a subquery (a case with two handovers is
    not counted twice); a merged child's case is no one's to read."""
    model = apps.get_model(relation.subject)
    prefix = model.child_prefix
    return (
        model.objects.filter(relation.link(organisations), **{prefix + "merged_into__isnull": True})
        .values("pk")
        .distinct()
    )


def related(user: User, subject: str) -> Q | None:
    """A Q over ``subject`` (a model label): the cases the user reads through a relation; None when
    the user holds none."""
    clauses = []
    for relation in RELATIONS:
        if relation.subject != subject:
            continue
        organisations = sorted({m.organisation_id for m in _holding(user, relation)})
        if organisations:
            clauses.append(Q(pk__in=_linked(relation, organisations)))
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def held(user: User, case: Model) -> Held | None:
    """The first relation through which ``user`` reads ``case`` (in the order of RELATIONS), or None."""
    subject = case._meta.label_lower
    for relation in RELATIONS:
        if relation.subject != subject:
            continue
        for m in _holding(user, relation):
            if _linked(relation, [m.organisation_id]).filter(pk=case.pk).exists():
                return Held(relation, m)
    return None


def obligations_related(user: User) -> Q | None:
    """A Q over Obligation: the deadlines of the cases the user reads through a relation that makes
    them the user's (the 12-hour answer to a handover)."""
    clauses = []
    for relation in RELATIONS:
        organisations = sorted({m.organisation_id for m in _holding(user, relation)})
        if relation.rules and organisations:
            clauses.append(
                Q(
                    subject_type=relation.subject,
                    rule__in=relation.rules,
                    subject_id__in=_linked(relation, organisations),
                )
            )
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined
