"""Reads on found children's cases: every one starts from visible_to(user), and showing a case is an
audit event on the child."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.access import relations
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, memberships, reaching, require
from haven.accounts.models import Membership, User
from haven.audit.services import record
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.foundlings import workflow
from haven.foundlings.models import (
    CLOSED_STATES,
    FoundlingCase,
    Handover,
    HandoverStatus,
    HealthScreening,
    PossibleDuplicate,
    State,
    TemporaryCare,
)
from haven.population.models import RequestStatus
from haven.population.selectors import pin_request_of


def cases_visible(user: User) -> QuerySet[FoundlingCase]:
    return FoundlingCase.objects.visible_to(user).select_related(
        "child", "found_commune__parent", "responsible"
    )


SUBJECT = FoundlingCase._meta.label_lower


def cases_listed(user: User) -> QuerySet[FoundlingCase]:
    """The cases of the user's list: those of the children they see, and those they read through a
    named relation (the report their organisation made, a child they are asked to accept)."""
    related = relations.related(user, SUBJECT)
    if related is None:
        return cases_visible(user)
    visible = FoundlingCase.objects.visible_to(user).values("pk")
    return FoundlingCase.objects.filter(Q(pk__in=visible) | related).select_related(
        "child", "found_commune__parent", "responsible"
    )


@dataclass(frozen=True)
class Seen:
    """A case as one user reads it: through the child (``relation`` empty: the whole case), or
    through a named relation (haven/access/relations.py), which shows only what that relation needs."""

    case: FoundlingCase
    membership: Membership
    relation: str = ""

    @property
    def whole(self) -> bool:
        return not self.relation


def case_seen(*, user: User, case_id, reason: str = "") -> Seen:
    """The case for its page or the API: the whole case for those who see the child, otherwise the
    part a named relation gives. Either way the reading is an audit event on the child, naming the
    relation it went through."""
    case = cases_visible(user).filter(pk=case_id).first()
    if case is not None:
        membership = require(user, Verb.CHILD_VIEW, case.child)
        record(
            actor=user,
            action="child.view",
            obj=case.child,
            organisation=membership.organisation,
            reason=reason or "foundling_case",
        )
        return Seen(case, membership)
    related = relations.related(user, SUBJECT)
    case = None
    if related is not None:
        case = (
            FoundlingCase.objects.filter(related, pk=case_id)
            .select_related("child", "found_commune__parent", "responsible")
            .first()
        )
    held = relations.held(user, case) if case is not None else None
    if held is None:
        raise NotVisible
    record(
        actor=user,
        action="child.view",
        obj=case.child,
        organisation=held.membership.organisation,
        reason=held.name,
    )
    return Seen(case, held.membership, held.name)


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


ANSWERS = ("accept_handover", "refuse_handover", "accept_move", "refuse_move")


def actions_for(user: User, case: FoundlingCase) -> list[str]:
    """What this person could do next on this case (the page offers only these): the steps the table
    gives a role they hold through a membership that reaches the child — as the services check it
    (the workflow engine) — and, to the organisation asked to accept the child, the answer."""
    if case.state in CLOSED_STATES:
        return []
    through = reaching(user, Verb.CHILD_VIEW, case.child)
    # A provincial or Ministry officer takes the commune's steps only where their body stands in for it.
    steps = workflow.STANDING_IN.open_steps(workflow.FLOW, case.state, through, case)
    actions = [a for a in steps if a not in ANSWERS]
    handover = pending_handover(case)
    if handover is not None:
        receiving = {m.role for m in memberships(user) if m.organisation_id == handover.to_organisation_id}
        answers = [a for a in ANSWERS if case.state in workflow.TRANSITIONS[a].sources]
        actions += [a for a in answers if workflow.TRANSITIONS[a].roles & receiving]
        actions = [a for a in actions if a != "move_after_discharge"]
    else:
        actions = [a for a in actions if a not in ("withdraw_handover", "withdraw_move")]
    if "move_after_discharge" in actions and not (
        case.temporary_care == TemporaryCare.HOSPITAL_HOLD and case.medically_discharged_at is not None
    ):
        actions = [a for a in actions if a != "move_after_discharge"]
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


def can_export(user: User, case: FoundlingCase) -> bool:
    """The discovery record and the public notice are exports of the child's data (Verb.CHILD_EXPORT)."""
    return bool(reaching(user, Verb.CHILD_EXPORT, case.child))


@dataclass(frozen=True)
class Essentials:
    """What an organisation asked to accept a child needs to decide (Notice 432-TB/VPTW §2): who the
    child is (sex, age), the health screening, the discovery, who sends the child, and by when the
    answer is due."""

    sex: str
    age: str
    screening: HealthScreening | None
    handover: Handover | None
    answer_due: Obligation | None


def age_in_words(days: int | None) -> str:
    if days is None:
        return _("not known yet")
    if days < 60:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if days < 730:
        months = days // 30
        return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}
    years = days // 365
    return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}


def essentials(case: FoundlingCase) -> Essentials:
    screening = case.screenings.order_by("-screened_at").first()
    days = screening.estimated_age_days if screening is not None else case.estimated_age_days
    handover = (
        case.handovers.filter(status=HandoverStatus.PENDING)
        .select_related("from_organisation", "to_organisation", "requested_by")
        .first()
    )
    due = (
        obligations_of(case).filter(rule="foundling.handover_answer", status=Status.OPEN).first()
        if handover is not None
        else None
    )
    return Essentials(
        sex=case.child.get_sex_display(),
        age=age_in_words(days),
        screening=screening,
        handover=handover,
        answer_due=due,
    )


def handover_addressed(*, user: User, case_id) -> Handover:
    """The latest handover of a case addressed to one of the user's organisations, whatever its
    status and the user's role there: the page an inbox message links to never leads nowhere, and
    says what became of the handover. It names no child, so it is not an audit event."""
    mine = [m.organisation_id for m in memberships(user)]
    handover = (
        Handover.objects.filter(case_id=case_id, to_organisation_id__in=mine)
        .select_related("to_organisation", "from_organisation", "answered_by")
        .order_by("-requested_at", "-pk")
        .first()
    )
    if handover is None:
        raise NotVisible
    return handover


def cases_of_child(user: User, child) -> list:
    """The child's found-child case, for the child's page, if the user sees it (people/cases.py)."""
    from haven.people.cases import CaseLink

    return [
        CaseLink(
            _("Found child"),
            f"/foundlings/{case.pk}/",
            case.get_state_display(),
            clock.localdate(case.found_at),
        )
        for case in FoundlingCase.objects.visible_to(user).filter(child=child)
    ]
