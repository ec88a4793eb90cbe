"""Every step of a child-protection case (Decree 56/2017 art. 25–32): keyword-only, atomic, audited,
on the one deadline engine. The table of steps is workflow.py."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.deadlines import pathway
from haven.deadlines.models import Obligation
from haven.deadlines.services import obligation_open, obligation_redate
from haven.foundlings.services import authority_for
from haven.lib import crypto
from haven.notifications.models import Notification
from haven.people import services as people
from haven.people.models import Child, Involvement, InvolvementBasis
from haven.protection import workflow
from haven.protection.forms_catalog import FORMS, LEVELS
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
    Step,
    Transfer,
    TransferStatus,
)

K = OrganisationKind
CHANNEL_OF_KIND = {
    K.HOTLINE_111: Channel.HOTLINE,
    K.COMMUNE_POLICE: Channel.POLICE,
    K.PROVINCIAL_POLICE: Channel.POLICE,
    K.HEALTH_FACILITY: Channel.HOSPITAL,
    K.SCHOOL: Channel.SCHOOL,
    K.COMMUNE_COMMITTEE: Channel.COMMUNE,
    K.SOCIAL_PROTECTION_FACILITY: Channel.FACILITY,
}
REPORTING_ROLES = {
    # Circular 14/2020: child-protection collaborators work alongside the commune and must report.
    Role.SOCIAL_COLLABORATOR,
    Role.HOTLINE_OPERATOR,
    Role.COMMUNE_POLICE_OFFICER,
    Role.HOSPITAL_SOCIAL_WORKER,
    Role.SCHOOL_OFFICER,
    Role.COMMUNE_CHILD_PROTECTION_OFFICER,
    Role.COMMUNE_CHAIRMAN,
    Role.FACILITY_DIRECTOR,
    Role.FACILITY_SOCIAL_WORKER,
    # A caregiver on shift is the first to see violence inside a facility (Law on Children art. 51).
    Role.CAREGIVER,
}
SEPARATION_LIMIT = dt.timedelta(days=15)  # Decree 56/2017 art. 32
# Due at the open separation's end (protection/clocks.py).
SEPARATION_CLOCK = "protection.separation_review"


def _acting(actor: User, case: ProtectionCase, action: str) -> Membership:
    pathway.lock(case)
    return pathway.acting(actor, case.child_id, workflow.TRANSITIONS[action].roles)


def _enter(case: ProtectionCase, action: str, **kwargs: Any) -> Step:
    return pathway.enter(
        case,
        action,
        workflow.transition(action, case.state),
        steps=case.steps,
        audit_prefix="protection",
        responsible_for=lambda code: case.responsible,
        **kwargs,
    )


# --- Report (Form 01) ---------------------------------------------------------------------------


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
    if incident_commune is None or incident_commune.level != "commune":
        raise invalid("incident_commune", _("Choose a commune from the list."), "unknown_commune")
    for field, value in (
        ("condition", condition),
        ("likely_harm", likely_harm),
        ("incident_place", incident_place),
    ):
        if not value.strip():
            raise invalid(field, _("Form 01 requires this field."), "required")
    if informant and any(informant.values()) and not informant_consent:
        # Decree 56, Form 01: the informant's identity is kept only if they agree.
        raise invalid(
            "informant_consent", _("Record the informant's identity only if they agree."), "no_consent"
        )
    membership = None
    if actor is not None and actor.is_authenticated:
        membership = next((m for m in granting(actor, Verb.CHILD_VIEW) if m.role in REPORTING_ROLES), None)
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
    case.steps.create(
        action="report",
        to_state=case.state,
        at=now,
        actor=actor,
        organisation=membership.organisation if membership else None,
    )
    record(
        actor=actor,
        action="protection.report",
        obj=case,
        organisation=membership.organisation if membership else None,
        at=now,
        data={"channel": channel},
    )
    for code in ("protection.transfer", "protection.emergency"):
        obligation_open(rule_code=code, subject=case, child=child, responsible=responsible, start=now)
    Notification.objects.create(
        organisation=responsible,
        kind="protection.report",
        title=_("A child at risk was reported in %(commune)s") % {"commune": incident_commune.name},
        child=child,
        link=f"/protection/{case.pk}/",
        created_at=now,
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
            Notification.objects.create(
                organisation=union,
                kind="protection.prevention",
                title=_("A pregnant girl under 16 needs prevention follow-up"),
                created_at=now,
            )
    if case.channel == Channel.FACILITY:
        case.flags = [*case.flags, "inside_facility"]
        for health in Organisation.objects.filter(
            kind=K.PROVINCIAL_HEALTH, area=case.incident_commune.parent
        ):
            Notification.objects.create(
                organisation=health,
                kind="protection.facility_incident",
                title=_("A child was reported at risk inside a social protection facility"),
                child=case.child,
                link=f"/protection/{case.pk}/",
                created_at=now,
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
    membership = _acting(actor, case, "accept")
    case.assigned_to = actor if membership.role == Role.COMMUNE_CHILD_PROTECTION_OFFICER else case.assigned_to
    case.save(update_fields=["assigned_to", "updated_at"])
    _enter(case, "accept", actor=actor, membership=membership, now=clock.now())
    return case


def _clean(form_code: str, data: dict) -> dict:
    """The form's fields, each checked against its kind; unknown fields are dropped."""
    spec = FORMS[form_code]
    levels = {value for value, _label in LEVELS}
    clean: dict[str, Any] = {}
    for field in spec.fields:
        value = data.get(field.name)
        if field.kind == "level":
            if value not in levels:
                raise invalid(field.name, _("Choose High, Medium or Low."), "level_required")
        elif field.kind == "bool":
            value = bool(value)
        elif field.kind == "date":
            if isinstance(value, str) and value:
                value = dt.date.fromisoformat(value)
            if value is None and field.required:
                raise invalid(field.name, _("This field is required."), "required")
            value = value.isoformat() if value else None
        else:
            value = (value or "").strip()
            if field.required and not value:
                raise invalid(field.name, _("This field is required."), "required")
        clean[field.name] = value
    return clean


