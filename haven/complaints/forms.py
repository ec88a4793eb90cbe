"""Forms of complaints: they parse and check shape; the services hold the rules (and say every problem
at once, in Vietnamese, with nothing saved)."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from haven.areas.models import Area
from haven.complaints.models import Category, Channel, Outcome
from haven.core import clock
from haven.core.limits import LONG_TEXT
from haven.lib.ids import as_id
from haven.people.forms import DATE_WIDGET, CommuneChoice, legal_choice, name_field
from haven.people.models import Sex
from haven.people.rules import validate_reference

TEXT = forms.Textarea(attrs={"rows": 4})
CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.SYSTEM]


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_WIDGET, help_text=_("dd/mm/yyyy"), **kwargs)


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return str(obj)


def _category() -> CategoryChoice:
    return CategoryChoice(
        label=_("What it is about"),
        queryset=Category.objects.filter(active=True),
        empty_label=_("— choose —"),
        error_messages={
            "required": _("Choose what the complaint is about from the list."),
            "invalid_choice": _("Choose what the complaint is about from the list."),
        },
    )


class ComplainantFields(forms.Form):
    complainant_name = name_field(
        _("Complainant's full name"),
        max_length=150,
        help_text=_(
            "Leave the name, telephone and address empty for an anonymous message: it is recorded "
            "as feedback."
        ),
    )
    complainant_phone = forms.CharField(label=_("Telephone"), max_length=30, required=False)
    complainant_address = forms.CharField(label=_("Address"), max_length=300, required=False)


class ReceiveForm(ComplainantFields):
    """A complaint received at the commune's desk, by post or by telephone."""

    category = _category()
    content = forms.CharField(label=_("What the complaint says"), max_length=LONG_TEXT, widget=TEXT)
    feedback = forms.BooleanField(
        label=_("Record it as feedback or a petition, not as a complaint"),
        required=False,
        help_text=_(
            "A complaint asks for a decision to be reviewed and has a second level; feedback is answered."
        ),
    )
    received_on = _date(_("Received on"))
    channel = forms.ChoiceField(label=_("How it was received"), choices=CHANNELS, initial=Channel.COUNTER)
    about_officer = forms.ModelChoiceField(
        label=_("The officer it is about"),
        queryset=None,
        required=False,
        empty_label=_("— nobody named —"),
        help_text=_(
            "Only for a complaint about an officer's conduct. That officer will not see the complaint."
        ),
    )
    remote_area = forms.BooleanField(
        label=_("The commune is a remote area with difficult travel (longer time limits)"), required=False
    )
    reveals_harm = forms.BooleanField(
        label=_("The complaint says that a child is being harmed"),
        required=False,
        help_text=_("You can then open a child-protection case from the complaint."),
    )

    def __init__(self, *args, officers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from haven.accounts.models import User

        self.fields["about_officer"].queryset = officers if officers is not None else User.objects.none()
        self.fields["about_officer"].label_from_instance = lambda u: u.get_full_name() or u.username
        if not self.is_bound:
            self.initial.setdefault("received_on", clock.today())


class PublicComplaintForm(ComplainantFields):
    """No login: a complaint or feedback sent to a commune; anonymous if no name is given."""

    province = forms.ModelChoiceField(label=_("Province"), queryset=Area.objects.provinces(), required=False)
    commune = CommuneChoice(
        label=_("Commune"),
        queryset=Area.objects.communes(),
        error_messages={
            "required": _("Choose the commune the complaint is lodged with."),
            "invalid_choice": _("Choose a commune from the list."),
        },
        help_text=_("The commune's People's Committee receives it."),
    )
    category = _category()
    content = forms.CharField(label=_("What you want to say"), max_length=LONG_TEXT, widget=TEXT)
    reveals_harm = forms.BooleanField(
        label=_("A child is being harmed"),
        required=False,
        help_text=_("If the child is in danger now, call 111, the national child protection hotline."),
    )
    # Left empty by people; filled by bots.
    website = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The communes of the province chosen (htmx fills the list when the province changes); a post
        # without a province is checked against every commune.
        chosen = as_id(self.data.get("province")) if self.is_bound else None
        if chosen:
            self.fields["commune"].queryset = Area.objects.communes().filter(parent_id=chosen)
        elif not self.is_bound:
            self.fields["commune"].queryset = Area.objects.none()
        self.fields["province"].widget.attrs.update(
            {"hx-get": reverse("areas:commune_options"), "hx-target": "#id_commune", "hx-trigger": "change"}
        )


class AcceptForm(forms.Form):
    accepted_on = _date(_("Accepted on"))
    remote_area = forms.BooleanField(
        label=_("The commune is a remote area with difficult travel (45 days instead of 30)"), required=False
    )


class RefuseForm(forms.Form):
    decided_on = _date(_("Date of the written reply"))
    reasons = forms.CharField(label=_("Why it is not accepted"), max_length=LONG_TEXT, widget=TEXT)


class ExtendForm(forms.Form):
    reason = forms.CharField(label=_("Why the case is complicated"), max_length=LONG_TEXT, widget=TEXT)


class SettleForm(forms.Form):
    decision_number = forms.CharField(
        label=_("Decision number"),
        max_length=60,
        validators=[validate_reference],
        help_text=_("For example 12/QĐ-UBND"),
    )
    decided_on = _date(_("Decision date"))
    outcome = legal_choice(
        _("Outcome"),
        Outcome.choices,
        required_message=_("Say whether the complaint is right, partly right or wrong."),
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("What the decision concludes and orders"), max_length=LONG_TEXT, widget=TEXT
    )


class AppealForm(forms.Form):
    appealed_on = _date(_("Lodged with the province on"))
    note = forms.CharField(
        label=_("Note"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AppealAcceptForm(forms.Form):
    accepted_on = _date(_("Accepted on"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("What the complainant said"), max_length=LONG_TEXT, widget=TEXT)


class AnswerForm(forms.Form):
    answered_on = _date(_("Answered on"))
    answer = forms.CharField(
        label=_("What was checked and done, and the answer given"), max_length=LONG_TEXT, widget=TEXT
    )


class OpenProtectionForm(forms.Form):
    """Form 01's facts, from what the complaint revealed (the child's identity when it is not linked)."""

    incident_place = forms.CharField(label=_("Place of the incident"), max_length=300)
    condition = forms.CharField(label=_("The child's current condition"), max_length=LONG_TEXT, widget=TEXT)
    likely_harm = forms.CharField(
        label=_("What harm is likely without help?"), max_length=LONG_TEXT, widget=TEXT
    )
    family_name = name_field(_("Family name"))
    middle_name = name_field(_("Middle name"))
    given_name = name_field(_("Given name"))
    sex = legal_choice(
        _("Sex"), Sex.choices, required_message=_("Choose the child's sex."), widget=forms.RadioSelect
    )
    estimated_age_years = forms.IntegerField(
        label=_("Estimated age (years)"), min_value=0, max_value=17, required=False
    )

    def __init__(self, *args, child=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if child is not None:
            # The complaint names the child: the report is about that child.
            for name in ("family_name", "middle_name", "given_name", "sex", "estimated_age_years"):
                del self.fields[name]


class CaseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.child} — {obj.get_state_display()} ({obj.received_at:%d/%m/%Y})"


class LinkProtectionForm(forms.Form):
    case = CaseChoice(
        label=_("Child-protection case"),
        queryset=None,
        error_messages={
            "required": _("Choose a child-protection case you can see."),
            "invalid_choice": _("Choose a child-protection case you can see."),
        },
    )

    def __init__(self, *args, cases=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from haven.protection.models import ProtectionCase

        self.fields["case"].queryset = cases if cases is not None else ProtectionCase.objects.none()
