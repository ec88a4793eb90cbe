"""Every step of a complaint: keyword-only, atomic, each fired on the one workflow engine
(haven/workflow), which locks the complaint, finds who acts, checks the named guards, moves the clocks
and writes the timeline, the audit event and the next actor's message. The table is workflow.py; this
module adds each step's own data. Bad input is refused with every problem at once and nothing saved."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, User
from haven.accounts.selectors import authority_for
from haven.areas.models import Area
from haven.complaints import clocks, workflow
from haven.complaints.models import Category, Channel, Complaint, Outcome, State, Track
from haven.core import calendar, clock
from haven.core.errors import Problems, Refused, invalid
from haven.people import rules as people_rules
from haven.workflow.engine import Firing

FLOW = workflow.FLOW
CONTENT_LIMIT = 4000
# The Law on Complaints 02/2011/QH13 took effect on 1 July 2012: nothing Haven records under it is older.
LAW_IN_FORCE = dt.date(2012, 7, 1)


def counted_from(day: dt.date) -> dt.datetime:
    """Where a period "of N days from the day of X" starts: the day of X is not counted, the period
    starts the next day (Civil Code 2015 art. 147(1)), so it is due at the end of the Nth day after X."""
    return calendar.day_end(day)


def _receiving(actor: User, commune: Area | None) -> tuple[Membership, Area | None]:
    """Through which membership ``actor`` receives a complaint, and for which commune (their own by
    default; None when they have none and named none)."""
    held = [m for m in granting(actor, Verb.COMPLAINT_HANDLE) if m.role in workflow.COMMUNE]
    if not held:
        raise NotVisible
    if commune is None:
        own = next((m for m in held if m.organisation.area.level == "commune"), None)
        commune = own.organisation.area if own is not None else None
    return held[0], commune


def _clean_text(
    problems: Problems, field: str, value: str, message: str, *, limit: int = CONTENT_LIMIT
) -> str:
    value = (value or "").strip()
    if not value:
        problems.add(field, message, "required")
    elif len(value) > limit:
        problems.add(field, _("At most %(n)s characters.") % {"n": limit}, "too_long")
    return value


@transaction.atomic
def complaint_receive(
    *,
    actor: User | None,
    category: Category | None,
    content: str,
    received_on: dt.date | None = None,
    channel: str = Channel.COUNTER,
    commune: Area | None = None,
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_address: str = "",
    feedback: bool = False,
    about_child=None,
    application=None,
    payment=None,
    about_officer: User | None = None,
    remote_area: bool = False,
    reveals_harm: bool = False,
) -> Complaint:
    """A complaint (or feedback) received at the commune's desk, by post or telephone, through the API,
    or through the public form (``actor`` None). Anonymous — no name and no telephone — is feedback (a
    complaint carries its author's name, Law on Complaints 2011 art. 8); a named person may also give
    feedback rather than complain. It may be about an allowance application, a payment, a child or (for
    the conduct of an officer) the officer."""
    now = clock.now()
    today = clock.localdate(now)
    problems = Problems()
    membership = None
    if actor is not None:
        membership, commune = _receiving(actor, commune)
    received_on = received_on or today
    if category is None or not category.active:
        problems.add("category", _("Choose what the complaint is about from the list."), "unknown_category")
    content = _clean_text(problems, "content", content, _("Write what the complaint says."))
    name = (complainant_name or "").strip()
    phone = (complainant_phone or "").strip()
    address = (complainant_address or "").strip()
    if name and (problem := people_rules.name_problem(name)):
        problems.add("complainant_name", problem[0], problem[1])
    if phone and (problem := people_rules.phone_problem(phone)):
        problems.add("complainant_phone", problem, "bad_phone")
    if len(address) > 300:
        problems.add("complainant_address", _("At most %(n)s characters.") % {"n": 300}, "too_long")
    anonymous = not name and not phone and not address
    track = Track.FEEDBACK if (anonymous or feedback) else Track.COMPLAINT
    if track == Track.COMPLAINT and not name:
        problems.add(
            "complainant_name",
            _(
                "A complaint carries the name of its author (Law on Complaints 2011 art. 8). Without it, "
                "record it as feedback."
            ),
            "name_required",
        )
    if track == Track.COMPLAINT and name and not (phone or address):
        problems.add(
            "complainant_phone",
            _("Give the complainant's telephone or address: the answer is sent to them."),
            "contact_required",
        )
    if received_on > today:
        problems.add("received_on", _("This date is in the future."), "time_in_future")
    elif received_on < LAW_IN_FORCE:
        problems.add(
            "received_on", _("This date is too long ago to be right: check the year."), "time_absurd"
        )
    # What it is about fixes the commune that handles it: the commune whose decision, payment or child.
    linked_commune = None
    if application is not None:
        linked_commune = application.commune
    if payment is not None:
        if linked_commune is not None and payment.run.commune_id != linked_commune.pk:
            problems.add(
                "payment", _("This payment is not of the same commune as the application."), "mismatch"
            )
        linked_commune = linked_commune or payment.run.commune
    if about_child is not None and application is not None and application.child_id != about_child.pk:
        problems.add("about_child", _("The application is about another child."), "mismatch")
    if about_child is not None and payment is not None and payment.child_id != about_child.pk:
        problems.add("about_child", _("The payment is for another child."), "mismatch")
    if about_child is None:
        about_child = (application.child if application is not None else None) or (
            payment.child if payment is not None else None
        )
    if linked_commune is None and about_child is not None:
        linked_commune = about_child.current_commune
    if commune is None:
        problems.add("commune", _("Choose the commune the complaint is lodged with."), "required")
    elif commune is not None and commune.level != "commune":
        problems.add("commune", _("Choose a commune from the list."), "unknown_commune")
    elif commune is not None and linked_commune is not None and linked_commune.pk != commune.pk:
        problems.add(
            "commune",
            _(
                "The application, payment or child named belongs to %(commune)s: that commune handles "
                "the complaint."
            )
            % {"commune": linked_commune.name},
            "other_commune",
        )
    if about_officer is not None:
        if category is not None and not category.names_officer:
            problems.add(
                "about_officer",
                _("Name an officer only for a complaint about an officer's conduct."),
                "not_conduct",
            )
        elif actor is not None and about_officer.pk == actor.pk:
            problems.add(
                "about_officer", _("A complaint about yourself is received by a colleague."), "about_self"
            )
    if problems.errors:
        raise ValidationError(problems.errors)
    complaint = Complaint.objects.create(
        track=track,
        state=State.RECEIVED if track == Track.COMPLAINT else State.FEEDBACK_RECEIVED,
        category=category,
        channel=channel if actor is not None else Channel.ONLINE,
        commune=commune,
        responsible=authority_for(commune),
        received_on=received_on,
        received_by=actor,
        anonymous=anonymous,
        complainant_name=name,
        complainant_phone=phone,
        complainant_address=address,
        content=content,
        about_child=about_child,
        application=application,
        payment=payment,
        about_officer=about_officer,
        remote_area=remote_area,
        reveals_harm=reveals_harm,
    )
    # The 10 days run from the day it was received, not from when it was typed.
    action = "receive" if track == Track.COMPLAINT else "receive_feedback"
    code = clocks.ACCEPT if track == Track.COMPLAINT else clocks.ANSWER
    # Working days count from the next working day by themselves (core/calendar.py).
    start = counted_from(received_on) if track == Track.COMPLAINT else calendar.day_start(received_on)
    FLOW.fire(
        complaint,
        action,
        actor=actor,
        membership=membership,
        starts={code: start},
        data={
            "track": track,
            "channel": complaint.channel,
            "category": category.code,
            "anonymous": anonymous,
        },
        now=now,
        created=True,
    )
    return complaint


# --- The first time ---------------------------------------------------------------------------------


@transaction.atomic
def complaint_accept(
    *, actor: User, complaint: Complaint, accepted_on: dt.date, remote_area: bool | None = None
) -> Complaint:
    """Accepted (thụ lý): the 30 days (45 in a remote area) run from the day of acceptance."""

    def effect(firing: Firing) -> None:
        if remote_area is not None:
            complaint.remote_area = remote_area
        complaint.accepted_on = accepted_on
        complaint.save(update_fields=["remote_area", "accepted_on", "updated_at"])
        code = clocks.FIRST_OF[(complaint.remote_area, False)]
        firing.opens = (code,)
        firing.starts = {code: counted_from(accepted_on)}

    FLOW.fire(complaint, "accept", actor=actor, inputs={"accepted_on": accepted_on}, effect=effect)
    return complaint


@transaction.atomic
def complaint_refuse(
    *, actor: User, complaint: Complaint, decided_on: dt.date | None, reasons: str
) -> Complaint:
    """Not accepted, in writing with the reasons (Law on Complaints 2011 art. 11, 27)."""

    def effect(firing: Firing) -> None:
        complaint.not_accepted_reasons = reasons.strip()
        complaint.decided_on = decided_on
        complaint.save(update_fields=["not_accepted_reasons", "decided_on", "updated_at"])
        firing.note = complaint.not_accepted_reasons

    FLOW.fire(
        complaint, "refuse", actor=actor, inputs={"decided_on": decided_on, "reasons": reasons}, effect=effect
    )
    return complaint


@transaction.atomic
def complaint_extend(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    """A complicated case: the longer limit, counted from the same acceptance (art. 28, 37)."""

    def effect(firing: Firing) -> None:
        second = complaint.state == State.APPEAL_ACCEPTED
        if complaint.appeal_complicated if second else complaint.complicated:
            raise Refused(
                _("The case is already recorded as complicated: its time limit was set once."), code="already"
            )
        code = (clocks.SECOND_OF if second else clocks.FIRST_OF)[(complaint.remote_area, True)]
        accepted = complaint.appeal_accepted_on if second else complaint.accepted_on
        firing.opens = (code,)
        firing.starts = {code: counted_from(accepted)}
        if second:
            complaint.appeal_complicated = True
        else:
            complaint.complicated = True
        complaint.extension_reason = reason.strip()
        complaint.save(update_fields=["complicated", "appeal_complicated", "extension_reason", "updated_at"])
        firing.note = complaint.extension_reason

    FLOW.fire(complaint, "extend", actor=actor, inputs={"reason": reason}, effect=effect)
    return complaint


def _decision_inputs(decision_number: str, decided_on, outcome: str, reasons: str) -> dict:
    if outcome and outcome not in Outcome.values:
        raise invalid("outcome", _("Choose the outcome from the list."), "unknown_outcome")
    return {
        "decision_number": decision_number,
        "decided_on": decided_on,
        "outcome": outcome,
        "reasons": reasons,
    }


@transaction.atomic
def complaint_settle(
    *,
    actor: User,
    complaint: Complaint,
    decision_number: str,
    decided_on: dt.date | None,
    outcome: str,
    reasons: str,
) -> Complaint:
    """The chairman's first-time decision; the complainant then has 30 days (45 in a remote area) to take
    it to the province, after which it takes effect."""

    def effect(firing: Firing) -> None:
        complaint.decision_number = decision_number.strip()
        complaint.decided_on = decided_on
        complaint.outcome = outcome
        complaint.decision_reasons = reasons.strip()
        complaint.save(
            update_fields=["decision_number", "decided_on", "outcome", "decision_reasons", "updated_at"]
        )
        window = clocks.WINDOW_OF[complaint.remote_area]
        firing.opens = (window,)
        firing.starts = {window: counted_from(decided_on)}
        firing.data.update({"decision_number": complaint.decision_number, "outcome": outcome})

    FLOW.fire(
        complaint,
        "settle",
        actor=actor,
        inputs=_decision_inputs(decision_number, decided_on, outcome, reasons),
        effect=effect,
    )
    return complaint


def appeal_window_closed(obligation, now: dt.datetime) -> None:
    """The sweep's timer: no second-time complaint in time, the first-time decision takes effect."""
    complaint = Complaint.objects.filter(pk=obligation.subject_id, state=State.SETTLED).first()
    if complaint is not None:
        FLOW.fire(complaint, "take_effect", actor=None, now=now)


# --- The second time ---------------------------------------------------------------------------------


@transaction.atomic
def complaint_appeal(
    *, actor: User, complaint: Complaint, appealed_on: dt.date | None, note: str = ""
) -> Complaint:
    """A second-time complaint to the province (art. 33): the complainant disagrees with the first-time
    decision, or it was not settled in time. The province has 10 days to accept it."""

    def effect(firing: Firing) -> None:
        body = workflow.province_authority(complaint.commune)
        complaint.appeal_responsible = body
        complaint.appealed_on = appealed_on
        complaint.appeal_grounds = firing.data.get("grounds", "")
        complaint.save(update_fields=["appeal_responsible", "appealed_on", "appeal_grounds", "updated_at"])
        firing.starts = {clocks.APPEAL_ACCEPT: counted_from(appealed_on)}
        firing.responsible = {clocks.APPEAL_ACCEPT: body}
        firing.note = (note or "").strip()

    FLOW.fire(complaint, "appeal", actor=actor, inputs={"appealed_on": appealed_on}, effect=effect)
    return complaint


@transaction.atomic
def complaint_appeal_accept(*, actor: User, complaint: Complaint, accepted_on: dt.date) -> Complaint:
    def effect(firing: Firing) -> None:
        complaint.appeal_accepted_on = accepted_on
        complaint.save(update_fields=["appeal_accepted_on", "updated_at"])
        code = clocks.SECOND_OF[(complaint.remote_area, False)]
        firing.opens = (code,)
        firing.starts = {code: counted_from(accepted_on)}
        firing.responsible = {code: complaint.appeal_responsible}

    FLOW.fire(complaint, "appeal_accept", actor=actor, inputs={"accepted_on": accepted_on}, effect=effect)
    return complaint


@transaction.atomic
def complaint_appeal_refuse(
    *, actor: User, complaint: Complaint, decided_on: dt.date | None, reasons: str
) -> Complaint:
    def effect(firing: Firing) -> None:
        complaint.not_accepted_reasons = reasons.strip()
        complaint.appeal_decided_on = decided_on
        complaint.save(update_fields=["not_accepted_reasons", "appeal_decided_on", "updated_at"])
        firing.note = complaint.not_accepted_reasons

    FLOW.fire(
        complaint,
        "appeal_refuse",
        actor=actor,
        inputs={"decided_on": decided_on, "reasons": reasons},
        effect=effect,
    )
    return complaint


@transaction.atomic
def complaint_appeal_settle(
    *,
    actor: User,
    complaint: Complaint,
    decision_number: str,
    decided_on: dt.date | None,
    outcome: str,
    reasons: str,
) -> Complaint:
    def effect(firing: Firing) -> None:
        complaint.appeal_decision_number = decision_number.strip()
        complaint.appeal_decided_on = decided_on
        complaint.appeal_outcome = outcome
        complaint.appeal_decision_reasons = reasons.strip()
        complaint.save(
            update_fields=[
                "appeal_decision_number",
                "appeal_decided_on",
                "appeal_outcome",
                "appeal_decision_reasons",
                "updated_at",
            ]
        )
        firing.data.update({"decision_number": complaint.appeal_decision_number, "outcome": outcome})

    FLOW.fire(
        complaint,
        "appeal_settle",
        actor=actor,
        inputs=_decision_inputs(decision_number, decided_on, outcome, reasons),
        effect=effect,
    )
    return complaint


# --- Either track ----------------------------------------------------------------------------------


@transaction.atomic
def complaint_withdraw(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    def effect(firing: Firing) -> None:
        complaint.withdrawal_reason = reason.strip()
        complaint.save(update_fields=["withdrawal_reason", "updated_at"])
        firing.note = complaint.withdrawal_reason

    FLOW.fire(complaint, "withdraw", actor=actor, inputs={"reason": reason}, effect=effect)
    return complaint


@transaction.atomic
def feedback_answer(
    *, actor: User, complaint: Complaint, answered_on: dt.date | None, answer: str
) -> Complaint:
    """How the feedback was handled and what the person was told (for anonymous feedback, what the
    commune checked and did: there is nobody to answer)."""

    def effect(firing: Firing) -> None:
        complaint.answer = answer.strip()
        complaint.answered_on = answered_on
        complaint.save(update_fields=["answer", "answered_on", "updated_at"])

    FLOW.fire(
        complaint, "answer", actor=actor, inputs={"answered_on": answered_on, "answer": answer}, effect=effect
    )
    return complaint


# --- Harm to a child: into the protection domain --------------------------------------------------------


@transaction.atomic
def complaint_open_protection(
    *,
    actor: User,
    complaint: Complaint,
    incident_place: str,
    condition: str,
    likely_harm: str,
    sex: str = "",
    family_name: str = "",
    middle_name: str = "",
    given_name: str = "",
    estimated_age_years: int | None = None,
):
    """The complaint reveals harm to a child: a child-protection report (Form 01) through the protection
    domain's own service, which runs its own clocks (Decree 56/2017 art. 26: the 12-hour emergency
    clock). The complainant is not passed on as the informant: their identity stays with the complaint."""
    from haven.protection.services import protection_report

    def effect(firing: Firing):
        if complaint.protection_case_id is not None:
            raise Refused(
                _("A child-protection case is already linked to this complaint."), code="already_linked"
            )
        child = complaint.about_child
        case = protection_report(
            actor=actor,
            incident_commune=complaint.commune,
            incident_place=incident_place,
            condition=condition,
            likely_harm=likely_harm,
            sex=child.sex if child is not None else sex,
            family_name=family_name,
            middle_name=middle_name,
            given_name=given_name,
            estimated_age_years=estimated_age_years,
            child=child,
            actions_taken=_("Revealed by the complaint %(reference)s received on %(day)s.")
            % {"reference": complaint.reference, "day": complaint.received_on.strftime("%d/%m/%Y")},
        )
        complaint.protection_case = case
        complaint.save(update_fields=["protection_case", "updated_at"])
        firing.data["protection_case"] = str(case.pk)
        return case

    return FLOW.fire(complaint, "open_protection", actor=actor, effect=effect)


@transaction.atomic
def complaint_link_protection(*, actor: User, complaint: Complaint, case) -> Complaint:
    """Link a protection case already open (one the actor sees) instead of opening another."""
    from haven.protection.models import ProtectionCase

    def effect(firing: Firing) -> None:
        if complaint.protection_case_id is not None:
            raise Refused(
                _("A child-protection case is already linked to this complaint."), code="already_linked"
            )
        if case is None or not ProtectionCase.objects.visible_to(actor).filter(pk=case.pk).exists():
            raise invalid("case", _("Choose a child-protection case you can see."), "unknown_case")
        complaint.protection_case = case
        complaint.save(update_fields=["protection_case", "updated_at"])
        firing.data["protection_case"] = str(case.pk)

    FLOW.fire(complaint, "link_protection", actor=actor, effect=effect)
    return complaint