def _assessment(
    case: ProtectionCase, form_code: str, data: dict, actor: User, now: dt.datetime
) -> Assessment:
    spec = FORMS[form_code]
    return Assessment.objects.create(
        case=case,
        form=form_code,
        form_version=spec.version,
        data=_clean(form_code, data),
        recorded_at=now,
        recorded_by=actor,
    )


def previous_scores(case: ProtectionCase, form_code: str) -> dict[str, str]:
    """The levels of the last assessment on the same form (Form 06 also carries Form 02's harm and
    access scores): shown beside the new ones so progress shows."""
    codes = [form_code] + (["02"] if form_code == "06" else [])
    last = case.assessments.filter(form__in=codes).order_by("-recorded_at", "-pk").first()
    if last is None:
        return {}
    return {f.name: last.data.get(f.name) for f in FORMS[last.form].levels}


@transaction.atomic
def protection_assess_initial(*, actor: User, case: ProtectionCase, data: dict) -> Assessment:
    """Form 02: decides emergency measures (serious risk), support, or no case (kept on record)."""
    now = clock.now()
    clean = _clean("02", data)
    action = (
        "assess_unfounded"
        if clean["unfounded"]
        else "assess_emergency"
        if clean["emergency"]
        else "assess_support"
    )
    membership = _acting(actor, case, action)
    workflow.transition(action, case.state)
    assessment = _assessment(case, "02", data, actor, now)
    if action == "assess_unfounded":
        case.closed_at = now
        case.save(update_fields=["closed_at", "updated_at"])
        _case_involvement_end(case, now)
    _enter(case, action, actor=actor, membership=membership, now=now, data={"assessment": assessment.pk})
    return assessment


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
    membership = _acting(actor, case, "emergency_measures")
    workflow.transition("emergency_measures", case.state)
    if not measures.strip():
        raise invalid("measures", _("Describe the emergency measures taken."), "required")
    now = clock.now()
    if separate:
        if not shelter.strip():
            raise invalid(
                "shelter", _("Say where the child is sheltered and who cares for them."), "required"
            )
        ends_at = now + dt.timedelta(days=separation_days)
        if ends_at - now > SEPARATION_LIMIT and not extension_decision.strip():
            raise invalid(
                "separation_days",
                _("A separation lasts at most 15 days unless a decision extends it."),
                "separation_too_long",
            )
        _child_heard_if_7(case, now, _("temporary separation"))
        Separation.objects.create(
            case=case,
            decided_at=now,
            decided_by=actor,
            shelter=shelter.strip(),
            ends_at=ends_at,
            extension_decision=extension_decision.strip(),
        )
        # Decree 56/2017 art. 32: by its end the child returns, or a decision extends it. The clock is
        # due at this separation's own end, whatever its length.
        obligation_open(
            rule_code=SEPARATION_CLOCK,
            subject=case,
            child=case.child,
            responsible=case.responsible,
            start=now,
            due=ends_at,
        )
    _enter(
        case,
        "emergency_measures",
        actor=actor,
        membership=membership,
        now=now,
        note=measures.strip(),
        data={"separation": separate},
    )
    return case


