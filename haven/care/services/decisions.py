"""Form 16: the decision ending or changing a child's alternative care (Law on Children art. 69;
Decree 56/2017 art. 48(2); vietnam-process.md §3.4 C2 and E1), a row of the decision table
(care/workflow/).

The decision ends the open placement and starts the next form of care on the same day — one dated
transfer of the child's care history — or, on reunification, ends it without another. Each placement
takes its own step (its clocks stop and start there), and whoever must act next is told: the facility
receiving or letting go of the child, the commune following a family, the child's commune on
reunification.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.scoping import NotVisible
from haven.accounts.models import User
from haven.care import decisions as reads
from haven.care import termination, workflow
from haven.care.authority import facility_of
from haven.care.families import families_visible
from haven.care.models import (
    FAMILY_FORMS,
    CareChangeDecision,
    CareFamily,
    CareForm,
    Placement,
    Room,
    SmallGroup,
)
from haven.care.services.families import family_give
from haven.care.services.placements import _carer, _end, _move_in, _unfollow, _uninvolve, _with_family
from haven.core import clock
from haven.people.models import Child
from haven.workflow.engine import Firing


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
    membership = reads.deciding_membership(actor, placement)
    form = (form or "").strip()
    # The decider places into a facility of its own province (the facility's board then shows it), and
    # gives the child only to a family of the register it reads.
    if form == CareForm.FACILITY_GROUP and group is not None:
        if group.home.facility.organisation.area.province.pk != membership.organisation.area.province.pk:
            raise NotVisible
    if form in FAMILY_FORMS and family is not None:
        if not families_visible(actor).filter(pk=family.pk).exists():
            raise NotVisible
    number, note = (decision_number or "").strip(), (note or "").strip()
    decision = CareChangeDecision(
        child=child,
        ended=placement,
        ground=ground,
        decision_number=number,
        decided_on=clock.today(),
        effective_on=on,
        note=note,
        decided_by=actor,
        organisation=membership.organisation,
    )

    def effect(firing: Firing) -> CareChangeDecision:
        chosen = termination.BY_CODE[ground]
        reason = (
            _("Decision %(number)s (Form 16): %(ground)s") % {"number": number, "ground": chosen.label}
        )[:300]
        before = _carer(placement, on)
        old_facility = facility_of(placement)

        def to_family(step: Firing) -> Placement:
            _end(step, placement, on, reason)
            if old_facility is not None:
                _uninvolve(child, old_facility, on)
            family_give(actor=actor, membership=membership, family=family, child=child, number=number, on=on)
            return _with_family(
                actor=actor,
                membership=membership,
                child=child,
                form=form,
                carer=family.applicant_name,
                family=family,
                started_on=on,
                reason=reason,
                before=before,
                old=placement,
            )

        def to_group_or_parents(step: Firing) -> Placement | None:
            _end(step, placement, on, reason)
            new = None
            if form == CareForm.FACILITY_GROUP:
                new = _move_in(
                    actor=actor,
                    membership=membership,
                    old=placement,
                    group=group,
                    room=room,
                    on=on,
                    reason=reason,
                    before=before,
                )
            elif old_facility is not None:
                # Reunification: the child leaves alternative care.
                _uninvolve(child, old_facility, on)
            # The commune that followed the family stops seeing the child, unless it follows the next.
            _unfollow(child, placement, new, on)
            return new

        if form in FAMILY_FORMS:
            new = workflow.PLACEMENTS.fire(
                placement, "placement_to_family", actor=actor, membership=membership, effect=to_family
            )
        else:
            new = workflow.PLACEMENTS.fire(
                placement,
                "placement_decided",
                actor=actor,
                membership=membership,
                inputs={"group": group},
                effect=to_group_or_parents,
            )
        decision.started = new
        decision.save(force_insert=True)
        firing.note = note
        firing.data.update(
            {
                "form": termination.FORM,
                "ground": ground,
                "decision": number,
                "ended": str(placement.pk),
                "started": str(new.pk) if new else None,
                "next_form": form or None,
            }
        )
        return decision

    return workflow.DECISIONS.fire(
        decision,
        "change_decide",
        actor=actor,
        membership=membership,
        created=True,
        inputs={
            "ground": ground,
            "decision_number": number,
            "note": note,
            "on": on,
            "form": form,
            "group": group,
            "family": family,
        },
        effect=effect,
    )
