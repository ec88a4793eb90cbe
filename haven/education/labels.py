"""How the access log names school's events that are not a step of the enrolment table (audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "education.school_register": _("Registered a school"),
    "education.attendance": _("Attendance marked"),
    "education.absence_alert": _("Consecutive absences reported to the commune"),
    "education.home_visit": _("Home visit after absences recorded"),
    "education.school_move": _("Moved to another commune: to be enrolled there"),
    "education.inclusion_plan": _("Inclusion plan recorded"),
}


def register() -> None:
    from haven.audit import labels

    labels.LABELS.update(LABELS)
