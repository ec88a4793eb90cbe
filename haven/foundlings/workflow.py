"""The abandoned-child pathway as one table on the workflow engine: for each action, the states it
leaves, the state it enters, who may take it, what it requires, which clocks it stops and starts, and
whom it tells (Decree 123/2015 art. 14; Notice 432-TB/VPTW §2)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.accounts.models import OrganisationKind, Role
from haven.accounts.selectors import authority_for
from haven.core.errors import Refused
from haven.foundlings.models import CLOSED_STATES, FoundlingCase, State, TemporaryCare
from haven.workflow.engine import SYSTEM, Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard
from haven.workflow.standing_in import STAND_IN, StandingIn, commune_step

K = OrganisationKind
R = Role
COMMUNE_AUTHORITY = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN})
PLACE_OF_DISCOVERY = frozenset({R.HOSPITAL_SOCIAL_WORKER, R.COMMUNE_POLICE_OFFICER, *COMMUNE_AUTHORITY})
# Decree 123/2015 art. 14 gives the case to the People's Committee of the commune where the child was
# found; where it is not in Haven yet, the body standing in for it takes the commune's steps
# (haven/workflow/standing_in.py, docs/decisions/0014).
COMMUNE_STEP = commune_step(COMMUNE_AUTHORITY)
RECEIVERS = frozenset({R.FACILITY_DIRECTOR, R.HOSPITAL_SOCIAL_WORKER, *COMMUNE_STEP})
REPORTERS = frozenset({*PLACE_OF_DISCOVERY, R.HOTLINE_OPERATOR})
# The commune chairman (or the provincial department) confirms an earlier posting time of the notice.
SUPERVISORS = frozenset({R.COMMUNE_CHAIRMAN, R.PROVINCIAL_OFFICER})
# Obligations carried by whoever holds the child (the guardian's steps); the rest by the commune.
GUARDIAN_STEPS = {"foundling.residence", "foundling.health_insurance"}

S = State
OPEN_BEFORE_CARE = frozenset({S.REPORTED, S.ACKNOWLEDGED, S.HANDOVER_PENDING})
PAPERS = frozenset({S.BIRTH_REGISTERED})
# The child is in temporary care, until a placement: where a hospital hold ends after the discharge.
IN_TEMPORARY_CARE = frozenset(
    {
        S.TEMPORARY_CARE,
        S.NOTICE_PERIOD,
        S.CLAIMED,
        S.NOTICE_EXPIRED,
        S.BIRTH_REGISTERED,
        S.BENEFITS_ENROLLED,
        S.CARE_PLANNING,
    }
)


@guard("foundling.screened", "The health screening is recorded (Notice 432 §2).")
def screened(firing: Firing) -> None:
    if not firing.subject.screenings.exists():
        raise Refused(
            _("Record the health screening first (Notice 432-TB/VPTW, part 2)."), code="screening_missing"
        )


@guard("foundling.recorded", "The discovery record is drawn up (Decree 123/2015 art. 14(1)).")
def recorded(firing: Firing) -> None:
    if not hasattr(firing.subject, "discovery_record"):
        raise Refused(
            _("Draw up the discovery record first (Decree 123/2015 art. 14(1))."), code="record_missing"
        )


STANDING_IN = StandingIn(
    "foundling.stands_in",
    commune_of=lambda case: case.found_commune,
    committee_joined=gettext_lazy(
        "The commune where the child was found is in Haven: %(authority)s takes this step "
        "(Decree 123/2015 art. 14)."
    ),
    elsewhere=gettext_lazy(
        "%(authority)s stands in for the commune where the child was found and takes this step."
    ),
)


@guard(
    "foundling.hold_ended",
    "The child is on a hospital hold and the medical discharge is recorded (Notice 432 §2).",
)
def hold_ended(firing: Firing) -> None:
    case = firing.subject
    if case.temporary_care != TemporaryCare.HOSPITAL_HOLD or case.responsible.kind != K.HEALTH_FACILITY:
        raise Refused(_("The child is not on a hospital hold."), code="not_on_hold")
    if case.medically_discharged_at is None:
        raise Refused(
            _("Record the medical discharge first: until then the child needs the hospital."),
            code="not_discharged",
        )


def responsible_for(case: FoundlingCase, rule_code: str):
    """Who answers for a clock: the hospital screens a child it reported; the holder of the child
    carries the guardian's steps; the commune of discovery answers for the rest."""
    if rule_code == "foundling.screen" and case.responsible.kind == K.HEALTH_FACILITY:
        return case.responsible
    if rule_code in GUARDIAN_STEPS:
        return case.responsible
    return authority_for(case.found_commune)


