"""Forms for each step; they parse and check shape, the services hold the rules. The assessment forms
(02, 03, 04, 06) are built from forms_catalog.FORMS, so a new version of a form needs no code here."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organisation
from haven.areas.models import Area
from haven.core import clock
from haven.core.limits import LONG_TEXT
from haven.lib.ids import as_id
from haven.people.forms import DATE_WIDGET, SEX_REQUIRED, CommuneChoice, legal_choice, name_field
from haven.people.models import Sex
from haven.people.rules import validate_reference
from haven.protection.forms_catalog import FORMS, LEVELS
from haven.protection.models import Referral, Service


def _province_commune(form: forms.Form, province: Area | None, options_url: str) -> None:
    chosen = form.data.get("province") or (province.pk if province else None)
    form.fields["incident_commune"].queryset = (
        Area.objects.communes().filter(parent_id=as_id(chosen)) if as_id(chosen) else Area.objects.none()
    )
    if province and not form.is_bound:
        form.initial.setdefault("province", province.pk)
    form.fields["province"].widget.attrs.update(
        {"hx-get": options_url, "hx-target": "#id_incident_commune", "hx-trigger": "change"}
    )


class ReportForm(forms.Form):
    """Form 01 (Decree 56/2017): the incident, the child, the family, and who reported it."""

    province = forms.ModelChoiceField(label=_("Province"), queryset=Area.objects.provinces(), required=False)
    incident_commune = CommuneChoice(
        label=_("Commune of the incident"),
        queryset=Area.objects.communes(),
        error_messages={"invalid_choice": _("Choose a commune from the list.")},
        help_text=_("The report goes at once to this commune's People's Committee."),
    )
    incident_place = forms.CharField(
        label=_("Place of the incident"),
        max_length=300,
        help_text=_("For example: a house number, a hamlet, the school gate."),
    )
    family_name = name_field(_("Family name"))
    middle_name = name_field(_("Middle name"))
    given_name = name_field(_("Given name"), help_text=_("Leave blank if not known."))
    sex = legal_choice(_("Sex"), Sex.choices, required_message=SEX_REQUIRED, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DATE_WIDGET, help_text=_("dd/mm/yyyy, if known.")
    )
    estimated_age_years = forms.IntegerField(
        label=_("Or the estimated age (years)"), min_value=0, max_value=17, required=False
    )
    condition = forms.CharField(
        label=_("The child's current condition"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    likely_harm = forms.CharField(
        label=_("What harm is likely without help?"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parents = forms.CharField(
        label=_("Parents (names, ages, occupations)"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    caregiver = forms.CharField(label=_("Who cares for the child now?"), max_length=300, required=False)
    actions_taken = forms.CharField(
        label=_("Actions already taken"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pregnant = forms.BooleanField(
        label=_("The child is a pregnant girl"),
        required=False,
        help_text=_("A pregnant girl under 16 is flagged for the prevention work of the unions."),
    )
    abandoned = forms.BooleanField(
        label=_("The child has been abandoned: the parents cannot be identified"),
        required=False,
        help_text=_("Opens the found-child pathway for this child as well."),
    )
    informant_consent = forms.BooleanField(
        label=_("The informant agrees that their identity is recorded"),
        required=False,
        help_text=_("Without this agreement, leave the informant's fields empty."),
    )
    informant_name = name_field(_("Informant's full name"), max_length=150)
    informant_phone = forms.CharField(label=_("Informant's phone"), max_length=30, required=False)
    informant_address = forms.CharField(label=_("Informant's address"), max_length=300, required=False)

    def __init__(self, *args, province: Area | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _province_commune(self, province, reverse("areas:commune_options"))

    def clean(self):
        data = super().clean()
        born = data.get("date_of_birth")
        if born and data.get("estimated_age_years") is not None:
            self.add_error("estimated_age_years", _("Give the date of birth or the estimated age, not both."))
        if born and born > clock.today():
            self.add_error("date_of_birth", _("The date of birth is in the future."))
        # The service's checks of the whole report, shown with the form's own at once.
        from haven.protection.services import report_problems

        informant = {k: (data.get(f"informant_{k}") or "").strip() for k in ("name", "phone", "address")}
        problems = report_problems(
            sex=data.get("sex", ""),
            pregnant=bool(data.get("pregnant")),
            date_of_birth=data.get("date_of_birth"),
            estimated_age_years=data.get("estimated_age_years"),
            informant_consent=bool(data.get("informant_consent")),
            informant=informant,
            names={},
        )
        for field, error in problems.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, error)
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("province", None)
        data.pop("website", None)
        informant = {key: data.pop(f"informant_{key}").strip() for key in ("name", "phone", "address")}
        data["informant"] = {k: v for k, v in informant.items() if v} or None
        return data


class PublicReportForm(ReportForm):
    """No login. The informant's section is optional and kept only with the box ticked."""

    informant_consent = forms.BooleanField(
        label=_("I agree that my name and phone are recorded so the commune can call me back"),
        required=False,
        help_text=_("Leave it unticked to report anonymously."),
    )
    informant_name = name_field(_("Your full name"), max_length=150)
    informant_phone = forms.CharField(label=_("Your phone"), max_length=30, required=False)
    informant_address = forms.CharField(label=_("Your address"), max_length=300, required=False)
    # Left empty by people; filled by bots.
    website = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


