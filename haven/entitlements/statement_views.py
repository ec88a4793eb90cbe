"""The carer's statement: a page and the printed paper, each audited as the child's data they are."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import require
from haven.audit.services import record
from haven.core import clock, documents
from haven.entitlements import pdf
from haven.entitlements.statement import statement_of
from haven.entitlements.views import _child


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def statement(request, child_id):
    found = _child(request.user, child_id)
    made = statement_of(request.user, found)
    record(actor=request.user, action="child.view", obj=found, data={"page": "allowance_statement"})
    return render(request, "entitlements/statement.html", {"child": found, "s": made})


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def statement_pdf(request, child_id):
    return pdf_of(request.user, _child(request.user, child_id))


def pdf_of(user, found):
    """The printed statement of ``found`` for ``user`` (a page and an API operation), audited."""
    membership = require(user, Verb.CHILD_EXPORT)
    # The paper is in Vietnamese whatever the reader's language: its citations and the reason of the
    # next change too, which the statement words as it is built.
    with translation.override("vi"):
        made = statement_of(user, found)
    record(
        actor=user,
        action="child.export",
        obj=found,
        organisation=membership.organisation,
        data={"document": "allowance_statement", "format": "pdf", "lines": len(made.lines)},
    )
    return documents.pdf_response(
        pdf.statement(made, clock.today()), f"thong-bao-tro-cap-{found.pk.hex[:8]}.pdf"
    )
