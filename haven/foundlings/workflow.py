"""The abandoned-child pathway as one table on the workflow engine: for each action, the states it
leaves, the state it enters, who may take it, what it requires, which clocks it stops and starts, and
whom it tells (Decree 123/2015 art. 14; Notice 432-TB/VPTW §2)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import OrganisationKind, Role
from haven.accounts.selectors import authority_for
from haven.core.errors import Refused
from haven.foundlings.models import FoundlingCase, State
from haven.workflow.engine import SYSTEM, Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard

R = Role
COMMUNE_AUTHORITY = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN})
PLACE_OF_DISCOVERY = frozenset({R.HOSPITAL_SOCIAL_WORKER, R.COMMUNE_POLICE_OFFICER, *COMMUNE_AUTHORITY})
RECEIVERS = frozenset({R.FACILITY_DIRECTOR, R.HOSPITAL_SOCIAL_WORKER, *COMMUNE_AUTHORITY})
REPORTERS = frozenset({*PLACE_OF_DISCOVERY, R.HOTLINE_OPERATOR})
# The commune chairman (or the provincial department) confirms an earlier posting time of the notice.
SUPERVISORS = frozenset({R.COMMUNE_CHAIRMAN, R.PROVINCIAL_OFFICER})
# Obligations carried by whoever holds the child (the guardian's steps); the rest by the commune.
GUARDIAN_STEPS = {"foundling.residence", "foundling.health_insurance"}

S = State
OPEN_BEFORE_CARE = frozenset({S.REPORTED, S.ACKNOWLEDGED, S.HANDOVER_PENDING})
PAPERS = frozenset({S.BIRTH_REGISTERED})


@guard("foundling.screened", "The health screening is recorded (Notice 432 §2).")
def screened(firing: Firing) -> None:
    if not firing.subject.screenings.exists():
        raise Refused(_("Record the health screening first (Notice 432 §2)."), code="screening_missing")


@guard("foundling.recorded", "The discovery record is drawn up (Decree 123/2015 art. 14(1)).")
def recorded(firing: Firing) -> None:
    if not hasattr(firing.subject, "discovery_record"):
        raise Refused(
            _("Draw up the discovery record first (Decree 123/2015 art. 14(1))."), code="record_missing"
        )


def responsible_for(case: FoundlingCase, rule_code: str):
    """Who answers for a clock: the hospital screens a child it reported; the holder of the child
    carries the guardian's steps; the commune of discovery answers for the rest."""
    if rule_code == "foundling.screen" and case.responsible.kind == OrganisationKind.HEALTH_FACILITY:
        return case.responsible
    if rule_code in GUARDIAN_STEPS:
        return case.responsible
    return authority_for(case.found_commune)


def _commune(firing: Firing):
    return authority_for(firing.subject.found_commune)


def _receiver(firing: Firing):
    return firing.responsible.get("foundling.handover_answer")


