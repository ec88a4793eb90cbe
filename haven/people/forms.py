"""Forms parse and check shape; the rules themselves live in services and rules.py."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.areas.models import Area
from haven.core import clock
from haven.core.limits import LONG_TEXT
from haven.lib.ids import as_id
from haven.people.models import ETHNICITY_CHOICES, CircumstanceGroup, Sex, SiblingKind
from haven.people.rules import validate_name

DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
)


def legal_choice(label, choices, *, required_message, widget=None, **kwargs) -> forms.ChoiceField:
    """A legal fact (sex, nationality...) the person entering it must choose: nothing is preselected, a
    list starts with an empty option, and leaving it says what is missing (walkthrough D4: a form that
    defaulted to "Nam" registered a girl as a boy)."""
    radio = isinstance(widget, forms.RadioSelect) or widget is forms.RadioSelect
    return forms.ChoiceField(
        label=label,
        choices=list(choices) if radio else [("", _("— Choose —")), *choices],
        widget=widget or forms.Select,
        error_messages={"required": required_message, "invalid_choice": required_message},
        **kwargs,
    )


def name_field(label, *, required: bool = False, max_length: int = 50, **kwargs) -> forms.CharField:
    """A person's legal name, checked where it is typed by the rules of the population register and
    more (haven.people.rules.name_problem); the services check it again, for the API."""
    return forms.CharField(
        label=label, max_length=max_length, required=required, validators=[validate_name], **kwargs
    )


SEX_REQUIRED = _("Choose the child's sex.")


class CommuneChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name


class ChildForm(forms.Form):
    family_name = name_field(_("Family name"))
    middle_name = name_field(_("Middle name"))
    given_name = name_field(_("Given name"), help_text=_("Leave blank if the child has not been named yet."))
    sex = legal_choice(_("Sex"), Sex.choices, required_message=SEX_REQUIRED)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DATE_WIDGET, help_text=_("dd/mm/yyyy")
    )
    date_of_birth_estimated = forms.BooleanField(label=_("The date of birth is estimated"), required=False)
    place_of_birth = forms.CharField(label=_("Place of birth"), max_length=200, required=False)
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), choices=[("", _("Not known")), *ETHNICITY_CHOICES], required=False
    )
    nationality = legal_choice(
        _("Nationality"),
        [("VN", pgettext_lazy("nationality", "Vietnamese")), ("XX", _("Other or not known"))],
        required_message=_("Choose the child's nationality."),
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Area.objects.provinces(), required=False)
    current_commune = CommuneChoice(
        label=_("Current commune"),
        queryset=Area.objects.communes(),
        error_messages={"invalid_choice": _("Choose a commune from the list.")},
    )
    pin = forms.CharField(
        label=_("Personal identification number"),
        max_length=20,
        required=False,
        help_text=_("12 digits, if the child has one."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, province: Area | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.data.get("province") or (province.pk if province else None)
        self.fields["current_commune"].queryset = (
            Area.objects.communes().filter(parent_id=as_id(chosen)) if as_id(chosen) else Area.objects.none()
        )
        if province and not self.is_bound:
            self.initial.setdefault("province", province.pk)
        self.fields["province"].widget.attrs.update(
            {
                "hx-get": reverse("areas:commune_options"),
                "hx-target": "#id_current_commune",
                "hx-trigger": "change",
            }
        )

    def clean_current_commune(self):
        return self.cleaned_data["current_commune"]

    def clean(self):
        data = super().clean()
        # The PIN's own rules, shown with the form's other problems in one submit (walkthrough D20);
        # the service checks it again, against the record as saved.
        from django.core.exceptions import ValidationError

        from haven.people.rules import clean_pin

        pin = (data.get("pin") or "").strip()
        if pin and "pin" not in self.errors:
            try:
                clean_pin(
                    pin,
                    sex=data.get("sex") or "unknown",
                    date_of_birth=data.get("date_of_birth"),
                    estimated=bool(data.get("date_of_birth_estimated")),
                )
            except ValidationError as error:
                self.add_error("pin", error.error_dict["pin"])
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("province", None)
        return data


class CircumstanceForm(forms.Form):
    group = forms.ChoiceField(label=_("Group (Law on Children art. 10)"), choices=CircumstanceGroup.choices)
    subgroup = forms.CharField(label=_("Subgroup (Decree 56/2017)"), max_length=120, required=False)
    started_on = forms.DateField(label=_("From"), widget=DATE_WIDGET, initial=clock.today)
    ended_on = forms.DateField(
        label=_("Ended on"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("The first day it no longer applies; empty while it still does."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The document or decision that establishes it."),
    )


class OpinionForm(forms.Form):
    heard_on = forms.DateField(label=_("Heard on"), widget=DATE_WIDGET, initial=clock.today)
    subject = forms.CharField(label=_("About"), max_length=200)
    opinion = forms.CharField(
        label=_("What the child said, in their words"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SiblingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SiblingKind.choices)
