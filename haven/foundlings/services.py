"""Every step of the abandoned-child pathway: keyword-only, atomic, audited, on the one deadline
engine. The table of steps is workflow.py; this module adds each step's guards and data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Organisation, OrganisationKind, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.care import services as care
from haven.core import clock
from haven.core.errors import Problems, Refused, invalid
from haven.deadlines import pathway
from haven.deadlines.models import Obligation, Status
from haven.deadlines.rules import RULES
from haven.deadlines.services import due, obligation_open, obligations_close
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
    Step,
    TemporaryCare,
)
from haven.notifications.models import Notification
from haven.people import rules as names
from haven.people import services as people
from haven.people.models import Child, Involvement, InvolvementBasis
from haven.population.models import RegisterRequest, RequestStatus
from haven.population.selectors import pin_request_of
from haven.population.services import pin_request

K = OrganisationKind
CHANNEL_OF_KIND = {
    K.HEALTH_FACILITY: Channel.HEALTH_FACILITY,
    K.COMMUNE_POLICE: Channel.COMMUNE_POLICE,
    K.COMMUNE_COMMITTEE: Channel.COMMUNE_COMMITTEE,
    K.HOTLINE_111: Channel.HOTLINE,
}
REPORTING_ROLES = {
    "hospital_social_worker",
    "commune_police_officer",
    "commune_officer",
    "commune_chairman",
    "hotline_operator",
}
# Obligations carried by whoever holds the child (the guardian's steps); the rest by the commune.
GUARDIAN_STEPS = {"foundling.residence", "foundling.health_insurance"}


def authority_for(commune: Area) -> Organisation:
    """The commune People's Committee where the child was found (Decree 123/2015 art. 14). Where
    Haven has no committee for that commune yet, the provincial Department of Health, then the
    Ministry, answer for the child: the case is never left with nobody."""
    for kind, area in ((K.COMMUNE_COMMITTEE, commune), (K.PROVINCIAL_HEALTH, commune.parent)):
        found = Organisation.objects.filter(kind=kind, area=area, is_active=True).order_by("pk").first()
        if found is not None:
            return found
    ministry = Organisation.objects.filter(kind=K.MINISTRY_OF_HEALTH, is_active=True).order_by("pk").first()
    if ministry is None:
        raise Refused(
            _("No authority is set up to receive this report. Call the hotline 111."), code="no_authority"
        )
    return ministry


def _responsible_for(rule_code: str, case: FoundlingCase, to: Organisation | None = None) -> Organisation:
    if to is not None:
        return to
    if rule_code == "foundling.screen" and case.responsible.kind == K.HEALTH_FACILITY:
        return case.responsible
    if rule_code in GUARDIAN_STEPS:
        return case.responsible
    return authority_for(case.found_commune)


def _acting(actor: User, case: FoundlingCase, action: str) -> Membership:
    """Lock the case and re-read it, then find who acts (haven/deadlines/pathway.py)."""
    pathway.lock(case)
    return pathway.acting(actor, case.child_id, workflow.TRANSITIONS[action].roles)


def _enter(case: FoundlingCase, action: str, *, to: Organisation | None = None, **kwargs: Any) -> Step:
    """Apply the table's row for ``action`` (haven/deadlines/pathway.py)."""
    return pathway.enter(
        case,
        action,
        workflow.transition(action, case.state),
        steps=case.steps,
        audit_prefix="foundling",
        responsible_for=lambda code: _responsible_for(
            code, case, to if code == "foundling.handover_answer" else None
        ),
        **kwargs,
    )


