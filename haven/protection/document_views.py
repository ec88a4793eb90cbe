"""The chairman's approval of a plan (Form 05) as PDF: reached from the case page, checked as the
printed Forms 02–06 are (the case visible to the user, the export verb on the child: 404 otherwise),
and every download is an audit event on the child."""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import require
from haven.audit.services import record
from haven.core.documents import pdf_response
from haven.protection import pdf, selectors


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def approval_pdf(request, case_id, approval_id: int):
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    approval = case.approvals.select_related("approved_by", "plan").filter(pk=approval_id).first()
    if approval is None:
        raise Http404
    membership = require(request.user, Verb.CHILD_EXPORT, case.child)
    record(
        actor=request.user,
        action="child.export",
        obj=case.child,
        organisation=membership.organisation,
        data={"document": "protection_form_05", "approval": approval.pk, "format": "pdf"},
    )
    return pdf_response(pdf.plan_approval(case, approval), f"mau-05-phe-duyet-ke-hoach-{approval.pk}.pdf")
