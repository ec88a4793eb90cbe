"""Forms of entitlements: they parse and check shape; services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.areas.models import Area
from haven.core import clock
from haven.core.limits import LONG_TEXT
from haven.entitlements.models import (
    ALLOWANCE_GROUNDS,
    CardBasis,
    CareSituation,
    Method,
    ParameterKey,
    Programme,
)
from haven.people.forms import DATE_WIDGET, legal_choice
from haven.people.rules import validate_name, validate_reference

# The grounds of the monthly allowance, for its forms (a pupil's support derives its own).
ALLOWANCE_GROUND_CHOICES = [(g.value, g.label) for g in ALLOWANCE_GROUNDS]

CITATION = forms.TextInput(attrs={"maxlength": 300})
NOTE = forms.TextInput(attrs={"maxlength": 300})


class ProvinceChoice(forms.ModelChoiceField):
    """A province or a commune, by its name."""

    def label_from_instance(self, obj: Area) -> str:
        return obj.name


class CitedForm(forms.Form):
    """The dates and the legal basis every rule carries."""

    valid_from = forms.DateField(label=_("Applies from"), widget=DATE_WIDGET, help_text=_("dd/mm/yyyy"))
    valid_to = forms.DateField(
        label=_("No longer applies from"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("The first day it no longer applies; empty while it still does."),
    )
    citation = forms.CharField(
        label=_("Legal basis (Vietnamese)"),
        max_length=300,
        widget=CITATION,
        help_text=_("As the law names it: “Nghị định 20/2021/NĐ-CP, Điều 6 khoản 1 điểm a”."),
    )
    citation_en = forms.CharField(
        label=_("Legal basis (English)"), max_length=300, required=False, widget=CITATION
    )
    verified = forms.BooleanField(label=_("Checked against the official text"), required=False)
    verification_note = forms.CharField(
        label=_("Where it was checked"),
        max_length=300,
        required=False,
        widget=NOTE,
        help_text=_("The text read (gazette, official portal) or why the value is not yet confirmed."),
    )


class ParameterForm(CitedForm):
    value = forms.IntegerField(
        label=_("Amount (đồng a month)"),
        min_value=1,
        max_value=100_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    field_order = ["key", "province", "value", "valid_from", "valid_to", "end_current"]

    def __init__(self, *args, provinces=None, national: bool = False, adding: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if adding:
            self.fields["key"] = forms.ChoiceField(
                label=pgettext_lazy("legal amount", "Amount"),
                choices=ParameterKey.choices,
                initial=ParameterKey.STANDARD_LEVEL,
                required=False,
                help_text=_(
                    "The tuition support at a private school is set by each province, by school level."
                ),
                error_messages={"invalid_choice": _("Choose the amount.")},
            )
            self.fields["province"] = ProvinceChoice(
                label=_("Province"),
                queryset=provinces if provinces is not None else Area.objects.none(),
                required=not national,
                empty_label=_("— The national level —") if national else _("— Choose —"),
                help_text=_("A province may only set a higher level than the national one."),
                error_messages={"invalid_choice": _("Choose a province from the list.")},
            )
            self.fields["end_current"] = forms.BooleanField(
                label=_("End the amount in force on the day this one starts"), required=False
            )
            self.order_fields(self.field_order)

    def clean_key(self) -> str:
        # Left out, the standard social-assistance level (the amount most often changed).
        return self.cleaned_data.get("key") or ParameterKey.STANDARD_LEVEL


class RuleForm(CitedForm):
    coefficient = forms.DecimalField(
        label=_("Coefficient"),
        min_value=0.01,
        max_value=20,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    age_from = forms.IntegerField(label=_("From age (full years)"), min_value=0, max_value=30)
    age_to = forms.IntegerField(
        label=_("Under age (full years)"),
        min_value=1,
        max_value=30,
        required=False,
        help_text=_("Empty: no upper age."),
    )
    requires_studying = forms.BooleanField(label=_("Only while the young person is studying"), required=False)
    field_order = [
        "programme",
        "ground",
        "care_situation",
        "age_from",
        "age_to",
        "requires_studying",
        "coefficient",
    ]

    def __init__(self, *args, adding: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if adding:
            self.fields["programme"] = legal_choice(
                _("Programme"),
                [(Programme.MONTHLY_ALLOWANCE.value, Programme.MONTHLY_ALLOWANCE.label)],
                required_message=_("Choose the programme."),
            )
            self.fields["ground"] = legal_choice(
                _("Ground of entitlement"), ALLOWANCE_GROUND_CHOICES, required_message=_("Choose the ground.")
            )
            self.fields["care_situation"] = legal_choice(
                _("Care situation"), CareSituation.choices, required_message=_("Choose the care situation.")
            )
            self.order_fields(self.field_order)


# --- The procedure ---------------------------------------------------------------------------------


class MonthField(forms.DateField):
    """A month typed as mm/yyyy (a full date is accepted too): its first day."""

    input_formats = ["%m/%Y", "%d/%m/%Y", "%Y-%m-%d", "%Y-%m"]
    widget = forms.DateInput(
        format="%m/%Y", attrs={"placeholder": "mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
    )
    default_error_messages = {"invalid": _("Give the month as mm/yyyy.")}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def _facts(form: forms.Form) -> None:
    form.fields["ground"] = legal_choice(
        _("Ground of entitlement"), ALLOWANCE_GROUND_CHOICES, required_message=_("Choose the ground.")
    )
    form.fields["care_situation"] = legal_choice(
        _("Care situation"), CareSituation.choices, required_message=_("Choose the care situation.")
    )
    form.fields["studying"] = forms.BooleanField(
        label=_("Still studying (from 16 to under 22)"), required=False
    )


class ApplyForm(forms.Form):
    """The carer's application, recorded by the commune officer; a facility applies for itself."""

    received_on = forms.DateField(
        label=_("Received on"),
        widget=DATE_WIDGET,
        initial=clock.today,
        help_text=_("dd/mm/yyyy"),
        error_messages={"required": _("Give the day the application was received.")},
    )
    applicant_name = forms.CharField(
        label=_("Carer who applied"), max_length=150, required=False, validators=[validate_name]
    )

    def __init__(self, *args, facility: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _facts(self)
        if facility:
            del self.fields["applicant_name"]


class TakeUpForm(forms.Form):
    received_on = forms.DateField(
        label=_("Received on"),
        widget=DATE_WIDGET,
        initial=clock.today,
        help_text=_("The day the carer confirmed the application: the 10 working days start then."),
        error_messages={"required": _("Give the day the application was received.")},
    )
    applicant_name = forms.CharField(
        label=_("Carer who applied"), max_length=150, required=False, validators=[validate_name]
    )

    def __init__(self, *args, school: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A pupil's support keeps the ground Haven derived from the enrolment and the child's groups.
        if not school:
            _facts(self)


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the proposal is set aside"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    decision_number = forms.CharField(
        label=_("Decision number"),
        max_length=60,
        validators=[validate_reference],
        help_text=_("e.g. 15/QĐ-UBND"),
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_WIDGET, initial=clock.today)


class RefuseForm(forms.Form):
    decided_on = forms.DateField(
        label=_("Date of the written reply"), widget=DATE_WIDGET, initial=clock.today
    )
    reasons = forms.CharField(
        label=_("Reasons for the refusal"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicant receives them in writing."),
    )


class ChangeForm(forms.Form):
    """An adjustment or a stop of a running allowance, prepared for the chairman."""

    received_on = forms.DateField(label=_("Reported on"), widget=DATE_WIDGET, initial=clock.today)
    effective_month = MonthField(
        label=_("From the month"), help_text=_("mm/yyyy: usually the month after the change.")
    )
    reason = forms.CharField(
        label=_("What changed"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, adjust: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if adjust:
            _facts(self)


class CommuneChoice(forms.ModelChoiceField):
    """A commune by its name and its province's (the same name is found in several provinces)."""

    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name}, {obj.parent.name}"


class MoveForm(forms.Form):
    moved_to = CommuneChoice(
        label=_("Moved to the commune"),
        queryset=Area.objects.communes().select_related("parent").order_by("parent__name", "name"),
        error_messages={"invalid_choice": _("Choose the commune the child moved to.")},
    )
    moved_on = forms.DateField(label=_("Moved on"), widget=DATE_WIDGET)
    received_on = forms.DateField(label=_("Reported on"), widget=DATE_WIDGET, initial=clock.today)


class PayrollForm(forms.Form):
    commune = ProvinceChoice(label=_("Commune"), queryset=Area.objects.none())
    month = MonthField(label=_("Month"), help_text=_("mm/yyyy"))

    def __init__(self, *args, communes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Area.objects.filter(pk__in=[c.pk for c in communes])


class SendForm(forms.Form):
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE_WIDGET, help_text=_("dd/mm/yyyy"))
    provider = forms.CharField(
        label=_("Payment provider"),
        max_length=150,
        help_text=_("The bank, the post office or the other provider the commune contracts."),
    )


class ReturnForm(forms.Form):
    file = forms.FileField(
        label=_("The provider's return file (CSV or XLSX)"),
        help_text=_(
            "The list Haven produced, with the columns outcome, date paid, amount paid and note filled in "
            "by the provider. Every row is checked; nothing is saved until the whole file is right."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class PaymentMethodForm(forms.Form):
    method = forms.ChoiceField(label=_("How it is paid"), choices=Method.choices, widget=forms.RadioSelect)
    receiver_name = forms.CharField(
        label=_("Who receives it"),
        max_length=150,
        validators=[validate_name],
        help_text=_("As on the identity card."),
    )
    institution = forms.CharField(
        label=_("Bank or post office"),
        max_length=150,
        required=False,
        help_text=_("For a bank account: the bank and branch. At the post office: which one."),
    )
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Address where the cash is brought"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Why at home"), max_length=300, required=False, help_text=_("Old age, illness, disability...")
    )
    valid_from = forms.DateField(label=_("Applies from"), widget=DATE_WIDGET, help_text=_("dd/mm/yyyy"))


class HealthCardForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=20,
        help_text=_("10 to 15 letters and digits, as printed on the card."),
    )
    basis = forms.ChoiceField(label=_("Insured as"), choices=CardBasis.choices, widget=forms.RadioSelect)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET, help_text=_("dd/mm/yyyy"))
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("As printed on the card. For a child under 6 leave it empty: the rule gives it."),
    )
