"""Reads on found children's cases: every one starts from visible_to(user), and showing a case is an
audit event on the child."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, memberships, require
from haven.accounts.models import User
from haven.audit.services import record
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.foundlings import workflow
from haven.foundlings.models import (
    CLOSED_STATES,
    FoundlingCase,
    Handover,
    HandoverStatus,
    PossibleDuplicate,
    State,
)
from haven.population.models import RequestStatus
from haven.population.selectors import pin_request_of


def cases_visible(user: User) -> QuerySet[FoundlingCase]:
    return FoundlingCase.objects.visible_to(user).select_related(
        "child", "found_commune__parent", "responsible"
    )


def case_for_action(*, user: User, case_id) -> FoundlingCase:
    """A case the user may see, for a service to act on (the service checks the role)."""
    case = cases_visible(user).filter(pk=case_id).first()
    if case is None:
        raise NotVisible
    return case


def case_for_viewing(*, user: User, case_id, reason: str = "") -> FoundlingCase:
    case = case_for_action(user=user, case_id=case_id)
    membership = require(user, Verb.CHILD_VIEW, case.child)
    record(
        actor=user,
        action="child.view",
        obj=case.child,
        organisation=membership.organisation,
        reason=reason or "foundling_case",
    )
    return case


def obligations_of(case: FoundlingCase) -> QuerySet[Obligation]:
    return (
        Obligation.objects.filter(subject_type="foundlings.foundlingcase", subject_id=case.pk)
        .select_related("responsible")
        .order_by("status", "due_at")
    )


def pending_handover(case: FoundlingCase) -> Handover | None:
    return case.handovers.filter(status=HandoverStatus.PENDING).select_related("to_organisation").first()


def handover_to_answer(*, user: User, case_id, handover_id=None) -> Handover:
    """The (pending) handover of a case addressed to one of the user's organisations. The receiver does
    not see the case until it accepts (its reach comes from the handover itself), so this cannot start
    from visible_to; the service still checks the role. Showing it is an audit event on the child."""
    # Only those who may answer for the receiving body (its director, or the commune authority).
    mine = [m.organisation_id for m in memberships(user) if m.role in workflow.RECEIVERS]
    handovers = Handover.objects.filter(case_id=case_id, to_organisation_id__in=mine)
    # Named by its id (the API), an answered handover is found too, so a second answer learns why it
    # fails; found by its case (the page), only the one waiting for an answer.
    if handover_id is not None:
        handovers = handovers.filter(pk=handover_id)
    else:
        handovers = handovers.filter(status=HandoverStatus.PENDING)
    handover = handovers.select_related(
        "case__child", "case__found_commune__parent", "case__responsible"
    ).first()
    if handover is None:
        raise NotVisible
    membership = next(m for m in memberships(user) if m.organisation_id == handover.to_organisation_id)
    record(
        actor=user,
        action="child.view",
        obj=handover.case.child,
        organisation=membership.organisation,
        reason="handover_answer",
    )
    return handover


def duplicates_pending(case: FoundlingCase) -> QuerySet[PossibleDuplicate]:
    return case.possible_duplicates.filter(status="pending").select_related(
        "other__child", "other__found_commune"
    )


def actions_for(user: User, case: FoundlingCase) -> list[str]:
    """What this person could do next on this case (the page offers only these)."""
    if case.state in CLOSED_STATES:
        return []
    roles = {m.role for m in memberships(user)}
    actions = workflow.FLOW.actions_for(case.state, roles)
    handover = pending_handover(case)
    if handover is not None:
        mine = {m.organisation_id for m in memberships(user)}
        if handover.to_organisation_id not in mine:
            actions = [a for a in actions if a not in ("accept_handover", "refuse_handover")]
    if hasattr(case, "discovery_record"):
        actions = [a for a in actions if a != "record"]
    if "confirm_notice_time" in actions and not notice_backdated(case):
        actions = [a for a in actions if a != "confirm_notice_time"]
    if "resend_pin" in actions:
        latest = pin_request_of(case.child)
        refused = latest is not None and latest.status in (RequestStatus.FAILED, RequestStatus.CONFLICT)
        if not refused or case.child.pin_encrypted:
            actions = [a for a in actions if a != "resend_pin"]
    return actions


@dataclass
class Late:
    obligation: Obligation
    late_by: dt.timedelta


def overdue(case: FoundlingCase) -> list[Late]:
    now = clock.now()
    return [Late(o, now - o.due_at) for o in obligations_of(case).filter(status=Status.OPEN, due_at__lt=now)]


def overdue_by_case(cases: list[FoundlingCase]) -> dict:
    """overdue() for a page of cases in one query, so a list costs no query per row."""
    now = clock.now()
    late: dict = {case.pk: [] for case in cases}
    for o in Obligation.objects.filter(
        subject_type="foundlings.foundlingcase", subject_id__in=list(late), status=Status.OPEN, due_at__lt=now
    ).order_by("due_at"):
        late[o.subject_id].append(Late(o, now - o.due_at))
    return late


def notice_backdated(case: FoundlingCase) -> bool:
    """The notice was posted earlier than Haven recorded it, and no supervisor has confirmed that
    time yet: its 7 days count from the recording (Decree 123/2015 art. 14(2))."""
    if case.notice_posted_at is None or case.state != State.NOTICE_PERIOD:
        return False
    wait = (
        Obligation.objects.filter(
            subject_type=case._meta.label_lower,
            subject_id=case.pk,
            rule="foundling.notice_period",
            status=Status.OPEN,
        )
        .values_list("opened_at", flat=True)
        .first()
    )
    return wait is not None and case.notice_posted_at < wait
