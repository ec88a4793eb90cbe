"""The rule table as a page, and a province's stricter deadlines."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, acting_membership, can
from haven.areas.models import Area
from haven.audit.services import record
from haven.core.errors import Refused
from haven.deadlines.models import DeadlineOverride, rule_choices
from haven.deadlines.rules import RULES, Unit
from haven.deadlines.selectors import team_for
from haven.deadlines.services import override_set


class OverrideForm(forms.Form):
    rule = forms.ChoiceField(label=gettext_lazy("Step"), choices=rule_choices)
    amount = forms.IntegerField(label=gettext_lazy("Amount"), min_value=1, max_value=1000)
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"),
        choices=[
            (Unit.HOURS.value, gettext_lazy("hours")),
            (Unit.CALENDAR_DAYS.value, gettext_lazy("calendar days")),
            (Unit.WORKING_DAYS.value, gettext_lazy("working days")),
        ],
    )
    legal_basis = forms.CharField(label=gettext_lazy("Local decision (number and date)"), max_length=200)


@markers.authenticated
@require_http_methods(["GET"])
def rules(request):
    """Every clock in Haven with its legal basis: what a user is held to, and why."""
    return render(
        request,
        "deadlines/rules.html",
        {"rules": RULES.values(), "can_override": can(request.user, Verb.DEADLINE_OVERRIDE)},
    )


@markers.requires(Verb.DEADLINE_OVERRIDE)
@require_http_methods(["GET", "POST"])
def overrides(request):
    membership = acting_membership(request.user, Verb.DEADLINE_OVERRIDE)
    province = membership.organisation.area.province
    form = OverrideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            override_set(
                actor=request.user,
                rule_code=form.cleaned_data["rule"],
                province=province,
                amount=form.cleaned_data["amount"],
                unit=Unit(form.cleaned_data["unit"]),
                legal_basis=form.cleaned_data["legal_basis"],
            )
        except Refused as refused:
            form.add_error("amount", refused.message)
        else:
            messages.success(request, _("The stricter deadline applies to steps started from now on."))
            return redirect("deadlines:overrides")
    current = DeadlineOverride.objects.filter(province=province).order_by("rule")
    return render(
        request,
        "deadlines/overrides.html",
        {"form": form, "province": province, "current": current, "rules": RULES},
    )


@markers.requires(Verb.DEADLINE_TEAM)
@require_GET
def team(request):
    """A head's view of the team: the open steps of the organisations they head, by case worker."""
    area = None
    if request.GET.get("area"):
        area = Area.objects.current().filter(code=request.GET["area"]).first()
        if area is None:
            raise NotVisible
    team = team_for(user=request.user, area=area)
    shown = sorted({str(o.child_id) for o in team.shown if o.child_id})
    if shown:
        record(actor=request.user, action="child.list", data={"shown": shown, "view": "team"})
    return render(request, "deadlines/team.html", {"team": team, "area": area})
