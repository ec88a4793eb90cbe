"""Every step of the abandoned-child pathway: keyword-only, atomic, each one fired on the one workflow
engine (haven/workflow), which locks the case, finds who acts, checks the lawful times and the named
guards, moves the clocks, and writes the timeline, the audit event and the next actor's message. The
table of steps is workflow.py; this module adds each step's own data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.scoping import NotVisible, acting_as
from haven.accounts.models import Membership, Organisation, OrganisationKind, User
from haven.accounts.selectors import authority_for, stands_in
from haven.areas.models import Area
from haven.audit.services import record
from haven.care import services as care
from haven.core import clock, uploads
from haven.core.errors import Problems, Refused, invalid
from haven.deadlines.models import Obligation, Status
from haven.deadlines.services import obligations_close
from haven.foundlings import duplicates, workflow
from haven.foundlings.models import (
    BirthRegistration,
    Channel,
    DiscoveryRecord,
    DuplicateStatus,
    FoundlingCase,
    Handover,
    HandoverStatus,
    HealthScreening,
    Placement,
    State,
    TemporaryCare,
)
from haven.people import rules as names
from haven.people import services as people
from haven.people.models import Child, CircumstanceGroup, Involvement, InvolvementBasis
from haven.population.models import RegisterRequest, RequestStatus
from haven.population.selectors import pin_request_of
from haven.population.services import pin_request
from haven.workflow.engine import Firing

K = OrganisationKind
CHANNEL_OF_KIND = {
    K.HEALTH_FACILITY: Channel.HEALTH_FACILITY,
    K.COMMUNE_POLICE: Channel.COMMUNE_POLICE,
    K.COMMUNE_COMMITTEE: Channel.COMMUNE_COMMITTEE,
    K.HOTLINE_111: Channel.HOTLINE,
}
FLOW = workflow.FLOW


# A child found before 1 January of the year 18 years back would be an adult today: a found date that
# early is a typing error (walkthrough D19: 01/01/1900 made tasks "126 years" overdue nationwide).
FOUND_WITHIN_YEARS = 18


def found_at_problem(found_at: dt.datetime, now: dt.datetime) -> tuple[str, str] | None:
    """Why ``found_at`` cannot be when a child was found (a message and a code), or None."""
    if found_at > now + dt.timedelta(minutes=5):
        return _("This time is in the future."), "time_in_future"
    earliest = clock.localdate(now).replace(month=1, day=1)
    earliest = earliest.replace(year=earliest.year - FOUND_WITHIN_YEARS)
    if clock.localdate(found_at) < earliest:
        return (
            _("A child found before %(date)s would be an adult today: check the year.")
            % {"date": earliest.strftime("%d/%m/%Y")},
            "implausible",
        )
    return None


# --- Report -------------------------------------------------------------------------------------


@transaction.atomic
def foundling_report(
    *,
    actor: User | None,
    found_at: dt.datetime,
    found_commune: Area,
    found_place: str,
    sex: str,
    condition: str,
    estimated_age_days: int | None = None,
    belongings: str = "",
    finder_name: str = "",
    finder_id_document: str = "",
    finder_address: str = "",
    reporter_contact: str = "",
    photo=None,
    child: Child | None = None,
) -> FoundlingCase:
    """A found child, reported from the place of discovery, by hotline 111, or by the public. The
    organisation of the place of discovery is responsible from this moment (Notice 432 §2).
    ``child``: a child Haven already has (a child-protection report that reveals abandonment)."""
    now = clock.now()
    # Every problem of the report at once, so that nobody corrects one field per submit.
    problems: dict[str, tuple[str, str] | None] = {
        "found_at": found_at_problem(found_at, now),
        "finder_name": names.name_problem(finder_name or ""),
    }
    if found_commune is None or found_commune.level != "commune":
        problems["found_commune"] = (_("Choose a commune from the list."), "unknown_commune")
    if not condition.strip():
        problems["condition"] = (_("Describe the child's physical and health condition."), "required")
    if names.phone_problem((reporter_contact or "").strip()):
        problems["reporter_contact"] = (names.phone_problem(reporter_contact.strip()), "bad_phone")
    errors = {f: ValidationError(p[0], code=p[1]) for f, p in problems.items() if p}
    if photo:
        try:
            photo = uploads.photo_for_storage(photo)
        except ValidationError as refused:
            errors["photo"] = refused
    if errors:
        raise ValidationError(errors)
    membership = None
    if actor is not None and actor.is_authenticated:
        membership = acting_as(actor, workflow.REPORTERS)
        if membership is None:
            raise NotVisible
        channel = CHANNEL_OF_KIND.get(membership.organisation.kind, Channel.COMMUNE_COMMITTEE)
        # The place of discovery answers for the child (Notice 432 §2) when the report comes from it:
        # a hospital, commune police or committee of the commune where the child was found.
        on_site = (
            membership.organisation.kind in (K.HEALTH_FACILITY, K.COMMUNE_POLICE, K.COMMUNE_COMMITTEE)
            and membership.organisation.area_id == found_commune.pk
        )
        responsible = membership.organisation if on_site else authority_for(found_commune)
    else:
        actor, channel, responsible = None, Channel.PUBLIC, authority_for(found_commune)
    born = (
        (found_at - dt.timedelta(days=estimated_age_days)).date() if estimated_age_days is not None else None
    )
    if child is None:
        child = people.child_register_found(
            actor=actor, commune=found_commune, sex=sex, date_of_birth=born, estimated=born is not None
        )
    elif hasattr(child, "foundling_case"):
        raise Refused(_("This child already has a found-child case."), code="already_done")
    case = FoundlingCase.objects.create(
        child=child,
        found_at=found_at,
        found_commune=found_commune,
        found_place=found_place.strip(),
        channel=channel,
        reported_by=actor,
        reporting_organisation=membership.organisation if membership else None,
        reporter_contact=reporter_contact,
        finder_name=finder_name,
        finder_id_document=finder_id_document,
        finder_address=finder_address,
        estimated_age_days=estimated_age_days,
        condition=condition.strip(),
        belongings=belongings.strip(),
        photo=photo,
        responsible=responsible,
    )
    Involvement.objects.create(child=child, organisation=responsible, basis=InvolvementBasis.DISCOVERY)
    _abandoned(actor, case, membership.organisation if membership else None)
    FLOW.fire(
        case,
        "report",
        actor=actor,
        membership=membership,
        inputs={"found_at": found_at},
        starts={"foundling.acknowledge": found_at, "foundling.screen": found_at},
        data={"channel": channel, "responsible": responsible.pk},
        created=True,
    )
    duplicates.flag(case)
    return case


def _abandoned(actor: User | None, case: FoundlingCase, organisation: Organisation | None) -> None:
    """A found child is in the group "abandoned" of Law on Children art. 10(b) from the report on
    (Decree 123/2015 art. 14), so the child counts among the children in special circumstances at
    once (walkthrough D26)."""
    if case.child.circumstances.filter(group=CircumstanceGroup.HCDB_B, ended_on__isnull=True).exists():
        return
    people.circumstance_from_pathway(
        actor=actor,
        child=case.child,
        group=CircumstanceGroup.HCDB_B,
        started_on=clock.localdate(case.found_at),
        evidence=_("Found on %(date)s at %(place)s and reported as a found child (Decree 123/2015 art. 14).")
        % {"date": clock.localdate(case.found_at).strftime("%d/%m/%Y"), "place": case.found_place},
        organisation=organisation,
    )


# --- Reception ----------------------------------------------------------------------------------


def reported_at(case: FoundlingCase) -> dt.datetime:
    """When the report reached the commune: the moment Haven recorded it (its first step), which tells
    the commune at once (Decree 123/2015 art. 14(1): "notified")."""
    first = case.steps.filter(action="report").order_by("at").values_list("at", flat=True).first()
    return first or case.created_at


@transaction.atomic
def foundling_acknowledge(*, actor: User, case: FoundlingCase) -> FoundlingCase:
    """The commune (or commune police) acknowledges the report. Temporary care is counted from the
    time the child was found (T0), the discovery record from the report, which notified the commune
    (foundlings/clocks.py): the acknowledgement starts neither."""
    FLOW.fire(
        case,
        "acknowledge",
        actor=actor,
        starts={"foundling.temporary_care": case.found_at, "foundling.record": reported_at(case)},
    )
    return case


@transaction.atomic
def foundling_screen(
    *, actor: User, case: FoundlingCase, screened_at: dt.datetime, **vitals: Any
) -> HealthScreening:

    def effect(firing: Firing) -> HealthScreening:
        screening = HealthScreening(
            case=case, screened_at=screened_at, screened_by=actor, organisation=firing.organisation, **vitals
        )
        screening.full_clean(exclude=["case", "screened_by", "organisation"])
        screening.save()
        case.estimated_age_days = screening.estimated_age_days
        case.save(update_fields=["estimated_age_days", "updated_at"])
        firing.data["screening"] = screening.pk
        return screening

    return FLOW.fire(case, "screen", actor=actor, inputs={"screened_at": screened_at}, effect=effect)


@transaction.atomic
def foundling_record(
    *,
    actor: User,
    case: FoundlingCase,
    drafter_title: str,
    drawn_up_place: str,
    physique: str,
    health: str,
    belongings: str,
    finder_name: str,
    finder_id_document: str,
    finder_address: str,
    witness_name: str = "",
    witness_id_document: str = "",
    witness_address: str = "",
    witnesses: str = "",
) -> DiscoveryRecord:
    """The biên bản (Decree 123/2015 art. 14(1)): every field the article requires is required here.
    A witness is optional, but one who is recorded is named, since they sign the record."""
    required = {
        "drafter_title": drafter_title,
        "drawn_up_place": drawn_up_place,
        "physique": physique,
        "health": health,
        "finder_name": finder_name,
        "finder_id_document": finder_id_document,
        "finder_address": finder_address,
    }

    def effect(firing: Firing) -> DiscoveryRecord:
        if hasattr(case, "discovery_record"):
            raise Refused(_("The discovery record has already been drawn up."), code="already_done")
        errors = {
            field: ValidationError(_("Decree 123/2015 art. 14(1) requires this field."), code="required")
            for field, value in required.items()
            if not value.strip()
        }
        if (witness_id_document.strip() or witness_address.strip() or witnesses.strip()) and not (
            witness_name.strip()
        ):
            errors["witness_name"] = ValidationError(
                _("Give the witness's full name: the witness signs the record."), code="required"
            )
        if errors:
            raise ValidationError(errors)
        names.check_names(finder_name=finder_name)
        names.clean_reference(finder_id_document, field="finder_id_document")
        year_count = DiscoveryRecord.objects.filter(
            organisation=firing.organisation, drawn_up_at__year=firing.now.year
        ).count()
        record_ = DiscoveryRecord.objects.create(
            case=case,
            number=f"{year_count + 1:03d}/BB-{case.found_commune.code}",
            drawn_up_at=firing.now,
            organisation=firing.organisation,
            drafter=actor,
            found_at=case.found_at,
            found_place=case.found_place,
            sex=case.child.sex,
            belongings=belongings.strip() or _("None"),
            witness_name=witness_name.strip(),
            witness_id_document=witness_id_document.strip(),
            witness_address=witness_address.strip(),
            witnesses=witnesses.strip(),
            **{k: v.strip() for k, v in required.items()},
        )
        firing.data["record"] = record_.number
        return record_

    return FLOW.fire(case, "record", actor=actor, effect=effect)


@transaction.atomic
def foundling_discharge(*, actor: User, case: FoundlingCase, discharged_at: dt.datetime) -> FoundlingCase:
    """Medical discharge: from now the hospital is no place to stay (the Từ Dũ lesson, §2)."""

    def effect(firing: Firing) -> None:
        case.medically_discharged_at = discharged_at
        case.save(update_fields=["medically_discharged_at", "updated_at"])

    FLOW.fire(
        case,
        "discharge",
        actor=actor,
        inputs={"discharged_at": discharged_at},
        starts={"foundling.hospital_discharge": discharged_at},
        effect=effect,
    )
    return case


# --- Temporary care and handover ----------------------------------------------------------------

RECEIVING_KINDS = {
    TemporaryCare.FACILITY: {K.SOCIAL_PROTECTION_FACILITY},
    TemporaryCare.FAMILY: {K.COMMUNE_COMMITTEE},
    TemporaryCare.HOSPITAL_HOLD: {K.HEALTH_FACILITY},
}


@transaction.atomic
def foundling_decide_temporary_care(
    *,
    actor: User,
    case: FoundlingCase,
    kind: str,
    to_organisation: Organisation | None = None,
    family: str = "",
    reason: str = "",
) -> Handover:
    """The commune decides who cares for the child until the papers are done: a registered family
    (under the commune's supervision), a social protection facility, or — only as an exception — the
    hospital. The receiving organisation must accept before responsibility moves."""
    return _hand_over(
        "decide_temporary_care",
        actor=actor,
        case=case,
        kind=TemporaryCare(kind),
        to_organisation=to_organisation,
        family=family,
        reason=reason,
    )


@transaction.atomic
def foundling_move_after_discharge(
    *,
    actor: User,
    case: FoundlingCase,
    kind: str,
    to_organisation: Organisation | None = None,
    family: str = "",
    reason: str = "",
) -> Handover:
    """A hospital hold ends with the medical discharge (Notice 432 §2): the commune hands the child
    over to a social protection facility or a registered family, and the child leaves the hospital
    once the receiver accepts. The case stays where it is on its pathway."""
    kind = TemporaryCare(kind)
    if kind is TemporaryCare.HOSPITAL_HOLD:
        raise invalid("kind", _("After the discharge the child goes to a facility or a family."), "invalid")
    return _hand_over(
        "move_after_discharge",
        actor=actor,
        case=case,
        kind=kind,
        to_organisation=to_organisation,
        family=family,
        reason=reason,
    )


def _hand_over(
    action: str,
    *,
    actor: User,
    case: FoundlingCase,
    kind: TemporaryCare,
    to_organisation: Organisation | None,
    family: str,
    reason: str,
) -> Handover:
    def effect(firing: Firing) -> Handover:
        if case.handovers.filter(status=HandoverStatus.PENDING).exists():
            raise Refused(_("A handover is already waiting for an answer."), code="out_of_order")
        # Every problem at once; "cannot receive" only for an organisation that was chosen (D20).
        problems = Problems()
        receiver = to_organisation
        if kind is TemporaryCare.FAMILY:
            receiver = firing.organisation
            if not family.strip():
                problems.add("family", _("Name the registered family and its address."), "required")
        if kind is TemporaryCare.HOSPITAL_HOLD and not reason.strip():
            problems.add("reason", _("A hospital hold is an exception: give the reason."), "required")
        if receiver is None:
            problems.add(
                "to_organisation", _("Choose the facility or hospital that receives the child."), "required"
            )
        elif not receiver.is_active or not _may_receive(receiver, kind, case):
            problems.add(
                "to_organisation",
                _("This organisation cannot receive the child for this kind of care."),
                "cannot_receive",
            )
        problems.raise_any()
        case.temporary_family = family.strip()
        case.save(update_fields=["temporary_family", "updated_at"])
        handover = Handover.objects.create(
            case=case,
            from_organisation=case.responsible,
            to_organisation=receiver,
            purpose=kind,
            requested_at=firing.now,
            requested_by=actor,
            reason=reason.strip(),
        )
        firing.responsible["foundling.handover_answer"] = receiver
        firing.data.update({"kind": kind, "to": receiver.pk})
        if acting_as(actor, workflow.RECEIVERS, organisation=receiver) is not None:
            # The decider answers for the receiving body (a registered family under the commune):
            # nothing to wait for. A hospital hold is accepted by the hospital itself.
            firing.then.append(lambda: foundling_handover_answer(actor=actor, handover=handover, accept=True))
        return handover

    return FLOW.fire(case, action, actor=actor, effect=effect)


def _may_receive(receiver: Organisation, kind: TemporaryCare, case: FoundlingCase) -> bool:
    """A facility receives a facility admission, a hospital a hold; a registered family is supervised by
    the commune, or by the body standing in for a commune not yet in Haven."""
    if receiver.kind in RECEIVING_KINDS[kind]:
        return True
    return kind is TemporaryCare.FAMILY and stands_in(receiver, case.found_commune)


def _answers(case: FoundlingCase) -> tuple[str, str]:
    """The rows answering a handover: the first temporary care, or a move out of hospital."""
    if case.state == State.HANDOVER_PENDING:
        return "accept_handover", "refuse_handover"
    return "accept_move", "refuse_move"


@transaction.atomic
def foundling_handover_answer(*, actor: User, handover: Handover, accept: bool, reason: str = "") -> Handover:
    """Only a member of the receiving organisation answers. Accepting moves responsibility; refusing
    leaves the child with the sender and restarts the temporary-care clock from T0, so it escalates
    (a refused move out of hospital leaves the child at the hospital, its discharge clock running)."""
    case = handover.case
    if handover.status != HandoverStatus.PENDING:
        raise Refused(_("This handover has already been answered."), code="already_answered")
    FLOW.lock(case)  # which answer it is depends on the case's state now
    action = _answers(case)[0 if accept else 1]
    membership = acting_as(actor, FLOW.transitions[action].roles, organisation=handover.to_organisation)
    if membership is None:
        raise NotVisible

    def effect(firing: Firing) -> Handover:
        handover.refresh_from_db()
        if handover.status != HandoverStatus.PENDING:
            raise Refused(_("This handover has already been answered."), code="already_answered")
        if not accept and not reason.strip():
            raise invalid("reason", _("Give the reason for refusing."), "required")
        now = firing.now
        handover.status = HandoverStatus.ACCEPTED if accept else HandoverStatus.REFUSED
        handover.answered_at, handover.answered_by = now, actor
        if reason:
            handover.reason = reason.strip()
        handover.save()
        if accept:
            previous = case.responsible
            case.responsible = handover.to_organisation
            case.temporary_care = handover.purpose
            case.save(update_fields=["responsible", "temporary_care", "updated_at"])
            Involvement.objects.create(
                child=case.child,
                organisation=handover.to_organisation,
                basis=InvolvementBasis.HANDOVER,
                started_at=now,
            )
            if previous.kind == K.HEALTH_FACILITY and handover.purpose != TemporaryCare.HOSPITAL_HOLD:
                obligations_close(subject=case, rules=["foundling.hospital_discharge"], actor=actor)
            if previous != handover.to_organisation and previous.kind != K.COMMUNE_COMMITTEE:
                # The sender no longer holds the child, so no longer sees the record.
                Involvement.objects.current().filter(child=case.child, organisation=previous).update(
                    ended_at=now
                )
        elif action == "refuse_move":
            case.temporary_family = ""
            case.save(update_fields=["temporary_family", "updated_at"])
        firing.note = reason.strip()
        firing.data["handover"] = handover.pk
        return handover

    return FLOW.fire(
        case,
        action,
        actor=actor,
        membership=membership,
        starts={"foundling.temporary_care": case.found_at},
        effect=effect,
    )


@transaction.atomic
def foundling_handover_withdraw(*, actor: User, handover: Handover, reason: str) -> Handover:
    """The commune that asked withdraws a handover nobody has answered yet, with its reason: the
    receiver is told and its task ends, and the case is back where it was before the handover (the
    temporary-care clock running again from T0, as after a refusal)."""
    case = handover.case
    FLOW.lock(case)
    action = "withdraw_handover" if case.state == State.HANDOVER_PENDING else "withdraw_move"

    def effect(firing: Firing) -> Handover:
        handover.refresh_from_db()
        if handover.status != HandoverStatus.PENDING:
            raise Refused(_("This handover has already been answered."), code="already_answered")
        firing.note = _required(reason, "reason", _("Give the reason for withdrawing the handover."))
        handover.status = HandoverStatus.WITHDRAWN
        handover.answered_at, handover.answered_by = firing.now, actor
        handover.reason = firing.note
        handover.save()
        case.temporary_family = ""
        case.save(update_fields=["temporary_family", "updated_at"])
        firing.data.update({"handover": handover.pk, "to": handover.to_organisation_id})
        return handover

    return FLOW.fire(
        case,
        action,
        actor=actor,
        inputs={"handover": handover},
        starts={"foundling.temporary_care": case.found_at},
        effect=effect,
    )


def _settle(case: FoundlingCase, *, now: dt.datetime, actor: User | None, keep: Organisation | None) -> None:
    """When the child leaves temporary care (placed, returned home, or the report closed as a second
    one): the hospital clock stops, and organisations that no longer hold the child lose access.
    ``keep`` stays responsible and involved (None: the commune authority takes over)."""
    obligations_close(
        subject=case, rules=["foundling.hospital_discharge"], actor=actor, status=Status.CANCELLED
    )
    authority = authority_for(case.found_commune)
    holder = keep or authority
    if case.responsible_id != holder.pk:
        case.responsible = holder
        case.save(update_fields=["responsible", "updated_at"])
    Involvement.objects.current().filter(child=case.child).exclude(
        organisation__in=[holder, authority]
    ).update(ended_at=now)


# --- Public notice, claim -----------------------------------------------------------------------


@transaction.atomic
def foundling_post_notice(
    *, actor: User, case: FoundlingCase, posted_at: dt.datetime | None = None
) -> FoundlingCase:
    """Decree 123/2015 art. 14(2): posted for 7 consecutive days at the commune People's Committee."""

    def effect(firing: Firing) -> None:
        case.notice_posted_at = posted_at or firing.now
        firing.starts["foundling.notice_period"] = case.notice_posted_at
        if posted_at is not None and posted_at < firing.now:
            firing.data["posted_at"] = posted_at.isoformat()

    FLOW.fire(case, "post_notice", actor=actor, inputs={"posted_at": posted_at}, effect=effect)
    _notice_ends(case)
    return case


def _notice_ends(case: FoundlingCase) -> None:
    """The notice's end as the engine counts it: from when Haven recorded the posting, or from the
    posting time a supervisor confirmed."""
    obligation = (
        Obligation.objects.filter(
            subject_type=case._meta.label_lower, subject_id=case.pk, rule="foundling.notice_period"
        )
        .order_by("-opened_at")
        .first()
    )
    case.notice_ends_at = obligation.due_at if obligation else None
    case.save(update_fields=["notice_posted_at", "notice_ends_at", "updated_at"])


@transaction.atomic
def foundling_notice_time_confirm(*, actor: User, case: FoundlingCase, reason: str) -> FoundlingCase:
    """A supervisor (the commune chairman, or the provincial department) confirms the earlier posting
    time the officer entered: the 7 days then count from it. Audited with the reason."""
    FLOW.confirm_time(
        case,
        "confirm_notice_time",
        actor=actor,
        clock_code="foundling.notice_period",
        field_name="notice_posted_at",
        reason=reason,
    )
    _notice_ends(case)
    return case


def notice_expire(obligation: Obligation, now: dt.datetime) -> None:
    """Called by the sweep when the 7 days are over: the commune must now have the birth registered."""
    case = FoundlingCase.objects.select_for_update().get(pk=obligation.subject_id)
    if case.state != State.NOTICE_PERIOD:
        obligations_close(
            subject=case, rules=["foundling.notice_period"], actor=None, status=Status.CANCELLED
        )
        return
    FLOW.fire(case, "notice_expire", actor=None, now=now)


@transaction.atomic
def foundling_claim(*, actor: User, case: FoundlingCase, claimant: str) -> FoundlingCase:

    def effect(firing: Firing) -> None:
        if not claimant.strip():
            raise invalid(
                "claimant", _("Name the person claiming the child and their relationship."), "required"
            )
        case.claimant = firing.note = claimant.strip()
        case.save(update_fields=["claimant", "updated_at"])

    FLOW.fire(case, "claim", actor=actor, effect=effect)
    return case


@transaction.atomic
def foundling_claim_decide(*, actor: User, case: FoundlingCase, reunify: bool, reason: str) -> FoundlingCase:
    """A claim is verified before the child goes home; a rejected claim resumes the notice."""

    def effect(firing: Firing) -> None:
        if not reason.strip():
            raise invalid("reason", _("Record how the claim was verified."), "required")
        firing.note = reason.strip()
        if reunify:
            case.closed_at = firing.now
            case.save(update_fields=["closed_at", "updated_at"])
            _settle(case, now=firing.now, actor=actor, keep=None)
            # Back with the family, the child is no longer abandoned (Law on Children art. 10(b)).
            people.circumstance_end_from_pathway(
                actor=actor,
                child=case.child,
                group=CircumstanceGroup.HCDB_B,
                ended_on=clock.localdate(firing.now),
            )

    # A rejected claim resumes the notice where it was: its clock runs again from the posting, as the
    # engine counted it (a backdated posting time not yet confirmed does not count).
    notice = (
        Obligation.objects.filter(
            subject_type=case._meta.label_lower, subject_id=case.pk, rule="foundling.notice_period"
        )
        .order_by("-opened_at")
        .first()
    )
    start = notice.opened_at if notice else clock.now()
    FLOW.fire(
        case,
        "reunify" if reunify else "reject_claim",
        actor=actor,
        starts={"foundling.notice_period": start},
        effect=effect,
    )
    return case


# --- Papers: birth registration, PIN, health insurance, residence, allowance --------------------


def estimated_birth_date(case: FoundlingCase) -> dt.date:
    """Decree 123/2015 art. 14(3): an unknown date of birth is the day and month the child was found,
    with the year estimated from the child's physique."""
    return _birth_details(case, None)[0]


def _birth_details(
    case: FoundlingCase, date_of_birth: dt.date | None, estimated: bool = False
) -> tuple[dt.date, bool]:
    """The date of birth to register and whether it is the estimate of Decree 123/2015 art. 14(3)."""
    if date_of_birth is not None:
        return date_of_birth, estimated
    found = clock.localdate(case.found_at)
    age_years = (case.estimated_age_days or 0) // 365
    year = found.year - age_years
    try:
        return found.replace(year=year), True
    except ValueError:  # 29 February in a year that has none
        return found.replace(year=year, day=28), True


@transaction.atomic
def foundling_register_birth(
    *,
    actor: User,
    case: FoundlingCase,
    family_name: str,
    given_name: str,
    middle_name: str = "",
    sex: str | None = None,
    date_of_birth: dt.date | None = None,
    date_of_birth_estimated: bool = False,
) -> BirthRegistration:
    """The civil-status officer registers the birth once the notice has expired; parents are left
    blank, the register carries "Trẻ bị bỏ rơi", and the PIN is asked of the population register."""

    def effect(firing: Firing) -> BirthRegistration:
        chosen = _birth_facts(case, family_name, given_name, sex, date_of_birth, date_of_birth_estimated)
        born, estimated = chosen["date_of_birth"], chosen["estimated"]
        place = f"{case.found_place}, {case.found_commune.name}, {case.found_commune.parent.name}"
        case.child.sex = chosen["sex"]
        people.child_name_and_birth(
            child=case.child,
            family_name=family_name,
            middle_name=middle_name,
            given_name=given_name,
            date_of_birth=born,
            estimated=estimated,
            place_of_birth=place,
        )
        now = firing.now
        count = BirthRegistration.objects.filter(
            organisation=firing.organisation, registered_at__year=now.year
        ).count()
        registration = BirthRegistration.objects.create(
            case=case,
            number=f"{count + 1:04d}/{now.year}",
            registered_at=now,
            registered_by=actor,
            organisation=firing.organisation,
            family_name=case.child.family_name,
            middle_name=case.child.middle_name,
            given_name=case.child.given_name,
            sex=chosen["sex"],
            date_of_birth=born,
            date_of_birth_estimated=estimated,
            place_of_birth=place,
        )
        firing.data["registration"] = registration.number
        # Asked of the register once the step is recorded (its answer may come at once).
        firing.then.append(
            lambda: pin_request(
                child=case.child,
                idempotency_key=f"birth-{case.pk}",
                registration_commune=case.found_commune,
                on_answer="haven.foundlings.services.pin_received",
                organisation=firing.organisation,
                link=f"/foundlings/{case.pk}/",
            )
        )
        return registration

    return FLOW.fire(case, "register_birth", actor=actor, effect=effect)


def _birth_facts(
    case: FoundlingCase,
    family_name: str,
    given_name: str,
    sex: str | None,
    date_of_birth: dt.date | None,
    date_of_birth_estimated: bool = False,
) -> dict:
    """The name, sex and date of birth of a found child's birth registration, every problem at once."""
    errors = {}
    if not family_name.strip() or not given_name.strip():
        errors["given_name"] = ValidationError(
            _("Give the family name and given name chosen for the child."), code="required"
        )
    sex = sex or case.child.sex
    if sex not in ("male", "female"):
        errors["sex"] = ValidationError(_("The birth register needs the child's sex."), code="required")
    born, estimated = _birth_details(case, date_of_birth, date_of_birth_estimated)
    if born > clock.localdate(case.found_at):
        errors["date_of_birth"] = ValidationError(
            _("The child cannot be born after being found."), code="after_found"
        )
    if errors:
        raise ValidationError(errors)
    return {"sex": sex, "date_of_birth": born, "estimated": estimated}


@transaction.atomic
def foundling_pin_resend(
    *,
    actor: User,
    case: FoundlingCase,
    family_name: str,
    given_name: str,
    middle_name: str = "",
    sex: str | None = None,
    date_of_birth: dt.date | None = None,
    date_of_birth_estimated: bool = False,
) -> RegisterRequest:
    """The register refused the birth (or answered a PIN Haven could not store): the civil-status
    officer corrects the details as written in the civil-status book and sends the birth again. The
    new request has a new key and names the one it replaces, so the register's earlier answer, if
    any, is never forgotten."""

    def effect(firing: Firing) -> RegisterRequest:
        failed = pin_request_of(case.child)
        if (
            failed is None
            or failed.status not in (RequestStatus.FAILED, RequestStatus.CONFLICT)
            or case.child.pin_encrypted
        ):
            raise Refused(
                _("Only a birth the population register refused can be corrected and sent again."),
                code="not_refused",
            )
        chosen = _birth_facts(case, family_name, given_name, sex, date_of_birth, date_of_birth_estimated)
        born, estimated = chosen["date_of_birth"], chosen["estimated"]
        case.child.sex = chosen["sex"]
        people.child_name_and_birth(
            child=case.child,
            family_name=family_name,
            middle_name=middle_name,
            given_name=given_name,
            date_of_birth=born,
            estimated=estimated,
            place_of_birth=case.child.place_of_birth,
        )
        registration = case.birth_registration
        # Haven's copy of the civil-status book entry follows the correction (the book is the source).
        corrected = {
            "family_name": case.child.family_name,
            "middle_name": case.child.middle_name,
            "given_name": case.child.given_name,
            "sex": chosen["sex"],
            "date_of_birth": born,
            "date_of_birth_estimated": estimated,
        }
        changed = sorted(k for k, v in corrected.items() if getattr(registration, k) != v)
        for name, value in corrected.items():
            setattr(registration, name, value)
        registration.save()
        sent = RegisterRequest.objects.filter(child=case.child).count()
        request = pin_request(
            child=case.child,
            idempotency_key=f"birth-{case.pk}-{sent + 1}",
            registration_commune=case.found_commune,
            on_answer="haven.foundlings.services.pin_received",
            organisation=firing.organisation,
            link=f"/foundlings/{case.pk}/",
            replaces=failed,
        )
        firing.data.update(
            {
                "replaces": str(failed.pk),
                "request": str(request.pk),
                "reason": failed.last_error[:200],
                "corrected": changed,
            }
        )
        return request

    return FLOW.fire(case, "resend_pin", actor=actor, effect=effect)


def pin_received(child: Child, now: dt.datetime) -> None:
    """The register answered with a PIN (population/services.py stored it on the child)."""
    case = FoundlingCase.objects.select_for_update().filter(child=child).first()
    if case is None or case.state != State.BIRTH_REGISTERED:
        return
    FLOW.fire(case, "pin_received", actor=None, now=now)
    _papers_complete(case, now)


def _papers_complete(case: FoundlingCase, now: dt.datetime) -> None:
    """Once the PIN, health insurance, residence and allowance are all in, care planning starts."""
    done = (
        case.child.pin_encrypted
        and case.health_insurance_number
        and case.residence_registered_on
        and case.allowance_decision
    )
    if done and case.state == State.BIRTH_REGISTERED:
        FLOW.fire(case, "papers_complete", actor=None, now=now)


@transaction.atomic
def foundling_record_paper(*, actor: User, case: FoundlingCase, paper: str, **fields: Any) -> FoundlingCase:
    """Record the health-insurance card, the residence registration or the allowance decision."""
    action = {
        "health_insurance": "record_health_insurance",
        "residence": "record_residence",
        "allowance": "decide_allowance",
    }[paper]

    def effect(firing: Firing) -> None:
        today = clock.localdate(firing.now)
        errors = {}
        for name, value in fields.items():
            if isinstance(value, dt.date) and value > today + dt.timedelta(days=366):
                errors[name] = ValidationError(_("This date is too far in the future."), code="date_too_far")
            if value is None or (isinstance(value, str) and not value.strip()):
                errors[name] = ValidationError(_("This field is required."), code="required")
        if errors:
            raise ValidationError(errors)
        for name in ("health_insurance_number", "allowance_decision"):
            if name in fields:
                names.clean_reference(fields[name], field=name)
        for name, value in fields.items():
            setattr(case, name, value.strip() if isinstance(value, str) else value)
        case.save()
        firing.data["paper"] = paper
        firing.then.append(lambda: _papers_complete(case, firing.now))
        if paper == "health_insurance":
            # The card is the child's entitlement too (its end computed by the rule): kept there once.
            from haven.entitlements.services.health import card_from_foundling

            firing.then.append(
                lambda: card_from_foundling(
                    case.child, case.health_insurance_number, case.health_insurance_from
                )
            )

    FLOW.fire(case, action, actor=actor, effect=effect)
    return case


# --- Care planning, placement, review -----------------------------------------------------------


@transaction.atomic
def foundling_plan_care(*, actor: User, case: FoundlingCase, note: str) -> FoundlingCase:
    FLOW.fire(case, "plan_care", actor=actor, note=_required(note, "note", _("Summarise the care plan.")))
    return case


def _required(text: str, field: str, message: str) -> str:
    if not (text or "").strip():
        raise invalid(field, message, "required")
    return text.strip()


@transaction.atomic
def foundling_place(*, actor: User, case: FoundlingCase, placement: str, detail: str) -> FoundlingCase:
    """Law on Children art. 60(3): from age 7 the child's view is heard before a placement."""

    def effect(firing: Firing) -> None:
        case.placement = placement
        case.placement_detail = firing.note = _required(
            detail, "detail", _("Say with whom or where the child is placed.")
        )
        case.placed_at = firing.now
        case.save(update_fields=["placement", "placement_detail", "placed_at", "updated_at"])
        # A facility small group keeps the facility that holds the child; a family placement is
        # supervised by the commune (Circular 14/2020 art. 13).
        in_facility = (
            placement == Placement.FACILITY_GROUP and case.responsible.kind == K.SOCIAL_PROTECTION_FACILITY
        )
        _settle(case, now=firing.now, actor=actor, keep=case.responsible if in_facility else None)
        if placement in care.FROM_FOUNDLING_PLACEMENT:
            # The child's one care history (haven/care); a facility small group is chosen by the
            # facility, which places the child from its board.
            care.placement_from_decision(
                actor=actor,
                membership=firing.membership,
                child=case.child,
                form=care.FROM_FOUNDLING_PLACEMENT[placement],
                carer_name=case.placement_detail,
                reason=_("Placement decided on the found-child case"),
            )
        firing.data["placement"] = placement

    FLOW.fire(case, "place", actor=actor, effect=effect)
    return case


@transaction.atomic
def foundling_review(*, actor: User, case: FoundlingCase, note: str) -> FoundlingCase:
    """The six-monthly review (Law on Children art. 68); the next one is due 6 months on."""
    FLOW.fire(case, "review", actor=actor, note=_required(note, "note", _("Summarise the review.")))
    return case


@transaction.atomic
def duplicate_decide(*, actor: User, pair, same_child: bool) -> None:
    """A person decides whether two reports are of one child. The same child: the later report is
    closed and points to the earlier one; nothing is merged or deleted."""

    def decide(membership: Membership) -> None:
        if pair.status != DuplicateStatus.PENDING:
            raise Refused(_("This pair has already been decided."), code="already_answered")
        pair.status = DuplicateStatus.CONFIRMED if same_child else DuplicateStatus.REJECTED
        pair.decided_by, pair.decided_at = actor, clock.now()
        pair.save()
        record(
            actor=actor,
            action="foundling.duplicate_decide",
            obj=pair.case,
            organisation=membership.organisation,
            data={"other": str(pair.other_id), "same_child": same_child},
        )

    later = pair.case
    if not same_child:
        FLOW.lock(later)
        membership = FLOW.acting(actor, later, "mark_duplicate")
        workflow.STANDING_IN.require(membership, later)
        decide(membership)
        return

    def effect(firing: Firing) -> None:
        decide(firing.membership)
        Obligation.objects.filter(
            subject_type=later._meta.label_lower, subject_id=later.pk, status=Status.OPEN
        ).update(status=Status.CANCELLED, closed_at=firing.now, closed_by=actor, next_escalation_at=None)
        later.closed_at = firing.now
        later.save(update_fields=["closed_at", "updated_at"])
        _settle(later, now=firing.now, actor=actor, keep=None)
        # The child is counted once, on the earlier report.
        people.circumstance_end_from_pathway(
            actor=actor,
            child=later.child,
            group=CircumstanceGroup.HCDB_B,
            ended_on=clock.localdate(firing.now),
        )
        firing.note = str(pair.other.child)
        firing.data["other"] = str(pair.other_id)

    FLOW.fire(later, "mark_duplicate", actor=actor, effect=effect)


@transaction.atomic
def foundling_photo_attach(*, actor: User, case: FoundlingCase, photo) -> FoundlingCase:
    """A photo taken at discovery, added after the report (the API's multipart step). A photo that
    replaces another deletes it once the change is committed: no copy of a child's photo is kept
    without a record pointing to it (security review finding 20)."""

    def effect(firing: Firing) -> None:
        try:
            stored = uploads.photo_for_storage(photo)
        except ValidationError as refused:
            raise ValidationError({"photo": refused}) from None
        replaced = case.photo.name
        case.photo.save(stored.name, stored, save=False)
        case.save(update_fields=["photo", "updated_at"])
        if replaced:
            storage = case.photo.storage
            transaction.on_commit(lambda: storage.delete(replaced))

    FLOW.fire(case, "photo_attach", actor=actor, effect=effect)
    return case
