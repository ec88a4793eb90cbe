"""Caregiver changes recorded before 0007 named the carers only. Fill in who they were:

- ``to``: the group's principal caregiver on the day of the change (the placement's group), or the
  family of a family placement;
- ``from``: the principal caregiver the group had just before (a change of principal), else the staff
  member of the same facility with that name when exactly one has it, else the family of the child's
  previous placement.

A row whose carer cannot be told apart keeps its names and no identity; it still counts in the
stability measure, as before (docs/decisions/0011).
"""

from __future__ import annotations

import datetime as dt

from django.db import migrations


def principal_on(PrincipalCaregiver, group_id, day):
    return (
        PrincipalCaregiver.objects.filter(group_id=group_id, started_on__lte=day)
        .exclude(ended_on__lt=day)
        .order_by("-started_on", "-id")
        .first()
    )


def fill(apps, schema_editor):
    CaregiverChange = apps.get_model("care", "CaregiverChange")
    PrincipalCaregiver = apps.get_model("care", "PrincipalCaregiver")
    Placement = apps.get_model("care", "Placement")
    Staff = apps.get_model("care", "Staff")
    for change in CaregiverChange.objects.select_related("placement__group__home").iterator():
        placement = change.placement
        fields = []
        if placement.group_id:
            now = principal_on(PrincipalCaregiver, placement.group_id, change.on)
            if now is not None and Staff.objects.get(pk=now.staff_id).full_name == change.to_name:
                change.to_staff_id = now.staff_id
                fields.append("to_staff")
            before = (
                PrincipalCaregiver.objects.filter(group_id=placement.group_id, ended_on=change.on)
                .order_by("-started_on")
                .first()
            )
            if before is None:
                before = principal_on(PrincipalCaregiver, placement.group_id, change.on - dt.timedelta(days=1))
            facility_id = placement.group.home.facility_id
            if before is not None and Staff.objects.get(pk=before.staff_id).full_name == change.from_name:
                change.from_staff_id = before.staff_id
                fields.append("from_staff")
            else:
                named = list(
                    Staff.objects.filter(facility_id=facility_id, full_name=change.from_name).values_list(
                        "pk", flat=True
                    )[:2]
                )
                if len(named) == 1:
                    change.from_staff_id = named[0]
                    fields.append("from_staff")
        elif placement.family_id:
            change.to_family_id = placement.family_id
            fields.append("to_family")
        if not change.from_staff_id and "from_staff" not in fields:
            previous = (
                Placement.objects.filter(child_id=change.child_id, started_on__lt=placement.started_on)
                .exclude(pk=placement.pk)
                .order_by("-started_on")
                .first()
            )
            if previous is not None and previous.family_id and previous.carer_name == change.from_name:
                change.from_family_id = previous.family_id
                fields.append("from_family")
        if fields:
            change.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("care", "0007_rooms_decisions_register")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
