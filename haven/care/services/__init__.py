"""Every write of family-like care, by sub-domain (HackSoft's "services/" package): the structure of a
facility, its rooms, placements, oversight, the register of families, and Form 16 decisions. Each
service is keyword-only, typed, takes the acting user, and is atomic and audited; the steps with a state
(a family, a placement, a decision) fire their table on the one workflow engine (care/workflow/).

Everything is importable from ``haven.care.services`` as before the split.
"""

from haven.care.authority import (
    facility_membership,
    holder_membership,
    managing_membership,
    monitoring_authority,
)
from haven.care.capacity import (
    age_band_breach,
    caseload_breach,
    group_breaches,
    room_breach,
    room_occupancy,
    special_needs,
)
from haven.care.services.common import not_future as _not_future
from haven.care.services.common import required as _required
from haven.care.services.common import start_of as _start_of
from haven.care.services.decisions import care_change_decide
from haven.care.services.families import (
    family_decide,
    family_handover,
    family_register,
    family_review,
    family_verify,
    family_withdraw,
    register_update_open,
)
from haven.care.services.oversight import incident_report, incident_reporter, inspection_record
from haven.care.services.placements import (
    CHILD_UNTIL_YEARS,
    CLOCKS,
    DECIDED_FAMILY_FORMS,
    FAMILY_CLOCKS,
    FAMILY_PLAN_BEFORE_MONTHS,
    FROM_FOUNDLING_PLACEMENT,
    Carer,
    _carer,
    _current_carer,
    monitoring_visit,
    placement_end,
    placement_from_decision,
    placement_review,
    placement_start,
    placement_transfer,
)
from haven.care.services.rooms import room_add, room_assign, room_set
from haven.care.services.structure import (
    facility_register,
    group_add,
    group_age_band_set,
    group_places_set,
    home_add,
    principal_end,
    principal_of,
    principal_set,
    shift_assign,
    shift_end,
    staff_add,
    staff_deactivate,
)

__all__ = [
    "CHILD_UNTIL_YEARS",
    "CLOCKS",
    "DECIDED_FAMILY_FORMS",
    "FAMILY_CLOCKS",
    "FAMILY_PLAN_BEFORE_MONTHS",
    "FROM_FOUNDLING_PLACEMENT",
    "Carer",
    "_carer",
    "_current_carer",
    "_not_future",
    "_required",
    "_start_of",
    "age_band_breach",
    "care_change_decide",
    "caseload_breach",
    "facility_membership",
    "facility_register",
    "family_decide",
    "family_handover",
    "family_register",
    "family_review",
    "family_verify",
    "family_withdraw",
    "group_add",
    "group_age_band_set",
    "group_breaches",
    "group_places_set",
    "holder_membership",
    "home_add",
    "incident_report",
    "incident_reporter",
    "inspection_record",
    "managing_membership",
    "monitoring_authority",
    "monitoring_visit",
    "placement_end",
    "placement_from_decision",
    "placement_review",
    "placement_start",
    "placement_transfer",
    "principal_end",
    "principal_of",
    "principal_set",
    "register_update_open",
    "room_add",
    "room_assign",
    "room_breach",
    "room_occupancy",
    "room_set",
    "shift_assign",
    "shift_end",
    "special_needs",
    "staff_add",
    "staff_deactivate",
]
