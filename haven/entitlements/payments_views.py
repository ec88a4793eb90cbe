"""Pages of how a child's allowance is paid and of the child's health-insurance card, and the list of
children Haven follows without a valid card: thin views over services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible
from haven.audit.services import record
from haven.core import clock
from haven.entitlements import forms, selectors, services, workflow
from haven.entitlements.services.health import UNDER_SIX
from haven.entitlements.services.payees import paying_commune
from haven.entitlements.views import _child
from haven.entitlements.views_common import saved

LISTED = 200


def _page(
    request, found, form, act, *, title: str, hint: str, said: str, template: str = "entitlements/form.html"
):
    if request.method == "POST" and saved(form, act):
        messages.success(request, said)
        return redirect("entitlements:child", found.pk)
    return render(
        request,
        template,
        {
            "child": found,
            "form": form,
            "title": title,
            "hint": hint,
            "back": reverse("entitlements:child", args=[found.pk]),
        },
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def payment_method(request, child_id):
    """Record how the child's allowance is paid: the commune that pays does."""
    found = _child(request.user, child_id)
    if workflow.acting_for(request.user, found, paying_commune(found), workflow.PREPARERS) is None:
        raise NotVisible
    form = forms.PaymentMethodForm(request.POST or None, initial={"valid_from": clock.today()})

    def act(d):
        services.payment_method_set(actor=request.user, child=found, **d)

    return _page(
        request,
        found,
        form,
        act,
        title=_("How the allowance is paid"),
        hint=_(
            "Decree 20/2021 art. 34: the provider pays into a bank account, at its counter (the post office) "
            "or, for those who cannot come, in cash at home. A change applies from the day given; the lists "
            "already approved keep the method they were sent with."
        ),
        said=_("The payment method is recorded."),
    )


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def health_card(request, child_id):
    """Record the child's health-insurance card; a card for a child under 6 runs to the date the rule
    gives."""
    found = _child(request.user, child_id)
    if workflow.acting_for(request.user, found, found.current_commune, workflow.APPLICANTS) is None:
        raise NotVisible
    end = services.under_six_card_end(found.date_of_birth) if found.date_of_birth else None
    form = forms.HealthCardForm(request.POST or None, initial={"valid_from": clock.today()})

    def act(d):
        services.health_card_record(actor=request.user, child=found, **d)

    hint = _(
        "Children under 6 and children receiving social assistance are insured by the state. A card for a "
        "child under 6 runs to the date the rule gives, not to a date typed here."
    )
    if end is not None and end >= clock.today():
        hint += " " + _(
            "For this child: until %(day)s (%(basis)s; not yet checked against the official text)."
        ) % {
            "day": end.strftime("%d/%m/%Y"),
            "basis": UNDER_SIX.citation,
        }
    return _page(
        request,
        found,
        form,
        act,
        title=_("Record a health-insurance card"),
        hint=hint,
        said=_("The card is recorded."),
    )


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def health_alerts(request):
    """Children Haven follows without a valid health-insurance card, and cards that lapse soon."""
    today = clock.today()
    missing = list(selectors.without_valid_card(request.user, today)[:LISTED])
    lapsing = list(selectors.cards_lapsing(request.user, today=today)[:LISTED])
    shown = {str(c.pk) for c in missing} | {str(card.child_id) for card in lapsing}
    record(
        actor=request.user,
        action="child.list",
        data={"shown": sorted(shown)[:500], "page": "health_insurance"},
    )
    return render(
        request,
        "entitlements/health.html",
        {"missing": missing, "lapsing": lapsing, "listed": LISTED, "today": today, "rule": UNDER_SIX},
    )
