"""Placements: where and with whom a child lives, one dated history across every form of care (Law on
Children art. 62). Each step is a row of the placement table (care/workflow/) fired on the one
engine, which finds who acts, checks the lawful dates, the norms and the named guards, stops and starts
the clocks, and writes the timeline, the audit event and the messages. This module adds each step's
own writes: the dated rows, the caregiver changes, and who sees the child (involvements).

A facility placement is temporary (art. 47(4)): it carries the six-monthly review clock and, for a
child under 3, the family-plan clock; a stay in facility care is one stay whichever group or facility,
so a move carries both clocks over. A child in a family is visited every 6 months (Decree 56/2017
art. 43(2), 46).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import require
from haven.accounts.models import Membership, User
from haven.care import moves, ratios, workflow
from haven.care.authority import facility_membership, facility_of, holder_membership, monitoring_authority
from haven.care.models import (
    CareFamily,
    CareForm,
    CaregiverChange,
    Facility,
    MonitoringVisit,
    Placement,
    Review,
    Room,
    SmallGroup,
)
from haven.care.services.common import required, required_all, start_of
from haven.care.services.structure import principal_of
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.people.models import Child, Involvement, InvolvementBasis
from haven.workflow.engine import Firing

FLOW = workflow.PLACEMENTS
CLOCKS = ("care.review", "care.family_plan")
FAMILY_CLOCKS = ("care.monitoring",)
# Issue #4 (Notice 432 §3): a child under 3 should not wait in a facility without a family-based plan.
FAMILY_PLAN_BEFORE_MONTHS = 36
DECIDED_FAMILY_FORMS = workflow.DECIDED_FAMILY_FORMS
CHILD_UNTIL_YEARS = workflow.CHILD_UNTIL_YEARS


# --- The carer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Carer:
    """The adult who principally cares for a child: a staff member (a group's principal caregiver),
    the family handed the child, or only a name (a family placement recorded without a family). Two
    carers are the same person when their identity is, whatever their names (docs/decisions/0011)."""

    name: str = ""
    staff_id: int | None = None
    family_id: uuid.UUID | None = None

    @property
    def key(self) -> tuple | None:
        if self.staff_id is not None:
            return ("staff", self.staff_id)
        if self.family_id is not None:
            return ("family", self.family_id)
        return ("name", self.name) if self.name else None


def _carer(placement: Placement | None, on: dt.date) -> Carer:
    if placement is None:
        return Carer()
    if placement.group_id is None:
        return Carer(name=placement.carer_name, family_id=placement.family_id)
    principal = (
        placement.group.principals.in_force(on).select_related("staff").order_by("-started_on").first()
    )
    return Carer(name=principal.staff.full_name, staff_id=principal.staff_id) if principal else Carer()


def _current_carer(placement: Placement | None, on: dt.date) -> str:
    return _carer(placement, on).name


def _principal(group: SmallGroup) -> Carer:
    principal = principal_of(group)
    return Carer(name=principal.staff.full_name, staff_id=principal.staff_id) if principal else Carer()


def _record_change(placement: Placement, before: Carer, after: Carer, reason: str) -> None:
    """A change of the person who principally cares for the child: compared by identity (the staff
    member, the family), so two carers of the same name are a change and a renamed one is not."""
    if before.key and after.key and before.key != after.key:
        CaregiverChange.objects.create(
            child_id=placement.child_id,
            placement=placement,
            on=placement.started_on,
            from_staff_id=before.staff_id,
            to_staff_id=after.staff_id,
            from_family_id=before.family_id,
            to_family_id=after.family_id,
            from_name=before.name,
            to_name=after.name,
            reason=reason,
        )


# --- Who sees the child ---------------------------------------------------------------------------


def _involve(child: Child, facility: Facility, since: dt.date) -> None:
    """The facility holding the child sees the child (haven/access/scoping.py)."""
    Involvement.objects.create(
        child=child,
        organisation=facility.organisation,
        basis=InvolvementBasis.PLACEMENT,
        started_at=start_of(since),
    )


def _ended_at(on: dt.date) -> dt.datetime:
    return start_of(on) if on < clock.today() else clock.now()


def _uninvolve(child: Child, facility: Facility, on: dt.date) -> None:
    Involvement.objects.filter(
        child=child,
        organisation=facility.organisation,
        basis=InvolvementBasis.PLACEMENT,
        ended_at__isnull=True,
    ).update(ended_at=_ended_at(on))


def _unfollow(child: Child, old: Placement, new: Placement | None, on: dt.date) -> None:
    """The commune that followed a child in a family of another commune (``monitoring_authority``, given
    sight of the child when the family took it) stops seeing the child when that care ends — as a
    facility does (``_uninvolve``) — unless it follows the child's next family too."""
    if old.group_id is not None or old.family_id is None:
        return
    following = monitoring_authority(old)
    if new is not None and new.group_id is None and monitoring_authority(new) == following:
        return
    Involvement.objects.filter(
        child=child, organisation=following, basis=InvolvementBasis.PLACEMENT, ended_at__isnull=True
    ).update(ended_at=_ended_at(on))


def _follow(child: Child, placement: Placement) -> None:
    """The family's commune follows the child from now on (monitoring visits), so it sees the child."""
    if placement.family_id is None or placement.family.commune_id == child.current_commune_id:
        return
    following = monitoring_authority(placement)
    if not Involvement.objects.filter(child=child, organisation=following, ended_at__isnull=True).exists():
        Involvement.objects.create(
            child=child,
            organisation=following,
            basis=InvolvementBasis.PLACEMENT,
            started_at=start_of(placement.started_on),
        )


# --- The rows -------------------------------------------------------------------------------------


def _new(
    *,
    actor: User,
    child: Child,
    form: str,
    started_on: dt.date,
    reason: str,
    group: SmallGroup | None = None,
    room: Room | None = None,
    carer: str = "",
    family: CareFamily | None = None,
) -> Placement:
    """A placement not yet written: the engine checks it before the step writes it."""
    return Placement(
        child=child,
        form=form,
        group=group,
        room=room if group is not None else None,
        carer_name=carer.strip()[:150] if group is None else "",
        family=family,
        started_on=started_on,
        reason=(reason or "").strip()[:300],
        placed_by=actor,
    )


def _write(placement: Placement, firing: Firing) -> None:
    """Write a new placement once every check has passed; an override the norms guard allowed is
    recorded on it, by name (Circular 09/2024 art. 6)."""
    # The placement begins in the state its row enters (in a facility, or in a family).
    placement.state = firing.rule.target
    override = firing.data.get("override")
    if override:
        placement.overload, placement.override_by = True, firing.actor
        placement.override_reason = override["reason"]
    try:
        with transaction.atomic():
            placement.save(force_insert=True)
    except IntegrityError:
        raise Refused(_("The child already has an open placement."), code="overlapping_placement") from None
    firing.note = placement.reason
    firing.data.update(
        {"form": placement.form, "group": placement.group_id, "started_on": placement.started_on.isoformat()}
    )
    # Other domains react in the same transaction (a school-age child who moves commune: education).
    firing.then.append(lambda: moves.began(placement, firing.actor))


def _end(firing: Firing, placement: Placement, on: dt.date, reason: str) -> None:
    """End an open placement on ``on`` (its clocks stop with the step); a family left with no child to
    care for has its care ended."""
    placement.ended_on, placement.end_reason = on, reason[:300]
    placement.save(update_fields=["ended_on", "end_reason", "updated_at"])
    firing.note = reason
    firing.data["ended_on"] = on.isoformat()
    firing.then.append(lambda: _family_care_may_have_ended(placement))


def _family_care_may_have_ended(placement: Placement) -> None:
    if placement.family_id is None:
        return
    if Placement.objects.filter(family_id=placement.family_id, ended_on__isnull=True).exists():
        return
    family = CareFamily.objects.get(pk=placement.family_id)
    try:
        workflow.FAMILIES.rule("family_care_ended", family.state)
    except Refused:
        return  # chosen meanwhile for a sibling, or never handed a child
    workflow.FAMILIES.fire(family, "family_care_ended", actor=None, note=placement.end_reason)


def _facility_clocks(
    firing: Firing, placement: Placement, review_since: dt.datetime, plan_since: dt.datetime | None
) -> None:
    """The review clock runs from admission or the last review; the under-3 family-plan clock from the
    first day of this stay in facility care (``plan_since``; None when it no longer runs)."""
    firing.starts["care.review"] = review_since
    born = placement.child.date_of_birth
    if (
        plan_since is not None
        and born is not None
        and ratios.months_between(born, plan_since.date()) < FAMILY_PLAN_BEFORE_MONTHS
        and not placement.family_plan
    ):
        firing.starts["care.family_plan"] = plan_since
    else:
        firing.opens = ("care.review",)


# --- Admission, moves, families -------------------------------------------------------------------


@transaction.atomic
def placement_start(
    *,
    actor: User,
    child: Child,
    form: str,
    started_on: dt.date,
    reason: str,
    group: SmallGroup | None = None,
    override_reason: str = "",
    room: Room | None = None,
) -> Placement:
    """A child admitted into a small group: the facility's own act (its intake); its managing
    authority moves or ends a child's facility care, or decides by Form 16, but does not admit a child.
    A child who is already placed is moved with ``placement_transfer``; a family takes a child only by
    the commune chairman's decision (Form 12)."""
    Child.objects.select_for_update().filter(pk=child.pk).first()
    require(actor, Verb.CHILD_VIEW, child)
    # Admission is the facility's own act; with no group chosen, whoever manages the child's care is
    # told why a family takes a child only by decision (care.to_a_group).
    membership = (
        facility_membership(actor, group.home.facility)
        if group is not None
        else require(actor, Verb.CARE_MANAGE, child)
    )
    placement = _new(
        actor=actor,
        child=child,
        form=form if group is None else CareForm.FACILITY_GROUP,
        group=group,
        room=room,
        started_on=started_on,
        reason=reason,
    )

    def effect(firing: Firing) -> Placement:
        carer = _principal(group)
        _write(placement, firing)
        previous = (
            Placement.objects.filter(child=child).exclude(pk=placement.pk).order_by("-started_on").first()
        )
        _record_change(
            placement, _carer(previous, previous.ended_on) if previous else Carer(), carer, placement.reason
        )
        _involve(child, group.home.facility, started_on)
        _facility_clocks(firing, placement, start_of(started_on), start_of(started_on))
        return placement

    return FLOW.fire(
        placement,
        "placement_start",
        actor=actor,
        membership=membership,
        created=True,
        inputs={
            "child": child,
            "form": form,
            "group": group,
            "started_on": started_on,
            "reason": reason,
            "override_reason": override_reason,
        },
        effect=effect,
    )


def _move_in(
    *,
    actor: User,
    membership: Membership,
    old: Placement,
    group: SmallGroup,
    room: Room | None,
    on: dt.date,
    reason: str,
    before: Carer,
    carer: Carer | None = None,
    override_reason: str = "",
) -> Placement:
    """The child's next placement in a small group, after ``old`` (a move, or a decision): a stay in
    facility care is one stay (Law on Children art. 47(4), 68(1)), so a move between facilities keeps the
    review and the under-3 family-plan clocks where they were; a child coming from a family starts a
    new stay with fresh clocks. ``carer``: the new carer (default: the group's principal on ``on``)."""
    old_facility, new_facility = facility_of(old), group.home.facility
    opened = {}
    if old_facility is not None:
        opened = dict(
            Obligation.objects.filter(
                subject_type=old._meta.label_lower, subject_id=old.pk, rule__in=CLOCKS, status=Status.OPEN
            ).values_list("rule", "opened_at")
        )
    new = _new(
        actor=actor,
        child=old.child,
        form=CareForm.FACILITY_GROUP,
        group=group,
        room=room,
        started_on=on,
        reason=reason,
    )
    if old_facility is not None:
        # The facility's review carries over with the child.
        new.needs_family, new.family_plan = old.needs_family, old.family_plan

    def effect(firing: Firing) -> Placement:
        _write(new, firing)
        _record_change(new, before, carer or _carer(new, on), reason)
        if old_facility != new_facility:
            if old_facility is not None:
                _uninvolve(new.child, old_facility, on)
            _involve(new.child, new_facility, on)
        if old_facility is None:
            _facility_clocks(firing, new, start_of(on), start_of(on))
        else:
            _facility_clocks(
                firing, new, opened.get("care.review") or start_of(on), opened.get("care.family_plan")
            )
        return new

    return FLOW.fire(
        new,
        "placement_move_in",
        actor=actor,
        membership=membership,
        created=True,
        inputs={
            "group": group,
            "override_reason": override_reason,
            "from_same_facility": old_facility is not None and old_facility == new_facility,
        },
        effect=effect,
    )


def _with_family(
    *,
    actor: User,
    membership: Membership,
    child: Child,
    form: str,
    carer: str,
    family: CareFamily | None,
    started_on: dt.date,
    reason: str,
    before: Carer,
    old: Placement | None,
) -> Placement:
    """A family takes the child (the chairman's Form 12 handed over, a Form 16 decision, or the
    found-child pathway): the commune that follows the family visits every 6 months."""
    new = _new(
        actor=actor, child=child, form=form, carer=carer, family=family, started_on=started_on, reason=reason
    )

    def effect(firing: Firing) -> Placement:
        _write(new, firing)
        _record_change(new, before, Carer(name=new.carer_name, family_id=new.family_id), reason)
        _follow(child, new)
        if old is not None:
            _unfollow(child, old, new, old.ended_on)
        firing.starts["care.monitoring"] = start_of(new.started_on)
        return new

    return FLOW.fire(
        new, "placement_with_family", actor=actor, membership=membership, created=True, effect=effect
    )


@transaction.atomic
def placement_transfer(
    *,
    actor: User,
    placement: Placement,
    form: str,
    on: dt.date,
    reason: str,
    group: SmallGroup | None = None,
    override_reason: str = "",
    room: Room | None = None,
) -> Placement:
    """Move a child: the open placement ends on ``on`` and the next starts the same day, with a reason.
    The facility's staff or its managing authority move a child out of a facility, into a facility they
    work in or manage."""

    def effect(firing: Firing) -> Placement:
        # Who moves the child also works in, or manages, the facility the child moves into.
        membership = holder_membership(actor, group.home.facility)
        before = _carer(placement, on)
        _end(firing, placement, on, reason.strip())
        new = _move_in(
            actor=actor,
            membership=membership,
            old=placement,
            group=group,
            room=room,
            on=on,
            reason=reason,
            before=before,
            carer=_principal(group),
            override_reason=override_reason,
        )
        _unfollow(placement.child, placement, new, on)
        firing.data["to"] = str(new.pk)
        return new

    return FLOW.fire(
        placement,
        "placement_transfer",
        actor=actor,
        inputs={"form": form, "group": group, "on": on, "reason": reason},
        effect=effect,
    )


FROM_FOUNDLING_PLACEMENT = {
    "kin": CareForm.KIN,
    "foster": CareForm.FOSTER,
    "adoption": CareForm.ADOPTION_PENDING,
}


@transaction.atomic
def placement_from_decision(
    *,
    actor: User,
    membership: Membership,
    child: Child,
    form: str,
    carer_name: str,
    reason: str,
    family: CareFamily | None = None,
) -> Placement:
    """A family placement decided in another step that has already checked who acts (the found-child
    pathway's "place", the handover of a family chosen by Form 12): it joins the child's one care
    history from today, ending any open placement (a facility's clocks stop, the family-plan clock as
    met, and the facility is told if it did not decide)."""
    on = clock.today()
    current = Placement.objects.select_for_update().filter(child=child, ended_on__isnull=True).first()
    if current is None:
        return _with_family(
            actor=actor,
            membership=membership,
            child=child,
            form=form,
            carer=carer_name,
            family=family,
            started_on=on,
            reason=reason,
            before=Carer(),
            old=None,
        )
    ended_on = max(on, current.started_on)

    def effect(firing: Firing) -> Placement:
        before, old_facility = _carer(current, on), facility_of(current)
        _end(firing, current, ended_on, reason)
        if old_facility is not None:
            _uninvolve(child, old_facility, on)
        return _with_family(
            actor=actor,
            membership=membership,
            child=child,
            form=form,
            carer=carer_name,
            family=family,
            started_on=ended_on,
            reason=reason,
            before=before,
            old=current,
        )

    return FLOW.fire(current, "placement_to_family", actor=actor, membership=membership, effect=effect)


# --- The end, reviews and visits ------------------------------------------------------------------


@transaction.atomic
def placement_end(*, actor: User, placement: Placement, on: dt.date, reason: str) -> Placement:
    """The child leaves care (returned to the parents, of age, died...): no placement follows. Kinship
    or foster care of a child is ended only by the chairman's decision (Form 16)."""

    def effect(firing: Firing) -> Placement:
        _end(firing, placement, on, reason.strip())
        _unfollow(placement.child, placement, None, on)
        facility = facility_of(placement)
        if facility is not None:
            _uninvolve(placement.child, facility, on)
        return placement

    return FLOW.fire(
        placement, "placement_end", actor=actor, inputs={"on": on, "reason": reason}, effect=effect
    )


@transaction.atomic
def placement_review(
    *, actor: User, placement: Placement, note: str, needs_family: bool, family_plan: str = ""
) -> Review:
    """The six-monthly review (Law on Children art. 68(1)): the next one is due 6 months on. A
    family-based plan meets the under-3 clock."""

    def effect(firing: Firing) -> Review:
        plan = (family_plan or "").strip()
        review = Review.objects.create(
            placement=placement,
            reviewed_on=clock.today(),
            note=required("note", note, _("Summarise the review.")),
            needs_family=needs_family,
            family_plan=plan,
            reviewed_by=actor,
        )
        placement.needs_family = needs_family
        if plan:
            placement.family_plan = plan
        placement.save(update_fields=["needs_family", "family_plan", "updated_at"])
        if not placement.family_plan:
            firing.closes = ("care.review",)  # the under-3 plan still to be made runs on
        firing.note = review.note
        firing.data.update({"needs_family": needs_family, "family_plan": bool(plan)})
        return review

    return FLOW.fire(placement, "placement_review", actor=actor, effect=effect)


@transaction.atomic
def monitoring_visit(
    *,
    actor: User,
    placement: Placement,
    visited_on: dt.date,
    living_conditions: str,
    health: str,
    schooling: str,
    integration: str,
    proposal: str = "",
) -> MonitoringVisit:
    """A visit of a child in a family (Decree 56/2017 art. 43(2), 46): the next is due 6 months after
    the visit."""

    def effect(firing: Firing) -> MonitoringVisit:
        found = required_all(
            {
                "living_conditions": (living_conditions, _("Describe the living conditions.")),
                "health": (health, _("Describe the child's health.")),
                "schooling": (schooling, _("Describe the child's schooling.")),
                "integration": (integration, _("Describe how the child is integrating.")),
            }
        )
        visit = MonitoringVisit.objects.create(
            placement=placement,
            visited_on=visited_on,
            proposal=(proposal or "").strip(),
            visited_by=actor,
            **found,
        )
        firing.starts["care.monitoring"] = start_of(visited_on)
        firing.data.update({"visited_on": visited_on.isoformat(), "proposal": bool(visit.proposal)})
        return visit

    return FLOW.fire(
        placement, "monitoring_visit", actor=actor, inputs={"visited_on": visited_on}, effect=effect
    )
