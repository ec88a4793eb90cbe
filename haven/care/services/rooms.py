"""The rooms of a small home and the room each child in a facility sleeps in. A room has no state of
its own: adding or changing one is a plain write; assigning a child's room is a step of the child's
placement (care/workflow/), refused when the room is full unless the director overrides it by name
(Decree 103/2017: the facility's rooms and beds)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.audit.services import record
from haven.care import workflow
from haven.care.authority import facility_membership
from haven.care.capacity import room_occupancy
from haven.care.models import Home, Placement, Room, SmallGroup
from haven.care.services.common import required as _required
from haven.core.errors import invalid
from haven.workflow.engine import Firing


@transaction.atomic
def room_add(*, actor: User, home: Home, name: str, places: int, group: SmallGroup | None = None) -> Room:
    membership = facility_membership(actor, home.facility)
    name = _required("name", name, _("Name the room."))
    if not 1 <= places <= 50:
        raise invalid("places", _("A room has between 1 and 50 places."), "out_of_range")
    if group is not None and group.home_id != home.pk:
        raise invalid("group", _("The group lives in another home."), "other_home")
    if home.rooms.filter(name=name).exists():
        raise invalid("name", _("The home already has a room of this name."), "duplicate")
    room = Room.objects.create(home=home, name=name, places=places, group=group)
    record(
        actor=actor,
        action="care.room_add",
        obj=room,
        organisation=membership.organisation,
        data={"places": places, "group": group.pk if group else None},
    )
    return room


@transaction.atomic
def room_set(*, actor: User, room: Room, places: int, group: SmallGroup | None = None) -> Room:
    """A room's places (never below the children sleeping there) and the group that uses it (the
    children sleeping there must all be of that group)."""
    membership = facility_membership(actor, room.home.facility)
    room = Room.objects.select_for_update().get(pk=room.pk)
    if not 1 <= places <= 50:
        raise invalid("places", _("A room has between 1 and 50 places."), "out_of_range")
    now_in = room_occupancy(room)
    if places < now_in:
        raise invalid(
            "places",
            _("%(count)s children sleep in this room now: move some first.") % {"count": now_in},
            "below_occupancy",
        )
    if group is not None:
        if group.home_id != room.home_id:
            raise invalid("group", _("The group lives in another home."), "other_home")
        if room.placements.filter(ended_on__isnull=True).exclude(group=group).exists():
            raise invalid(
                "group", _("Children of another group sleep in this room: move them first."), "other_group"
            )
    before = {"places": room.places, "group": room.group_id}
    room.places, room.group = places, group
    room.save(update_fields=["places", "group", "updated_at"])
    record(
        actor=actor,
        action="care.room_set",
        obj=room,
        organisation=membership.organisation,
        data={"from": before, "to": {"places": places, "group": group.pk if group else None}},
    )
    return room


@transaction.atomic
def room_assign(
    *, actor: User, placement: Placement, room: Room | None, override_reason: str = ""
) -> Placement:
    """The room a child in a facility sleeps in (empty: none). A full room refuses with the reason,
    unless the facility's director overrides it (audited, shown as overload)."""

    def effect(firing: Firing) -> Placement:
        before = placement.room_id
        placement.room = room
        fields = ["room", "updated_at"]
        override = firing.data.get("override")
        if override:
            placement.overload, placement.override_by = True, actor
            placement.override_reason = override["reason"]
            fields += ["overload", "override_by", "override_reason"]
        placement.save(update_fields=fields)
        firing.data["room"] = {"from": before, "to": room.pk if room else None}
        return placement

    return workflow.PLACEMENTS.fire(
        placement,
        "room_assign",
        actor=actor,
        inputs={"room": room, "override_reason": override_reason},
        effect=effect,
    )
