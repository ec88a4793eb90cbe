"""Short forms made for a phone; they parse and check shape, the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.access.policy import Verb
from haven.access.scoping import granting
from haven.accounts.models import Organisation, Role, User
from haven.areas.models import Area
from haven.core import clock
from haven.core.limits import LONG_TEXT
from haven.foundlings.forms import DATETIME_WIDGET, Moment
from haven.people.forms import DATE_WIDGET, CommuneChoice, legal_choice, name_field
from haven.prevention.catalog import NEED_LEVELS, NEEDS, RISK_FACTORS
from haven.prevention.models import CloseReason, Coverage, Mode, Service, SupportStatus, Village, Wellbeing
from haven.prevention.receivers import service_providers


def flag_places(user: User) -> tuple[list[Area], list[Village]]:
    """The communes and villages the user may flag someone in: a collaborator's covered villages; the
    commune's own villages for a commune officer; any commune of the province for a hospital."""
    today = clock.localdate(clock.now())
    communes: dict[int, Area] = {}
    villages: dict[int, Village] = {}
    for m in granting(user, Verb.PREVENTION_RECORD):
        area = m.organisation.area
        if m.role == Role.SOCIAL_COLLABORATOR:
            for c in (
                Coverage.objects.in_force(today).filter(collaborator=user).select_related("village__commune")
            ):
                villages[c.village_id] = c.village
                communes[c.village.commune_id] = c.village.commune
        elif area.level == "commune":
            communes[area.pk] = area
            villages.update({v.pk: v for v in Village.objects.filter(commune=area, is_active=True)})
        else:
            province = area if area.level == "province" else None
            qs = Area.objects.communes()
            qs = qs.filter(parent=province) if province else qs
            communes.update({a.pk: a for a in qs})
    return sorted(communes.values(), key=lambda a: a.name), sorted(villages.values(), key=lambda v: v.name)


class VillageChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Village) -> str:
        return f"{obj.name} — {obj.commune.name}"


class FlagForm(forms.Form):
    family_name = name_field(_("Family name"), required=True)
    middle_name = name_field(_("Middle name"))
    given_name = name_field(_("Given name"), required=True)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900, max_value=2100)
    commune = CommuneChoice(
        label=_("Commune"),
        queryset=Area.objects.none(),
        error_messages={"invalid_choice": _("Choose a commune from the list.")},
    )
    village = VillageChoice(
        label=_("Village or residential group"),
        queryset=Village.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a village from the list.")},
    )
    household = forms.BooleanField(label=_("A household rather than one person"), required=False)
    pregnant = forms.BooleanField(label=_("Pregnant"), required=False)
    under_16 = forms.BooleanField(label=_("She is under 16"), required=False)
    suspected_violence = forms.BooleanField(label=_("Violence is suspected"), required=False)
    consent = forms.BooleanField(
        label=_("She has agreed that her situation is recorded"),
        required=False,
        help_text=_(
            "Without her agreement record only her name and where she lives; the first contact asks her."
        ),
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"), choices=RISK_FACTORS, required=False, widget=forms.CheckboxSelectMultiple
    )
    expected_delivery = forms.DateField(
        label=_("Expected date of delivery"), required=False, widget=DATE_WIDGET
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        communes, villages = flag_places(user)
        self.fields["commune"].queryset = Area.objects.filter(pk__in=[a.pk for a in communes]).order_by(
            "name"
        )
        self.fields["village"].queryset = (
            Village.objects.filter(pk__in=[v.pk for v in villages]).select_related("commune").order_by("name")
        )
        if len(communes) == 1:
            self.initial.setdefault("commune", communes[0].pk)

    def clean(self):
        data = super().clean()
        village = data.get("village")
        if village is not None and data.get("commune") is None:
            data["commune"] = village.commune
            self.errors.pop("commune", None)
        # The service's checks of the whole flag, shown with the form's own in one submit (D20).
        from haven.prevention.services import flag_problems

        problems = flag_problems(
            commune=data.get("commune"),
            village=village,
            family_name=data.get("family_name") or "-",
            middle_name=data.get("middle_name") or "",
            given_name=data.get("given_name") or "-",
            birth_year=data.get("birth_year"),
            under_16=bool(data.get("under_16")),
            pregnant=bool(data.get("pregnant")),
            expected_delivery=data.get("expected_delivery"),
            risk_factors=data.get("risk_factors") or [],
            consent=bool(data.get("consent")),
            notes=data.get("notes") or "",
            now=clock.now(),
        )
        for field, errors in problems.errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, errors)
        return data