def _check_time(value: dt.datetime, field: str, now: dt.datetime) -> None:
    if value > now + dt.timedelta(minutes=5):
        raise invalid(field, _("This time is in the future."), "time_in_future")


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
    if errors:
        raise ValidationError(errors)
    membership = None
    if actor is not None and actor.is_authenticated:
        membership = next((m for m in granting(actor, Verb.CHILD_VIEW) if m.role in REPORTING_ROLES), None)
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
    organisation = membership.organisation if membership else None
    Step.objects.create(
        case=case, action="report", to_state=case.state, at=now, actor=actor, organisation=organisation
    )
    record(
        actor=actor,
        action="foundling.report",
        obj=case,
        organisation=organisation,
        at=now,
        data={"channel": channel, "responsible": responsible.pk},
    )
    authority = authority_for(found_commune)
    for code in ("foundling.acknowledge", "foundling.screen"):
        obligation_open(
            rule_code=code,
            subject=case,
            child=child,
            responsible=_responsible_for(code, case),
            start=found_at,
        )
    Notification.objects.create(
        organisation=authority,
        kind="foundling.report",
        title=_("A found child was reported in %(commune)s") % {"commune": found_commune.name},
        child=child,
        link=f"/foundlings/{case.pk}/",
        created_at=now,
    )
    duplicates.flag(case)
    return case


# --- Reception ----------------------------------------------------------------------------------


@transaction.atomic
def foundling_acknowledge(*, actor: User, case: FoundlingCase) -> FoundlingCase:
    membership = _acting(actor, case, "acknowledge")
    _enter(
        case,
        "acknowledge",
        actor=actor,
        membership=membership,
        now=clock.now(),
        starts={"foundling.record": clock.now(), "foundling.temporary_care": case.found_at},
    )
    return case


@transaction.atomic
def foundling_screen(
    *, actor: User, case: FoundlingCase, screened_at: dt.datetime, **vitals: Any
) -> HealthScreening:
    membership = _acting(actor, case, "screen")
    now = clock.now()
    _check_time(screened_at, "screened_at", now)
    if screened_at < case.found_at:
        raise invalid("screened_at", _("The screening cannot be before the child was found."), "before_found")
    screening = HealthScreening(
        case=case, screened_at=screened_at, screened_by=actor, organisation=membership.organisation, **vitals
    )
    screening.full_clean(exclude=["case", "screened_by", "organisation"])
    screening.save()
    case.estimated_age_days = screening.estimated_age_days
    case.save(update_fields=["estimated_age_days", "updated_at"])
    _enter(case, "screen", actor=actor, membership=membership, now=now, data={"screening": screening.pk})
    return screening


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
    witnesses: str = "",
) -> DiscoveryRecord:
    """The biên bản (Decree 123/2015 art. 14(1)): every field the article requires is required here."""
    membership = _acting(actor, case, "record")
    if hasattr(case, "discovery_record"):
        raise Refused(_("The discovery record has already been drawn up."), code="already_done")
    required = {
        "drafter_title": drafter_title,
        "drawn_up_place": drawn_up_place,
        "physique": physique,
        "health": health,
        "finder_name": finder_name,
        "finder_id_document": finder_id_document,
        "finder_address": finder_address,
    }
    for field, value in required.items():
        if not value.strip():
            raise invalid(field, _("Decree 123/2015 art. 14(1) requires this field."), "required")
    names.check_names(finder_name=finder_name)
    names.clean_reference(finder_id_document, field="finder_id_document")
    now = clock.now()
    year_count = DiscoveryRecord.objects.filter(
        organisation=membership.organisation, drawn_up_at__year=now.year
    ).count()
    record_ = DiscoveryRecord.objects.create(
        case=case,
        number=f"{year_count + 1:03d}/BB-{case.found_commune.code}",
        drawn_up_at=now,
        organisation=membership.organisation,
        drafter=actor,
        found_at=case.found_at,
        found_place=case.found_place,
        sex=case.child.sex,
        belongings=belongings.strip() or _("None"),
        witnesses=witnesses.strip(),
        **{k: v.strip() for k, v in required.items()},
    )
    _enter(case, "record", actor=actor, membership=membership, now=now, data={"record": record_.number})
    return record_


