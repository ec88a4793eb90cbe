from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import can, memberships
from haven.accounts.models import User
from haven.audit.models import ChainHead
from haven.audit.services import record
from haven.deadlines.selectors import tasks_for
from haven.people.models import CircumstanceGroup
from haven.people.selectors import children_needing_attention
from haven.reports.selectors import figures as area_figures


@markers.authenticated
@require_GET
def home(request):
    """What this person needs to do today, by what their roles allow."""
    user = request.user
    context = {"has_role": bool(memberships(user))}
    if context["has_role"]:
        context["tasks"] = tasks = tasks_for(user=user)
        shown = sorted({str(o.child_id) for o in (*tasks.overdue, *tasks.today, *tasks.week) if o.child_id})
        if shown:
            record(actor=user, action="child.list", data={"shown": shown, "view": "tasks"})
    if can(user, Verb.CHILD_VIEW):
        context["attention"] = children_needing_attention(user=user)
    if can(user, Verb.AGGREGATE_VIEW) and not can(user, Verb.CHILD_VIEW):
        rows = area_figures(user=user)
        context["totals"] = {"children": sum(r.children.value for r in rows), "areas": len(rows)}
    if can(user, Verb.ACCOUNT_MANAGE):
        context["accounts"] = {
            "without_role": User.objects.filter(is_active=True, memberships__isnull=True).order_by(
                "username"
            )[:20],
            "locked": _locked_usernames(),
            "audit_events": getattr(ChainHead.objects.filter(pk=1).first(), "seq", 0),
        }
    return render(request, "core/home.html", context)


def _locked_usernames() -> list[str]:
    from axes.models import AccessAttempt
    from django.conf import settings

    return list(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list(
            "username", flat=True
        )[:20]
    )


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def figures(request):
    rows = area_figures(user=request.user)
    return render(request, "core/figures.html", {"rows": rows, "groups": CircumstanceGroup.choices})


@markers.public
@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