TRANSITIONS: dict[str, Transition] = {
    # Notice 432 §2: the place of discovery answers for the child from the first minute.
    "report": Transition(
        frozenset(),
        S.REPORTED,
        REPORTERS,
        gettext_lazy("Report a found child"),
        opens=("foundling.acknowledge", "foundling.screen"),
        times=("found_at",),
        tells=(
            Tell(
                lambda f: (
                    _("A found child was reported in %(commune)s") % {"commune": f.subject.found_commune.name}
                ),
                to=_commune,
            ),
        ),
    ),
    # Decree 123/2015 art. 14(1): the commune People's Committee or commune police is notified at once.
    "acknowledge": Transition(
        frozenset({S.REPORTED}),
        S.ACKNOWLEDGED,
        frozenset({*COMMUNE_AUTHORITY, R.COMMUNE_POLICE_OFFICER}),
        gettext_lazy("Acknowledge the report"),
        closes=("foundling.acknowledge",),
        opens=("foundling.record", "foundling.temporary_care"),
    ),
    # Notice 432 §2: initial care and health screening by the place of discovery.
    "screen": Transition(
        OPEN_BEFORE_CARE,
        None,
        frozenset({R.HOSPITAL_SOCIAL_WORKER, *COMMUNE_AUTHORITY}),
        gettext_lazy("Record the health screening"),
        closes=("foundling.screen",),
        times=("screened_at",),
    ),
    # Decree 123/2015 art. 14(1): the biên bản, organised by the chairman or the commune police chief.
    "record": Transition(
        frozenset({S.ACKNOWLEDGED, S.HANDOVER_PENDING}),
        None,
        frozenset({*COMMUNE_AUTHORITY, R.COMMUNE_POLICE_OFFICER}),
        gettext_lazy("Draw up the discovery record"),
        closes=("foundling.record",),
    ),
    "discharge": Transition(
        frozenset({*OPEN_BEFORE_CARE, S.TEMPORARY_CARE, S.NOTICE_PERIOD, S.NOTICE_EXPIRED}),
        None,
        frozenset({R.HOSPITAL_SOCIAL_WORKER}),
        gettext_lazy("Record the medical discharge"),
        opens=("foundling.hospital_discharge",),
        times=("discharged_at",),
    ),
    # Decree 123/2015 art. 14(1); Law on Adoption art. 15(2)(a): the commune decides temporary care.
    # The receiver must accept before responsibility moves.
    "decide_temporary_care": Transition(
        frozenset({S.ACKNOWLEDGED}),
        S.HANDOVER_PENDING,
        COMMUNE_AUTHORITY,
        gettext_lazy("Decide temporary care"),
        guards=("foundling.screened", "foundling.recorded"),
        closes=("foundling.temporary_care",),
        opens=("foundling.handover_answer",),
        tells=(
            Tell(
                gettext_lazy("A child is being handed over to you: please accept or refuse"),
                to=_receiver,
                link=lambda f: f"/foundlings/{f.subject.pk}/answer_handover/",
            ),
        ),
    ),
    "accept_handover": Transition(
        frozenset({S.HANDOVER_PENDING}),
        S.TEMPORARY_CARE,
        RECEIVERS,
        gettext_lazy("Accept the child"),
        closes=("foundling.handover_answer",),
        opens=("foundling.post_notice",),
        tells=(
            Tell(
                gettext_lazy("The child was accepted into temporary care: post the public notice"),
                to=_commune,
            ),
        ),
    ),
    # A refusal leaves the child with the sender, and the temporary-care clock runs again from T0.
    "refuse_handover": Transition(
        frozenset({S.HANDOVER_PENDING}),
        S.ACKNOWLEDGED,
        RECEIVERS,
        gettext_lazy("Refuse the child"),
        closes=("foundling.handover_answer",),
        opens=("foundling.temporary_care",),
        tells=(Tell(gettext_lazy("The handover was refused: decide temporary care again"), to=_commune),),
    ),
    # Decree 123/2015 art. 14(2): 7 consecutive days at the commune People's Committee. The posting time
    # may be entered after the fact, but the 7 days run from when Haven recorded it unless a supervisor
    # confirms the earlier time: a backdated notice never opens birth registration early.
    "post_notice": Transition(
        frozenset({S.TEMPORARY_CARE}),
        S.NOTICE_PERIOD,
        COMMUNE_AUTHORITY,
        gettext_lazy("Post the public notice"),
        closes=("foundling.post_notice",),
        opens=("foundling.notice_period",),
        times=("posted_at",),
        after=("accept_handover",),
        waits=(("foundling.notice_period", "notice_posted_at"),),
    ),
    "confirm_notice_time": Transition(
        frozenset({S.NOTICE_PERIOD}),
        None,
        SUPERVISORS,
        gettext_lazy("Confirm the earlier posting time"),
        confirm=gettext_lazy(
            "The 7 days of the notice will be counted from the posting time entered, not from when it "
            "was recorded. Confirm only what you have checked."
        ),
    ),
    "notice_expire": Transition(
        frozenset({S.NOTICE_PERIOD}),
        S.NOTICE_EXPIRED,
        SYSTEM,
        gettext_lazy("The public notice expired"),
        closes=("foundling.notice_period",),
        opens=("foundling.register_birth",),
        tells=(Tell(gettext_lazy("The public notice has expired: register the birth"), to=_commune),),
    ),
    # A claim stops the notice clock; a rejected claim resumes it where it was.
    "claim": Transition(
        frozenset({S.NOTICE_PERIOD}),
        S.CLAIMED,
        frozenset({*COMMUNE_AUTHORITY, R.COMMUNE_POLICE_OFFICER}),
        gettext_lazy("Record a claim"),
        closes=("foundling.notice_period",),
        opens=("foundling.claim_decision",),
    ),
    "reunify": Transition(
        frozenset({S.CLAIMED}),
        S.REUNIFIED,
        COMMUNE_AUTHORITY,
        gettext_lazy("Return the child to the family"),
        closes=("foundling.claim_decision",),
        confirm=gettext_lazy("The case closes and the child goes home with the claimant."),
    ),
    "reject_claim": Transition(
        frozenset({S.CLAIMED}),
        S.NOTICE_PERIOD,
        COMMUNE_AUTHORITY,
        gettext_lazy("Reject the claim"),
        closes=("foundling.claim_decision",),
        opens=("foundling.notice_period",),
    ),
    # Decree 123/2015 art. 14(2)–(3): the civil-status officer registers the birth.
    "register_birth": Transition(
        frozenset({S.NOTICE_EXPIRED}),
        S.BIRTH_REGISTERED,
        frozenset({R.CIVIL_STATUS_OFFICER}),
        gettext_lazy("Register the birth"),
        closes=("foundling.register_birth",),
        opens=("foundling.pin", "foundling.residence", "foundling.health_insurance", "foundling.allowance"),
        confirm=gettext_lazy(
            "The birth is entered in the civil-status book under this name and sent to the population "
            "register for a personal identification number."
        ),
    ),
    "pin_received": Transition(
        PAPERS, None, SYSTEM, gettext_lazy("The PIN arrived"), closes=("foundling.pin",)
    ),
    # The register refused the birth: the civil-status officer corrects it and sends it again.
    "resend_pin": Transition(
        PAPERS,
        None,
        frozenset({R.CIVIL_STATUS_OFFICER}),
        gettext_lazy("Correct the birth and send it to the register again"),
    ),
    "record_health_insurance": Transition(
        PAPERS,
        None,
        frozenset({*COMMUNE_AUTHORITY, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
        gettext_lazy("Record the health-insurance card"),
        closes=("foundling.health_insurance",),
    ),
    "record_residence": Transition(
        PAPERS,
        None,
        frozenset(
            {*COMMUNE_AUTHORITY, R.COMMUNE_POLICE_OFFICER, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}
        ),
        gettext_lazy("Record the residence registration"),
        closes=("foundling.residence",),
    ),
    # Decree 147/2025 art. 5: the commune chairman decides the monthly allowance.
    "decide_allowance": Transition(
        PAPERS,
        None,
        frozenset({R.COMMUNE_CHAIRMAN}),
        gettext_lazy("Record the allowance decision"),
        closes=("foundling.allowance",),
    ),
    "papers_complete": Transition(
        PAPERS,
        S.BENEFITS_ENROLLED,
        SYSTEM,
        gettext_lazy("The papers are complete"),
        opens=("foundling.care_plan",),
        tells=(Tell(gettext_lazy("The child's papers are complete: plan the child's care"), to=_commune),),
    ),
    "plan_care": Transition(
        frozenset({S.BENEFITS_ENROLLED}),
        S.CARE_PLANNING,
        COMMUNE_AUTHORITY,
        gettext_lazy("Record the care plan"),
        closes=("foundling.care_plan",),
        opens=("foundling.place",),
    ),
    # Law on Children art. 60(3): from age 7 the child's view is heard before a placement.
    "place": Transition(
        frozenset({S.CARE_PLANNING}),
        S.PLACED,
        COMMUNE_AUTHORITY,
        gettext_lazy("Decide the placement"),
        guards=("child_heard",),
        closes=("foundling.place",),
        opens=("foundling.review",),
    ),
    # A person confirmed that this report is a second one of a child already reported.
    "mark_duplicate": Transition(
        frozenset({*OPEN_BEFORE_CARE, S.TEMPORARY_CARE, S.NOTICE_PERIOD}),
        S.DUPLICATE,
        COMMUNE_AUTHORITY,
        gettext_lazy("Close as a second report of the same child"),
    ),
    "review": Transition(
        frozenset({S.PLACED}),
        None,
        frozenset({*COMMUNE_AUTHORITY, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
        gettext_lazy("Record the six-monthly review"),
        closes=("foundling.review",),
        opens=("foundling.review",),
    ),
    # A photo taken at discovery, added after the report (the API's multipart step).
    "photo_attach": Transition(
        frozenset(set(State)),
        None,
        PLACE_OF_DISCOVERY,
        gettext_lazy("Attach a photo"),
    ),
}

FLOW = Workflow(
    "foundling",
    model=FoundlingCase,
    states=State,
    transitions=TRANSITIONS,
    responsible=responsible_for,
    begins=lambda case: (case.found_at, _("the child was found")),
    link=lambda case: f"/foundlings/{case.pk}/",
    title=gettext_lazy("Found child"),
)
