"""The rules of entitlements as pages: every signed-in user reads them (they are the law); an
authorised officer adds and corrects them, and every row shows its history."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import granting
from haven.accounts.models import Role
from haven.areas.models import Area
from haven.core import clock
from haven.core.errors import Refused
from haven.entitlements import forms, schooling, services
from haven.entitlements.amounts import RuleBook, month_of, vnd
from haven.entitlements.models import BenefitRule, Parameter, ParameterKey
from haven.entitlements.views_common import saved


def _provinces_for(user):
    """The provinces whose level ``user`` may set: every one for the Ministry, else their own."""
    through = granting(user, Verb.ENTITLEMENT_RULES)
    if any(m.role == Role.MINISTRY_OFFICER for m in through):
        return Area.objects.provinces(), True
    own = [m.organisation.area_id for m in through if m.role == Role.PROVINCIAL_OFFICER]
    return Area.objects.provinces().filter(pk__in=own), False


def _examples(book: RuleBook, on: dt.date) -> list[dict]:
    """The national amount of each rule in force on ``on``: what the coefficient means in đồng."""
    base = book.base(on, None)
    rows = []
    for rule in book.rules:
        if rule.programme != "monthly_allowance":
            continue
        if rule.valid_from <= on and (rule.valid_to is None or on < rule.valid_to) and base is not None:
            rows.append({"rule": rule, "amount": vnd(base.value * rule.coefficient)})
    return rows


@markers.authenticated
@require_GET
def rules(request):
    provinces, national = _provinces_for(request.user)
    today = clock.today()
    book = RuleBook.load()
    return render(
        request,
        "entitlements/rules.html",
        {
            "parameters": Parameter.objects.filter(key=ParameterKey.STANDARD_LEVEL)
            .select_related("province")
            .order_by("province__name", "valid_from"),
            # A pupil's support: its amounts (the national learning-cost amount, each province's tuition
            # rate by level) and the rules held in code, each with its citation.
            "school_parameters": Parameter.objects.exclude(key=ParameterKey.STANDARD_LEVEL)
            .select_related("province")
            .order_by("key", "province__name", "valid_from"),
            "tuition_rules": schooling.TUITION,
            "support_groups": schooling.GROUPS,
            "schedules": schooling.SCHEDULES,
            "rules": BenefitRule.objects.order_by(
                "programme", "ground", "care_situation", "age_from", "valid_from"
            ),
            "may_add_parameter": national or provinces.exists(),
            "may_change_rules": national,
            "editable_provinces": set(provinces.values_list("pk", flat=True)),
            "national": national,
            "examples": _examples(book, month_of(today)),
            "base_today": book.base(month_of(today), None),
            "today": today,
        },
    )


@markers.requires(Verb.ENTITLEMENT_RULES)
@require_http_methods(["GET", "POST"])
def parameter_new(request):
    provinces, national = _provinces_for(request.user)
    form = forms.ParameterForm(
        request.POST if request.method == "POST" else None,
        provinces=provinces,
        national=national,
        adding=True,
    )
    if request.method == "POST" and saved(form, lambda d: services.parameter_add(actor=request.user, **d)):
        messages.success(request, _("The amount is recorded."))
        return redirect("entitlements:rules")
    return render(request, "entitlements/rule_form.html", {"form": form, "title": _("Add an amount")})


@markers.requires(Verb.ENTITLEMENT_RULES)
@require_http_methods(["GET", "POST"])
def parameter_edit(request, pk: int):
    row = get_object_or_404(Parameter.objects.select_related("province"), pk=pk)
    try:
        services.rules_membership(request.user, row.province)
    except Refused as refusal:
        messages.info(request, refusal.message)
        return redirect("entitlements:rules")
    initial = {name: getattr(row, name) for name in services.rules.PARAMETER_FIELDS}
    form = forms.ParameterForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and saved(
        form, lambda d: services.parameter_change(actor=request.user, parameter=row, **d)
    ):
        messages.success(request, _("The amount is corrected."))
        return redirect("entitlements:rules")
    return render(
        request,
        "entitlements/rule_form.html",
        {"form": form, "title": _("Correct an amount"), "row": row, "history": _history(row)},
    )


@markers.requires(Verb.ENTITLEMENT_RULES)
@require_http_methods(["GET", "POST"])
def rule_new(request):
    form = forms.RuleForm(request.POST if request.method == "POST" else None, adding=True)
    if request.method == "POST" and saved(form, lambda d: services.rule_add(actor=request.user, **d)):
        messages.success(request, _("The rule is recorded."))
        return redirect("entitlements:rules")
    return render(request, "entitlements/rule_form.html", {"form": form, "title": _("Add a benefit rule")})


@markers.requires(Verb.ENTITLEMENT_RULES)
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    row = get_object_or_404(BenefitRule, pk=pk)
    try:
        services.rules_membership(request.user, None)
    except Refused as refusal:
        messages.info(request, refusal.message)
        return redirect("entitlements:rules")
    initial = {name: getattr(row, name) for name in services.rules.RULE_FIELDS}
    form = forms.RuleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and saved(
        form, lambda d: services.rule_change(actor=request.user, rule=row, **d)
    ):
        messages.success(request, _("The rule is corrected."))
        return redirect("entitlements:rules")
    return render(
        request,
        "entitlements/rule_form.html",
        {"form": form, "title": _("Correct a benefit rule"), "row": row, "history": _history(row)},
    )


def _history(row) -> list:
    """The row's versions, newest first, each with who made it."""
    return list(row.history.select_related("history_user").order_by("-history_date", "-history_id"))
