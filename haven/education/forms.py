"""Forms of school for every child: they parse and check shape; the services and the workflow's guards
hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core import clock
from haven.core.limits import LONG_TEXT
from haven.education import ages
from haven.education.ages import AgeBasis, Level
from haven.education.models import EndReason, Mode, School
from haven.people.forms import DATE_WIDGET

NOTE = forms.TextInput(attrs={"maxlength": 300})
DAY_HELP = _("dd/mm/yyyy")


class SchoolChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: School) -> str:
        return f"{obj.organisation.name} — {obj.organisation.area.name}"


def year_choices() -> list[tuple[int, str]]:
    year = ages.school_year_of(clock.today())
    return [(y, f"{y}–{y + 1}") for y in (year, year + 1)]


def _blank(choices) -> list:
    return [("", "—"), *choices]


class AgeDecisionMixin(forms.Form):
    age_basis = forms.ChoiceField(
        label=_("Basis for an older-than-standard age"),
        choices=_blank(AgeBasis.choices),
        required=False,
        help_text=_(
            "Only when the child is older than the standard age for the grade "
            "(Law on Education 2019 art. 28(2)(b))."
        ),
    )
    age_decided_by = forms.CharField(
        label=_("Decided by (for a first grade more than 3 years late)"),
        max_length=200,
        required=False,
        widget=NOTE,
    )
    age_decision = forms.CharField(
        label=_("Decision number and date"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 100}),
    )


class EnrolmentForm(forms.Form):
    school = SchoolChoice(queryset=School.objects.none(), label=_("School"), empty_label="—")
    school_year = forms.TypedChoiceField(label=_("School year"), coerce=int, choices=())
    level = forms.ChoiceField(label=_("Level"), choices=_blank(Level.choices))
    grade = forms.IntegerField(
        label=_("Grade"),
        min_value=0,
        max_value=12,
        help_text=_("1 to 12; for preschool, the class by age: 3, 4 or 5."),
    )

    def __init__(self, *args, schools=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()
        self.fields["school_year"].choices = year_choices()


class RequestForm(EnrolmentForm):
    note = forms.CharField(label=_("Note for the school"), max_length=300, required=False, widget=NOTE)


class RecordForm(EnrolmentForm, AgeDecisionMixin):
    started_on = forms.DateField(label=_("First day at school"), widget=DATE_WIDGET, help_text=DAY_HELP)
    class_name = forms.CharField(label=_("Class"), max_length=20, required=False)


class AdmitForm(AgeDecisionMixin):
    started_on = forms.DateField(label=_("First day at school"), widget=DATE_WIDGET, help_text=DAY_HELP)
    class_name = forms.CharField(label=_("Class"), max_length=20, required=False)
    field_order = ["started_on", "class_name", "age_basis", "age_decided_by", "age_decision"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the school does not admit the child"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LeaveForm(forms.Form):
    ended_on = forms.DateField(
        label=_("First day no longer at this school"), widget=DATE_WIDGET, help_text=DAY_HELP
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=_blank(EndReason.choices))


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Day of the visit"), widget=DATE_WIDGET, help_text=DAY_HELP)
    note = forms.CharField(
        label=_("What the visit found"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance file (CSV or XLSX)"),
        help_text=_(
            "Columns: enrolment number, date (dd/mm/yyyy), mark (C present, M late, P absent with leave, K "
            "absent without leave). Download the class list below to fill it in."
        ),
    )
    partial = forms.BooleanField(
        label=_("If some lines have problems, save the other lines anyway"), required=False
    )


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET, help_text=DAY_HELP)


class SchoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    commune = forms.ModelChoiceField(queryset=None, label=_("Commune"), empty_label="—")
    code = forms.CharField(label=_("Official school code"), max_length=20)
    first_level = forms.ChoiceField(label=_("Lowest level taught"), choices=_blank(Level.choices))
    last_level = forms.ChoiceField(label=_("Highest level taught"), choices=_blank(Level.choices))
    public = forms.BooleanField(label=_("Public school"), required=False, initial=True)
    monthly_fee = forms.IntegerField(
        label=_("Tuition fee (đồng a month)"),
        required=False,
        min_value=1,
        max_value=100_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("A private school only: the state's tuition support is at most this fee."),
    )

    def __init__(self, *args, communes=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from haven.areas.models import Area

        self.fields["commune"].queryset = Area.objects.filter(pk__in=[c.pk for c in communes or []]).order_by(
            "name"
        )
        self.fields["commune"].label_from_instance = lambda a: a.name


class PlanForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Form of education chosen by the guardian"), choices=_blank(Mode.choices)
    )
    chosen_by = forms.CharField(label=_("Chosen by (parent or guardian)"), max_length=150)
    plan_reference = forms.CharField(label=_("Individual education plan (reference)"), max_length=100)
    review_on = forms.DateField(label=_("Review the plan by"), widget=DATE_WIDGET, help_text=DAY_HELP)
    accommodations = forms.CharField(
        label=_("Accommodations needed (sign language, Braille, equipment...)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )
