"""Form 16: the decision ending or changing a child's alternative care (Law on Children art. 69;
Decree 56/2017 art. 48(2); vietnam-process.md §3.4 C2 and E1).

For a child in a family the chairman of the commune that follows the family decides; for a child in a
facility, the facility's managing authority (services.managing_membership). The decision ends the
open placement and starts the next form of care on the same day — one dated transfer of the child's
care history — or, on reunification, ends it without another. The ended placement's clocks are
cancelled (the decision, not a visit or a review, ended them) and the new placement's start afresh.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Q
from django.utils import formats
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Role, User
from haven.audit.services import record
from haven.care import services, termination
from haven.care.models import (
    CareChangeDecision,
    CareFamily,
    CareForm,
    FamilyKind,
    FamilyStatus,
    Placement,
    Room,
    SmallGroup,
)
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.deadlines.models import Status
from haven.deadlines.services import obligations_close
from haven.people import rules as people_rules
from haven.people.models import Child, Involvement, InvolvementBasis

# The forms a Form 16 decision may move a child to; adoption follows the Law on Adoption instead.
NEXT_FORMS = (CareForm.KIN, CareForm.FOSTER, CareForm.FACILITY_GROUP)
# Reunification ends alternative care without a next form (Law on Children art. 60(5)).
ENDS_CARE = "reunification"


def deciding_membership(actor: User, placement: Placement) -> Membership:
    """Who decides: the facility's managing authority for facility care; for a family, the chairman of
    the commune that follows it (the family's commune, else the child's)."""
    if placement.group_id:
        return services.managing_membership(actor, placement.group.home.facility)
    commune = placement.family.commune if placement.family_id else placement.child.current_commune
    for m in granting(actor, Verb.CARE_DECIDE):
        if m.role == Role.COMMUNE_CHAIRMAN and m.organisation.area_id == commune.pk:
            return m
    raise NotVisible


def groups_for(membership: Membership):
    """The small groups a decision may move a child into: those of the decider's province."""
    province = membership.organisation.area.province
    return SmallGroup.objects.filter(
        Q(home__facility__organisation__area__parent=province)
        | Q(home__facility__organisation__area=province)
    ).select_related("home__facility")


def decisions_readable(user: User):
    """The Form 16 decisions a user may read: those of the children the user sees, and those the user's
    own deciding authority issued — the chairman of the commune that followed a family keeps the
    decision it signed after the child has left that family (and the commune's sight)."""
    issued_by = [m.organisation_id for m in granting(user, Verb.CARE_DECIDE)]
    return CareChangeDecision.objects.filter(
        Q(pk__in=CareChangeDecision.objects.visible_to(user).values("pk")) | Q(organisation__in=issued_by)
    )


def may_decide(actor: User, placement: Placement) -> bool:
    try:
        deciding_membership(actor, placement)
    except NotVisible:
        return False
    return True


