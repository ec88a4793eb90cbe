"""The printed papers of a found child's case as PDF. Each is reached from the case page, checked as
the discovery record is (the case visible to the user, the export verb on the child: 404 otherwise),
and every download is an audit event on the child."""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import require
from haven.accounts.selectors import authority_for
from haven.audit.services import record
from haven.core.documents import pdf_response
from haven.foundlings import pdf, selectors
from haven.foundlings.models import FoundlingCase


def _exported(request, case: FoundlingCase, document: str, **data) -> None:
    membership = require(request.user, Verb.CHILD_EXPORT, case.child)
    record(
        actor=request.user,
        action="child.export",
        obj=case.child,
        organisation=membership.organisation,
        data={"document": document, "format": "pdf", **data},
    )


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def notice_pdf(request, case_id):
    """The public notice to find the parents, to post at the commune People's Committee."""
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    if case.notice_posted_at is None:
        raise Http404
    _exported(request, case, "public_notice")
    content = pdf.public_notice(case, authority_for(case.found_commune))
    return pdf_response(content, f"thong-bao-tim-cha-me-{case.pk.hex[:8]}.pdf")


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def temporary_care_pdf(request, case_id):
    """The commune's decision giving the child into temporary care, for signature and seal."""
    case = selectors.case_for_action(user=request.user, case_id=case_id)
    decision = case.temporary_care_decision()
    if decision is None or not hasattr(case, "discovery_record"):
        raise Http404
    _exported(request, case, "temporary_care_decision", handover=decision.pk)
    content = pdf.temporary_care_decision(case, decision, authority_for(case.found_commune))
    return pdf_response(content, f"quyet-dinh-giao-tre-tam-thoi-{decision.pk}.pdf")
