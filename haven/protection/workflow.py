"""The child-protection case as one table on the workflow engine (Decree 56/2017 art. 25–32;
vietnam-process.md §1.3 and §9b): for each step, the states it leaves, the state it enters, who takes
it, what it requires, which clocks it stops and starts, and whom it tells next."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import POLICY, Verb
from haven.accounts.models import Organisation, OrganisationKind, Role
from haven.core import clock
from haven.core.errors import Refused
from haven.protection.forms_catalog import FORMS, LEVELS
from haven.protection.models import CLOSED_STATES, ProtectionCase, ReferralStatus, State, TransferStatus
from haven.workflow.engine import Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard
from haven.workflow.standing_in import StandingIn, commune_step

R = Role
S = State
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
COMMUNE = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN})
CHAIRMAN = frozenset({R.COMMUNE_CHAIRMAN})
# Decree 56 art. 26(3), 31: the chairman decides emergency measures; the commune police carry them out.
EMERGENCY_ROLES = frozenset({*COMMUNE, R.COMMUNE_POLICE_OFFICER})
# The chairman who closes a case, or the provincial Department of Health above him, reopens one
# closed in error.
SUPERVISORS = frozenset({R.COMMUNE_CHAIRMAN, R.PROVINCIAL_OFFICER})
REPORTERS = frozenset(
    {
        # Circular 14/2020: child-protection collaborators work alongside the commune and must report.
        R.SOCIAL_COLLABORATOR,
        R.HOTLINE_OPERATOR,
        R.COMMUNE_POLICE_OFFICER,
        R.HOSPITAL_SOCIAL_WORKER,
        R.SCHOOL_OFFICER,
        R.COMMUNE_CHILD_PROTECTION_OFFICER,
        R.COMMUNE_CHAIRMAN,
        R.FACILITY_DIRECTOR,
        R.FACILITY_SOCIAL_WORKER,
        # A caregiver on shift is the first to see violence inside a facility (Law on Children art. 51).
        R.CAREGIVER,
    }
)
# Whoever works in the organisation a referral is addressed to, in a role that may see a child, and a
# school's officer for school support (who sees the referral, never the case: selectors.py).
REFERRAL_RECEIVERS = frozenset(
    {*(role for role, grant in POLICY.items() if Verb.CHILD_VIEW in grant.verbs), R.SCHOOL_OFFICER}
)
OPEN = frozenset(set(State) - CLOSED_STATES)
# The clocks of a case. A closure stops those still running as no longer needed, never as done.
INITIAL = "protection.initial_assessment"
EMERGENCY = "protection.emergency"
PLAN = "protection.plan"
APPROVAL = "protection.approval"
SEPARATION = "protection.separation_review"
REVIEW = "protection.review"
TRANSFER = "protection.transfer"
# The answer of the commune a case is offered to (not one of the case's own steps: its receiver's).
TRANSFER_ANSWER = "protection.transfer_answer"
EVERY_CLOCK = (TRANSFER, INITIAL, EMERGENCY, PLAN, APPROVAL, SEPARATION, REVIEW)


# --- Guards ---------------------------------------------------------------------------------------


# Decree 56/2017 art. 26(2) gives the case to the People's Committee of the commune of the incident;
# where it is not in Haven yet, the body standing in for it takes the commune's steps
# (haven/workflow/standing_in.py, docs/decisions/0014).
STANDING_IN = StandingIn(
    "protection.stands_in",
    commune_of=lambda case: case.incident_commune,
    committee_joined=gettext_lazy(
        "The commune of the incident is in Haven: %(authority)s takes this step (Decree 56/2017 art. 26(2))."
    ),
    elsewhere=gettext_lazy("%(authority)s stands in for the commune of the incident and takes this step."),
)


def form_errors(code: str, data: dict) -> dict[str, list[ValidationError]]:
    """Every field of a catalogue form that is missing or malformed, at once."""
    levels = {value for value, _label in LEVELS}
    errors: dict[str, list[ValidationError]] = {}
    for field in FORMS[code].fields:
        value = data.get(field.name)
        if field.kind == "level" and value not in levels:
            message = _("Choose High, Medium or Low.")
            errors[field.name] = [ValidationError(message, code="level_required")]
        elif field.kind == "date" and value not in (None, ""):
            if parse_day(value) is None:
                errors[field.name] = [ValidationError(_("Enter a valid date."), code="invalid_date")]
        elif field.kind == "date" and field.required:
            errors[field.name] = [ValidationError(_("This field is required."), code="required")]
        elif field.kind == "text" and field.required and not str(value or "").strip():
            errors[field.name] = [ValidationError(_("This field is required."), code="required")]
    return errors


def parse_day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _form_guard(code: str) -> None:
    @guard(f"protection.form_{code}", f"Form {code} is filled in completely (Decree 56/2017, Form {code}).")
    def complete(firing: Firing) -> None:
        errors = form_errors(code, firing.inputs)
        if errors:
            raise ValidationError(errors)


for _code in FORMS:
    _form_guard(_code)


@guard(
    "protection.unfounded_without_risk",
    "A report concluded unfounded has no High risk and no emergency measures (Decree 56/2017 art. 26).",
)
def unfounded_without_risk(firing: Firing) -> None:
    """Form 02 cannot close a report as unfounded while it scores a risk High or asks for emergency
    measures within 12 hours: a child judged at serious risk is never left without a case."""
    data = firing.inputs
    errors: dict[str, list[ValidationError]] = {}
    for field in FORMS["02"].levels:
        if data.get(field.name) == "high":
            message = _("This risk is scored High: the report cannot be concluded unfounded.")
            errors[field.name] = [ValidationError(message, code="unfounded_with_high_risk")]
    if data.get("emergency"):
        message = _(
            "Emergency measures within 12 hours were chosen: the report cannot be concluded unfounded "
            "(Decree 56/2017, Article 26(3))."
        )
        errors["emergency"] = [ValidationError(message, code="unfounded_with_emergency")]
    if errors:
        message = _("An unfounded report has no High risk and needs no emergency measures: correct Form 02.")
        errors["unfounded"] = [ValidationError(message, code="contradiction")]
        raise ValidationError(errors)


@guard(
    "protection.nothing_in_force",
    "No temporary separation is in force, no service asked of another body is under way, and no other "
    "commune has yet to answer the case offered to it.",
)
def nothing_in_force(firing: Firing) -> None:
    """A case does not close while the child is still separated from the family (Decree 56/2017
    art. 32: the separation is ended by a decision) or while a service of the intervention is asked
    or under way: the record would say the child is safe while the measures still run."""
    case: ProtectionCase = firing.subject
    errors = []
    if case.separations.filter(ended_at__isnull=True).exists():
        message = _(
            "The child's temporary separation is still in force: end it first (Decree 56/2017, Article 32)."
        )
        errors.append(ValidationError(message, code="separation_in_force"))
    running = case.referrals.filter(status__in=(ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED))
    for referral in running.select_related("to_organisation"):
        message = _(
            "The service “%(service)s” asked of %(organisation)s is still under way: wait for its outcome "
            "or withdraw the referral first."
        ) % {"service": referral.get_service_display(), "organisation": referral.to_organisation}
        errors.append(ValidationError(message, code="service_in_progress"))
    # A case offered to another commune and closed would leave that commune an offer it cannot take.
    offered = case.transfers.filter(status=TransferStatus.PENDING).select_related("to_organisation")
    for transfer in offered:
        message = _(
            "The case is offered to %(organisation)s, which has not answered: wait for its answer or "
            "withdraw the transfer first."
        ) % {"organisation": transfer.to_organisation}
        errors.append(ValidationError(message, code="transfer_pending"))
    if errors:
        raise ValidationError({"__all__": errors})


@guard(
    "protection.plan_dates",
    "The plan starts no earlier than the report was received and ends no earlier than it starts.",
)
def plan_dates(firing: Firing) -> None:
    """Form 04: a plan for this report cannot begin before the report was received (the case's
    timeline starts there), nor end before it starts (Decree 56/2017 art. 28(1))."""
    start, end = parse_day(firing.inputs.get("start")), parse_day(firing.inputs.get("end"))
    errors: dict[str, list[ValidationError]] = {}
    received, _what = firing.workflow.begins(firing.subject)
    reported_on = clock.localdate(received)
    shown = reported_on.strftime("%d/%m/%Y")
    for name, day in (("start", start), ("end", end)):
        if day is not None and day < reported_on:
            message = _("The plan cannot lie before the report was received (%(day)s).") % {"day": shown}
            errors.setdefault(name, []).append(ValidationError(message, code="before_timeline"))
    if start is not None and end is not None and end < start and "end" not in errors:
        errors["end"] = [ValidationError(_("The plan ends before it starts."), code="ends_before_start")]
    if errors:
        raise ValidationError(errors)


@guard(
    "protection.specific_assessed", "Form 03 and the needs meeting are recorded since the last re-planning."
)
def specific_assessed(firing: Firing) -> None:
    """Decree 56/2017 art. 28(2)(b): the plan's dossier holds the specific assessment (Form 03) and the
    minutes of the needs meeting; after a re-planning, a new one."""
    case: ProtectionCase = firing.subject
    since = (
        case.steps.filter(action__in=("replan", "return_plan", "reopen_closed"))
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    specific = case.assessments.filter(form="03")
    if since is not None:
        specific = specific.filter(recorded_at__gte=since)
    if not specific.exists():
        raise Refused(
            _("Record the specific assessment (Form 03) and the needs meeting first."),
            code="assessment_missing",
        )


@guard(
    "protection.safe_and_stable",
    "The last review (Form 06) scores every risk Low and the child able to protect themself "
    "(Decree 56/2017 art. 30(1)(b)).",
)
def safe_and_stable(firing: Firing) -> None:
    """Decree 56/2017 art. 30(1)(b)–(c): close when there is no further risk and the child is stable —
    read as every risk of the last review Low and the child's capacity to protect themself and recover
    at least Medium; otherwise plan again."""
    review = firing.subject.assessments.filter(form="06").order_by("-recorded_at", "-pk").first()
    ok = review is not None and all(
        (review.data.get(f.name) != "low") if f.higher_is_better else (review.data.get(f.name) == "low")
        for f in FORMS["06"].levels
    )
    if not ok:
        raise Refused(
            _(
                "The last review still shows a risk above Low, or a child not yet able to protect themself: "
                "plan again instead of closing."
            ),
            code="risk_remains",
        )


@guard("protection.separated", "The child is temporarily separated from the family.")
def separated(firing: Firing) -> None:
    if not firing.subject.separations.filter(ended_at__isnull=True).exists():
        raise Refused(_("The child is not separated."), code="out_of_order")


# --- Who is told ----------------------------------------------------------------------------------


def _commune(firing: Firing) -> Organisation:
    return firing.subject.responsible


def _commune_police(firing: Firing) -> Organisation | None:
    """The police of the commune of the incident carry out emergency measures with the committee."""
    return Organisation.objects.filter(
        kind=OrganisationKind.COMMUNE_POLICE, area=firing.subject.incident_commune, is_active=True
    ).first()


def _referral(firing: Firing):
    return firing.subject.referrals.select_related("to_organisation", "from_organisation").get(
        pk=firing.data["referral"]
    )


def _transfer(firing: Firing):
    return firing.subject.transfers.select_related("to_organisation", "from_organisation").get(
        pk=firing.data["transfer"]
    )


# --- The table ------------------------------------------------------------------------------------

UNFOUNDED_CONFIRM = gettext_lazy(
    "The report is closed as unfounded: its deadlines stop and the commune no longer follows the child. "
    "Only the commune chairman or the provincial officer can reopen it."
)

TRANSITIONS: dict[str, Transition] = {
    # Form 01. Decree 56/2017 art. 26(1): the information goes at once to the commune of the incident.
    # The report (T0) starts the 12 hours of art. 26(3), and with them the initial assessment that
    # decides on emergency measures: neither waits for the commune to take the report up.
    "report": Transition(
        frozenset(),
        S.RECEIVED,
        REPORTERS,
        gettext_lazy("Report a child at risk (Form 01)"),
        opens=(TRANSFER, INITIAL, EMERGENCY),
        tells=(
            Tell(
                lambda f: (
                    _("A child at risk was reported in %(commune)s")
                    % {"commune": f.subject.incident_commune.name}
                ),
                to=_commune,
            ),
        ),
    ),
    # Decree 56/2017 art. 26(2): the chairman has the commune child-protection worker take it up.
    "accept": Transition(
        frozenset({S.RECEIVED}),
        S.WITH_COMMUNE,
        commune_step(COMMUNE),
        gettext_lazy("Take up the report"),
        guards=("protection.stands_in",),
        closes=(TRANSFER,),
        opens=(PLAN, APPROVAL),
    ),
    # Form 02 decides the way on: emergency measures, support, or no case (kept on record).
    "assess_emergency": Transition(
        frozenset({S.WITH_COMMUNE}),
        S.EMERGENCY,
        commune_step(OFFICER),
        gettext_lazy("Initial assessment: emergency measures needed"),
        guards=(
            "protection.stands_in",
            "protection.form_02",
        ),
        closes=(INITIAL,),
        tells=(
            Tell(gettext_lazy("Form 02: emergency measures are needed within 12 hours"), to=_commune),
            Tell(gettext_lazy("Form 02: emergency measures are needed within 12 hours"), to=_commune_police),
        ),
    ),
    # No emergency: the 12-hour clock is no longer needed — it was not "met".
    "assess_support": Transition(
        frozenset({S.WITH_COMMUNE}),
        S.ASSESSING,
        commune_step(OFFICER),
        gettext_lazy("Initial assessment: support needed"),
        guards=(
            "protection.stands_in",
            "protection.form_02",
        ),
        closes=(INITIAL,),
        cancels=(EMERGENCY,),
    ),
    # An unfounded report is closed and kept on record; every clock still running stops as not needed.
    "assess_unfounded": Transition(
        frozenset({S.WITH_COMMUNE}),
        S.UNFOUNDED,
        commune_step(OFFICER),
        gettext_lazy("Initial assessment: unfounded"),
        guards=(
            "protection.stands_in",
            "protection.form_02",
            "protection.unfounded_without_risk",
            "protection.nothing_in_force",
        ),
        closes=(INITIAL,),
        cancels=(EMERGENCY, PLAN, APPROVAL),
        confirm=UNFOUNDED_CONFIRM,
        tells=(Tell(gettext_lazy("A report was closed as unfounded: check the conclusion"), to=_commune),),
    ),
    # Decree 56/2017 art. 26(3), 31: within 12 hours of receiving the information.
    "emergency_measures": Transition(
        frozenset({S.EMERGENCY}),
        S.ASSESSING,
        commune_step(EMERGENCY_ROLES),
        gettext_lazy("Record the emergency measures"),
        guards=("protection.stands_in",),
        closes=(EMERGENCY,),
    ),
    # Decree 56/2017 art. 32 with the measures: safe shelter and alternative care, at most 15 days
    # unless a decision extends it; Law on Children art. 47(5), 60(3): a child of 7 or over is heard.
    "emergency_separation": Transition(
        frozenset({S.EMERGENCY}),
        S.ASSESSING,
        commune_step(EMERGENCY_ROLES),
        gettext_lazy("Record the emergency measures and a temporary separation"),
        guards=(
            "protection.stands_in",
            "child_heard",
        ),
        closes=(EMERGENCY,),
        opens=(SEPARATION,),
    ),
    # Decree 56/2017 art. 32: the separation ends by a decision (the parents assessed safe...).
    "end_separation": Transition(
        OPEN,
        None,
        commune_step(COMMUNE),
        gettext_lazy("End the temporary separation"),
        guards=(
            "protection.stands_in",
            "protection.separated",
        ),
        closes=(SEPARATION,),
    ),
    # Decree 56/2017 art. 32: a separation longer than 15 days needs a decision that extends it; its
    # clock moves to the new end.
    "extend_separation": Transition(
        OPEN,
        None,
        commune_step(COMMUNE),
        gettext_lazy("Extend the temporary separation"),
        guards=(
            "protection.stands_in",
            "protection.separated",
        ),
    ),
    # Decree 56/2017 art. 27; art. 28(2)(b).
    "assess_specific": Transition(
        frozenset({S.ASSESSING}),
        None,
        commune_step(OFFICER),
        gettext_lazy("Record the specific assessment (Form 03)"),
        guards=(
            "protection.stands_in",
            "protection.form_03",
        ),
    ),
    # Decree 56/2017 art. 28(1): within 5 working days; the chairman approves it next.
    "draft_plan": Transition(
        frozenset({S.ASSESSING}),
        S.PLAN_DRAFTED,
        commune_step(OFFICER),
        gettext_lazy("Draft the support plan (Form 04)"),
        guards=(
            "protection.stands_in",
            "protection.specific_assessed",
            "protection.form_04",
            "protection.plan_dates",
        ),
        closes=(PLAN,),
        tells=(Tell(gettext_lazy("A support plan (Form 04) awaits your approval (Form 05)"), to=_commune),),
    ),
    # Law on Children art. 52: only the chairman approves, after the meeting; the child of 7 or over is
    # heard first (art. 60(3)). The review falls at the approved plan's end, at most 3 months on
    # (Decree 56/2017 art. 30(1); services.protection_approve_plan gives the plan's end).
    "approve_plan": Transition(
        frozenset({S.PLAN_DRAFTED}),
        S.IN_INTERVENTION,
        commune_step(CHAIRMAN),
        gettext_lazy("Approve the plan (Form 05)"),
        guards=(
            "protection.stands_in",
            "child_heard",
        ),
        closes=(APPROVAL,),
        opens=(REVIEW,),
        confirm=gettext_lazy(
            "The plan becomes the commune's decision (Form 05): the people and bodies it names must carry "
            "it out, and the review clock starts."
        ),
        tells=(
            Tell(gettext_lazy("The plan was approved (Form 05): carry it out and review it"), to=_commune),
        ),
    ),
    "return_plan": Transition(
        frozenset({S.PLAN_DRAFTED}),
        S.ASSESSING,
        commune_step(CHAIRMAN),
        gettext_lazy("Return the plan for changes"),
        guards=("protection.stands_in",),
        opens=(PLAN,),
        tells=(Tell(gettext_lazy("The plan was returned for changes: draft it again"), to=_commune),),
    ),
    # Decree 56/2017 art. 30(1): the review at the end of the plan; the chairman decides next.
    "review": Transition(
        frozenset({S.IN_INTERVENTION}),
        S.REVIEW,
        commune_step(OFFICER),
        gettext_lazy("Record the review (Form 06)"),
        guards=(
            "protection.stands_in",
            "protection.form_06",
        ),
        closes=(REVIEW,),
        tells=(Tell(gettext_lazy("Form 06 recorded: close the case or plan again"), to=_commune),),
    ),
    # Decree 56/2017 art. 30(1)(b)–(c): close when safe and stable, otherwise plan again.
    "close": Transition(
        frozenset({S.REVIEW}),
        S.CLOSED,
        commune_step(CHAIRMAN),
        gettext_lazy("Close the case"),
        guards=("protection.stands_in", "protection.safe_and_stable", "protection.nothing_in_force"),
        cancels=EVERY_CLOCK,
        confirm=gettext_lazy(
            "The case is closed: its deadlines stop and the commune no longer follows the child. Only the "
            "commune chairman or the provincial officer can reopen it."
        ),
    ),
    "replan": Transition(
        frozenset({S.REVIEW}),
        S.ASSESSING,
        commune_step(COMMUNE),
        gettext_lazy("Plan again"),
        guards=("protection.stands_in",),
        opens=(PLAN, APPROVAL),
    ),
    # A case closed in error goes back to the state it was closed from; the clocks its closure stopped
    # run again from now (services.protection_reopen). Audited with the reason.
    "reopen_closed": Transition(
        frozenset({S.CLOSED}),
        S.REVIEW,
        SUPERVISORS,
        gettext_lazy("Reopen the case"),
        confirm=gettext_lazy(
            "The case reopens at the review: the commune follows the child again and decides to close it or "
            "plan again."
        ),
        tells=(Tell(gettext_lazy("A closed case was reopened: the commune follows it again"), to=_commune),),
    ),
    "reopen_unfounded": Transition(
        frozenset({S.UNFOUNDED}),
        S.WITH_COMMUNE,
        SUPERVISORS,
        gettext_lazy("Reopen the case"),
        confirm=gettext_lazy(
            "The report reopens for a new initial assessment (Form 02): its deadlines run again from now."
        ),
        tells=(
            Tell(
                gettext_lazy(
                    "A report closed as unfounded was reopened: record the initial assessment again"
                ),
                to=_commune,
            ),
        ),
    ),
    # Law on Children art. 60(3): the child's view, heard and recorded on the case.
    "hear_child": Transition(
        OPEN,
        None,
        commune_step(OFFICER),
        gettext_lazy("Record the child's view"),
        guards=("protection.stands_in",),
        verb=Verb.CHILD_UPDATE,
    ),
    # A service asked of another organisation, which sees the referral and never the case.
    "refer": Transition(
        OPEN,
        None,
        commune_step(COMMUNE),
        gettext_lazy("Refer to another organisation"),
        guards=("protection.stands_in",),
        tells=(
            Tell(
                lambda f: (
                    _("A referral asks your organisation for: %(service)s")
                    % {"service": _referral(f).get_service_display()}
                ),
                to=lambda f: _referral(f).to_organisation,
                link=lambda f: f"/protection/referrals/{f.data['referral']}/",
            ),
        ),
    ),
    "answer_referral": Transition(
        OPEN,
        None,
        REFERRAL_RECEIVERS,
        gettext_lazy("Answer a referral"),
        tells=(
            Tell(
                lambda f: _("Referral answered: %(status)s") % {"status": _referral(f).get_status_display()},
                to=lambda f: _referral(f).from_organisation,
            ),
        ),
    ),
    "withdraw_referral": Transition(
        OPEN,
        None,
        commune_step(COMMUNE),
        gettext_lazy("Withdraw a referral"),
        guards=("protection.stands_in",),
        tells=(
            Tell(
                lambda f: (
                    _("A referral to your organisation was withdrawn: %(service)s")
                    % {"service": _referral(f).get_service_display()}
                ),
                to=lambda f: _referral(f).to_organisation,
                link=lambda f: f"/protection/referrals/{f.data['referral']}/",
            ),
        ),
    ),
    # The child moved: the lead is offered to the new commune, which must accept before it moves. Its
    # answer is due within Haven's default period (clocks.py): an offer nobody answers escalates
    # rather than holding the case, and another transfer, back.
    "transfer_request": Transition(
        OPEN,
        None,
        commune_step(COMMUNE),
        gettext_lazy("Transfer the case to another commune"),
        guards=("protection.stands_in",),
        opens=(TRANSFER_ANSWER,),
        tells=(
            Tell(
                gettext_lazy("A child-protection case is offered to your commune: accept or refuse"),
                to=lambda f: _transfer(f).to_organisation,
                link=lambda f: f"/protection/transfers/{f.data['transfer']}/",
            ),
        ),
    ),
    # The sender takes back an offer nobody has answered yet (the child did not move after all, or
    # another commune should take the case), with its reason: the receiver is told and its task ends,
    # and the case may be offered again.
    "transfer_withdraw": Transition(
        OPEN,
        None,
        commune_step(COMMUNE),
        gettext_lazy("Withdraw the transfer"),
        guards=("protection.stands_in",),
        cancels=(TRANSFER_ANSWER,),
        confirm=gettext_lazy(
            "The other commune can no longer accept the case: it stays with your commune, and you may "
            "offer it again."
        ),
        tells=(
            Tell(
                gettext_lazy(
                    "A child-protection case offered to your commune was withdrawn: there is nothing to "
                    "answer"
                ),
                to=lambda f: _transfer(f).to_organisation,
                link=lambda f: f"/protection/transfers/{f.data['transfer']}/",
            ),
        ),
    ),
    "transfer_accept": Transition(
        OPEN,
        None,
        COMMUNE,
        gettext_lazy("Accept the case"),
        closes=(TRANSFER_ANSWER,),
        tells=(
            Tell(
                gettext_lazy("The other commune accepted the case and now leads it"),
                to=lambda f: _transfer(f).from_organisation,
            ),
        ),
    ),
    "transfer_refuse": Transition(
        OPEN,
        None,
        COMMUNE,
        gettext_lazy("Refuse the case"),
        closes=(TRANSFER_ANSWER,),
        tells=(
            Tell(
                gettext_lazy("The other commune refused the case: it stays with you"),
                to=lambda f: _transfer(f).from_organisation,
            ),
        ),
    ),
    # The organisation leading the case was closed or merged (accounts/services.py), or the commune's
    # People's Committee joined Haven in place of the body standing in for it: the one named to take
    # over leads the case from now on, with its clocks. Recorded by the system administrator, who reads
    # no child's record; the new lead is told.
    "take_over": Transition(
        OPEN,
        None,
        frozenset({R.SYSTEM_ADMINISTRATOR}),
        gettext_lazy("Lead of the case taken over"),
        tells=(
            Tell(
                gettext_lazy(
                    "A child-protection case is now yours: the organisation that led it handed it over"
                ),
                to=lambda f: f.subject.responsible,
            ),
        ),
        verb=Verb.ACCOUNT_MANAGE,
    ),
    # A report that may be about a child Haven already knows: a person decides, never Haven.
    "decide_known_child": Transition(
        OPEN,
        None,
        commune_step(COMMUNE),
        gettext_lazy("Decide whether the report is about a child already recorded"),
        guards=("protection.stands_in",),
    ),
}

FLOW = Workflow(
    "protection",
    model=ProtectionCase,
    states=State,
    transitions=TRANSITIONS,
    begins=lambda case: (case.received_at, _("the report was received")),
    link=lambda case: f"/protection/{case.pk}/",
    title=gettext_lazy("Child at risk"),
)

# Form 02 is one page and one endpoint whatever it concludes; the same for the emergency measures
# with or without a separation, and for reopening a case closed either way.
FORM_02 = ("assess_emergency", "assess_support", "assess_unfounded")
EMERGENCY_STEPS = ("emergency_measures", "emergency_separation")
REOPEN = ("reopen_closed", "reopen_unfounded")
# The step that closed a case, for each closed state.
CLOSED_BY = {S.CLOSED: "close", S.UNFOUNDED: "assess_unfounded"}