@transaction.atomic
def protection_extend_separation(
    *, actor: User, case: ProtectionCase, days: int, decision: str
) -> Separation:
    """Decree 56/2017 art. 32: a separation longer than 15 days needs a decision of the competent
    authority. The separation's end moves ``days`` on, and so does its clock: due at the new end,
    escalating from then if that passes too. Taken by those who may end it (workflow ``end_separation``)."""
    membership = _acting(actor, case, "end_separation")
    separation = case.separations.select_for_update().filter(ended_at__isnull=True).first()
    if separation is None:
        raise Refused(_("The child is not separated."), code="out_of_order")
    if not decision.strip():
        raise invalid(
            "decision", _("Give the number of the decision that extends the separation."), "required"
        )
    if not 1 <= days <= 365:
        raise invalid("days", _("Extend the separation by 1 to 365 days."), "out_of_range")
    now = clock.now()
    before = separation.ends_at
    separation.ends_at = before + dt.timedelta(days=days)
    separation.extension_decision = decision.strip()[:100]
    separation.save(update_fields=["ends_at", "extension_decision", "updated_at"])
    moved = obligation_redate(rule_code=SEPARATION_CLOCK, subject=case, due=separation.ends_at)
    if moved is None:
        obligation_open(
            rule_code=SEPARATION_CLOCK,
            subject=case,
            child=case.child,
            responsible=case.responsible,
            start=now,
            due=separation.ends_at,
        )
    # A step with no change of state: the timeline and the audit through the shared runner.
    pathway.enter(
        case,
        "extend_separation",
        workflow.Transition(workflow.OPEN, None, workflow.TRANSITIONS["end_separation"].roles),
        steps=case.steps,
        audit_prefix="protection",
        responsible_for=lambda code: case.responsible,
        actor=actor,
        membership=membership,
        now=now,
        note=separation.extension_decision,
        data={"ended": before.isoformat(), "ends": separation.ends_at.isoformat(), "days": days},
    )
    return separation


