"""Forms for each step; they parse and check shape, the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organisation, OrganisationKind
from haven.areas.models import Area
from haven.core import clock
from haven.core.limits import LONG_TEXT
from haven.foundlings.models import Placement, TemporaryCare
from haven.lib.ids import as_id
from haven.people.forms import DATE_WIDGET, SEX_REQUIRED, CommuneChoice, legal_choice, name_field
from haven.people.models import Sex
from haven.people.rules import validate_phone, validate_reference


class Moment(forms.DateTimeField):
    """A date and time of this era (the API refuses the same): no year 1 reaching the deadline maths."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and not 1900 <= moment.year <= 2100:
            raise forms.ValidationError(_("Enter a date between 1900 and 2100."), code="out_of_range")
        return moment


DATETIME_WIDGET = forms.DateTimeInput(
    format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"}
)


def _province_commune(form: forms.Form, province: Area | None) -> None:
    from django.urls import reverse

    chosen = form.data.get("province") or (province.pk if province else None)
    form.fields["found_commune"].queryset = (
        Area.objects.communes().filter(parent_id=as_id(chosen)) if as_id(chosen) else Area.objects.none()
    )
    if province and not form.is_bound:
        form.initial.setdefault("province", province.pk)
    form.fields["province"].widget.attrs.update(
        {"hx-get": reverse("areas:commune_options"), "hx-target": "#id_found_commune", "hx-trigger": "change"}
    )


