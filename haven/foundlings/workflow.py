"""The abandoned-child pathway as one table (vietnam-process.md §9a): for each action, the states it
leaves, the state it enters, who may take it, and which clocks it stops and starts.

Guards that need the case (a screening and a discovery record before temporary care, the child's view
from age 7 before a placement) live in services.py next to the action, named after the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from haven.accounts.models import Role
from haven.core.errors import Refused
from haven.foundlings.models import State

R = Role
COMMUNE_AUTHORITY = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN})
PLACE_OF_DISCOVERY = frozenset({R.HOSPITAL_SOCIAL_WORKER, R.COMMUNE_POLICE_OFFICER, *COMMUNE_AUTHORITY})
RECEIVERS = frozenset({R.FACILITY_DIRECTOR, R.HOSPITAL_SOCIAL_WORKER, *COMMUNE_AUTHORITY})
SYSTEM = frozenset()  # fired by the sweep or the register's answer, never by a person


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State | None  # None: the case stays in its state
    roles: frozenset[Role]
    closes: tuple[str, ...] = ()
    opens: tuple[str, ...] = field(default=())


S = State
OPEN_BEFORE_CARE = frozenset({S.REPORTED, S.ACKNOWLEDGED, S.HANDOVER_PENDING})

TRANSITIONS: dict[str, Transition] = {
    # Decree 123/2015 art. 14(1): the commune People's Committee or commune police is notified at once.
    "acknowledge": Transition(
        frozenset({S.REPORTED}),
        S.ACKNOWLEDGED,
        frozenset({*COMMUNE_AUTHORITY, R.COMMUNE_POLICE_OFFICER}),
        closes=("foundling.acknowledge",),
        opens=("foundling.record", "foundling.temporary_care"),
    ),
    # Notice 432 §2: initial care and health screening by the place of discovery.
    "screen": Transition(
        OPEN_BEFORE_CARE,
        None,
        frozenset({R.HOSPITAL_SOCIAL_WORKER, *COMMUNE_AUTHORITY}),
        closes=("foundling.screen",),
    ),
    # Decree 123/2015 art. 14(1): the biên bản, organised by the chairman or the commune police chief.
    "record": Transition(
        frozenset({S.ACKNOWLEDGED, S.HANDOVER_PENDING}),
        None,
        frozenset({*COMMUNE_AUTHORITY, R.COMMUNE_POLICE_OFFICER}),
        closes=("foundling.record",),
    ),
    "discharge": Transition(
        frozenset({*OPEN_BEFORE_CARE, S.TEMPORARY_CARE, S.NOTICE_PERIOD, S.NOTICE_EXPIRED}),
        None,
        frozenset({R.HOSPITAL_SOCIAL_WORKER}),
        opens=("foundling.hospital_discharge",),
    ),
    # Decree 123/2015 art. 14(1); Law on Adoption art. 15(2)(a): the commune decides temporary care.
    "decide_temporary_care": Transition(
        frozenset({S.ACKNOWLEDGED}),
        S.HANDOVER_PENDING,
        COMMUNE_AUTHORITY,
        closes=("foundling.temporary_care",),
        opens=("foundling.handover_answer",),
    ),
    "accept_handover": Transition(
        frozenset({S.HANDOVER_PENDING}),
        S.TEMPORARY_CARE,
        RECEIVERS,
        closes=("foundling.handover_answer",),
        opens=("foundling.post_notice",),
    ),
    # A refusal leaves the child with the sender, and the temporary-care clock runs again from T0.
    "refuse_handover": Transition(
        frozenset({S.HANDOVER_PENDING}),
        S.ACKNOWLEDGED,
        RECEIVERS,
        closes=("foundling.handover_answer",),
        opens=("foundling.temporary_care",),
    ),
    # Decree 123/2015 art. 14(2): 7 consecutive days at the commune People's Committee.
    "post_notice": Transition(
        frozenset({S.TEMPORARY_CARE}),
        S.NOTICE_PERIOD,
        COMMUNE_AUTHORITY,
        closes=("foundling.post_notice",),
        opens=("foundling.notice_period",),
    ),
    "notice_expire": Transition(
        frozenset({S.NOTICE_PERIOD}),
        S.NOTICE_EXPIRED,
        SYSTEM,
        closes=("foundling.notice_period",),
        opens=("foundling.register_birth",),
    ),
    # A claim stops the notice clock; a rejected claim resumes it where it was.
    "claim": Transition(
        frozenset({S.NOTICE_PERIOD}),
        S.CLAIMED,
        frozenset({*COMMUNE_AUTHORITY, R.COMMUNE_POLICE_OFFICER}),
        closes=("foundling.notice_period",),
        opens=("foundling.claim_decision",),
    ),
    "reunify": Transition(
        frozenset({S.CLAIMED}), S.REUNIFIED, COMMUNE_AUTHORITY, closes=("foundling.claim_decision",)
    ),
    "reject_claim": Transition(
        frozenset({S.CLAIMED}),
        S.NOTICE_PERIOD,
        COMMUNE_AUTHORITY,
        closes=("foundling.claim_decision",),
        opens=("foundling.notice_period",),
    ),
    # Decree 123/2015 art. 14(2)–(3): the civil-status officer registers the birth.
    "register_birth": Transition(
        frozenset({S.NOTICE_EXPIRED}),
        S.BIRTH_REGISTERED,
        frozenset({R.CIVIL_STATUS_OFFICER}),
        closes=("foundling.register_birth",),
        opens=("foundling.pin", "foundling.residence", "foundling.health_insurance", "foundling.allowance"),
    ),
    "pin_received": Transition(frozenset({S.BIRTH_REGISTERED}), None, SYSTEM, closes=("foundling.pin",)),
    # The register refused the birth: the civil-status officer corrects it and sends it again.
    "resend_pin": Transition(frozenset({S.BIRTH_REGISTERED}), None, frozenset({R.CIVIL_STATUS_OFFICER})),
    "record_health_insurance": Transition(
        frozenset({S.BIRTH_REGISTERED}),
        None,
        frozenset({*COMMUNE_AUTHORITY, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
        closes=("foundling.health_insurance",),
    ),
    "record_residence": Transition(
        frozenset({S.BIRTH_REGISTERED}),
        None,
        frozenset(
            {*COMMUNE_AUTHORITY, R.COMMUNE_POLICE_OFFICER, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}
        ),
        closes=("foundling.residence",),
    ),
    # Decree 147/2025 art. 5: the commune chairman decides the monthly allowance.
    "decide_allowance": Transition(
        frozenset({S.BIRTH_REGISTERED}),
        None,
        frozenset({R.COMMUNE_CHAIRMAN}),
        closes=("foundling.allowance",),
    ),
    "papers_complete": Transition(
        frozenset({S.BIRTH_REGISTERED}), S.BENEFITS_ENROLLED, SYSTEM, opens=("foundling.care_plan",)
    ),
    "plan_care": Transition(
        frozenset({S.BENEFITS_ENROLLED}),
        S.CARE_PLANNING,
        COMMUNE_AUTHORITY,
        closes=("foundling.care_plan",),
        opens=("foundling.place",),
    ),
    "place": Transition(
        frozenset({S.CARE_PLANNING}),
        S.PLACED,
        COMMUNE_AUTHORITY,
        closes=("foundling.place",),
        opens=("foundling.review",),
    ),
    # A person confirmed that this report is a second one of a child already reported.
    "mark_duplicate": Transition(
        frozenset({*OPEN_BEFORE_CARE, S.TEMPORARY_CARE, S.NOTICE_PERIOD}), S.DUPLICATE, COMMUNE_AUTHORITY
    ),
    "review": Transition(
        frozenset({S.PLACED}),
        None,
        frozenset({*COMMUNE_AUTHORITY, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
        closes=("foundling.review",),
        opens=("foundling.review",),
    ),
}


def transition(action: str, state: str) -> Transition:
    """The rule for ``action`` from ``state``, or Refused with the reason."""
    rule = TRANSITIONS[action]
    if State(state) not in rule.sources:
        raise Refused(
            _("This step cannot be taken now: the case is “%(state)s”.") % {"state": State(state).label},
            code="out_of_order",
        )
    return rule


def actions_for(state: str, roles: set[str]) -> list[str]:
    """The actions a person holding ``roles`` could take on a case in ``state`` (for the page)."""
    return [a for a, t in TRANSITIONS.items() if State(state) in t.sources and t.roles & roles]
