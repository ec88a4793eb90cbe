"""What every case workflow does on a step (foundlings, protection...): find who acts, then apply the
table's row — state, clocks stopped and started, the timeline entry, the audit event — in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Protocol

from django.db import models
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting, reach
from haven.accounts.models import Membership, Organisation, Role, User
from haven.audit.services import record
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.services import obligation_open, obligations_close


class Row(Protocol):
    target: object | None
    roles: frozenset
    closes: tuple[str, ...]
    opens: tuple[str, ...]


def lock(case: models.Model) -> None:
    """Lock the case's row for this transaction and re-read it, so that two people acting on the same
    stale page cannot both take the same step (the second is told it is out of order)."""
    fresh = type(case).objects.select_for_update().get(pk=case.pk)
    for field in case._meta.concrete_fields:
        setattr(case, field.attname, getattr(fresh, field.attname))


def acting(actor: User, child_id, roles: Iterable[str]) -> Membership:
    """The membership through which ``actor`` acts: a role the table allows, and a reach that includes
    the child. Otherwise the case is not found (404), as for anyone who may not see it."""
    from haven.people.models import Child

    for m in granting(actor, Verb.CHILD_VIEW):
        q = reach([m], "")
        if m.role in roles and q is not None and Child.objects.filter(q, pk=child_id).exists():
            return m
    if Child.objects.visible_to(actor).filter(pk=child_id).exists():
        # They see the case, so say why they may not take this step (e.g. only the chairman approves).
        who = ", ".join(str(Role(r).label) for r in sorted(roles))
        raise Refused(_("Only these roles take this step: %(roles)s.") % {"roles": who}, code="not_your_step")
    raise NotVisible


def enter(
    case: models.Model,
    action: str,
    rule: Row,
    *,
    steps: models.Manager,
    audit_prefix: str,
    responsible_for: Callable[[str], Organisation],
    actor: User | None,
    membership: Membership | None,
    now: dt.datetime,
    note: str = "",
    starts: dict[str, dt.datetime] | None = None,
    data: dict | None = None,
) -> models.Model:
    subject_type = case._meta.label_lower
    before = case.state
    due_at = (
        Obligation.objects.filter(
            subject_type=subject_type, subject_id=case.pk, rule__in=rule.closes, status=Status.OPEN
        )
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    if rule.closes:
        obligations_close(subject=case, rules=list(rule.closes), actor=actor)
    if rule.target is not None:
        case.state = rule.target
        case.save(update_fields=["state", "updated_at"])
    for code in rule.opens:
        obligation_open(
            rule_code=code,
            subject=case,
            child=case.child,
            responsible=responsible_for(code),
            start=(starts or {}).get(code, now),
        )
    organisation = membership.organisation if membership else None
    step = steps.create(
        action=action,
        from_state=before,
        to_state=case.state,
        at=now,
        actor=actor,
        organisation=organisation,
        note=note,
        due_at=due_at,
    )
    record(
        actor=actor,
        action=f"{audit_prefix}.{action}",
        obj=case,
        organisation=organisation,
        at=now,
        data={"from": before, "to": case.state, **(data or {})},
    )
    return step
