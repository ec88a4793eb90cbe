"""Every step of a child-protection case (Decree 56/2017 art. 25–32): keyword-only, atomic, each one
fired on the one workflow engine (haven/workflow), which locks the case, finds who acts, checks the
named guards, moves the clocks, and writes the timeline, the audit event and the next actor's message.
The table of steps is workflow.py; this module adds each step's own data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.access.scoping import NotVisible, acting_as, memberships
from haven.accounts.models import Organisation, OrganisationKind, User
from haven.accounts.selectors import authority_for
from haven.areas.models import Area, Level
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.deadlines.models import Obligation
from haven.deadlines.models import Status as ClockStatus
from haven.deadlines.services import obligation_open, obligation_redate
from haven.lib import crypto
from haven.notifications.services import notify
from haven.people import rules as people_rules
from haven.people import services as people
from haven.people.models import Child, ChildOpinion, Involvement, InvolvementBasis
from haven.protection import workflow
from haven.protection.forms_catalog import FORMS
from haven.protection.models import (
    Approval,
    Assessment,
    Channel,
    KnownChildMatch,
    MatchStatus,
    ProtectionCase,
    Referral,
    ReferralStatus,
    Separation,
    State,
    Transfer,
    TransferStatus,
)
from haven.protection.receivers import may_receive, referral_receivers, transfer_receivers
from haven.workflow.engine import Firing

K = OrganisationKind
FLOW = workflow.FLOW
CHANNEL_OF_KIND = {
    K.HOTLINE_111: Channel.HOTLINE,
    K.COMMUNE_POLICE: Channel.POLICE,
    K.PROVINCIAL_POLICE: Channel.POLICE,
    K.HEALTH_FACILITY: Channel.HOSPITAL,
    K.SCHOOL: Channel.SCHOOL,
    K.COMMUNE_COMMITTEE: Channel.COMMUNE,
    K.SOCIAL_PROTECTION_FACILITY: Channel.FACILITY,
}
# Who may report (the report row's roles); care reports an incident inside a facility through it.
REPORTING_ROLES = workflow.REPORTERS
SEPARATION_LIMIT = dt.timedelta(days=15)  # Decree 56/2017 art. 32
# Due at the open separation's end (protection/clocks.py).
SEPARATION_CLOCK = "protection.separation_review"


def _required(**values: str) -> dict[str, list[ValidationError]]:
    """The named texts left blank, each with its own message: {field: (value, message)}."""
    return {
        name: [ValidationError(message, code="required")]
        for name, (value, message) in values.items()
        if not (value or "").strip()
    }


# --- Report (Form 01) ---------------------------------------------------------------------------


# Below this age a pregnancy in a report is a slip of the hand (walkthrough D19: "pregnant" ticked for a
# 5-year-old boy); a pregnant girl of 10 to 15 is flagged for protection and prevention at once.
PREGNANCY_FROM_YEARS = 10


def report_problems(
    *,
    sex: str,
    pregnant: bool,
    date_of_birth: dt.date | None,
    estimated_age_years: int | None,
    informant_consent: bool,
    informant: dict | None,
    names: dict[str, str],
) -> dict[str, ValidationError]:
    """What Form 01 cannot say at once (the page's form and the API both ask): by field."""
    errors: dict[str, ValidationError] = {}
    for field, value in {**names, "informant_name": (informant or {}).get("name", "")}.items():
        problem = people_rules.name_problem(value or "")
        if problem:
            errors[field] = ValidationError(problem[0], code=problem[1])
    phone = people_rules.phone_problem(((informant or {}).get("phone") or "").strip())
    if phone:
        errors["informant_phone"] = ValidationError(phone, code="bad_phone")
    if informant and any(informant.values()) and not informant_consent:
        # Decree 56, Form 01: the informant's identity is kept only if they agree.
        errors["informant_consent"] = ValidationError(
            _("Record the informant's identity only if they agree."), code="no_consent"
        )
    if informant_consent and not ((informant or {}).get("name") or (informant or {}).get("phone")):
        errors["informant_name"] = ValidationError(
            _("To be called back, give a name or a phone number (or leave the box unticked)."),
            code="consent_without_contact",
        )
    if pregnant and sex == "male":
        errors["pregnant"] = ValidationError(
            _("A boy cannot be pregnant: check the sex."), code="inconsistent"
        )
    elif pregnant:
        today = clock.localdate()
        age = (
            estimated_age_years
            if estimated_age_years is not None
            else (
                today.year
                - date_of_birth.year
                - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
            )
            if date_of_birth
            else None
        )
        if age is not None and age < PREGNANCY_FROM_YEARS:
            errors["pregnant"] = ValidationError(
                _("A child under %(years)s cannot be recorded as pregnant: check the age.")
                % {"years": PREGNANCY_FROM_YEARS},
                code="inconsistent",
            )
    return errors


@transaction.atomic
def protection_report(
    *,
    actor: User | None,
    incident_commune: Area,
    incident_place: str,
    condition: str,
    likely_harm: str,
    sex: str,
    family_name: str = "",
    middle_name: str = "",
    given_name: str = "",
    date_of_birth: dt.date | None = None,
    estimated_age_years: int | None = None,
    parents: str = "",
    caregiver: str = "",
    actions_taken: str = "",
    informant_consent: bool = False,
    informant: dict | None = None,
    child: Child | None = None,
    pregnant: bool = False,
    abandoned: bool = False,
) -> ProtectionCase:
    """Form 01. The report goes at once to the commune of the incident, which answers for the case.
    A report about a child Haven knows is linked to that child; a closed case of the child is
    linked as the earlier case (the case reopens as a new, linked one)."""
    now = clock.now()
    # Every problem of the report at once, so that nobody corrects one field per submit.
    errors: dict[str, ValidationError] = {}
    if incident_commune is None or incident_commune.level != "commune":
        errors["incident_commune"] = ValidationError(
            _("Choose a commune from the list."), code="unknown_commune"
        )
    for field, value in (
        ("condition", condition),
        ("likely_harm", likely_harm),
        ("incident_place", incident_place),
    ):
        if not value.strip():
            errors[field] = ValidationError(_("Form 01 requires this field."), code="required")
    errors.update(
        report_problems(
            sex=sex,
            pregnant=pregnant,
            date_of_birth=date_of_birth,
            estimated_age_years=estimated_age_years,
            informant_consent=informant_consent,
            informant=informant,
            names={"family_name": family_name, "middle_name": middle_name, "given_name": given_name},
        )
    )
    if informant and any(informant.values()) and not informant_consent and "informant_consent" not in errors:
        # Decree 56, Form 01: the informant's identity is kept only if they agree.
        errors["informant_consent"] = ValidationError(
            _("Record the informant's identity only if they agree."), code="no_consent"
        )
    if errors:
        raise ValidationError(errors)
    membership = None
    if actor is not None and actor.is_authenticated:
        # A reporter needs no sight of any child (a school reports one it sees only as a pupil).
        membership = next((m for m in memberships(actor) if m.role in workflow.REPORTERS), None)
        if membership is None:
            raise NotVisible
        channel = CHANNEL_OF_KIND.get(membership.organisation.kind, Channel.COMMUNE)
    else:
        actor, channel = None, Channel.PUBLIC
    linked = child is not None
    if child is None:
        if date_of_birth is None and estimated_age_years is not None:
            date_of_birth = clock.localdate(now).replace(month=1, day=1) - dt.timedelta(
                days=365 * estimated_age_years
            )
        child = people.child_register_found(
            actor=actor,
            commune=incident_commune,
            sex=sex,
            date_of_birth=date_of_birth,
            estimated=estimated_age_years is not None,
        )
        people.child_name_and_birth(
            child=child,
            family_name=family_name,
            middle_name=middle_name,
            given_name=given_name,
            date_of_birth=child.date_of_birth,
            estimated=child.date_of_birth_estimated,
            place_of_birth="",
        )
    responsible = authority_for(incident_commune)
    if child.current_commune_id != incident_commune.pk:
        # The commune of the incident leads the case (Decree 56 art. 26(2)) even when the child lives
        # elsewhere: it must see the child while the case is open.
        Involvement.objects.create(child=child, organisation=responsible, basis=InvolvementBasis.CASE)
    previous = ProtectionCase.objects.filter(child=child).order_by("-received_at").first()
    case = ProtectionCase.objects.create(
        child=child,
        received_at=now,
        channel=channel,
        received_by=actor,
        receiving_organisation=membership.organisation if membership else None,
        incident_commune=incident_commune,
        incident_place=incident_place.strip(),
        condition=condition.strip(),
        likely_harm=likely_harm.strip(),
        parents=parents.strip(),
        caregiver=caregiver.strip(),
        actions_taken=actions_taken.strip(),
        informant_consent=informant_consent,
        responsible=responsible,
        previous=previous,
        informant_encrypted=crypto.encrypt(
            json.dumps(informant, ensure_ascii=False), keys=settings.HAVEN_FIELD_KEYS
        )
        if informant_consent and informant
        else "",
    )
    FLOW.fire(
        case,
        "report",
        actor=actor,
        membership=membership,
        data={"channel": channel},
        now=now,
        created=True,
    )
    _flags(case, pregnant=pregnant, now=now)
    if not linked:
        _offer_known_child(case, now)
    if abandoned:
        # A report that reveals an abandoned child (parents cannot be identified, Law on Adoption
        # art. 3(7)) opens the found-child pathway for the same child, on its own clocks.
        from haven.foundlings.services import foundling_report

        age_days = (clock.localdate(now) - child.date_of_birth).days if child.date_of_birth else None
        foundling_report(
            actor=actor,
            child=child,
            found_at=now,
            found_commune=incident_commune,
            found_place=incident_place,
            sex=child.sex,
            condition=condition,
            estimated_age_days=age_days,
        )
        case.flags = [*case.flags, "abandoned"]
        case.save(update_fields=["flags", "updated_at"])
    return case


def _flags(case: ProtectionCase, *, pregnant: bool, now: dt.datetime) -> None:
    """Notice 432 and the issue: a pregnant girl under 16 is flagged for prevention work; abuse inside
    a facility is told to the provincial Department of Health."""
    age = case.child.age_years(clock.localdate(now))
    if pregnant and case.child.sex == "female" and (age is None or age < 16):
        case.flags = [*case.flags, "pregnant_under_16"]
        for union in Organisation.objects.filter(kind=K.MASS_ORGANISATION, area=case.incident_commune):
            notify(
                organisation=union,
                kind="protection.prevention",
                title=_("A pregnant girl under 16 needs prevention follow-up"),
                at=now,
            )
    if case.channel == Channel.FACILITY:
        case.flags = [*case.flags, "inside_facility"]
        for health in Organisation.objects.filter(
            kind=K.PROVINCIAL_HEALTH, area=case.incident_commune.parent
        ):
            notify(
                organisation=health,
                kind="protection.facility_incident",
                title=_("A child was reported at risk inside a social protection facility"),
                child=case.child,
                link=FLOW.link(case),
                at=now,
            )
    case.save(update_fields=["flags", "updated_at"])


def informant_of(case: ProtectionCase) -> dict:
    """The informant's identity, for the roles that handle the report (checked by the caller)."""
    if not case.informant_encrypted:
        return {}
    return json.loads(crypto.decrypt(case.informant_encrypted, keys=settings.HAVEN_FIELD_KEYS))


# --- The commune takes it up; assessments --------------------------------------------------------


@transaction.atomic
def protection_accept(*, actor: User, case: ProtectionCase) -> ProtectionCase:
    def effect(firing: Firing) -> None:
        if firing.membership.role == workflow.R.COMMUNE_CHILD_PROTECTION_OFFICER:
            case.assigned_to = actor
            case.save(update_fields=["assigned_to", "updated_at"])

    FLOW.fire(case, "accept", actor=actor, effect=effect)
    return case


def _clean(form_code: str, data: dict) -> dict:
    """The form's fields as stored, once its guard (workflow.form_errors) has passed; unknown fields
    are dropped."""
    clean: dict[str, Any] = {}
    for field in FORMS[form_code].fields:
        value = data.get(field.name)
        if field.kind == "bool":
            value = bool(value)
        elif field.kind == "date":
            day = workflow.parse_day(value) if value not in (None, "") else None
            value = day.isoformat() if day else None
        elif field.kind == "text":
            value = (value or "").strip()
        clean[field.name] = value
    return clean


def _assessment(firing: Firing, form_code: str) -> Assessment:
    assessment = Assessment.objects.create(
        case=firing.subject,
        form=form_code,
        form_version=FORMS[form_code].version,
        data=_clean(form_code, firing.inputs),
        recorded_at=firing.now,
        recorded_by=firing.actor,
    )
    firing.data["assessment"] = assessment.pk
    return assessment


def previous_scores(case: ProtectionCase, form_code: str) -> dict[str, str]:
    """The levels of the last assessment on the same form (Form 06 also carries Form 02's harm and
    access scores): shown beside the new ones so progress shows."""
    codes = [form_code] + (["02"] if form_code == "06" else [])
    last = case.assessments.filter(form__in=codes).order_by("-recorded_at", "-pk").first()
    if last is None:
        return {}
    return {f.name: last.data.get(f.name) for f in FORMS[last.form].levels}


def initial_assessment_action(data: dict) -> str:
    """The row Form 02 fires: unfounded, emergency measures, or support (the page asks to confirm the
    first, so it reads the same answers)."""
    if data.get("unfounded"):
        return "assess_unfounded"
    return "assess_emergency" if data.get("emergency") else "assess_support"


@transaction.atomic
def protection_assess_initial(*, actor: User, case: ProtectionCase, data: dict) -> Assessment:
    """Form 02: decides emergency measures (serious risk), support, or no case (kept on record). An
    "unfounded" conclusion that contradicts the form's own scores is refused (workflow.py)."""
    action = initial_assessment_action(data)

    def effect(firing: Firing) -> Assessment:
        assessment = _assessment(firing, "02")
        if action == "assess_unfounded":
            _closed(case, firing.now)
        return assessment

    return FLOW.fire(case, action, actor=actor, inputs=data, effect=effect)


@transaction.atomic
def protection_emergency(
    *,
    actor: User,
    case: ProtectionCase,
    measures: str,
    separate: bool = False,
    shelter: str = "",
    separation_days: int = 15,
    extension_decision: str = "",
) -> ProtectionCase:
    """Decree 56 art. 26(3), 31, 32: emergency measures, and if needed temporary separation with safe
    shelter and alternative care, for at most 15 days unless a decision extends it."""

    def effect(firing: Firing) -> None:
        errors = _required(measures=(measures, _("Describe the emergency measures taken.")))
        if separate:
            errors |= _required(
                shelter=(shelter, _("Say where the child is sheltered and who cares for them."))
            )
            decision = people_rules.clean_reference(extension_decision, field="extension_decision")
            if dt.timedelta(days=separation_days) > SEPARATION_LIMIT and not decision.strip():
                message = _("A separation lasts at most 15 days unless a decision extends it.")
                errors["separation_days"] = [ValidationError(message, code="separation_too_long")]
        if errors:
            raise ValidationError(errors)
        firing.note = measures.strip()
        firing.data["separation"] = separate
        if separate:
            Separation.objects.create(
                case=case,
                decided_at=firing.now,
                decided_by=actor,
                shelter=shelter.strip(),
                ends_at=firing.now + dt.timedelta(days=separation_days),
                extension_decision=extension_decision.strip(),
            )
            # Decree 56/2017 art. 32: by its end the child returns, or a decision extends it. The clock
            # is due at this separation's own end, whatever its length.
            firing.dues[SEPARATION_CLOCK] = firing.now + dt.timedelta(days=separation_days)

    action = "emergency_separation" if separate else "emergency_measures"
    FLOW.fire(case, action, actor=actor, effect=effect)
    return case


@transaction.atomic
def protection_extend_separation(
    *, actor: User, case: ProtectionCase, days: int, decision: str
) -> Separation:
    """Decree 56/2017 art. 32: a separation longer than 15 days needs a decision of the competent
    authority. The separation's end moves ``days`` on, and so does its clock: due at the new end,
    escalating from then if that passes too. Taken by those who may end it (workflow ``end_separation``)."""

    def effect(firing: Firing) -> Separation:
        separation = case.separations.select_for_update().filter(ended_at__isnull=True).first()
        if separation is None:
            raise Refused(_("The child is not separated."), code="out_of_order")
        errors = _required(
            decision=(decision, _("Give the number of the decision that extends the separation."))
        )
        if not 1 <= days <= 365:
            errors["days"] = [
                ValidationError(_("Extend the separation by 1 to 365 days."), code="out_of_range")
            ]
        if errors:
            raise ValidationError(errors)
        number = people_rules.clean_reference(decision, field="decision")
        before = separation.ends_at
        separation.ends_at = before + dt.timedelta(days=days)
        separation.extension_decision = number.strip()[:100]
        separation.save(update_fields=["ends_at", "extension_decision", "updated_at"])
        moved = obligation_redate(rule_code=SEPARATION_CLOCK, subject=case, due=separation.ends_at)
        if moved is None:
            obligation_open(
                rule_code=SEPARATION_CLOCK,
                subject=case,
                child=case.child,
                responsible=case.responsible,
                start=firing.now,
                due=separation.ends_at,
            )
        firing.note = separation.extension_decision
        firing.data.update(
            {"ended": before.isoformat(), "ends": separation.ends_at.isoformat(), "days": days}
        )
        return separation

    return FLOW.fire(case, "extend_separation", actor=actor, effect=effect)


@transaction.atomic
def protection_end_separation(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    def effect(firing: Firing) -> None:
        message = _("Say why the separation ends (parents assessed safe, or another decision).")
        if errors := _required(reason=(reason, message)):
            raise ValidationError(errors)
        separation = case.separations.filter(ended_at__isnull=True).first()
        separation.ended_at = firing.now
        separation.save(update_fields=["ended_at", "updated_at"])
        firing.note = reason.strip()

    FLOW.fire(case, "end_separation", actor=actor, effect=effect)
    return case


@transaction.atomic
def protection_assess_specific(*, actor: User, case: ProtectionCase, data: dict) -> Assessment:
    """Form 03 and the minutes of the needs meeting (Decree 56 art. 27)."""
    return FLOW.fire(
        case, "assess_specific", actor=actor, inputs=data, effect=lambda firing: _assessment(firing, "03")
    )


@transaction.atomic
def protection_draft_plan(*, actor: User, case: ProtectionCase, data: dict) -> Assessment:
    """Form 04, within 5 working days (Decree 56 art. 28(1)); it needs the specific assessment, and its
    dates lie on the case's timeline. The chairman is told a plan awaits approval."""

    def effect(firing: Firing) -> Assessment:
        plan = _assessment(firing, "04")
        firing.data["plan"] = plan.pk
        return plan

    return FLOW.fire(case, "draft_plan", actor=actor, inputs=data, effect=effect)


def current_plan(case: ProtectionCase) -> Assessment | None:
    """The plan (Form 04) the chairman approves: the latest drafted."""
    return case.assessments.filter(form="04").order_by("-recorded_at", "-pk").first()


@transaction.atomic
def protection_approve_plan(
    *, actor: User, case: ProtectionCase, decision_number: str, participants: str
) -> Approval:
    """Form 05, by the commune chairman only, after the meeting of Law on Children art. 52; the officer
    is told to carry the plan out. The review (Form 06) is due at the end of the plan's last day, and
    at most 3 months after this approval (Decree 56/2017 art. 30(1); protection/clocks.py)."""

    def effect(firing: Firing) -> Approval:
        errors = _required(
            participants=(participants, _("List who took part in the meeting.")),
            decision_number=(decision_number, _("Give the number of the approval decision.")),
        )
        if errors:
            raise ValidationError(errors)
        number = people_rules.clean_reference(decision_number, field="decision_number")
        plan = current_plan(case)
        approval = Approval.objects.create(
            case=case,
            plan=plan,
            decision_number=number.strip(),
            approved_at=firing.now,
            approved_by=actor,
            participants=participants.strip(),
        )
        firing.data["decision"] = approval.decision_number
        ends = workflow.parse_day(plan.data.get("end")) if plan is not None and plan.data.get("end") else None
        if ends is not None:
            firing.dues[workflow.REVIEW] = ends
        return approval

    return FLOW.fire(case, "approve_plan", actor=actor, effect=effect)


@transaction.atomic
def protection_return_plan(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    """The chairman sends the plan back; the officer drafts it again (the plan clock runs again)."""

    def effect(firing: Firing) -> None:
        if errors := _required(reason=(reason, _("Say what the plan needs."))):
            raise ValidationError(errors)
        firing.note = reason.strip()

    FLOW.fire(case, "return_plan", actor=actor, effect=effect)
    return case


@transaction.atomic
def protection_review(*, actor: User, case: ProtectionCase, data: dict) -> Assessment:
    """Form 06: remaining harm, the abuser's access, obstacles to safety, the child's resilience."""
    return FLOW.fire(
        case, "review", actor=actor, inputs=data, effect=lambda firing: _assessment(firing, "06")
    )


@transaction.atomic
def protection_close(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    """Decree 56 art. 30(1)(b): close when there is no further risk and the child is stable, and no
    separation or service of the intervention still runs (workflow.py)."""

    def effect(firing: Firing) -> None:
        _closed(case, firing.now)
        firing.note = reason.strip()

    FLOW.fire(case, "close", actor=actor, effect=effect)
    return case


@transaction.atomic
def protection_replan(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    def effect(firing: Firing) -> None:
        firing.note = reason.strip()

    FLOW.fire(case, "replan", actor=actor, effect=effect)
    return case


def _closed(case: ProtectionCase, now: dt.datetime) -> None:
    """A closed case no longer opens the child's record to a commune where the child does not live."""
    case.closed_at = now
    case.save(update_fields=["closed_at", "updated_at"])
    if not case.child.protection_cases.exclude(pk=case.pk).filter(closed_at__isnull=True).exists():
        Involvement.objects.current().filter(
            child=case.child, organisation=case.responsible, basis=InvolvementBasis.CASE
        ).update(ended_at=now)


# --- A case closed in error ------------------------------------------------------------------------


def clocks_stopped_by(case: ProtectionCase, step) -> list[str]:
    """The clocks a closing step stopped, as met or as no longer needed: those its row names that were
    still running when it was taken (each obligation is closed once, so those closed at or after the
    step's moment were closed by it: nothing else happens on a closed case)."""
    rule = FLOW.transitions[step.action]
    stopped = set(
        Obligation.objects.filter(
            subject_type=case._meta.label_lower,
            subject_id=case.pk,
            rule__in=(*rule.closes, *rule.cancels),
            status__in=(ClockStatus.MET, ClockStatus.CANCELLED),
            closed_at__gte=step.at,
        ).values_list("rule", flat=True)
    )
    return [code for code in workflow.EVERY_CLOCK if code in stopped]


@transaction.atomic
def protection_reopen(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    """A case closed in error (closed, or closed as unfounded) goes back to the state it was closed from,
    by the commune chairman or the provincial officer, with the reason. The clocks its closure stopped
    run again from now, and the commune of the incident sees the child again."""
    FLOW.lock(case)
    action = "reopen_unfounded" if case.state == State.UNFOUNDED else "reopen_closed"

    def effect(firing: Firing) -> None:
        if errors := _required(reason=(reason, _("Say why the case is reopened: what was closed in error."))):
            raise ValidationError(errors)
        # The state is still the closed one: the engine moves it once these writes are done.
        closing = (
            case.steps.filter(action=workflow.CLOSED_BY[State(case.state)]).order_by("-at", "-pk").first()
        )
        restored = clocks_stopped_by(case, closing) if closing else []
        firing.also_opens.extend(restored)
        case.closed_at = None
        case.save(update_fields=["closed_at", "updated_at"])
        responsible = case.responsible
        if (
            case.child.current_commune_id != responsible.area_id
            and not Involvement.objects.current()
            .filter(child=case.child, organisation=responsible, basis=InvolvementBasis.CASE)
            .exists()
        ):
            Involvement.objects.create(
                child=case.child, organisation=responsible, basis=InvolvementBasis.CASE, started_at=firing.now
            )
        firing.note = reason.strip()
        firing.data.update(
            {
                "closed_from": closing.from_state if closing else "",
                "closing_step": closing.action if closing else "",
                "closed_at": closing.at.isoformat() if closing else "",
                "restored": restored,
            }
        )

    FLOW.fire(case, action, actor=actor, effect=effect)
    return case


# --- The child's view ------------------------------------------------------------------------------


@transaction.atomic
def protection_hear_child(
    *, actor: User, case: ProtectionCase, heard_on: dt.date, subject: str, opinion: str
) -> ChildOpinion:
    """Law on Children art. 60(3), art. 47(5): the child's view, recorded on the child's record and on
    the case's timeline (a child of 7 or over is heard before a separation or the plan)."""

    def effect(firing: Firing) -> ChildOpinion:
        errors = _required(
            subject=(subject, _("This field is required.")), opinion=(opinion, _("This field is required."))
        )
        if errors:
            raise ValidationError(errors)
        entry = people.opinion_record(
            actor=actor, child=case.child, heard_on=heard_on, subject=subject, opinion=opinion
        )
        firing.note = entry.subject
        firing.data["opinion"] = entry.pk
        return entry

    return FLOW.fire(case, "hear_child", actor=actor, effect=effect)


# --- Referrals ----------------------------------------------------------------------------------


@transaction.atomic
def referral_request(
    *,
    actor: User,
    case: ProtectionCase,
    to_organisation: Organisation,
    service: str,
    note: str,
    consent: bool,
) -> Referral:
    """A service asked of another organisation, sharing only what the referral carries; the receiver
    is told."""

    def effect(firing: Firing) -> Referral:
        errors = _required(note=(note, _("Say what is asked.")))
        if not consent:
            message = _("Sharing the child's data with another organisation needs consent.")
            errors["consent"] = [ValidationError(message, code="no_consent")]
        if not may_receive(referral_receivers(user=actor, case=case), to_organisation):
            message = _("Choose a service organisation of the province from the list.")
            errors["to_organisation"] = [ValidationError(message, code="cannot_receive")]
        if errors:
            raise ValidationError(errors)
        referral = Referral.objects.create(
            case=case,
            from_organisation=firing.organisation,
            to_organisation=to_organisation,
            service=service,
            note=note.strip(),
            consent=True,
            requested_at=firing.now,
            requested_by=actor,
        )
        firing.note = f"{referral.get_service_display()} → {to_organisation}"
        firing.data.update({"referral": referral.pk, "to": to_organisation.pk, "service": service})
        return referral

    return FLOW.fire(case, "refer", actor=actor, effect=effect)


ANSWERS = {
    ReferralStatus.REQUESTED: {ReferralStatus.ACCEPTED, ReferralStatus.REJECTED},
    ReferralStatus.ACCEPTED: {ReferralStatus.DONE},
}


@transaction.atomic
def referral_answer(*, actor: User, referral: Referral, status: str, outcome: str = "") -> Referral:
    """The receiving organisation accepts, rejects, or reports the service done; the asking commune is
    told. The receiver answers on the case's timeline without seeing the case."""
    membership = next(
        (
            m
            for m in memberships(actor)
            if m.organisation_id == referral.to_organisation_id and m.role in workflow.REFERRAL_RECEIVERS
        ),
        None,
    )
    if membership is None:
        raise NotVisible

    def effect(firing: Firing) -> Referral:
        referral.refresh_from_db()
        if status not in ANSWERS.get(referral.status, set()):
            raise Refused(_("This answer does not follow from the referral's state."), code="out_of_order")
        if status in (ReferralStatus.REJECTED, ReferralStatus.DONE) and not outcome.strip():
            raise invalid("outcome", _("Say why, or what was done."), "required")
        referral.status, referral.answered_at, referral.answered_by = status, firing.now, actor
        referral.outcome = outcome.strip() or referral.outcome
        referral.save()
        firing.note = f"{referral.get_service_display()}: {referral.get_status_display()}"
        firing.data.update({"referral": referral.pk, "status": status})
        return referral

    return FLOW.fire(referral.case, "answer_referral", actor=actor, membership=membership, effect=effect)


@transaction.atomic
def referral_withdraw(*, actor: User, case: ProtectionCase, referral: Referral, reason: str) -> Referral:
    """The asking commune withdraws a service it no longer needs (or that nobody answers), so that the
    case can close; the receiver is told."""

    def effect(firing: Firing) -> Referral:
        referral.refresh_from_db()
        if referral.case_id != case.pk:
            raise NotVisible
        if referral.status not in (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED):
            raise Refused(_("This referral is no longer under way."), code="out_of_order")
        if errors := _required(reason=(reason, _("Say why the referral is withdrawn."))):
            raise ValidationError(errors)
        referral.status = ReferralStatus.WITHDRAWN
        referral.outcome = reason.strip()
        referral.save(update_fields=["status", "outcome", "updated_at"])
        firing.note = f"{referral.get_service_display()} → {referral.to_organisation}: {reason.strip()}"
        firing.data.update({"referral": referral.pk})
        return referral

    return FLOW.fire(case, "withdraw_referral", actor=actor, effect=effect)


# --- Transfer of the lead to another commune -------------------------------------------------------


@transaction.atomic
def transfer_request(
    *, actor: User, case: ProtectionCase, to_organisation: Organisation, reason: str
) -> Transfer:
    """The child moved: the case is offered to the commune People's Committee of the new commune,
    which is told."""

    def effect(firing: Firing) -> Transfer:
        if firing.organisation.pk != case.responsible_id:
            raise NotVisible
        errors = _required(
            reason=(reason, _("Say why the case moves (for example, the child's new address)."))
        )
        if not may_receive(transfer_receivers(case=case), to_organisation):
            message = _("Choose the People's Committee of another commune.")
            errors["to_organisation"] = [ValidationError(message, code="cannot_receive")]
        if errors:
            raise ValidationError(errors)
        if case.transfers.filter(status=TransferStatus.PENDING).exists():
            raise Refused(_("A transfer is already waiting for an answer."), code="already_pending")
        transfer = Transfer.objects.create(
            case=case,
            from_organisation=case.responsible,
            to_organisation=to_organisation,
            reason=reason.strip(),
            requested_at=firing.now,
            requested_by=actor,
        )
        firing.note = f"→ {to_organisation}"
        firing.data.update({"transfer": transfer.pk, "to": to_organisation.pk})
        # The receiving commune answers for its answer (and hears of it when it is late).
        firing.responsible[workflow.TRANSFER_ANSWER] = to_organisation
        return transfer

    return FLOW.fire(case, "transfer_request", actor=actor, effect=effect)


@transaction.atomic
def transfer_withdraw(*, actor: User, case: ProtectionCase, transfer: Transfer, reason: str) -> Transfer:
    """The commune that offered the case takes the offer back before the other commune has answered,
    with its reason: the receiver is told, its answer is no longer due (the clock stops as no longer
    needed, never as met), and the case may be offered again."""

    def effect(firing: Firing) -> Transfer:
        transfer.refresh_from_db()
        if transfer.case_id != case.pk or firing.organisation.pk != case.responsible_id:
            raise NotVisible
        if transfer.status != TransferStatus.PENDING:
            raise Refused(_("This transfer has already been answered."), code="already_answered")
        if errors := _required(reason=(reason, _("Say why the transfer is withdrawn."))):
            raise ValidationError(errors)
        transfer.status = TransferStatus.WITHDRAWN
        transfer.withdrawn_at, transfer.withdrawn_by = firing.now, actor
        transfer.withdrawal_reason = reason.strip()
        transfer.save(
            update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"]
        )
        firing.note = f"→ {transfer.to_organisation}: {transfer.withdrawal_reason}"
        firing.data.update({"transfer": transfer.pk, "to": transfer.to_organisation_id})
        return transfer

    return FLOW.fire(case, "transfer_withdraw", actor=actor, effect=effect)


@transaction.atomic
def transfer_answer(*, actor: User, transfer: Transfer, accept: bool, reason: str = "") -> Transfer:
    """Only the receiving commune answers. On acceptance it leads the case, holds its open clocks, and
    sees the child; a refusal leaves everything with the sender. The sender is told either way."""
    membership = acting_as(actor, workflow.COMMUNE, organisation=transfer.to_organisation)
    if membership is None:
        raise NotVisible
    case = transfer.case

    def effect(firing: Firing) -> Transfer:
        transfer.refresh_from_db()
        if transfer.status == TransferStatus.WITHDRAWN:
            raise Refused(
                _("The sending commune withdrew this transfer: there is nothing to answer."), code="withdrawn"
            )
        if transfer.status != TransferStatus.PENDING:
            raise Refused(_("This transfer has already been answered."), code="already_answered")
        if not accept and (errors := _required(reason=(reason, _("Give the reason for refusing.")))):
            raise ValidationError(errors)
        transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REFUSED
        transfer.answered_at, transfer.answered_by = firing.now, actor
        transfer.save()
        if accept:
            case.responsible = transfer.to_organisation
            case.assigned_to = None
            case.save(update_fields=["responsible", "assigned_to", "updated_at"])
            # The receiving commune now answers for every clock still running.
            Obligation.objects.filter(
                subject_type=case._meta.label_lower, subject_id=case.pk, status=ClockStatus.OPEN
            ).update(responsible=transfer.to_organisation)
            Involvement.objects.create(
                child=case.child,
                organisation=transfer.to_organisation,
                basis=InvolvementBasis.CASE,
                started_at=firing.now,
            )
            # A case is transferred because the child moved (Decree 56/2017 art. 26): the child now
            # lives in the receiving commune, which keeps the child in sight once the case closes, and
            # the commune the child left no longer follows the child through this case.
            Involvement.objects.current().filter(
                child=case.child, organisation=transfer.from_organisation, basis=InvolvementBasis.CASE
            ).update(ended_at=firing.now)
            if transfer.to_organisation.area.level == Level.COMMUNE:
                case.child.current_commune = transfer.to_organisation.area
                case.child.save(update_fields=["current_commune", "updated_at"])
        firing.note = reason.strip()
        firing.data["transfer"] = transfer.pk
        return transfer

    action = "transfer_accept" if accept else "transfer_refuse"
    return FLOW.fire(case, action, actor=actor, membership=membership, effect=effect)


# --- A report about a child Haven may already know -------------------------------------------------


def _known_child_candidates(child: Child, commune: Area) -> list[Child]:
    """Children of the incident commune with the same folded name and sex, born within a year: those
    the commune's officers can see anyway, who decide."""
    if not child.search_name.strip():
        return []
    found = Child.objects.filter(
        current_commune=commune, search_name=child.search_name, merged_into__isnull=True
    ).exclude(pk=child.pk)
    if child.sex != "unknown":
        found = found.filter(sex__in=(child.sex, "unknown"))
    if child.date_of_birth:
        year = dt.timedelta(days=366)
        found = found.filter(
            Q(date_of_birth__isnull=True)
            | Q(date_of_birth__range=(child.date_of_birth - year, child.date_of_birth + year))
        )
    return list(found[:5])


def _offer_known_child(case: ProtectionCase, now: dt.datetime) -> None:
    candidates = _known_child_candidates(case.child, case.incident_commune)
    for candidate in candidates:
        KnownChildMatch.objects.create(case=case, candidate=candidate)
    if candidates:
        case.flags = [*case.flags, "possible_known_child"]
        case.save(update_fields=["flags", "updated_at"])


@transaction.atomic
def known_child_decide(*, actor: User, match: KnownChildMatch, same_child: bool) -> ProtectionCase:
    """Same child: the case continues on the known record, and the record the report opened points to it
    (kept, never deleted). Different: the report's record stands on its own."""
    case = match.case

    def effect(firing: Firing) -> None:
        match.refresh_from_db()
        if match.status != MatchStatus.PENDING:
            raise Refused(_("This has already been decided."), code="already_answered")
        match.status = MatchStatus.CONFIRMED if same_child else MatchStatus.REJECTED
        match.decided_by, match.decided_at = actor, firing.now
        match.save()
        if same_child:
            opened = case.child
            known = match.candidate
            case.child = known
            case.previous = (
                ProtectionCase.objects.filter(child=known)
                .exclude(pk=case.pk)
                .order_by("-received_at")
                .first()
            )
            case.save(update_fields=["child", "previous", "updated_at"])
            # The one merge of two records of a child (haven.people.services.child_merge): involvements,
            # open steps and everything else recorded on the report's record continue on the known one.
            people.child_merge(
                actor=actor,
                kept=known,
                merged=opened,
                action="protection.known_child_decide",
                data={"case": str(case.pk)},
            )
            case.known_child_matches.filter(status=MatchStatus.PENDING).update(
                status=MatchStatus.REJECTED, decided_by=actor, decided_at=firing.now
            )
        firing.data.update({"candidate": str(match.candidate_id), "same_child": same_child})

    FLOW.fire(case, "decide_known_child", actor=actor, effect=effect)
    return case