@transaction.atomic
def care_change_decide(
    *,
    actor: User,
    placement: Placement,
    ground: str,
    decision_number: str,
    on: dt.date,
    note: str = "",
    form: str = "",
    group: SmallGroup | None = None,
    room: Room | None = None,
    family: CareFamily | None = None,
) -> CareChangeDecision:
    """Form 16: end ``placement`` on ``on`` and, unless the child is reunified with the parents, start
    ``form`` (a facility small group, or a verified family) the same day."""
    placement = Placement.objects.select_for_update().select_related("child").get(pk=placement.pk)
    child = Child.objects.select_for_update().get(pk=placement.child_id)
    if placement.ended_on is not None:
        raise Refused(_("This placement has already ended."), code="already_ended")
    membership = deciding_membership(actor, placement)
    chosen = termination.BY_CODE.get(ground)
    if chosen is None:
        raise invalid("ground", _("Choose a ground of the decision."), "required")
    number = services._required("decision_number", decision_number, _("Give the number of the decision."))
    number = people_rules.clean_reference(number, field="decision_number")
    note = (note or "").strip()
    if chosen.needs_note and not note:
        raise invalid("note", _("Set out the facts on which the decision rests."), "required")
    if on < placement.started_on:
        raise invalid(
            "on", _("The decision cannot take effect before the placement started."), "before_start"
        )
    services._not_future("on", on)
    last = _last_recorded(placement)
    if last is not None and on < last:
        raise invalid(
            "on",
            _("The decision cannot take effect before what is already recorded on this placement (%(date)s).")
            % {"date": formats.date_format(last, "SHORT_DATE_FORMAT")},
            "before_recorded",
        )
    if ground == "family_found" and placement.group_id is None:
        raise invalid("ground", _("This ground is for a child in a facility."), "wrong_ground")
    form = (form or "").strip()
    if ground == ENDS_CARE:
        if form:
            raise invalid("form", _("On reunification the child leaves alternative care."), "not_allowed")
    elif form not in NEXT_FORMS:
        raise invalid("form", _("Choose the child's next form of care."), "required")
    if ground == "family_found" and form == CareForm.FACILITY_GROUP:
        raise invalid("form", _("This ground moves the child to a family."), "wrong_form")

    # The child aged 7 or over is heard on every decision changing the care, not only when a family
    # is chosen (Law on Children art. 60(3), 69); for a family, _to_family checks it with Form 12's rules.
    if form != CareForm.KIN and form != CareForm.FOSTER:
        from haven.care.families import view_refusals

        refusals = view_refusals(child)
        if refusals:
            raise Refused(" ".join(refusals), code="condition_failed")
    # A family already chosen for the child by Form 12 awaits the handover: giving the child to another
    # family, or back to the parents, would be undone or contradicted by that handover
    # (families.family_handover). One decision at a time; a move between facilities stays possible.
    if form != CareForm.FACILITY_GROUP and (
        CareFamily.objects.filter(decided_child=child, status=FamilyStatus.CHOSEN)
        .exclude(pk=family.pk if family is not None else None)
        .exists()
    ):
        raise Refused(
            _("Another family has already been chosen for this child or has taken the child."),
            code="already_chosen",
        )
    old_facility = placement.group.home.facility if placement.group_id else None
    reason = _("Decision %(number)s (Form 16): %(ground)s") % {"number": number, "ground": chosen.label}
    reason = reason[:300]
    before = services._carer(placement, on)
    placement.ended_on, placement.end_reason = on, reason
    placement.save(update_fields=["ended_on", "end_reason", "updated_at"])
    # The ended placement's monitoring clock stops as cancelled: a decision ended it, not a visit.
    services._close_monitoring(actor, placement)

    new = None
    if form == CareForm.FACILITY_GROUP:
        new = _to_group(actor, membership, child, placement, group, room, on, reason, old_facility)
    elif form:
        new = _to_family(actor, child, placement, family, form, number, on, reason)
    # The commune that followed the family stops seeing the child, unless it follows the next family.
    services._unfollow(child, placement, new, on)
    if new is None:
        # Reunification: the child leaves alternative care; the facility's clocks stop as cancelled.
        if old_facility is not None:
            obligations_close(
                subject=placement, rules=list(services.CLOCKS), actor=actor, status=Status.CANCELLED
            )
            services._uninvolve(child, old_facility, on)
    else:
        # As any move (services._move_clocks): a stay in facility care is one stay, whichever facility
        # (Law on Children art. 47(4), 68(1)) — moving between facilities by decision keeps the review
        # and the under-3 family-plan clocks where they were, so a decision cannot postpone them; a
        # child leaving a facility for a family is what the family plan was for (met); a child coming
        # from a family starts a new stay with fresh clocks.
        services._move_clocks(actor, placement, new, old_facility, new_facility(new), on)
        after = (
            services._carer(new, on)
            if new.group_id
            else services.Carer(name=new.carer_name, family_id=new.family_id)
        )
        services._record_change(new, before, after, reason)
    decision = CareChangeDecision.objects.create(
        child=child,
        ended=placement,
        started=new,
        ground=ground,
        decision_number=number,
        decided_on=clock.today(),
        effective_on=on,
        note=note,
        decided_by=actor,
        organisation=membership.organisation,
    )
    record(
        actor=actor,
        action="care.change_decide",
        obj=decision,
        child=child,
        organisation=membership.organisation,
        reason=note,
        data={
            "form": termination.FORM,
            "ground": ground,
            "decision": number,
            "ended": str(placement.pk),
            "started": str(new.pk) if new else None,
            "next_form": form or None,
        },
    )
    return decision


