"""A pupil's support as a commune reads it: the proposals and applications of its pupils, and each
semester's instalments with their months, amounts and bases. Deciding a support is a step of the one
application page (views.py), as every other proposal."""

from __future__ import annotations

from django import forms
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.access.policy import Verb
from haven.audit.services import record
from haven.core import clock
from haven.entitlements import schooling, selectors
from haven.entitlements.models import OPEN_STATES, State
from haven.entitlements.models.schooling import Semester

LISTED = 200


class TermForm(forms.Form):
    """Which semester to read: a school year (the year it starts) and a semester."""

    year = forms.IntegerField(
        label=_("School year (the year it starts)"),
        min_value=2021,
        max_value=2100,
        error_messages={
            "invalid": _("Give the year the school year starts, such as 2026."),
            "min_value": _("Haven counts the support from the school year 2021–2022."),
            "max_value": _("Give the year the school year starts, such as 2026."),
        },
    )
    semester = forms.TypedChoiceField(
        label=_("Semester"),
        choices=Semester.choices,
        coerce=int,
        error_messages={"invalid_choice": _("Choose the first or the second semester.")},
    )


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def school_support(request):
    user, today = request.user, clock.today()
    now = schooling.term_of(today)
    form = TermForm(request.GET or None, initial={"year": now.year, "semester": now.semester})
    year, semester = now.year, now.semester
    if request.GET and form.is_valid():
        year, semester = form.cleaned_data["year"], form.cleaned_data["semester"]
    term = schooling.terms(year)[semester - 1]
    found = selectors.school_applications(user)
    waiting = list(found.filter(state__in=OPEN_STATES).order_by("created_at")[:LISTED])
    rows = selectors.instalments(user).filter(school_year=year, semester=semester)
    listed = list(rows.order_by("commune__name", "child__family_name", "child__given_name")[:LISTED])
    record(
        actor=user,
        action="child.list",
        data={
            "page": "school support",
            "shown": sorted({str(r.child_id) for r in listed} | {str(a.child_id) for a in waiting})[:500],
        },
    )
    return render(
        request,
        "entitlements/school_support.html",
        {
            "form": form,
            "term": term,
            "waiting": waiting,
            "instalments": listed,
            "count": rows.count(),
            "total": rows.aggregate(n=Sum("amount"))["n"] or 0,
            "decided": found.filter(state=State.DECIDED).count(),
            "listed": LISTED,
            "schedules": schooling.SCHEDULES,
        },
    )
