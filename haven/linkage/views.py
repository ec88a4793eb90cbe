"""The review queue: pages over the same selectors and services as /api/v1/linkage."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import can
from haven.areas.models import Area
from haven.core.errors import Refused, field_errors
from haven.linkage import selectors, services
from haven.linkage.models import PairStatus, RunKind


@markers.requires(Verb.LINKAGE_REVIEW)
@require_GET
def review_queue(request):
    kind = request.GET.get("kind", "")
    province = request.GET.get("province", "")
    status = request.GET.get("status", "pending")
    page = selectors.queue(
        user=request.user, kind=kind, province=province, status=status, page=request.GET.get("page", 1)
    )
    return render(
        request,
        "linkage/queue.html",
        {
            "page": page,
            "kind": kind,
            "province": province,
            "status": status,
            "kinds": RunKind.choices,
            "statuses": [("pending", _("Waiting for review")), *PairStatus.choices],
            "provinces": Area.objects.provinces().order_by("name"),
            "runs": selectors.runs(user=request.user, limit=3) if can(request.user, Verb.LINKAGE_RUN) else [],
        },
    )


@markers.requires(Verb.LINKAGE_REVIEW)
@require_GET
def pair_detail(request, pair_id):
    pair = selectors.pair_for_review(user=request.user, pair_id=pair_id)
    return _render_pair(request, pair)


def _errors(error: ValidationError, *fields: str) -> dict[str, list[str]]:
    """The form's fields' errors by field; any other (a merge that cannot be made or undone) under
    "form", shown above the buttons: a refusal is never a page that silently comes back."""
    errors: dict[str, list[str]] = {}
    for name, found in field_errors(error).items():
        errors.setdefault(name if name in fields else "form", []).extend(found)
    return errors


def _render_pair(request, pair, *, errors=None, status=200):
    return render(
        request,
        "linkage/pair.html",
        {
            "pair": pair,
            "rows": selectors.side_by_side(pair),
            "history": selectors.pair_history(pair),
            "links": pair.links.select_related("linked_by", "undone_by"),
            "errors": errors or {},
            "note": request.POST.get("note", ""),
            "reason": request.POST.get("reason", ""),
        },
        status=status,
    )


@markers.requires(Verb.LINKAGE_REVIEW)
@require_POST
def pair_decide(request, pair_id):
    pair = selectors.pair_for_review(user=request.user, pair_id=pair_id)
    answer = request.POST.get("decision")
    if answer not in ("same", "different"):
        return _render_pair(request, pair, errors={"decision": [_("Choose an answer.")]}, status=422)
    try:
        services.decide(
            actor=request.user, candidate=pair, same=answer == "same", note=request.POST.get("note", "")
        )
    except ValidationError as error:
        return _render_pair(request, pair, errors=_errors(error, "note"), status=422)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("linkage:pair", pair.pk)
    if answer == "same" and pair.kind == RunKind.DUPLICATES:
        messages.success(request, _("The two records are now one: the older record was kept."))
    elif answer == "same":
        messages.success(request, _("The child is linked to the person of the register."))
    else:
        messages.success(request, _("Recorded: not the same. This pair will not be proposed again."))
    return redirect("linkage:pair", pair.pk)


@markers.requires(Verb.LINKAGE_REVIEW)
@require_POST
def pair_undo(request, pair_id):
    pair = selectors.pair_for_review(user=request.user, pair_id=pair_id)
    try:
        services.undo(actor=request.user, candidate=pair, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        return _render_pair(request, pair, errors=_errors(error, "reason"), status=422)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("linkage:pair", pair.pk)
    messages.success(request, _("The decision was undone; the pair waits for review again."))
    return redirect("linkage:pair", pair.pk)
