"""The resource ledger's pages: campaigns, their entries and figures, a bank statement's import,
publication, one entry with its confirmation or correction."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import granting
from haven.accounts.models import Organisation, OrganisationKind
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused
from haven.sponsorship import forms, selectors, services
from haven.sponsorship.models import EntryKind, Programme, PurposeCode, Recipient, SponsorshipState
from haven.sponsorship.services import confirmation, reconciliation
from haven.sponsorship.services.statements import StatementRefused
from haven.sponsorship.views import _communes_for, attempt


def _facilities(user):
    communes = _communes_for(user, Verb.SPONSORSHIP_COORDINATE)
    return Organisation.objects.filter(
        kind=OrganisationKind.SOCIAL_PROTECTION_FACILITY,
        area__in=list(communes) + [c.parent for c in communes],
    )


def _payable(user, campaign) -> list:
    """The active sponsorships this campaign may pay: those the coordinator keeps, of its programme
    (or any, for a campaign of no programme)."""
    found = selectors.sponsorships_for(user).filter(state=SponsorshipState.ACTIVE)
    if campaign.programme_id:
        found = found.filter(programme_id=campaign.programme_id)
    return [s for s in found.order_by("sponsor__name", "child__given_name")[:300] if s.child_id]


def _label(sponsorship) -> str:
    child = sponsorship.child
    return " — ".join(
        (
            sponsorship.sponsor.name,
            f"{child.given_name or _('(not named)')} ({selectors.age_band(child)})",
            sponsorship.commune.name,
        )
    )


def _paying(request, payable) -> dict:
    """From a sponsorship's page: the entry comes ready as its monthly payment to the carer."""
    chosen = next((s for s in payable if str(s.pk) == request.GET.get("sponsorship", "")), None)
    if chosen is None:
        return {}
    return {
        "kind": EntryKind.DISBURSEMENT,
        "sponsorship": str(chosen.pk),
        "recipient": Recipient.CARER,
        "amount": chosen.monthly_amount or None,
        "commune": chosen.commune_id,
        "purpose": PurposeCode.LIVING,
        "occurred_on": clock.today(),
    }


@markers.requires(Verb.SPONSORSHIP_COORDINATE)
@require_http_methods(["GET", "POST"])
def campaigns(request):
    user = request.user
    form = forms.CampaignForm(request.POST or None)
    own = [m for m in granting(user, Verb.SPONSORSHIP_COORDINATE)]
    if request.method == "POST" and attempt(
        form,
        lambda d: services.campaign_create(
            actor=user,
            area=own[0].organisation.area,
            programme=Programme.objects.filter(organiser=own[0].organisation).first(),
            **d,
        ),
    ):
        messages.success(request, _("The campaign is open."))
        return redirect("sponsorship:campaigns")
    found = selectors.campaigns_for(user)
    return render(
        request, "sponsorship/campaigns.html", {"form": form, "rows": reconciliation.by_campaign(found)}
    )


@markers.requires(Verb.SPONSORSHIP_COORDINATE)
@require_http_methods(["GET", "POST"])
def campaign(request, campaign_id):
    user = request.user
    found = get_object_or_404(selectors.campaigns_for(user), pk=campaign_id)
    communes = _communes_for(user, Verb.SPONSORSHIP_COORDINATE)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    payable = _payable(user, found)
    entry_form = forms.EntryForm(
        request.POST if action == "entry" else None,
        communes=communes,
        facilities=_facilities(user),
        sponsorships=[(str(s.pk), _label(s)) for s in payable],
        prefix="entry",
        initial=_paying(request, payable),
    )
    statement_form = forms.StatementForm(
        request.POST if action == "statement" else None,
        request.FILES if action == "statement" else None,
        communes=communes,
        prefix="statement",
    )
    problems = []
    if action == "entry":

        def record_entry(d):
            sponsorship = (
                selectors.sponsorship_of(user, d.pop("sponsorship")) if d.get("sponsorship") else None
            )
            d.pop("sponsorship", None)
            return services.entry_record(actor=user, campaign=found, sponsorship=sponsorship, **d)

        if attempt(entry_form, record_entry):
            messages.success(request, _("The entry is recorded."))
            return redirect("sponsorship:campaign", found.pk)
    elif action == "statement" and statement_form.is_valid():
        upload = statement_form.cleaned_data["file"]
        try:
            done = services.statement_import(
                actor=user,
                campaign=found,
                commune=statement_form.cleaned_data["commune"],
                name=upload.name,
                content=upload.read(),
            )
        except StatementRefused as error:
            statement_form.add_error(None, error.message)
            problems = error.problems
        except Refused as error:
            statement_form.add_error(None, error.message)
        else:
            messages.success(request, _("%(n)s receipts imported.") % {"n": done.rows})
            return redirect("sponsorship:campaign", found.pk)
    elif action == "publish":
        published = services.publish(actor=user, campaign=found, everything=True)
        messages.success(request, _("%(n)s lines published on the public ledger.") % {"n": published})
        return redirect("sponsorship:campaign", found.pk)
    entries = found.entries.select_related("line", "commune", "organisation").order_by(
        "-occurred_on", "-recorded_at"
    )[:200]
    record(
        actor=user,
        action="sponsorship.campaign_view",
        obj=found,
        data={"children": [str(s.child_id) for s in payable]},
    )
    return render(
        request,
        "sponsorship/campaign.html",
        {
            "campaign": found,
            "figures": services.figures(campaign=found),
            "entries": entries,
            "entry_form": entry_form,
            "statement_form": statement_form,
            "problems": problems,
            "issues": reconciliation.issues([found]),
        },
    )


@markers.requires(Verb.SPONSORSHIP_COORDINATE)
@require_http_methods(["GET", "POST"])
def entry(request, entry_id):
    user = request.user
    found = selectors.entry_of(user, entry_id)
    confirm = forms.ConfirmForm(request.POST if request.POST.get("action") == "confirm" else None)
    correct = forms.CorrectionForm(request.POST if request.POST.get("action") == "correct" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm" and attempt(
            confirm,
            lambda d: services.disbursement_confirm(
                entry=found, code=d["code"], provider_reference=d["provider_reference"], actor=user
            ),
        ):
            messages.success(request, _("The disbursement is confirmed."))
            return redirect("sponsorship:entry", found.pk)
        if action == "resend":
            try:
                services.code_resend(actor=user, entry=found)
            except Refused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("A new reference and code were sent to the carer's phone."))
            return redirect("sponsorship:entry", found.pk)
        if action == "correct" and attempt(
            correct, lambda d: services.correction_record(actor=user, entry=found, reason=d["reason"])
        ):
            messages.success(request, _("The correction is recorded; it will be published as a new line."))
            return redirect("sponsorship:campaign", found.campaign_id)
        if action not in ("confirm", "correct", "resend"):
            messages.error(request, _("Choose what to do."))
    record(actor=user, action="sponsorship.entry_view", obj=found, child=found.child)
    return render(
        request,
        "sponsorship/entry.html",
        {
            "entry": found,
            "confirm": confirm,
            "correct": correct,
            "waiting": confirmation.waiting(found),
            "reference": confirmation.shown_reference(found.confirmation_reference),
            "expired": confirmation.expired(found),
            "max_attempts": confirmation.MAX_ATTEMPTS,
        },
    )


def _refused(request, error: Refused):
    messages.error(request, error.message)