def new_facility(placement: Placement):
    return placement.group.home.facility if placement.group_id else None


def _to_group(actor, membership, child, old, group, room, on, reason, old_facility) -> Placement:
    if group is None:
        raise invalid("group", _("Choose the small group."), "required")
    if group.pk == old.group_id:
        raise invalid("group", _("The child is already in this group."), "unchanged")
    facility = group.home.facility
    # The decider places into a facility of its own province (the facility's board then shows it).
    if facility.organisation.area.province.pk != membership.organisation.area.province.pk:
        raise NotVisible
    # No override here: only the facility's director may place beyond its norms (care.override).
    services._check_capacity(
        actor=actor,
        child=child,
        group=group,
        on=on,
        override_reason="",
        from_same_facility=old_facility is not None and old_facility == facility,
        room=room,
    )
    new = services._create(
        actor=actor,
        child=child,
        form=CareForm.FACILITY_GROUP,
        group=group,
        carer="",
        started_on=on,
        reason=reason,
        override_by=None,
        override_reason="",
        room=room,
    )
    if old_facility is not None:
        # The facility's review carries over with the child (as services.placement_transfer).
        new.needs_family, new.family_plan = old.needs_family, old.family_plan
        new.save(update_fields=["needs_family", "family_plan", "updated_at"])
    return new


def _to_family(actor, child, old, family, form, number, on, reason) -> Placement:
    from haven.care import families as families_mod

    if family is None:
        raise invalid("family", _("Choose the family."), "required")
    family = CareFamily.objects.select_for_update().get(pk=family.pk)
    if not families_mod.families_visible(actor).filter(pk=family.pk).exists():
        raise NotVisible
    if old.family_id == family.pk:
        raise invalid("family", _("The child already lives with this family."), "unchanged")
    expected = CareForm.KIN if family.kind == FamilyKind.KIN else CareForm.FOSTER
    if form != expected:
        raise invalid(
            "form", _("The form of care does not match the family (relatives or not)."), "wrong_form"
        )
    if family.status not in (FamilyStatus.VERIFIED, FamilyStatus.HANDED_OVER):
        raise Refused(_("Only a verified family can be chosen."), code="out_of_order")
    reasons = families_mod.decision_refusals(family, child)
    if reasons:
        raise Refused(" ".join(reasons), code="condition_failed")
    new = services._create(
        actor=actor,
        child=child,
        form=form,
        group=None,
        carer=family.applicant_name,
        started_on=on,
        reason=reason,
        override_by=None,
        override_reason="",
        family=family,
    )
    family.status, family.decided_child, family.decision_number = FamilyStatus.HANDED_OVER, child, number
    family.decided_on, family.decided_by, family.handed_over_on = clock.today(), actor, on
    family.save(
        update_fields=[
            "status",
            "decided_child",
            "decision_number",
            "decided_on",
            "decided_by",
            "handed_over_on",
            "updated_at",
        ]
    )
    monitoring = services.monitoring_authority(new)
    if not Involvement.objects.filter(
        child=child, organisation=monitoring, ended_at__isnull=True
    ).exists() and (family.commune_id != child.current_commune_id):
        Involvement.objects.create(
            child=child,
            organisation=monitoring,
            basis=InvolvementBasis.PLACEMENT,
            started_at=services._start_of(on),
        )
    services._open_monitoring(new)
    return new


def _last_recorded(placement: Placement) -> dt.date | None:
    """The latest review, monitoring visit or caregiver change recorded on the placement: a decision
    ending it cannot take effect before them (the history would say the child was there after)."""
    dates = [
        placement.reviews.aggregate(d=Max("reviewed_on"))["d"],
        placement.visits.aggregate(d=Max("visited_on"))["d"],
        placement.changes.aggregate(d=Max("on"))["d"],
    ]
    return max((d for d in dates if d is not None), default=None)
