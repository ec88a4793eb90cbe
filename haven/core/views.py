from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import can
from haven.accounts.models import User
from haven.audit.models import ChainHead
from haven.audit.services import record
from haven.deadlines.selectors import tasks_for
from haven.people.selectors import children_needing_attention


@markers.authenticated
@require_GET
def home(request):
    """What this person needs to do today, by what their roles allow."""
    user = request.user
    # Only an account holding a role in force reaches this page (the access marker).
    tasks = tasks_for(user=user)
    context = {"tasks": tasks}
    shown = sorted({str(o.child_id) for o in tasks.shown if o.child_id})
    if shown:
        record(actor=user, action="child.list", data={"shown": shown, "view": "tasks"})
    if can(user, Verb.CHILD_VIEW):
        context["attention"] = children_needing_attention(user=user)
    if can(user, Verb.AGGREGATE_VIEW) and not can(user, Verb.CHILD_VIEW):
        context["totals"] = special_circumstances(user)
    if can(user, Verb.ACCOUNT_MANAGE):
        context["accounts"] = {
            "without_role": User.objects.filter(is_active=True, memberships__isnull=True).order_by(
                "username"
            )[:20],
            "locked": _locked_accounts(),
            "audit_events": getattr(ChainHead.objects.filter(pk=1).first(), "seq", 0),
        }
    return render(request, "core/home.html", context)


def _locked_accounts() -> list[str]:
    """The accounts and addresses locked after failed sign-ins: a person by name, with the username
    (an unknown username, which someone typed, by itself). The administrator unlocks them on the
    lockout page."""
    from haven.accounts.lockout import locks_in_force

    locks = locks_in_force()[:20]
    usernames = [lock.key for lock in locks if lock.kind == "account"]
    names = dict(User.objects.filter(username__in=usernames).values_list("username", "full_name"))
    return [f"{names[lock.key]} ({lock.key})" if names.get(lock.key) else lock.key for lock in locks]


def special_circumstances(user: User):
    """For a reader of figures only: the children in special circumstances of the area this month, as
    the indicators' dashboard gives it (hidden when small)."""
    from haven.reports import periods, selectors
    from haven.reports.registry import indicator
    from haven.reports.tables import release

    scope = selectors.widest(user)
    return release(indicator("HV.SC"), periods.current(periods.Kind.MONTH), scope, user=user, previous=False)


@markers.requires(Verb.AGGREGATE_VIEW)
@require_GET
def figures(request):
    """The figures by area and group are an indicator of the registry now: the page moved there."""
    return redirect(reverse("reports:indicator", args=["HV.SC"]) + "#table-4")