class ReportForm(forms.Form):
    found_at = Moment(
        label=_("When was the child found?"),
        widget=DATETIME_WIDGET,
        help_text=_("dd/mm/yyyy hh:mm — every deadline counts from this moment."),
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Area.objects.provinces(), required=False)
    found_commune = CommuneChoice(
        label=_("Commune where the child was found"),
        queryset=Area.objects.communes(),
        error_messages={"invalid_choice": _("Choose a commune from the list.")},
    )
    found_place = forms.CharField(
        label=_("Exact place"),
        max_length=300,
        help_text=_("For example: the gate of the hospital, the market, a house number."),
    )
    sex = legal_choice(_("Sex"), Sex.choices, required_message=SEX_REQUIRED)
    estimated_age_days = forms.IntegerField(
        label=_("Estimated age (days)"), min_value=0, max_value=6000, required=False
    )
    condition = forms.CharField(
        label=_("Physical and health condition"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    belongings = forms.CharField(
        label=_("Belongings found with the child"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    finder_name = name_field(_("Finder's full name"), max_length=150)
    finder_id_document = forms.CharField(
        label=_("Finder's identity document"), max_length=50, required=False, validators=[validate_reference]
    )
    finder_address = forms.CharField(label=_("Finder's residence"), max_length=300, required=False)
    # Checked, re-encoded and named by the service (haven/core/uploads.py), the same for the API.
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("A JPEG or PNG file, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, province: Area | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _province_commune(self, province)

    def clean_found_at(self):
        from haven.foundlings.services import found_at_problem

        found_at = self.cleaned_data.get("found_at")
        problem = found_at and found_at_problem(found_at, clock.now())
        if problem:
            raise forms.ValidationError(problem[0], code=problem[1])
        return found_at

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("province", None)
        return data


class PublicReportForm(ReportForm):
    """No login: the finder's identity is optional for the public; a phone lets the commune call back."""

    reporter_contact = forms.CharField(
        label=_("Your phone number (so the commune can call you)"),
        max_length=30,
        required=False,
        validators=[validate_phone],
    )
    # Left empty by people; filled by bots.
    website = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class ScreeningForm(forms.Form):
    screened_at = Moment(label=_("Screened at"), widget=DATETIME_WIDGET)
    temperature_c = forms.DecimalField(
        label=_("Temperature (°C)"), min_value=25, max_value=45, decimal_places=1
    )
    heart_rate = forms.IntegerField(label=_("Heart rate (/min)"), min_value=20, max_value=250)
    respiratory_rate = forms.IntegerField(label=_("Respiratory rate (/min)"), min_value=5, max_value=120)
    weight_grams = forms.IntegerField(label=_("Weight (g)"), min_value=300, max_value=80000)
    estimated_age_days = forms.IntegerField(label=_("Estimated age (days)"), min_value=0, max_value=6000)
    findings = forms.CharField(
        label=_("Screening results"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    referrals = forms.CharField(
        label=_("Referrals"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )

    @staticmethod
    def prefill(case) -> dict:
        """The age estimated in the report, for the health worker to confirm or correct (D18)."""
        return {"estimated_age_days": case.estimated_age_days} if case.estimated_age_days is not None else {}


class RecordForm(forms.Form):
    drafter_title = forms.CharField(label=_("Drafter's position"), max_length=150)
    drawn_up_place = forms.CharField(label=_("Drawn up at (place)"), max_length=300)
    physique = forms.CharField(
        label=_("Identifying features and physique"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    health = forms.CharField(
        label=_("State of health"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    belongings = forms.CharField(
        label=_("Belongings"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    finder_name = name_field(_("Finder's full name"), max_length=150, required=True)
    finder_id_document = forms.CharField(
        label=_("Finder's identity document"), max_length=50, validators=[validate_reference]
    )
    finder_address = forms.CharField(label=_("Finder's residence"), max_length=300)
    witness_name = forms.CharField(label=_("Witness's full name (if any)"), max_length=150, required=False)
    witness_id_document = forms.CharField(
        label=_("Witness's identity document"), max_length=50, required=False
    )
    witness_address = forms.CharField(label=_("Witness's residence"), max_length=300, required=False)
    witnesses = forms.CharField(
        label=_("Other witnesses (if any)"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Full name, identity document and residence of each, one per line."),
    )

    @staticmethod
    def prefill(case) -> dict:
        """What the report already says (the finder, the belongings, the condition), so that the
        officer checks and completes it instead of typing it again (walkthrough D18)."""
        return {
            "finder_name": case.finder_name,
            "finder_id_document": case.finder_id_document,
            "finder_address": case.finder_address,
            "belongings": case.belongings,
            "health": case.condition,
        }


class DischargeForm(forms.Form):
    discharged_at = Moment(label=_("Medically discharged at"), widget=DATETIME_WIDGET)


class TemporaryCareForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Temporary care"), choices=TemporaryCare.choices, widget=forms.RadioSelect
    )
    to_organisation = forms.ModelChoiceField(
        label=_("Receiving facility or hospital"),
        required=False,
        queryset=Organisation.objects.filter(
            is_active=True,
            kind__in=[OrganisationKind.SOCIAL_PROTECTION_FACILITY, OrganisationKind.HEALTH_FACILITY],
        ),
        help_text=_("For a facility or a hospital hold."),
    )
    family = forms.CharField(label=_("Registered family and address"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Reason (required for a hospital hold)"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MoveForm(forms.Form):
    """Where a child on a hospital hold goes after the medical discharge."""

    kind = forms.ChoiceField(
        label=_("Where the child goes"),
        choices=[(k.value, k.label) for k in (TemporaryCare.FACILITY, TemporaryCare.FAMILY)],
        widget=forms.RadioSelect,
    )
    to_organisation = forms.ModelChoiceField(
        label=_("Receiving facility"),
        required=False,
        queryset=Organisation.objects.filter(
            is_active=True, kind=OrganisationKind.SOCIAL_PROTECTION_FACILITY
        ),
        help_text=_("For a social protection facility."),
    )
    family = forms.CharField(label=_("Registered family and address"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Note"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the handover is withdrawn"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("1", _("Accept the child")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required to refuse)"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoticeForm(forms.Form):
    posted_at = Moment(
        label=_("Posted at"),
        widget=DATETIME_WIDGET,
        required=False,
        help_text=_(
            "Leave blank for now. An earlier time is kept on the notice, but the 7 days count from now "
            "until the commune chairman confirms it."
        ),
    )


class ConfirmTimeForm(forms.Form):
    reason = forms.CharField(
        label=_("How the earlier posting time was checked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class ClaimForm(forms.Form):
    claimant = forms.CharField(label=_("Who claims the child, and their relationship"), max_length=300)


class ClaimDecisionForm(forms.Form):
    reunify = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("Return the child to the family")), ("0", _("Reject the claim"))],
    )
    reason = forms.CharField(
        label=_("How the claim was verified"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class BirthForm(forms.Form):
    family_name = name_field(_("Family name"), required=True)
    middle_name = name_field(_("Middle name"))
    given_name = name_field(_("Given name"), required=True)
    sex = legal_choice(
        _("Sex"), [("male", _("Male")), ("female", _("Female"))], required_message=SEX_REQUIRED
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth, if known"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_(
            "If unknown: the day and month the child was found, with the year "
            "estimated (Decree 123/2015 art. 14)."
        ),
    )
    date_of_birth_estimated = forms.BooleanField(label=_("The date of birth is estimated"), required=False)

    @staticmethod
    def prefill(case) -> dict:
        """What the case already says, shown for the officer to check (a prefill, not a default: a
        sex or a birth date the case does not record stays empty and must be chosen)."""
        from haven.foundlings.services import estimated_birth_date

        child = case.child
        initial = {n: getattr(child, n) for n in ("family_name", "middle_name", "given_name")}
        if child.sex in ("male", "female"):
            initial["sex"] = child.sex
        if child.date_of_birth and not child.date_of_birth_estimated:
            initial["date_of_birth"] = child.date_of_birth
        elif case.estimated_age_days is not None or child.date_of_birth:
            initial["date_of_birth"] = estimated_birth_date(case)
            initial["date_of_birth_estimated"] = True
        return initial


class HealthInsuranceForm(forms.Form):
    health_insurance_number = forms.CharField(
        label=_("Health-insurance card number"), max_length=20, validators=[validate_reference]
    )
    health_insurance_from = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET)


class ResidenceForm(forms.Form):
    residence_registered_on = forms.DateField(label=_("Residence registered on"), widget=DATE_WIDGET)


class AllowanceForm(forms.Form):
    allowance_decision = forms.CharField(
        label=_("Decision number"), max_length=50, validators=[validate_reference]
    )
    allowance_from = forms.DateField(label=_("Allowance from"), widget=DATE_WIDGET)
    allowance_monthly_vnd = forms.IntegerField(
        label=_("Monthly amount (VND)"), min_value=1, max_value=100_000_000
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Summary"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class PlacementForm(forms.Form):
    placement = forms.ChoiceField(label=_("Placement"), choices=Placement.choices, widget=forms.RadioSelect)
    detail = forms.CharField(label=_("Placed with (name, address or small group)"), max_length=300)


class DuplicateForm(forms.Form):
    same_child = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("Same child: close this report")), ("0", _("Different children"))],
    )
