"""Oversight of facilities: violence or abuse of a child inside a facility opens a child-protection
report (haven/protection), and the province inspects a facility against the checklist."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting, require
from haven.accounts.models import Membership, User
from haven.audit.services import record
from haven.care.models import Facility, Placement
from haven.care.services.common import not_future as _not_future
from haven.care.services.common import required as _required
from haven.care.services.placements import _current_carer
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.people.models import Child


def incident_reporter(actor: User, facility: Facility) -> Membership | None:
    """The actor's membership of the facility in a role that reports to child protection, or None."""
    from haven.protection.services import REPORTING_ROLES

    for m in granting(actor, Verb.CHILD_VIEW):
        if m.organisation_id == facility.organisation_id and m.role in REPORTING_ROLES:
            return m
    return None


@transaction.atomic
def incident_report(
    *,
    actor: User,
    child: Child,
    kind: str,
    occurred_at: dt.datetime,
    description: str,
    actions_taken: str = "",
):
    """Violence or abuse inside the facility where the child is placed: recorded, and a child-protection
    report (Form 01) opened through haven/protection, which notifies the provincial Department of
    Health of abuse inside a facility (Law on Children art. 47; Notice 432 §3)."""
    from haven.care.models import Incident, IncidentKind
    from haven.protection.services import protection_report

    current = Placement.objects.filter(child=child, ended_on__isnull=True, group__isnull=False).first()
    if current is None:
        raise Refused(_("The child is not placed in a facility."), code="not_in_facility")
    facility = current.group.home.facility
    membership = incident_reporter(actor, facility)
    if membership is None:
        raise NotVisible
    if occurred_at > clock.now():
        raise invalid("occurred_at", _("The time cannot be in the future."), "future_date")
    if clock.localdate(occurred_at) < current.started_on:
        raise invalid(
            "occurred_at",
            _("The time cannot be before the child was placed in the facility."),
            "before_start",
        )
    description = _required("description", description, _("Say what happened."))
    case = protection_report(
        actor=actor,
        child=child,
        incident_commune=facility.organisation.area,
        incident_place=f"{facility}, {current.group}",
        condition=description,
        likely_harm=_("%(kind)s inside a social protection facility") % {"kind": IncidentKind(kind).label},
        sex=child.sex,
        caregiver=_current_carer(current, clock.today()),
        actions_taken=(actions_taken or "").strip(),
    )
    incident = Incident.objects.create(
        facility=facility,
        child=child,
        kind=IncidentKind(kind),
        occurred_at=occurred_at,
        description=description,
        actions_taken=(actions_taken or "").strip(),
        protection_case=case,
        reported_by=actor,
    )
    record(
        actor=actor,
        action="care.incident_report",
        obj=incident,
        organisation=membership.organisation,
        data={"kind": kind, "protection_case": str(case.pk)},
    )
    return incident


@transaction.atomic
def inspection_record(
    *, actor: User, facility: Facility, inspected_on: dt.date, results: dict[str, str], findings: str = ""
):
    """The provincial authority inspects a facility of its province against every checklist item."""
    from haven.care import checklist
    from haven.care.models import Inspection
    from haven.care.selectors import facilities_visible

    if not facilities_visible(actor, Verb.CARE_INSPECT).filter(pk=facility.pk).exists():
        raise NotVisible
    membership = require(actor, Verb.CARE_INSPECT)
    _not_future("inspected_on", inspected_on)
    allowed = {code for code, _label in checklist.RESULTS}
    missing = [item.code for item in checklist.ITEMS if results.get(item.code) not in allowed]
    if missing or set(results) - {item.code for item in checklist.ITEMS}:
        raise invalid("results", _("Give a result for every item of the checklist."), "incomplete")
    if "not_met" in results.values() and not (findings or "").strip():
        raise invalid("findings", _("Say what must be put right."), "required")
    inspection = Inspection.objects.create(
        facility=facility,
        inspected_on=inspected_on,
        results=results,
        findings=(findings or "").strip(),
        inspected_by=actor,
        organisation=membership.organisation,
    )
    record(
        actor=actor,
        action="care.inspection_record",
        obj=inspection,
        organisation=membership.organisation,
        data={"not_met": inspection.not_met},
    )
    return inspection