def _level_label(value: str | None) -> str:
    return str(dict(LEVELS).get(value, "")) if value else ""


def catalog_form(code: str, *, previous: dict[str, str]) -> type[forms.Form]:
    """A Django form for one catalogue form; each level starts at the previous score, which is also
    named in the help text so the worker sees what changed."""
    fields: dict[str, forms.Field] = {}
    for spec in FORMS[code].fields:
        if spec.kind == "level":
            before = _level_label(previous.get(spec.name))
            fields[spec.name] = forms.ChoiceField(
                label=spec.label,
                choices=LEVELS,
                widget=forms.RadioSelect,
                required=spec.required,
                initial=previous.get(spec.name),
                help_text=_("Last assessment: %(level)s") % {"level": before} if before else "",
            )
        elif spec.kind == "bool":
            fields[spec.name] = forms.BooleanField(label=spec.label, required=False)
        elif spec.kind == "date":
            fields[spec.name] = forms.DateField(
                label=spec.label, required=spec.required, widget=DATE_WIDGET, help_text=_("dd/mm/yyyy")
            )
        else:
            fields[spec.name] = forms.CharField(
                label=spec.label,
                required=spec.required,
                max_length=LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
    return type(f"Form{code}", (forms.Form,), fields)


class EmergencyForm(forms.Form):
    measures = forms.CharField(
        label=_("Emergency measures taken"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    separate = forms.BooleanField(
        label=_("The child is temporarily separated from the parents or caregiver"), required=False
    )
    shelter = forms.CharField(
        label=_("Safe shelter and alternative care"),
        max_length=300,
        required=False,
        help_text=_("Where the child stays and who cares for them (required for a separation)."),
    )
    separation_days = forms.IntegerField(
        label=_("Separation (days)"),
        min_value=1,
        max_value=365,
        initial=15,
        help_text=_("At most 15 days unless a decision extends it (Decree 56/2017 art. 32)."),
    )
    extension_decision = forms.CharField(
        label=_("Extension decision (number)"),
        max_length=100,
        required=False,
        validators=[validate_reference],
    )


class ApprovalForm(forms.Form):
    decision_number = forms.CharField(
        label=_("Number of the approval decision (Form 05)"), max_length=50, validators=[validate_reference]
    )
    participants = forms.CharField(
        label=_("Who took part in the meeting"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The responsible people, a residential-area representative, the parents or caregiver."),
    )


class ReturnPlanForm(forms.Form):
    reason = forms.CharField(
        label=_("What the plan needs"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the child is safe and stable"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReplanForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case is planned again"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtendSeparationForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=365)
    decision = forms.CharField(label=_("Number of the decision that extends the separation"), max_length=100)


class EndSeparationForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the separation ends"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the parents were assessed safe, or another decision."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case is reopened"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was closed in error, and how it was found. The reason is kept in the audit log."),
    )


class WithdrawReferralForm(forms.Form):
    referral = forms.ModelChoiceField(label=_("Referral"), queryset=Referral.objects.none())
    reason = forms.CharField(
        label=_("Why the referral is withdrawn"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the service is no longer needed, or nobody answered."),
    )

    def __init__(self, *args, referrals, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals.select_related("to_organisation")
        self.fields["referral"].label_from_instance = lambda r: (
            f"{r.get_service_display()} → {r.to_organisation} ({r.get_status_display()})"
        )


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Receiving organisation"), queryset=Organisation.objects.none()
    )
    service = forms.ChoiceField(label=_("Service asked"), choices=Service.choices)
    note = forms.CharField(
        label=_("What is asked"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent = forms.BooleanField(
        label=_("The child and the parent or caregiver consent to sharing this"),
        required=False,
        help_text=_("The receiver sees only the child's name, sex and age, the commune and this request."),
    )

    def __init__(self, *args, receivers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = receivers  # receivers.referral_receivers


class ReferralAnswerForm(forms.Form):
    outcome = forms.CharField(
        label=_("Reason or what was done"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject, and to report the service done."),
    )


class TransferForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Receiving commune"), queryset=Organisation.objects.none()
    )
    reason = forms.CharField(
        label=_("Why the case moves"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example, the child's new address."),
    )

    def __init__(self, *args, receivers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = receivers  # receivers.transfer_receivers


class WithdrawTransferForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the transfer is withdrawn"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the family did not move after all, or the other commune does not answer."),
    )


class TransferAnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("Accept the case")), ("0", _("Refuse"))],
    )
    reason = forms.CharField(
        label=_("Reason (required to refuse)"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
