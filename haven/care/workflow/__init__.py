"""Family-like care as three tables on the one workflow engine (haven/workflow): for each step, the
states it leaves and enters, who may take it, what it requires (named guards), which clocks it stops
and starts, and whom it tells.

- The family (Decree 56/2017 art. 41; Circular 14/2020 Forms 08, 11, 12; Law on Children art. 64):
  registered → verified or not eligible → chosen for a child (Form 12) → handed the child → its care
  ended; removed from the register at the quarterly update.
- The placement (Law on Children art. 47(4), 62, 68): it begins when a facility admits a child, a child
  moves into a group, or a family takes the child; it is reviewed, visited and given a room; it ends
  when the child moves, leaves for a family, leaves care, or by decision (Form 16).
- The Form 16 decision (Law on Children art. 69; Decree 56/2017 art. 48(2)).

A room is not a record with a state: assigning a child's room is a step of the child's placement.
"""

from haven.care.workflow.decisions import DECISION_TRANSITIONS, DECISIONS
from haven.care.workflow.families import (
    CHOOSABLE,
    FAMILIES,
    FAMILY_TRANSITIONS,
    IN_CARE,
    NOT_CHOSEN,
    NOT_ON_REGISTER,
    WITHDRAWN_BACK_TO,
)
from haven.care.workflow.placements import PLACEMENT_TRANSITIONS, PLACEMENTS
from haven.care.workflow.roles import (
    CHILD_UNTIL_YEARS,
    DECIDED_FAMILY_FORMS,
    DECIDERS,
    FACILITY_STAFF,
    HOLDERS,
    start_of,
)

__all__ = [
    "CHILD_UNTIL_YEARS",
    "CHOOSABLE",
    "DECIDED_FAMILY_FORMS",
    "DECIDERS",
    "DECISIONS",
    "DECISION_TRANSITIONS",
    "FACILITY_STAFF",
    "FAMILIES",
    "FAMILY_TRANSITIONS",
    "HOLDERS",
    "IN_CARE",
    "NOT_CHOSEN",
    "NOT_ON_REGISTER",
    "PLACEMENTS",
    "PLACEMENT_TRANSITIONS",
    "WITHDRAWN_BACK_TO",
    "start_of",
]