@transaction.atomic
def protection_end_separation(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    membership = _acting(actor, case, "end_separation")
    separation = case.separations.filter(ended_at__isnull=True).first()
    if separation is None:
        raise Refused(_("The child is not separated."), code="out_of_order")
    if not reason.strip():
        raise invalid(
            "reason",
            _("Say why the separation ends (parents assessed safe, or another decision)."),
            "required",
        )
    now = clock.now()
    separation.ended_at = now
    separation.save(update_fields=["ended_at", "updated_at"])
    _enter(case, "end_separation", actor=actor, membership=membership, now=now, note=reason.strip())
    return case


@transaction.atomic
def protection_assess_specific(*, actor: User, case: ProtectionCase, data: dict) -> Assessment:
    """Form 03 and the minutes of the needs meeting (Decree 56 art. 27)."""
    membership = _acting(actor, case, "assess_specific")
    workflow.transition("assess_specific", case.state)
    now = clock.now()
    assessment = _assessment(case, "03", data, actor, now)
    _enter(
        case,
        "assess_specific",
        actor=actor,
        membership=membership,
        now=now,
        data={"assessment": assessment.pk},
    )
    return assessment


@transaction.atomic
def protection_draft_plan(*, actor: User, case: ProtectionCase, data: dict) -> Assessment:
    """Form 04, within 5 working days (Decree 56 art. 28(1)); it needs the specific assessment."""
    membership = _acting(actor, case, "draft_plan")
    workflow.transition("draft_plan", case.state)
    since = (
        case.steps.filter(action__in=("replan", "return_plan"))
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
    now = clock.now()
    plan = _assessment(case, "04", data, actor, now)
    if plan.data["end"] and plan.data["start"] and plan.data["end"] < plan.data["start"]:
        raise invalid("end", _("The plan ends before it starts."), "ends_before_start")
    _enter(case, "draft_plan", actor=actor, membership=membership, now=now, data={"plan": plan.pk})
    return plan


def _child_heard_if_7(case: ProtectionCase, now: dt.datetime, decision: str) -> None:
    """Law on Children art. 60(3), art. 47(5): from age 7 the child's view is heard first."""
    age = case.child.age_years(clock.localdate(now))
    if age is not None and age >= 7 and not case.child.opinions.exists():
        raise Refused(
            _(
                "The child is 7 or older: record the child's view before the %(decision)s "
                "(Law on Children art. 60(3))."
            )
            % {"decision": decision},
            code="child_view_missing",
        )


@transaction.atomic
def protection_approve_plan(
    *, actor: User, case: ProtectionCase, decision_number: str, participants: str
) -> Approval:
    """Form 05, by the commune chairman only, after the meeting of Law on Children art. 52."""
    membership = _acting(actor, case, "approve_plan")
    workflow.transition("approve_plan", case.state)
    if not participants.strip():
        raise invalid("participants", _("List who took part in the meeting."), "required")
    if not decision_number.strip():
        raise invalid("decision_number", _("Give the number of the approval decision."), "required")
    now = clock.now()
    _child_heard_if_7(case, now, _("plan is approved"))
    plan = case.assessments.filter(form="04").order_by("-recorded_at", "-pk").first()
    approval = Approval.objects.create(
        case=case,
        plan=plan,
        decision_number=decision_number.strip(),
        approved_at=now,
        approved_by=actor,
        participants=participants.strip(),
    )
    _enter(
        case,
        "approve_plan",
        actor=actor,
        membership=membership,
        now=now,
        data={"decision": approval.decision_number},
    )
    return approval


@transaction.atomic
def protection_return_plan(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    membership = _acting(actor, case, "return_plan")
    workflow.transition("return_plan", case.state)
    if not reason.strip():
        raise invalid("reason", _("Say what the plan needs."), "required")
    _enter(case, "return_plan", actor=actor, membership=membership, now=clock.now(), note=reason.strip())
    return case


@transaction.atomic
def protection_review(*, actor: User, case: ProtectionCase, data: dict) -> Assessment:
    """Form 06: remaining harm, the abuser's access, obstacles to safety, the child's resilience."""
    membership = _acting(actor, case, "review")
    workflow.transition("review", case.state)
    now = clock.now()
    assessment = _assessment(case, "06", data, actor, now)
    _enter(case, "review", actor=actor, membership=membership, now=now, data={"assessment": assessment.pk})
    return assessment


def _safe_and_stable(review: Assessment) -> bool:
    """Decree 56 art. 30(1)(b): no further risk (every risk Low) and the child stable (the child's
    capacity to protect themself and recover at least Medium)."""
    for field in FORMS["06"].levels:
        value = review.data.get(field.name)
        if (value == "low") if field.higher_is_better else (value != "low"):
            return False
    return True


@transaction.atomic
def protection_close(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    """Decree 56 art. 30(1)(b): close when there is no further risk and the child is stable — read here
    as every score of the last review Low."""
    membership = _acting(actor, case, "close")
    workflow.transition("close", case.state)
    review = case.assessments.filter(form="06").order_by("-recorded_at", "-pk").first()
    if review is None or not _safe_and_stable(review):
        raise Refused(
            _(
                "The last review still shows a risk above Low, or a child not yet able to protect themself: "
                "plan again instead of closing."
            ),
            code="risk_remains",
        )
    now = clock.now()
    case.closed_at = now
    case.save(update_fields=["closed_at", "updated_at"])
    _case_involvement_end(case, now)
    _enter(case, "close", actor=actor, membership=membership, now=now, note=reason.strip())
    return case


def _case_involvement_end(case: ProtectionCase, now: dt.datetime) -> None:
    """A closed case no longer opens the child's record to a commune where the child does not live."""
    if not case.child.protection_cases.exclude(pk=case.pk).filter(closed_at__isnull=True).exists():
        Involvement.objects.current().filter(
            child=case.child, organisation=case.responsible, basis=InvolvementBasis.CASE
        ).update(ended_at=now)


@transaction.atomic
def protection_replan(*, actor: User, case: ProtectionCase, reason: str) -> ProtectionCase:
    membership = _acting(actor, case, "replan")
    workflow.transition("replan", case.state)
    _enter(case, "replan", actor=actor, membership=membership, now=clock.now(), note=reason.strip())
    return case


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
    """A service asked of another organisation, sharing only what the referral carries."""
    membership = _acting(actor, case, "accept")
    if case.state in (State.CLOSED, State.UNFOUNDED):
        raise Refused(_("The case is closed."), code="out_of_order")
    if not consent:
        raise invalid(
            "consent", _("Sharing the child's data with another organisation needs consent."), "no_consent"
        )
    if to_organisation is None or not to_organisation.is_active or to_organisation == membership.organisation:
        raise invalid("to_organisation", _("Choose another organisation."), "cannot_receive")
    if not note.strip():
        raise invalid("note", _("Say what is asked."), "required")
    now = clock.now()
    referral = Referral.objects.create(
        case=case,
        from_organisation=membership.organisation,
        to_organisation=to_organisation,
        service=service,
        note=note.strip(),
        consent=True,
        requested_at=now,
        requested_by=actor,
    )
    case.steps.create(
        action="refer",
        from_state=case.state,
        to_state=case.state,
        at=now,
        actor=actor,
        organisation=membership.organisation,
        note=f"{referral.get_service_display()} → {to_organisation}",
    )
    record(
        actor=actor,
        action="protection.refer",
        obj=case,
        organisation=membership.organisation,
        at=now,
        data={"referral": referral.pk, "to": to_organisation.pk, "service": service},
    )
    Notification.objects.create(
        organisation=to_organisation,
        kind="protection.referral",
        title=_("A referral asks your organisation for: %(service)s")
        % {"service": referral.get_service_display()},
        link=f"/protection/referrals/{referral.pk}/",
        created_at=now,
    )
    return referral


@transaction.atomic
def referral_answer(*, actor: User, referral: Referral, status: str, outcome: str = "") -> Referral:
    """The receiving organisation accepts, rejects, or reports the service done."""
    membership = next(
        (m for m in granting(actor, Verb.CHILD_VIEW) if m.organisation_id == referral.to_organisation_id),
        None,
    )
    if membership is None:
        raise NotVisible
    allowed = {
        ReferralStatus.REQUESTED: {ReferralStatus.ACCEPTED, ReferralStatus.REJECTED},
        ReferralStatus.ACCEPTED: {ReferralStatus.DONE},
    }
    if status not in allowed.get(referral.status, set()):
        raise Refused(_("This answer does not follow from the referral's state."), code="out_of_order")
    if status in (ReferralStatus.REJECTED, ReferralStatus.DONE) and not outcome.strip():
        raise invalid("outcome", _("Say why, or what was done."), "required")
    now = clock.now()
    referral.status, referral.answered_at, referral.answered_by = status, now, actor
    referral.outcome = outcome.strip() or referral.outcome
    referral.save()
    record(
        actor=actor,
        action=f"protection.referral_{status}",
        obj=referral.case,
        organisation=membership.organisation,
        at=now,
        data={"referral": referral.pk},
    )
    Notification.objects.create(
        organisation=referral.from_organisation,
        kind="protection.referral_answer",
        title=_("Referral answered: %(status)s") % {"status": referral.get_status_display()},
        child=referral.case.child,
        link=f"/protection/{referral.case_id}/",
        created_at=now,
    )
    return referral


# --- Transfer of the lead to another commune -------------------------------------------------------


@transaction.atomic
def transfer_request(
    *, actor: User, case: ProtectionCase, to_organisation: Organisation, reason: str
) -> Transfer:
    """The child moved: the case is offered to the commune People's Committee of the new commune."""
    membership = _acting(actor, case, "accept")
    if case.state in (State.CLOSED, State.UNFOUNDED):
        raise Refused(_("The case is closed."), code="out_of_order")
    if membership.organisation_id != case.responsible_id:
        raise NotVisible
    if (
        to_organisation is None
        or not to_organisation.is_active
        or to_organisation.kind != K.COMMUNE_COMMITTEE
        or to_organisation == case.responsible
    ):
        raise invalid(
            "to_organisation", _("Choose the People's Committee of another commune."), "cannot_receive"
        )
    if not reason.strip():
        raise invalid(
            "reason", _("Say why the case moves (for example, the child's new address)."), "required"
        )
    if case.transfers.filter(status=TransferStatus.PENDING).exists():
        raise Refused(_("A transfer is already waiting for an answer."), code="already_pending")
    now = clock.now()
    transfer = Transfer.objects.create(
        case=case,
        from_organisation=case.responsible,
        to_organisation=to_organisation,
        reason=reason.strip(),
        requested_at=now,
        requested_by=actor,
    )
    case.steps.create(
        action="transfer_request",
        from_state=case.state,
        to_state=case.state,
        at=now,
        actor=actor,
        organisation=membership.organisation,
        note=f"→ {to_organisation}",
    )
    record(
        actor=actor,
        action="protection.transfer_request",
        obj=case,
        organisation=membership.organisation,
        at=now,
        data={"to": to_organisation.pk},
    )
    Notification.objects.create(
        organisation=to_organisation,
        kind="protection.transfer",
        title=_("A child-protection case is offered to your commune: accept or refuse"),
        link=f"/protection/transfers/{transfer.pk}/",
        created_at=now,
    )
    return transfer


@transaction.atomic
def transfer_answer(*, actor: User, transfer: Transfer, accept: bool, reason: str = "") -> Transfer:
    """Only the receiving commune answers. On acceptance it leads the case, holds its open clocks, and
    sees the child; a refusal leaves everything with the sender."""
    membership = next(
        (
            m
            for m in granting(actor, Verb.CHILD_VIEW)
            if m.organisation_id == transfer.to_organisation_id and m.role in workflow.COMMUNE
        ),
        None,
    )
    if membership is None:
        raise NotVisible
    if transfer.status != TransferStatus.PENDING:
        raise Refused(_("This transfer has already been answered."), code="already_answered")
    if not accept and not reason.strip():
        raise invalid("reason", _("Give the reason for refusing."), "required")
    case = transfer.case
    pathway.lock(case)
    now = clock.now()
    transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REFUSED
    transfer.answered_at, transfer.answered_by = now, actor
    transfer.save()
    if accept:
        case.responsible = transfer.to_organisation
        case.assigned_to = None
        case.save(update_fields=["responsible", "assigned_to", "updated_at"])
        Obligation.objects.filter(
            subject_type="protection.protectioncase", subject_id=case.pk, status="open"
        ).update(responsible=transfer.to_organisation)
        Involvement.objects.create(
            child=case.child,
            organisation=transfer.to_organisation,
            basis=InvolvementBasis.CASE,
            started_at=now,
        )
    case.steps.create(
        action="transfer_accept" if accept else "transfer_refuse",
        from_state=case.state,
        to_state=case.state,
        at=now,
        actor=actor,
        organisation=membership.organisation,
        note=reason.strip(),
    )
    record(
        actor=actor,
        action=f"protection.transfer_{transfer.status}",
        obj=case,
        organisation=membership.organisation,
        at=now,
        data={"transfer": transfer.pk},
    )
    return transfer


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
    membership = _acting(actor, case, "accept")
    if match.status != MatchStatus.PENDING:
        raise Refused(_("This has already been decided."), code="already_answered")
    now = clock.now()
    match.status = MatchStatus.CONFIRMED if same_child else MatchStatus.REJECTED
    match.decided_by, match.decided_at = actor, now
    match.save()
    if same_child:
        opened = case.child
        known = match.candidate
        case.child = known
        case.previous = (
            ProtectionCase.objects.filter(child=known).exclude(pk=case.pk).order_by("-received_at").first()
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
            status=MatchStatus.REJECTED, decided_by=actor, decided_at=now
        )
    record(
        actor=actor,
        action="protection.known_child_decide",
        obj=case,
        organisation=membership.organisation,
        at=now,
        data={"candidate": str(match.candidate_id), "same_child": same_child},
    )
    return case
