"""Forms of sponsorship: they parse and check shape; services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.people.forms import DATE_WIDGET
from haven.sponsorship.models import (
    EntryKind,
    Form,
    PayerKind,
    Purpose,
    PurposeCode,
    Recipient,
    SponsorKind,
    SponsorshipEndReason,
)

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
AMOUNT = forms.IntegerField(min_value=1, max_value=10**13)


class NamedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj.name) if hasattr(obj, "name") else str(obj)


class OfferForm(forms.Form):
    sponsor = NamedChoice(label=_("Sponsor"), queryset=None)
    programme = NamedChoice(label=pgettext_lazy("sponsorship", "Programme"), queryset=None)
    commune = NamedChoice(label=_("Commune"), queryset=None)
    form = forms.ChoiceField(label=_("What is given"), choices=Form.choices)
    monthly_amount = forms.IntegerField(
        label=_("Amount a month (đồng)"), min_value=0, max_value=100_000_000, initial=0
    )
    until_adult = forms.BooleanField(label=_("Until the child turns 18"), required=False)
    months = forms.IntegerField(
        label=_("Or for this many months"), min_value=1, max_value=240, required=False
    )
    direct_contact = forms.BooleanField(
        label=_("The sponsor asks to meet the child (needs vetting and the coordinator's approval)"),
        required=False,
    )

    def __init__(self, *args, sponsors, programmes, communes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = sponsors
        self.fields["programme"].queryset = programmes
        self.fields["commune"].queryset = communes


class SponsorForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("sponsor", "Kind"), choices=SponsorKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    publish_identity = forms.BooleanField(
        label=_("The sponsor asks to be named on the public ledger"), required=False
    )


class VettingForm(forms.Form):
    judicial_record_number = forms.CharField(label=_("Judicial record certificate number"), max_length=40)
    judicial_record_date = forms.DateField(
        label=_("Issued on"), widget=DATE_WIDGET, help_text=_("dd/mm/yyyy")
    )
    referee = forms.CharField(label=_("Referee (name and how to reach them)"), max_length=300)
    briefing_acknowledged_on = forms.DateField(
        label=_("Safeguarding briefing acknowledged on"), widget=DATE_WIDGET, help_text=_("dd/mm/yyyy")
    )


class MatchForm(forms.Form):
    child = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"] = forms.TypedChoiceField(
            label=_("Child"),
            choices=[(str(c.pk), c.label) for c in candidates],
            widget=forms.RadioSelect,
        )


class ExitPlanForm(forms.Form):
    plan = forms.CharField(label=_("Exit plan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why it ends"), choices=SponsorshipEndReason.choices)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why the offer is declined"), max_length=300)


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "No phone number, e-mail, address, link or social network: messages go through Haven only."
        ),
    )


class VisitRequestForm(forms.Form):
    planned_at = forms.DateTimeField(label=_("When"), widget=DATETIME_WIDGET)
    place = forms.CharField(label=pgettext_lazy("visit", "Where"), max_length=200)


class VisitDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    supervisor = forms.CharField(label=_("Supervised by"), max_length=120, required=False)
    at_home_or_school = forms.BooleanField(label=_("At the child's home or school"), required=False)
    reason_for_place = forms.CharField(label=_("Why there"), max_length=300, required=False)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("What the sponsor may see"), choices=Purpose.choices)
    child_agreed = forms.BooleanField(label=_("The child (from 7) agrees"), required=False)
    representative_agreed = forms.BooleanField(label=_("The representative agrees"), required=False)


class CampaignForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    bank_account = forms.CharField(label=_("Receiving account (its own, for this campaign)"), max_length=20)
    receives_from = forms.DateField(label=_("Receives from"), widget=DATE_WIDGET)
    receives_until = forms.DateField(label=_("Receives until"), widget=DATE_WIDGET)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("ledger", "Kind"),
        choices=[c for c in EntryKind.choices if c[0] != EntryKind.CORRECTION],
    )
    amount = forms.IntegerField(label=_("Amount (đồng)"), min_value=1, max_value=10**13)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    document = forms.CharField(label=_("Document"), max_length=80)
    purpose = forms.ChoiceField(label=_("For"), choices=PurposeCode.choices)
    commune = NamedChoice(label=_("Commune"), queryset=None, required=False)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=40, required=False)
    payer_kind = forms.ChoiceField(label=_("Payer"), choices=[("", "—"), *PayerKind.choices], required=False)
    payer_name = forms.CharField(label=_("Payer's name"), max_length=200, required=False)
    payer_publish = forms.BooleanField(label=_("The payer asks to be named in public"), required=False)
    memo = forms.CharField(label=_("Bank memo (kept, never published)"), max_length=300, required=False)
    sponsorship = forms.ChoiceField(
        label=_("Sponsorship (for a payment to the child's carer)"), required=False, choices=()
    )
    recipient = forms.ChoiceField(
        label=_("Recipient"), choices=[("", "—"), *Recipient.choices], required=False
    )
    organisation = NamedChoice(label=_("Facility"), queryset=None, required=False)
    carer_phone = forms.CharField(
        label=_("Carer's phone (receives the confirmation code)"), max_length=20, required=False
    )

    def __init__(self, *args, communes, facilities, sponsorships=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["organisation"].queryset = facilities
        # The active sponsorships the coordinator keeps, as the coordinator knows them: the sponsor,
        # the child's first name and age band, the commune.
        self.fields["sponsorship"].choices = [("", "—"), *sponsorships]


class ConfirmForm(forms.Form):
    code = forms.CharField(label=_("Code the carer received"), max_length=6, required=False)
    provider_reference = forms.CharField(
        label=_("Or the payment provider's reference"), max_length=60, required=False
    )


class StatementForm(forms.Form):
    file = forms.FileField(label=_("Bank statement (CSV or XLSX)"))
    commune = NamedChoice(label=_("Commune of the receipts"), queryset=None)

    def __init__(self, *args, communes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("What was wrong"), max_length=80)


class LookupForm(forms.Form):
    reference = forms.CharField(label=_("Bank reference of your transfer"), max_length=40)
    amount = forms.CharField(label=_("Amount (đồng)"), max_length=20)


class CarerConfirmForm(forms.Form):
    """What the carer types from her SMS, on a cheap phone: two numbers, nothing else."""

    reference = forms.CharField(
        label=_("Reference (8 digits, in the message)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("Confirmation code (6 digits)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_reference(self) -> str:
        from haven.sponsorship.services.confirmation import REFERENCE_DIGITS, normalise

        found = normalise(self.cleaned_data["reference"], REFERENCE_DIGITS)
        if not found:
            raise forms.ValidationError(
                _("The reference has 8 digits: copy it from the message."), code="invalid"
            )
        return found

    def clean_code(self) -> str:
        from haven.sponsorship.services.confirmation import CODE_DIGITS, normalise

        found = normalise(self.cleaned_data["code"], CODE_DIGITS)
        if not found:
            raise forms.ValidationError(
                _("The confirmation code has 6 digits: copy it from the message."), code="invalid"
            )
        return found
