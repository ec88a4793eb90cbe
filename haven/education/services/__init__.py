"""Every write of school for every child: schools, enrolments, attendance, inclusion."""

from haven.education.services.attendance import Line, absence_visit, attendance_record
from haven.education.services.enrolments import (
    enrolment_admit,
    enrolment_decline,
    enrolment_leave,
    enrolment_record,
    enrolment_request,
)
from haven.education.services.inclusion import inclusion_plan_record
from haven.education.services.schools import school_register

__all__ = [
    "Line",
    "absence_visit",
    "attendance_record",
    "enrolment_admit",
    "enrolment_decline",
    "enrolment_leave",
    "enrolment_record",
    "enrolment_request",
    "inclusion_plan_record",
    "school_register",
]