def _commune(firing: Firing):
    return authority_for(firing.subject.found_commune)


def _receiver(firing: Firing):
    return firing.responsible.get("foundling.handover_answer")


def _asked(firing: Firing):
    """The organisation a withdrawn handover had asked to accept the child."""
    return firing.inputs["handover"].to_organisation


def _answer_page(firing: Firing) -> str:
    return f"/foundlings/{firing.subject.pk}/answer_handover/"


ANSWER = gettext_lazy("A child is being handed over to you: please accept or refuse")
WITHDRAWN = gettext_lazy("The handover of a found child to you was withdrawn: there is nothing to answer")


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
    # The clocks it opens are counted from before it (services.foundling_acknowledge): temporary care
    # from the time found, the discovery record from the report that notified the commune.
    "acknowledge": Transition(
        frozenset({S.REPORTED}),
        S.ACKNOWLEDGED,
        frozenset({*COMMUNE_STEP, R.COMMUNE_POLICE_OFFICER}),
        gettext_lazy("Acknowledge the report"),
        guards=("foundling.stands_in",),
        closes=("foundling.acknowledge",),
        opens=("foundling.record", "foundling.temporary_care"),
    ),
    # Notice 432 §2: initial care and health screening by the place of discovery.
    "screen": Transition(
        OPEN_BEFORE_CARE,
        None,
        frozenset({R.HOSPITAL_SOCIAL_WORKER, *COMMUNE_STEP}),
        gettext_lazy("Record the health screening"),
        guards=("foundling.stands_in",),
        closes=("foundling.screen",),
        times=("screened_at",),
    ),
    # Decree 123/2015 art. 14(1): the biên bản, organised by the chairman or the commune police chief.
    "record": Transition(
        frozenset({S.ACKNOWLEDGED, S.HANDOVER_PENDING}),
        None,
        frozenset({*COMMUNE_STEP, R.COMMUNE_POLICE_OFFICER}),
        gettext_lazy("Draw up the discovery record"),
        guards=("foundling.stands_in",),
        closes=("foundling.record",),
    ),
    "discharge": Transition(
        frozenset({*OPEN_BEFORE_CARE, *IN_TEMPORARY_CARE}),
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
        COMMUNE_STEP,
        gettext_lazy("Decide temporary care"),
        guards=("foundling.stands_in", "foundling.screened", "foundling.recorded"),
        closes=("foundling.temporary_care",),
        opens=("foundling.handover_answer",),
        tells=(Tell(ANSWER, to=_receiver, link=_answer_page),),
    ),
    "accept_handover": Transition(
        frozenset({S.HANDOVER_PENDING}),
        S.TEMPORARY_CARE,
        RECEIVERS,
        gettext_lazy("Accept the child"),
        guards=("foundling.stands_in",),
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
        guards=("foundling.stands_in",),
        closes=("foundling.handover_answer",),
        opens=("foundling.temporary_care",),
        tells=(Tell(gettext_lazy("The handover was refused: decide temporary care again"), to=_commune),),
    ),
    # The commune that asked may withdraw a handover nobody has answered yet (the receiver is told and
    # its task ends): the case is back where it was before, and the temporary-care clock runs again
    # from T0, as after a refusal.
    "withdraw_handover": Transition(
        frozenset({S.HANDOVER_PENDING}),
        S.ACKNOWLEDGED,
        COMMUNE_STEP,
        gettext_lazy("Withdraw the handover"),
        guards=("foundling.stands_in",),
        cancels=("foundling.handover_answer",),
        opens=("foundling.temporary_care",),
        tells=(Tell(WITHDRAWN, to=_asked, link=_answer_page),),
    ),
    # Notice 432 §2 (the Từ Dũ lesson): a hospital hold is an exception that ends with the medical
    # discharge. The commune decides where the child goes next — a social protection facility or a
    # registered family — and, as in any handover, the child moves only once the receiver accepts.
    # The case stays where it is on its pathway (the notice, the papers go on).
    "move_after_discharge": Transition(
        IN_TEMPORARY_CARE,
        None,
        COMMUNE_STEP,
        gettext_lazy("Move the child out of hospital after discharge"),
        guards=("foundling.stands_in", "foundling.hold_ended"),
        opens=("foundling.handover_answer",),
        tells=(Tell(ANSWER, to=_receiver, link=_answer_page),),
    ),
    "accept_move": Transition(
        IN_TEMPORARY_CARE,
        None,
        RECEIVERS,
        gettext_lazy("Accept the child from the hospital"),
        guards=("foundling.stands_in",),
        closes=("foundling.handover_answer", "foundling.hospital_discharge"),
        tells=(
            Tell(gettext_lazy("The child left the hospital: the receiver accepted the child"), to=_commune),
        ),
    ),
    # A refusal leaves the child at the hospital: the discharge clock runs on and the commune decides again.
    "refuse_move": Transition(
        IN_TEMPORARY_CARE,
        None,
        RECEIVERS,
        gettext_lazy("Refuse the child from the hospital"),
        guards=("foundling.stands_in",),
        closes=("foundling.handover_answer",),
        tells=(
            Tell(
                gettext_lazy("The move out of hospital was refused: decide where the child goes again"),
                to=_commune,
            ),
        ),
    ),
    "withdraw_move": Transition(
        IN_TEMPORARY_CARE,
        None,
        COMMUNE_STEP,
        gettext_lazy("Withdraw the handover"),
        guards=("foundling.stands_in",),
        cancels=("foundling.handover_answer",),
        tells=(Tell(WITHDRAWN, to=_asked, link=_answer_page),),
    ),
    # Decree 123/2015 art. 14(2): 7 consecutive days at the commune People's Committee. The posting time
    # may be entered after the fact, but the 7 days run from when Haven recorded it unless a supervisor
    # confirms the earlier time: a backdated notice never opens birth registration early.
    "post_notice": Transition(
        frozenset({S.TEMPORARY_CARE}),
        S.NOTICE_PERIOD,
        COMMUNE_STEP,
        gettext_lazy("Post the public notice"),
        guards=("foundling.stands_in",),
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
        frozenset({*COMMUNE_STEP, R.COMMUNE_POLICE_OFFICER}),
        gettext_lazy("Record a claim"),
        guards=("foundling.stands_in",),
        closes=("foundling.notice_period",),
        opens=("foundling.claim_decision",),
    ),
    "reunify": Transition(
        frozenset({S.CLAIMED}),
        S.REUNIFIED,
        COMMUNE_STEP,
        gettext_lazy("Return the child to the family"),
        guards=("foundling.stands_in",),
        closes=("foundling.claim_decision",),
        confirm=gettext_lazy("The case closes and the child goes home with the claimant."),
    ),
    "reject_claim": Transition(
        frozenset({S.CLAIMED}),
        S.NOTICE_PERIOD,
        COMMUNE_STEP,
        gettext_lazy("Reject the claim"),
        guards=("foundling.stands_in",),
        closes=("foundling.claim_decision",),
        opens=("foundling.notice_period",),
    ),
    # Decree 123/2015 art. 14(2)–(3): the civil-status officer registers the birth.
    "register_birth": Transition(
        frozenset({S.NOTICE_EXPIRED}),
        S.BIRTH_REGISTERED,
        frozenset({R.CIVIL_STATUS_OFFICER, *STAND_IN}),
        gettext_lazy("Register the birth"),
        guards=("foundling.stands_in",),
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
        frozenset({R.CIVIL_STATUS_OFFICER, *STAND_IN}),
        gettext_lazy("Correct the birth and send it to the register again"),
        guards=("foundling.stands_in",),
    ),
    "record_health_insurance": Transition(
        PAPERS,
        None,
        frozenset({*COMMUNE_STEP, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
        gettext_lazy("Record the health-insurance card"),
        guards=("foundling.stands_in",),
        closes=("foundling.health_insurance",),
    ),
    "record_residence": Transition(
        PAPERS,
        None,
        frozenset({*COMMUNE_STEP, R.COMMUNE_POLICE_OFFICER, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
        gettext_lazy("Record the residence registration"),
        guards=("foundling.stands_in",),
        closes=("foundling.residence",),
    ),
    # Decree 147/2025 art. 5: the commune chairman decides the monthly allowance.
    "decide_allowance": Transition(
        PAPERS,
        None,
        frozenset({R.COMMUNE_CHAIRMAN, *STAND_IN}),
        gettext_lazy("Record the allowance decision"),
        guards=("foundling.stands_in",),
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
        COMMUNE_STEP,
        gettext_lazy("Record the care plan"),
        guards=("foundling.stands_in",),
        closes=("foundling.care_plan",),
        opens=("foundling.place",),
    ),
    # Law on Children art. 60(3): from age 7 the child's view is heard before a placement.
    "place": Transition(
        frozenset({S.CARE_PLANNING}),
        S.PLACED,
        COMMUNE_STEP,
        gettext_lazy("Decide the placement"),
        guards=("foundling.stands_in", "child_heard"),
        closes=("foundling.place",),
        opens=("foundling.review",),
    ),
    # A person confirmed that this report is a second one of a child already reported.
    "mark_duplicate": Transition(
        frozenset({*OPEN_BEFORE_CARE, S.TEMPORARY_CARE, S.NOTICE_PERIOD}),
        S.DUPLICATE,
        COMMUNE_STEP,
        gettext_lazy("Close as a second report of the same child"),
        guards=("foundling.stands_in",),
    ),
    "review": Transition(
        frozenset({S.PLACED}),
        None,
        frozenset({*COMMUNE_STEP, R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER}),
        gettext_lazy("Record the six-monthly review"),
        guards=("foundling.stands_in",),
        closes=("foundling.review",),
        opens=("foundling.review",),
    ),
    # The organisation answering for the child was closed or merged (accounts/services.py), or the
    # commune's People's Committee joined Haven in place of the body standing in for it: the one named
    # to take over answers for the child from now on. Recorded by the system administrator, who reads
    # no child's record; the new holder is told.
    "take_over": Transition(
        frozenset(set(State) - CLOSED_STATES),
        None,
        frozenset({R.SYSTEM_ADMINISTRATOR}),
        gettext_lazy("Responsibility taken over"),
        tells=(
            Tell(
                gettext_lazy(
                    "A found child's case is now yours: the organisation that held it handed it over"
                ),
                to=lambda f: f.subject.responsible,
            ),
        ),
        verb=Verb.ACCOUNT_MANAGE,
    ),
    # A photo taken at discovery, added after the report (the API's multipart step).
    "photo_attach": Transition(
        frozenset(set(State)),
        None,
        frozenset({*PLACE_OF_DISCOVERY, *STAND_IN}),
        gettext_lazy("Attach a photo"),
        guards=("foundling.stands_in",),
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