class ContactForm(forms.Form):
    at = Moment(label=_("When"), widget=DATETIME_WIDGET)
    mode = forms.ChoiceField(
        label=_("How"), choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.HOME
    )
    consent = forms.TypedChoiceField(
        label=_("Does she agree to be followed and to her situation being recorded?"),
        choices=[("1", _("Yes, she agrees")), ("0", _("No, she declines"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    wellbeing = forms.ChoiceField(label=_("How she is"), choices=Wellbeing.choices, widget=forms.RadioSelect)
    expected_delivery = forms.DateField(
        label=_("Expected date of delivery"), required=False, widget=DATE_WIDGET
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"), choices=RISK_FACTORS, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("at", clock.now())
        if person is not None:
            # What the flag recorded is shown, so that the form keeps it (walkthrough D8: the risk
            # factors, the due date and the notes were wiped by a first contact that did not show them).
            from haven.prevention.services import notes_of

            self.initial.setdefault("risk_factors", list(person.risk_factors))
            self.initial.setdefault("expected_delivery", person.expected_delivery)
            self.initial.setdefault("notes", notes_of(person))


class AssessForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in NEEDS:
            self.fields[f"need_{code}"] = forms.ChoiceField(
                label=label, choices=NEED_LEVELS, widget=forms.RadioSelect, initial="none"
            )


class ReferForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), choices=Service.choices)
    provider = forms.CharField(
        label=_("Provider"), max_length=200, help_text=_("For example: the commune health station.")
    )
    to_organisation = forms.ModelChoiceField(
        label=_("Provider in Haven (told at once)"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave empty for a provider outside Haven."),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = service_providers(person)


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Was it delivered?"),
        choices=[
            (SupportStatus.DELIVERED, _("Delivered")),
            (SupportStatus.NOT_DELIVERED, _("Not delivered")),
        ],
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=_("What came of it"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanForm(forms.Form):
    note = forms.CharField(
        label=_("The plan agreed with her"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisitForm(forms.Form):
    at = Moment(label=_("When"), widget=DATETIME_WIDGET)
    mode = forms.ChoiceField(
        label=_("How"), choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.HOME
    )
    wellbeing = forms.ChoiceField(label=_("How she is"), choices=Wellbeing.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("at", clock.now())


class BirthForm(forms.Form):
    born_on = forms.DateField(label=_("Date of birth"), widget=DATE_WIDGET)
    sex = legal_choice(
        _("Sex"),
        [("female", _("Female")), ("male", _("Male"))],
        required_message=_("Choose the baby's sex."),
        widget=forms.RadioSelect,
    )
    given_name = name_field(_("The baby's given name (if chosen)"))
    wellbeing = forms.ChoiceField(
        label=_("How the mother and the baby are"), choices=Wellbeing.choices, widget=forms.RadioSelect
    )


class PapersForm(forms.Form):
    birth_registered_on = forms.DateField(label=_("Birth registered on"), required=False, widget=DATE_WIDGET)
    residence_registered_on = forms.DateField(
        label=_("Residence registered on"), required=False, widget=DATE_WIDGET
    )
    insurance_issued_on = forms.DateField(
        label=_("Health-insurance card issued on"), required=False, widget=DATE_WIDGET
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class AbandonedForm(forms.Form):
    found_at = Moment(label=_("When the baby was found or left"), widget=DATETIME_WIDGET)
    found_place = forms.CharField(label=_("Where"), max_length=300)
    condition = forms.CharField(
        label=_("The baby's condition"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    closed_as = forms.ChoiceField(
        label=_("Why the record closes"),
        choices=[c for c in CloseReason.choices if c[0] != CloseReason.ABANDONED],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class UpdateForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("Village or residential group"), queryset=Village.objects.none(), required=False
    )
    pregnant = forms.TypedChoiceField(
        label=_("Pregnant"),
        choices=[("", _("No change")), ("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    expected_delivery = forms.DateField(
        label=_("Expected date of delivery"), required=False, widget=DATE_WIDGET
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["village"].queryset = Village.objects.filter(commune=person.commune, is_active=True)
            self.initial.setdefault("village", person.village_id)
            self.initial.setdefault("pregnant", "1" if person.pregnant else "0")
            self.initial.setdefault("expected_delivery", person.expected_delivery)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class VillageForm(forms.Form):
    name = forms.CharField(label=_("New village or residential group"), max_length=100)


class CoverageForm(forms.Form):
    collaborator = forms.ModelChoiceField(label=_("Collaborator"), queryset=User.objects.none())
    village = forms.ModelChoiceField(label=_("Village or residential group"), queryset=Village.objects.none())

    def __init__(self, *args, commune: Area, collaborators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collaborator"].queryset = User.objects.filter(pk__in=[u.pk for u in collaborators])
        self.fields["village"].queryset = Village.objects.filter(commune=commune, is_active=True)
