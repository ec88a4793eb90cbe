"""Forms of family-like care: they parse and check shape; services.py holds the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.care.models import (
    CareForm,
    FamilyKind,
    IncidentKind,
    ManagementLevel,
    Ownership,
    PrincipalCaregiver,
    Room,
    Shift,
    ShiftAssignment,
    SmallGroup,
    Staff,
    StaffKind,
)
from haven.care.ratios import AGE_BAND_CHOICES
from haven.core import clock
from haven.core.limits import LONG_TEXT
from haven.people.forms import DATE_WIDGET, name_field
from haven.people.rules import validate_reference

REASON = forms.TextInput(attrs={"maxlength": 300})


class ChildChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        born = obj.date_of_birth.strftime("%d/%m/%Y") if obj.date_of_birth else "?"
        return f"{obj.full_name or obj} ({born})"


class PlaceForm(forms.Form):
    """Admission into a small group."""

    child = ChildChoice(
        label=_("Child"),
        queryset=None,
        help_text=_("Children your facility has taken in and who have no current placement."),
        error_messages={"invalid_choice": _("Choose a child from the list.")},
    )
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        required=False,
        help_text=_("Where the child sleeps. A room never holds more children than its places."),
    )
    started_on = forms.DateField(label=_("From"), widget=DATE_WIDGET, initial=clock.today)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON)
    override_reason = forms.CharField(
        label=_("Override: why the child must be placed in this group although it is full or for other ages"),
        max_length=300,
        required=False,
        help_text=_("Only the facility's director may override. The placement is then shown as overload."),
    )

    def __init__(self, *args, children, can_override: bool, rooms=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        if rooms is not None:
            self.fields["room"].queryset = rooms
        if not can_override:
            del self.fields["override_reason"]


class TransferForm(forms.Form):
    # A family takes a child only by the chairman's decision (Form 12, on the families pages).
    form = forms.ChoiceField(
        label=_("New form of care"),
        choices=[(CareForm.FACILITY_GROUP.value, CareForm.FACILITY_GROUP.label)],
        help_text=_("A family takes a child only by the commune chairman's decision (Form 12)."),
    )
    group = forms.ModelChoiceField(label=_("Small group"), queryset=SmallGroup.objects.none())
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)
    on = forms.DateField(label=_("Date of the move"), widget=DATE_WIDGET, initial=clock.today)
    reason = forms.CharField(label=_("Reason for the move"), max_length=300, widget=REASON)
    override_reason = forms.CharField(
        label=_("Override reason (director only)"), max_length=300, required=False
    )

    def __init__(self, *args, groups, can_override: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["room"].queryset = Room.objects.filter(home__groups__in=groups).distinct()
        if not can_override:
            del self.fields["override_reason"]


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Findings"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    needs_family = forms.BooleanField(label=_("The child needs a family (list on Form 14)"), required=False)
    family_plan = forms.CharField(
        label=_("Family-based plan"),
        max_length=300,
        required=False,
        help_text=_("For example: return to the grandparents, a foster family, adoption."),
    )


class EndForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, initial=clock.today)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON)


class FacilityForm(forms.Form):
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    licence_number = forms.CharField(
        label=_("Licence number"), max_length=60, validators=[validate_reference]
    )
    licence_issued_on = forms.DateField(label=_("Licence issued on"), widget=DATE_WIDGET)
    address = forms.CharField(label=_("Address"), max_length=300)
    management_level = forms.ChoiceField(label=_("Managed by"), choices=ManagementLevel.choices)


class HomeForm(forms.Form):
    name = forms.CharField(label=_("Name of the home"), max_length=120)


AGE_BANDS = [("", _("Mixed ages")), *AGE_BAND_CHOICES]


class GroupForm(forms.Form):
    home = forms.ModelChoiceField(label=_("Home"), queryset=None)
    name = forms.CharField(label=_("Name of the group"), max_length=120)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=50)
    age_band = forms.ChoiceField(
        label=_("Ages"),
        choices=AGE_BANDS,
        required=False,
        help_text=_("A child of other ages is placed here only with the director's recorded override."),
    )


class AgeBandForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Small group"), queryset=SmallGroup.objects.none())
    age_band = forms.ChoiceField(label=_("Ages"), choices=AGE_BANDS, required=False)


class StaffForm(forms.Form):
    full_name = name_field(_("Full name"), max_length=150, required=True)
    kind = forms.ChoiceField(label=_("Position"), choices=StaffKind.choices)


class ShiftForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Caregiver"), queryset=Staff.objects.none())
    group = forms.ModelChoiceField(label=_("Small group"), queryset=SmallGroup.objects.none())
    shift = forms.ChoiceField(label=_("Shift"), choices=Shift.choices)
    started_on = forms.DateField(label=_("From"), widget=DATE_WIDGET, initial=clock.today)


class PrincipalForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Small group"), queryset=SmallGroup.objects.none())
    staff = forms.ModelChoiceField(label=_("Principal caregiver"), queryset=Staff.objects.none())
    started_on = forms.DateField(label=_("From"), widget=DATE_WIDGET, initial=clock.today)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False, widget=REASON)


class _AssignmentChoice(forms.ModelChoiceField):
    """A shift assignment or a principal caregiver, named by person and group (and shift)."""

    def label_from_instance(self, obj) -> str:
        shift = f" · {obj.get_shift_display()}" if hasattr(obj, "shift") else ""
        return f"{obj.staff} · {obj.group}{shift}"


class ShiftEndForm(forms.Form):
    assignment = _AssignmentChoice(label=_("Shift assignment"), queryset=ShiftAssignment.objects.none())
    ended_on = forms.DateField(label=_("To"), widget=DATE_WIDGET, initial=clock.today)


class StaffLeaveForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=Staff.objects.none())
    ended_on = forms.DateField(label=_("Left on"), widget=DATE_WIDGET, initial=clock.today)


class PlacesForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Small group"), queryset=SmallGroup.objects.none())
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=50)


class PrincipalEndForm(forms.Form):
    principal = _AssignmentChoice(label=_("Principal caregiver"), queryset=PrincipalCaregiver.objects.none())
    ended_on = forms.DateField(label=_("To"), widget=DATE_WIDGET, initial=clock.today)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE_WIDGET, initial=clock.today)
    living_conditions = forms.CharField(
        label=_("Living conditions"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    health = forms.CharField(
        label=_("Physical and mental health"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    schooling = forms.CharField(
        label=_("Schooling"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    integration = forms.CharField(
        label=_("Integration"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    proposal = forms.CharField(
        label=_("Proposal"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A change of the form of care or of the caregiver, if needed."),
    )


class FamilyForm(forms.Form):
    """Form 08 (a non-kin family) or a relative's notification."""

    kind = forms.ChoiceField(label=_("Kind"), choices=FamilyKind.choices)
    relative_of = ChildChoice(
        label=_("Relative of the child"),
        queryset=None,
        required=False,
        help_text=_("For relatives only: the child they are related to."),
    )
    relationship = forms.CharField(label=_("Relationship to the child"), max_length=60, required=False)
    applicant_name = name_field(_("Applicant's full name"), max_length=150, required=True)
    applicant_born_on = forms.DateField(label=_("Applicant's date of birth"), widget=DATE_WIDGET)
    address = forms.CharField(label=_("Address"), max_length=300)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    household = forms.CharField(
        label=_("Household members"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    economic_conditions = forms.CharField(
        label=_("Economic conditions"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    housing = forms.CharField(
        label=_("Housing"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    health_certificate_on = forms.DateField(
        label=_("Health certificate issued on"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Required for a non-kin family: issued within the last 6 months."),
    )
    household_consent = forms.BooleanField(label=_("All household members agree"), required=False)
    no_abuse_record = forms.BooleanField(
        label=_("No household member has been prosecuted or sanctioned for abusing a child"), required=False
    )

    def __init__(self, *args, children, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relative_of"].queryset = children


class VerifyForm(forms.Form):
    eligible = forms.BooleanField(label=_("The family meets the conditions"), required=False)
    note = forms.CharField(
        label=_("Verification (Form 11)"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(forms.Form):
    child = ChildChoice(label=_("Child"), queryset=None)
    decision_number = forms.CharField(
        label=_("Decision number (Form 12)"), max_length=60, validators=[validate_reference]
    )

    def __init__(self, *args, children, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children


class WithdrawDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the decision is withdrawn"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: the family no longer agrees to take the child, or its circumstances have changed."
        ),
    )


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    description = forms.CharField(
        label=_("What happened"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    actions_taken = forms.CharField(
        label=_("Actions taken"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InspectionForm(forms.Form):
    """One result per checklist item (care/checklist.py), then the findings."""

    inspected_on = forms.DateField(label=_("Inspected on"), widget=DATE_WIDGET, initial=clock.today)

    def __init__(self, *args, **kwargs) -> None:
        from haven.care import checklist

        super().__init__(*args, **kwargs)
        for item in checklist.ITEMS:
            self.fields[f"item_{item.code}"] = forms.ChoiceField(
                label=item.text,
                choices=checklist.RESULTS,
                widget=forms.RadioSelect,
                help_text=item.legal_basis,
            )
        self.fields["findings"] = forms.CharField(
            label=_("Findings and what must be put right"),
            required=False,
            max_length=LONG_TEXT,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def service_fields(self) -> dict:
        d = self.cleaned_data
        results = {name.removeprefix("item_"): value for name, value in d.items() if name.startswith("item_")}
        return {"inspected_on": d["inspected_on"], "results": results, "findings": d["findings"]}


class RoomForm(forms.Form):
    home = forms.ModelChoiceField(label=_("Home"), queryset=None)
    name = forms.CharField(label=_("Name of the room"), max_length=120)
    places = forms.IntegerField(label=_("Places (beds)"), min_value=1, max_value=50)
    group = forms.ModelChoiceField(
        label=_("Group using the room"), queryset=SmallGroup.objects.none(), required=False
    )


class RoomSetForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    places = forms.IntegerField(label=_("Places (beds)"), min_value=1, max_value=50)
    group = forms.ModelChoiceField(
        label=_("Group using the room"), queryset=SmallGroup.objects.none(), required=False
    )


class RoomAssignForm(forms.Form):
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, help_text=_("Empty: no room.")
    )
    override_reason = forms.CharField(
        label=_("Override reason (director only)"), max_length=300, required=False
    )

    def __init__(self, *args, rooms, can_override: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        if not can_override:
            del self.fields["override_reason"]


class DecisionForm(forms.Form):
    """Form 16: end or change a child's alternative care."""

    ground = forms.ChoiceField(label=_("Ground"), choices=())
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=60, validators=[validate_reference]
    )
    on = forms.DateField(label=_("Takes effect on"), widget=DATE_WIDGET, initial=clock.today)
    note = forms.CharField(
        label=_("Facts and reasons"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    form = forms.ChoiceField(
        label=_("Next form of care"),
        required=False,
        choices=[
            ("", _("None: the child returns to the parents")),
            (CareForm.KIN.value, CareForm.KIN.label),
            (CareForm.FOSTER.value, CareForm.FOSTER.label),
            (CareForm.FACILITY_GROUP.value, CareForm.FACILITY_GROUP.label),
        ],
    )
    family = forms.ModelChoiceField(label=_("Family (kinship or foster care)"), queryset=None, required=False)
    group = forms.ModelChoiceField(
        label=_("Small group (facility care)"), queryset=SmallGroup.objects.none(), required=False
    )

    def __init__(self, *args, families, groups, **kwargs) -> None:
        from haven.care import termination

        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = termination.choices()
        self.fields["family"].queryset = families
        self.fields["group"].queryset = groups


class FamilyReviewForm(forms.Form):
    keep = forms.TypedChoiceField(
        label=_("Quarterly update of the register"),
        choices=[("1", _("Still willing and able: confirm")), ("0", _("Remove from the register"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for removal"), max_length=300, required=False, widget=REASON)
