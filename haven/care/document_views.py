"""Printed papers of family-like care as PDF, each reached from the page that shows it and checked as
that page is (404 for anyone who may not see it); every download is an audit event."""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, acting_membership
from haven.accounts.selectors import authority_for
from haven.audit.services import record
from haven.care import families, pdf, selectors
from haven.core import documents


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def family_decision_pdf(request, family_id):
    """Form 12, from the family's page: the families the user may see (families.families_visible),
    printed by those who may export a child's papers."""
    family = (
        families.families_visible(request.user)
        .select_related("decided_child", "decided_by")
        .filter(pk=family_id)
        .first()
    )
    # A withdrawn decision is not printed as if it stood (the family's page says it was withdrawn).
    if (
        family is None
        or family.decided_child_id is None
        or not family.decision_number
        or family.withdrawn_on is not None
    ):
        raise NotVisible
    committee = documents.organisation_of(
        family.decided_by, "commune_chairman", family.decided_on, authority_for(family.commune)
    )
    record(
        actor=request.user,
        action="child.export",
        obj=family,
        child=family.decided_child,
        organisation=acting_membership(request.user, Verb.CHILD_EXPORT).organisation,
        data={"document": "care_form_12", "format": "pdf"},
    )
    return documents.pdf_response(
        pdf.family_decision(family, committee),
        f"mau-12-quyet-dinh-giao-cham-soc-thay-the-{family.pk.hex[:8]}.pdf",
    )


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def inspection_pdf(request, facility_id: int, inspection_id: int):
    """The inspection record, from the facility's board: whoever may see the board may print it."""
    facility = selectors.facilities_visible(request.user).filter(pk=facility_id).first()
    if facility is None:
        raise NotVisible
    inspection = (
        facility.inspections.select_related("inspected_by", "organisation__area__parent")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        raise Http404
    inspection.facility = facility
    record(
        actor=request.user,
        action="care.inspection_export",
        obj=inspection,
        organisation=acting_membership(request.user, Verb.CHILD_VIEW).organisation,
        data={"facility": facility.pk, "format": "pdf"},
    )
    return documents.pdf_response(pdf.inspection_record(inspection), f"bien-ban-kiem-tra-{inspection.pk}.pdf")