@transaction.atomic
def foundling_discharge(*, actor: User, case: FoundlingCase, discharged_at: dt.datetime) -> FoundlingCase:
    """Medical discharge: from now the hospital is no place to stay (the Từ Dũ lesson, §2)."""
    membership = _acting(actor, case, "discharge")
    now = clock.now()
    _check_time(discharged_at, "discharged_at", now)
    case.medically_discharged_at = discharged_at
    case.save(update_fields=["medically_discharged_at", "updated_at"])
    _enter(
        case,
        "discharge",
        actor=actor,
        membership=membership,
        now=now,
        starts={"foundling.hospital_discharge": discharged_at},
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
    membership = _acting(actor, case, "decide_temporary_care")
    # The order first: on a case not yet acknowledged the answer is "out of order", not "screen first".
    workflow.transition("decide_temporary_care", case.state)
    if not case.screenings.exists():
        raise Refused(_("Record the health screening first (Notice 432 §2)."), code="screening_missing")
    if not hasattr(case, "discovery_record"):
        raise Refused(
            _("Draw up the discovery record first (Decree 123/2015 art. 14(1))."), code="record_missing"
        )
    kind = TemporaryCare(kind)
    # Every problem at once; "cannot receive" only for an organisation that was chosen (walkthrough D20).
    problems = Problems()
    if kind is TemporaryCare.FAMILY:
        to_organisation = membership.organisation
        if not family.strip():
            problems.add("family", _("Name the registered family and its address."), "required")
    if kind is TemporaryCare.HOSPITAL_HOLD and not reason.strip():
        problems.add("reason", _("A hospital hold is an exception: give the reason."), "required")
    if to_organisation is None:
        problems.add(
            "to_organisation", _("Choose the facility or hospital that receives the child."), "required"
        )
    elif not to_organisation.is_active or to_organisation.kind not in RECEIVING_KINDS[kind]:
        problems.add(
            "to_organisation",
            _("This organisation cannot receive the child for this kind of care."),
            "cannot_receive",
        )
    problems.raise_any()
    now = clock.now()
    case.temporary_family = family.strip()
    case.save(update_fields=["temporary_family", "updated_at"])
    handover = Handover.objects.create(
        case=case,
        from_organisation=case.responsible,
        to_organisation=to_organisation,
        purpose=kind,
        requested_at=now,
        requested_by=actor,
        reason=reason.strip(),
    )
    _enter(
        case,
        "decide_temporary_care",
        actor=actor,
        membership=membership,
        now=now,
        to=to_organisation,
        data={"kind": kind, "to": to_organisation.pk},
    )
    Notification.objects.create(
        organisation=to_organisation,
        kind="foundling.handover",
        title=_("A child is being handed over to you: please accept or refuse"),
        child=case.child,
        link=f"/foundlings/{case.pk}/answer_handover/",  # the receiver sees the case once it accepts
        created_at=now,
    )
    if any(
        m.organisation_id == to_organisation.pk and m.role in workflow.RECEIVERS
        for m in granting(actor, Verb.CHILD_VIEW)
    ):
        # The decider answers for the receiving body (a registered family under the commune): nothing
        # to wait for. A hospital hold is accepted by the hospital itself.
        foundling_handover_answer(actor=actor, handover=handover, accept=True)
    return handover


@transaction.atomic
def foundling_handover_answer(*, actor: User, handover: Handover, accept: bool, reason: str = "") -> Handover:
    """Only a member of the receiving organisation answers. Accepting moves responsibility; refusing
    leaves the child with the sender and restarts the temporary-care clock from T0, so it escalates."""
    case = handover.case
    if handover.status != HandoverStatus.PENDING:
        raise Refused(_("This handover has already been answered."), code="already_answered")
    action = "accept_handover" if accept else "refuse_handover"
    rule = workflow.TRANSITIONS[action]
    membership = next(
        (
            m
            for m in granting(actor, Verb.CHILD_VIEW)
            if m.organisation_id == handover.to_organisation_id and m.role in rule.roles
        ),
        None,
    )
    if membership is None:
        raise NotVisible
    if not accept and not reason.strip():
        raise invalid("reason", _("Give the reason for refusing."), "required")
    now = clock.now()
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
            Involvement.objects.current().filter(child=case.child, organisation=previous).update(ended_at=now)
    _enter(
        case,
        action,
        actor=actor,
        membership=membership,
        now=now,
        note=reason.strip(),
        starts={"foundling.temporary_care": case.found_at},
        data={"handover": handover.pk},
    )
    return handover


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
    membership = _acting(actor, case, "post_notice")
    now = clock.now()
    posted_at = posted_at or now
    _check_time(posted_at, "posted_at", now)
    case.notice_posted_at = posted_at
    case.notice_ends_at = due(
        posted_at, RULES["foundling.notice_period"].amount, RULES["foundling.notice_period"].unit
    )
    case.save(update_fields=["notice_posted_at", "notice_ends_at", "updated_at"])
    _enter(
        case,
        "post_notice",
        actor=actor,
        membership=membership,
        now=now,
        starts={"foundling.notice_period": posted_at},
    )
    return case


def notice_expire(obligation: Obligation, now: dt.datetime) -> None:
    """Called by the sweep when the 7 days are over: the commune must now have the birth registered."""
    case = FoundlingCase.objects.select_for_update().get(pk=obligation.subject_id)
    if case.state != State.NOTICE_PERIOD:
        obligations_close(
            subject=case, rules=["foundling.notice_period"], actor=None, status=Status.CANCELLED
        )
        return
    _enter(case, "notice_expire", actor=None, membership=None, now=now)
    Notification.objects.create(
        organisation=authority_for(case.found_commune),
        kind="foundling.notice_expired",
        title=_("The public notice has expired: register the birth"),
        child=case.child,
        link=f"/foundlings/{case.pk}/",
        created_at=now,
    )


@transaction.atomic
def foundling_claim(*, actor: User, case: FoundlingCase, claimant: str) -> FoundlingCase:
    membership = _acting(actor, case, "claim")
    if not claimant.strip():
        raise invalid("claimant", _("Name the person claiming the child and their relationship."), "required")
    case.claimant = claimant.strip()
    case.save(update_fields=["claimant", "updated_at"])
    _enter(case, "claim", actor=actor, membership=membership, now=clock.now(), note=case.claimant)
    return case


@transaction.atomic
def foundling_claim_decide(*, actor: User, case: FoundlingCase, reunify: bool, reason: str) -> FoundlingCase:
    """A claim is verified before the child goes home; a rejected claim resumes the notice."""
    action = "reunify" if reunify else "reject_claim"
    membership = _acting(actor, case, action)
    if not reason.strip():
        raise invalid("reason", _("Record how the claim was verified."), "required")
    now = clock.now()
    if reunify:
        case.closed_at = now
        case.save(update_fields=["closed_at", "updated_at"])
        _settle(case, now=now, actor=actor, keep=None)
    _enter(
        case,
        action,
        actor=actor,
        membership=membership,
        now=now,
        note=reason.strip(),
        starts={"foundling.notice_period": case.notice_posted_at or now},
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
    membership = _acting(actor, case, "register_birth")
    if not family_name.strip() or not given_name.strip():
        raise invalid(
            "given_name", _("Give the family name and given name chosen for the child."), "required"
        )
    sex = sex or case.child.sex
    if sex not in ("male", "female"):
        raise invalid("sex", _("The birth register needs the child's sex."), "required")
    born, estimated = _birth_details(case, date_of_birth, date_of_birth_estimated)
    if born > clock.localdate(case.found_at):
        raise invalid("date_of_birth", _("The child cannot be born after being found."), "after_found")
    now = clock.now()
    place = f"{case.found_place}, {case.found_commune.name}, {case.found_commune.parent.name}"
    case.child.sex = sex
    people.child_name_and_birth(
        child=case.child,
        family_name=family_name,
        middle_name=middle_name,
        given_name=given_name,
        date_of_birth=born,
        estimated=estimated,
        place_of_birth=place,
    )
    count = BirthRegistration.objects.filter(
        organisation=membership.organisation, registered_at__year=now.year
    ).count()
    registration = BirthRegistration.objects.create(
        case=case,
        number=f"{count + 1:04d}/{now.year}",
        registered_at=now,
        registered_by=actor,
        organisation=membership.organisation,
        family_name=case.child.family_name,
        middle_name=case.child.middle_name,
        given_name=case.child.given_name,
        sex=sex,
        date_of_birth=born,
        date_of_birth_estimated=estimated,
        place_of_birth=place,
    )
    _enter(
        case,
        "register_birth",
        actor=actor,
        membership=membership,
        now=now,
        data={"registration": registration.number},
    )
    pin_request(
        child=case.child,
        idempotency_key=f"birth-{case.pk}",
        registration_commune=case.found_commune,
        on_answer="haven.foundlings.services.pin_received",
        organisation=membership.organisation,
        link=f"/foundlings/{case.pk}/",
    )
    return registration


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
    membership = _acting(actor, case, "resend_pin")
    workflow.transition("resend_pin", case.state)
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
    if not family_name.strip() or not given_name.strip():
        raise invalid(
            "given_name", _("Give the family name and given name chosen for the child."), "required"
        )
    sex = sex or case.child.sex
    if sex not in ("male", "female"):
        raise invalid("sex", _("The birth register needs the child's sex."), "required")
    born, estimated = _birth_details(case, date_of_birth, date_of_birth_estimated)
    if born > clock.localdate(case.found_at):
        raise invalid("date_of_birth", _("The child cannot be born after being found."), "after_found")
    now = clock.now()
    case.child.sex = sex
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
        "sex": sex,
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
        organisation=membership.organisation,
        link=f"/foundlings/{case.pk}/",
        replaces=failed,
    )
    _enter(
        case,
        "resend_pin",
        actor=actor,
        membership=membership,
        now=now,
        data={
            "replaces": str(failed.pk),
            "request": str(request.pk),
            "reason": failed.last_error[:200],
            "corrected": changed,
        },
    )
    return request


def pin_received(child: Child, now: dt.datetime) -> None:
    """The register answered with a PIN (population/services.py stored it on the child)."""
    case = FoundlingCase.objects.select_for_update().filter(child=child).first()
    if case is None or case.state != State.BIRTH_REGISTERED:
        return
    _enter(case, "pin_received", actor=None, membership=None, now=now)
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
        _enter(case, "papers_complete", actor=None, membership=None, now=now)


@transaction.atomic
def foundling_record_paper(*, actor: User, case: FoundlingCase, paper: str, **fields: Any) -> FoundlingCase:
    """Record the health-insurance card, the residence registration or the allowance decision."""
    action = {
        "health_insurance": "record_health_insurance",
        "residence": "record_residence",
        "allowance": "decide_allowance",
    }[paper]
    membership = _acting(actor, case, action)
    now = clock.now()
    today = clock.localdate(now)
    for name, value in fields.items():
        if isinstance(value, dt.date) and value > today + dt.timedelta(days=366):
            raise invalid(name, _("This date is too far in the future."), "date_too_far")
        if isinstance(value, str) and not value.strip():
            raise invalid(name, _("This field is required."), "required")
        if name in ("health_insurance_number", "allowance_decision"):
            names.clean_reference(value, field=name)
        setattr(case, name, value.strip() if isinstance(value, str) else value)
    case.save()
    _enter(case, action, actor=actor, membership=membership, now=now, data={"paper": paper})
    _papers_complete(case, now)
    return case


# --- Care planning, placement, review -----------------------------------------------------------


@transaction.atomic
def foundling_plan_care(*, actor: User, case: FoundlingCase, note: str) -> FoundlingCase:
    membership = _acting(actor, case, "plan_care")
    if not note.strip():
        raise invalid("note", _("Summarise the care plan."), "required")
    _enter(case, "plan_care", actor=actor, membership=membership, now=clock.now(), note=note.strip())
    return case


@transaction.atomic
def foundling_place(*, actor: User, case: FoundlingCase, placement: str, detail: str) -> FoundlingCase:
    """Law on Children art. 60(3): from age 7 the child's view is heard before a placement."""
    membership = _acting(actor, case, "place")
    age = case.child.age_years(clock.localdate())
    if age is not None and age >= 7 and not case.child.opinions.exists():
        raise Refused(
            _(
                "The child is 7 or older: record the child's view before deciding the placement "
                "(Law on Children art. 60(3))."
            ),
            code="child_view_missing",
        )
    if not detail.strip():
        raise invalid("detail", _("Say with whom or where the child is placed."), "required")
    now = clock.now()
    case.placement, case.placement_detail, case.placed_at = placement, detail.strip(), now
    case.save(update_fields=["placement", "placement_detail", "placed_at", "updated_at"])
    # A facility small group keeps the facility that holds the child; a family placement is
    # supervised by the commune (Circular 14/2020 art. 13).
    in_facility = (
        placement == Placement.FACILITY_GROUP and case.responsible.kind == K.SOCIAL_PROTECTION_FACILITY
    )
    _settle(case, now=now, actor=actor, keep=case.responsible if in_facility else None)
    if placement in care.FROM_FOUNDLING_PLACEMENT:
        # The child's one care history (haven/care); a facility small group is chosen by the
        # facility, which places the child from its board.
        care.placement_from_decision(
            actor=actor,
            membership=membership,
            child=case.child,
            form=care.FROM_FOUNDLING_PLACEMENT[placement],
            carer_name=case.placement_detail,
            reason=_("Placement decided on the found-child case"),
        )
    _enter(
        case,
        "place",
        actor=actor,
        membership=membership,
        now=now,
        note=case.placement_detail,
        data={"placement": placement},
    )
    return case


@transaction.atomic
def foundling_review(*, actor: User, case: FoundlingCase, note: str) -> FoundlingCase:
    """The six-monthly review (Law on Children art. 68); the next one is due 6 months on."""
    membership = _acting(actor, case, "review")
    if not note.strip():
        raise invalid("note", _("Summarise the review."), "required")
    _enter(case, "review", actor=actor, membership=membership, now=clock.now(), note=note.strip())
    return case


@transaction.atomic
def duplicate_decide(*, actor: User, pair, same_child: bool) -> None:
    _acting(actor, pair.case, "acknowledge")
    membership = _acting(actor, pair.case, "mark_duplicate")
    if pair.status != DuplicateStatus.PENDING:
        raise Refused(_("This pair has already been decided."), code="already_answered")
    now = clock.now()
    pair.status = DuplicateStatus.CONFIRMED if same_child else DuplicateStatus.REJECTED
    pair.decided_by, pair.decided_at = actor, now
    pair.save()
    record(
        actor=actor,
        action="foundling.duplicate_decide",
        obj=pair.case,
        organisation=membership.organisation,
        data={"other": str(pair.other_id), "same_child": same_child},
    )
    if same_child:
        # The later report is closed and points to the earlier one; nothing is merged or deleted.
        later = pair.case
        Obligation.objects.filter(
            subject_type="foundlings.foundlingcase", subject_id=later.pk, status=Status.OPEN
        ).update(status=Status.CANCELLED, closed_at=now, closed_by=actor, next_escalation_at=None)
        later.closed_at = now
        later.save(update_fields=["closed_at", "updated_at"])
        _settle(later, now=now, actor=actor, keep=None)
        _enter(
            later,
            "mark_duplicate",
            actor=actor,
            membership=membership,
            now=now,
            note=str(pair.other.child),
            data={"other": str(pair.other_id)},
        )


PHOTO_LIMIT = 5 * 1024 * 1024


@transaction.atomic
def foundling_photo_attach(*, actor: User, case: FoundlingCase, photo) -> FoundlingCase:
    """A photo taken at discovery, added after the report (the API's multipart step)."""
    pathway.lock(case)
    membership = pathway.acting(actor, case.child_id, workflow.PLACE_OF_DISCOVERY)
    if photo.size > PHOTO_LIMIT:
        raise invalid("photo", _("The photo is larger than 5 MB."), "too_large")
    try:
        from PIL import Image

        Image.open(photo).verify()
    except Exception:  # Pillow raises many kinds for a file that is not an image
        raise invalid("photo", _("This file is not a photo."), "not_an_image") from None
    photo.seek(0)
    case.photo.save(photo.name, photo, save=False)
    case.save(update_fields=["photo", "updated_at"])
    record(actor=actor, action="foundling.photo_attach", obj=case, organisation=membership.organisation)
    return case
