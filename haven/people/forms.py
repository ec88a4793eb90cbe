"""Forms parse and check shape; the rules themselves live in services and rules.py."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.areas.models import Area
from haven.core import clock
from haven.people.models import ETHNICITY_CHOICES, CircumstanceGroup, Sex, SiblingKind

DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
)


class CommuneChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name


class ChildForm(forms.Form):
    family_name = forms.CharField(label=_("Family name"), max_length=50, required=False)
    middle_name = forms.CharField(label=_("Middle name"), max_length=50, required=False)
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=50,
        required=False,
        help_text=_("Leave blank if the child has not been named yet."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DATE_WIDGET, help_text=_("dd/mm/yyyy")
    )
    date_of_birth_estimated = forms.BooleanField(label=_("The date of birth is estimated"), required=False)
    place_of_birth = forms.CharField(label=_("Place of birth"), max_length=200, required=False)
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), choices=[("", _("Not known")), *ETHNICITY_CHOICES], required=False
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"),
        choices=[("VN", pgettext_lazy("nationality", "Vietnamese")), ("XX", _("Other or not known"))],
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
            Area.objects.communes().filter(parent_id=chosen)
            if chosen and str(chosen).isdigit()
            else Area.objects.none()
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
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The document or decision that establishes it."),
    )


class OpinionForm(forms.Form):
    heard_on = forms.DateField(label=_("Heard on"), widget=DATE_WIDGET, initial=clock.today)
    subject = forms.CharField(label=_("About"), max_length=200)
    opinion = forms.CharField(
        label=_("What the child said, in their words"), widget=forms.Textarea(attrs={"rows": 4})
    )


class SiblingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SiblingKind.choices)
