"""Every write of the prevention work (vietnam-process.md §9c): keyword-only, atomic, audited. Each step
of a person's follow-up is fired on the one workflow engine (haven/workflow), which locks her record,
finds who acts (models.reach: a collaborator only the people she follows and the villages she covers),
checks the lawful times and the named guards, stops, cancels and starts the clocks, and writes the
timeline, the audit event and the next actor's message. The table of steps is workflow.py; the
schedule of visits is schedule.py; this module adds each step's own data.

Consent (Personal Data Protection Law 91/2025 art. 9, 19(1)): triage facts — her name, village, that
she is under 16, pregnant, or that violence is suspected — may be recorded without consent, to protect
life and health; risk factors, the expected date of delivery, the needs assessment, notes and the
services she is referred to only once she has consented. If she declines, the sensitive data go.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Organisation, Role, User
from haven.accounts.selectors import authority_for
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import calendar, clock, dated
from haven.core.errors import Problems, Refused, invalid
from haven.deadlines.models import Obligation, Status
from haven.lib import crypto
from haven.notifications.services import notify
from haven.people import rules as names
from haven.prevention import schedule, workflow
from haven.prevention.catalog import LEVEL_CODES, NEED_CODES, RISK_CODES
from haven.prevention.models import (
    OPEN_STATES,
    PREGNANCY_ENDS,
    AtRiskPerson,
    CloseReason,
    Consent,
    Coverage,
    Outcome,
    Service,
    Source,
    State,
    Support,
    SupportStatus,
    Village,
    Visit,
    VisitKind,
    Wellbeing,
)
from haven.prevention.receivers import service_providers
from haven.workflow.engine import Firing

SOURCE_OF_ROLE = {
    Role.SOCIAL_COLLABORATOR: Source.COLLABORATOR,
    Role.HOSPITAL_SOCIAL_WORKER: Source.ANTENATAL_CLINIC,
    Role.HOTLINE_OPERATOR: Source.HOTLINE,
    Role.COMMUNE_CHILD_PROTECTION_OFFICER: Source.COMMUNE,
}
SUBJECT = AtRiskPerson._meta.label_lower
FLOW = workflow.FLOW


def _encrypt(text: str) -> str:
    return crypto.encrypt(text.strip(), keys=settings.HAVEN_FIELD_KEYS) if text.strip() else ""


def notes_of(obj) -> str:
    return crypto.decrypt(obj.notes_encrypted, keys=settings.HAVEN_FIELD_KEYS) if obj.notes_encrypted else ""


def covers(user: User, village: Village | None, on: dt.date | None = None) -> bool:
    if village is None:
        return False
    on = on or clock.localdate(clock.now())
    return Coverage.objects.in_force(on).filter(collaborator=user, village=village).exists()


def _clean_risks(risk_factors: list[str]) -> list[str]:
    unknown = set(risk_factors) - RISK_CODES
    if unknown:
        raise invalid("risk_factors", _("Choose risk factors from the list."), "unknown_risk")
    return sorted(set(risk_factors))


def _open_due(person: AtRiskPerson, rules) -> dt.datetime | None:
    """The deadline of the contact clock a visit meets (the visit shows whether it was late)."""
    return (
        Obligation.objects.filter(
            subject_type=SUBJECT, subject_id=person.pk, rule__in=rules, status=Status.OPEN
        )
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )


# --- Flag --------------------------------------------------------------------------------------


def _flagging_membership(actor: User, commune: Area, village: Village | None) -> Membership:
    through = granting(actor, Verb.PREVENTION_RECORD)
    if not through:
        raise NotVisible
    for m in through:
        scope = POLICY[Role(m.role)].scope
        area = m.organisation.area
        if m.role == Role.SOCIAL_COLLABORATOR:
            if covers(actor, village):
                return m
            continue
        if scope is Scope.AREA and area.id in (commune.id, commune.parent_id):
            return m
        if scope is Scope.NATION:
            return m
        # A hospital's clinic flags the women it sees, from any commune of its province.
        if scope is Scope.ORGANISATION and commune.parent_id == (area.parent_id or area.id):
            return m
    if any(m.role == Role.SOCIAL_COLLABORATOR for m in through):
        raise invalid("village", _("You do not cover this village: choose one of yours."), "not_covered")
    raise invalid("commune", _("You can flag people only in your own area."), "outside_area")


def _collaborator_for(village: Village | None) -> User | None:
    if village is None:
        return None
    today = clock.localdate(clock.now())
    cover = (
        Coverage.objects.in_force(today)
        .filter(village=village)
        .select_related("collaborator")
        .order_by("since", "pk")
        .first()
    )
    return cover.collaborator if cover else None


def _organisation_of(collaborator: User | None) -> Organisation | None:
    if collaborator is None:
        return None
    m = (
        Membership.objects.active()
        .filter(user=collaborator, role=Role.SOCIAL_COLLABORATOR)
        .select_related("organisation")
        .first()
    )
    return m.organisation if m else None


def flag_problems(
    *,
    commune: Area | None,
    village: Village | None,
    family_name: str,
    middle_name: str,
    given_name: str,
    birth_year: int | None,
    under_16: bool,
    pregnant: bool,
    expected_delivery: dt.date | None,
    risk_factors: list[str],
    consent: bool,
    notes: str,
    now: dt.datetime,
) -> Problems:
    """Everything wrong with a flag, all at once: the page's form shows these beside its own checks
    (walkthrough D20: four submits for four problems), and person_flag refuses them for the API."""
    problems = Problems()
    if commune is None or commune.level != "commune":
        problems.add("commune", _("Choose a commune from the list."), "unknown_commune")
    elif village is not None and village.commune_id != commune.id:
        problems.add("village", _("This village is not in the chosen commune."), "wrong_commune")
    if not family_name.strip() or not given_name.strip():
        problems.add("given_name", _("Give her family name and given name."), "required")
    problems.check(names.check_names, family_name=family_name, middle_name=middle_name, given_name=given_name)
    year = clock.localdate(now).year
    # Born this year minus 15 or later: under 16 whatever the birthday (Law on Children art. 1).
    under_16 = under_16 or (birth_year is not None and year - birth_year <= 15)
    if birth_year is not None and not year - 70 <= birth_year <= year - 9:
        problems.add(
            "birth_year",
            _("Give a year of birth between %(a)s and %(b)s.") % {"a": year - 70, "b": year - 9},
            "implausible",
        )
    elif birth_year is not None and under_16 and birth_year < year - 16:
        problems.add("birth_year", _("The year of birth does not match “under 16”."), "inconsistent")
    risks = problems.check(_clean_risks, risk_factors) or []
    if expected_delivery and not pregnant:
        problems.add("expected_delivery", _("An expected date of delivery needs “pregnant”."), "inconsistent")
    else:
        problems.check(workflow.check_delivery, expected_delivery, now)
    if not consent and (risks or expected_delivery or notes.strip()):
        problems.add(
            "consent",
            _(
                "Risk factors, the expected date of delivery and notes are sensitive: record them only "
                "once she consents (or leave them for the first contact)."
            ),
            "consent_required",
        )
    return problems


@transaction.atomic
def person_flag(
    *,
    actor: User,
    family_name: str,
    given_name: str,
    commune: Area | None,
    middle_name: str = "",
    village: Village | None = None,
    birth_year: int | None = None,
    household: bool = False,
    under_16: bool = False,
    suspected_violence: bool = False,
    pregnant: bool = False,
    consent: bool = False,
    expected_delivery: dt.date | None = None,
    risk_factors: list[str] | None = None,
    notes: str = "",
) -> AtRiskPerson:
    """Flag a person or household at risk (§9c IDENTIFIED). The first contact is due within 3 days,
    within 24 hours for a girl under 16 or when violence is suspected. A pregnant girl under 16 is
    herself a child at risk: a child-protection report is opened at once (Decree 56 art. 25). The
    collaborator who covers her village is told, unless she flagged her herself."""
    now = clock.now()
    flag_problems(
        commune=commune,
        village=village,
        family_name=family_name,
        middle_name=middle_name,
        given_name=given_name,
        birth_year=birth_year,
        under_16=under_16,
        pregnant=pregnant,
        expected_delivery=expected_delivery,
        risk_factors=risk_factors or [],
        consent=consent,
        notes=notes,
        now=now,
    ).raise_any()
    year = clock.localdate(now).year
    # Born this year minus 15 or later: under 16 whatever the birthday (Law on Children art. 1).
    under_16 = under_16 or (birth_year is not None and year - birth_year <= 15)
    risks = _clean_risks(risk_factors or [])
    membership = _flagging_membership(actor, commune, village)
    collaborator = actor if membership.role == Role.SOCIAL_COLLABORATOR else _collaborator_for(village)
    source = SOURCE_OF_ROLE.get(membership.role, Source.COMMUNE)
    if source == Source.ANTENATAL_CLINIC and membership.organisation.area.level == "commune":
        source = Source.HEALTH_STATION
    person = AtRiskPerson.objects.create(
        family_name=family_name.strip(),
        middle_name=middle_name.strip(),
        given_name=given_name.strip(),
        birth_year=birth_year,
        household=household,
        commune=commune,
        village=village,
        source=source,
        flagged_at=now,
        flagged_by=actor,
        reported_by_organisation=membership.organisation,
        collaborator=collaborator,
        collaborator_organisation=_organisation_of(collaborator),
        responsible=authority_for(commune),
        under_16=under_16,
        suspected_violence=suspected_violence or "violence" in risks,
        pregnant=pregnant,
        expected_delivery=expected_delivery,
        risk_factors=risks,
        notes_encrypted=_encrypt(notes),
        consent=Consent.GIVEN if consent else Consent.PENDING,
        consent_at=now if consent else None,
    )

    def effect(firing: Firing) -> AtRiskPerson:
        urgent = person.under_16 or person.suspected_violence
        firing.opens = (workflow.FIRST[1] if urgent else workflow.FIRST[0],)
        if collaborator is not None:
            firing.data["collaborator"] = collaborator.pk
        if under_16 and pregnant:
            firing.then.append(lambda: _report_girl(actor, person))
        return person

    return FLOW.fire(person, "flag", actor=actor, membership=membership, now=now, effect=effect, created=True)


def _report_girl(actor: User, person: AtRiskPerson) -> None:
    from haven.protection.services import protection_report

    year = clock.localdate(clock.now()).year
    case = protection_report(
        actor=actor,
        incident_commune=person.commune,
        incident_place=str(person.village or person.commune.name),
        condition=_("A pregnant girl under 16, flagged by the prevention work."),
        likely_harm=_("She is herself a child: possible sexual abuse; risk to her and to the baby."),
        sex="female",
        family_name=person.family_name,
        middle_name=person.middle_name,
        given_name=person.given_name,
        estimated_age_years=(year - person.birth_year) if person.birth_year else 15,
        pregnant=True,
    )
    person.protection_case = case
    person.save(update_fields=["protection_case", "updated_at"])


# --- Contact, consent, assessment, plan -----------------------------------------------------------


def _contact_rule(person: AtRiskPerson, at: dt.datetime) -> str:
    """The contact clock that runs after a contact at ``at``: monthly, weekly in the last month of a
    pregnancy (after the birth the postnatal schedule runs instead; see visit_record)."""
    if not person.pregnant:
        return "prevention.contact_monthly"
    return schedule.pregnancy_rule(at, person.expected_delivery)


@transaction.atomic
def person_contact(
    *,
    actor: User,
    person: AtRiskPerson,
    at: dt.datetime,
    mode: str,
    wellbeing: str,
    consent: bool,
    expected_delivery: dt.date | None = None,
    risk_factors: list[str] | None = None,
    notes: str = "",
) -> AtRiskPerson:
    """The first contact: she is met, told what Haven keeps and why, and consents or declines. The
    contact clock (monthly, weekly in the last month) and the 7-day assessment run from the contact."""
    if not consent:
        return person_decline(actor=actor, person=person, reason=_("Declined at the first contact."), at=at)

    def effect(firing: Firing) -> AtRiskPerson:
        risks = _clean_risks(risk_factors) if risk_factors is not None else None
        person.consent, person.consent_at = Consent.GIVEN, at
        if expected_delivery:
            person.expected_delivery = expected_delivery
        if risks is not None:
            person.risk_factors = risks
            person.suspected_violence = person.suspected_violence or "violence" in risks
        if notes.strip():
            person.notes_encrypted = _encrypt(notes)
        person.save()
        Visit.objects.create(
            person=person,
            at=at,
            kind=VisitKind.FIRST_CONTACT,
            mode=mode,
            wellbeing=wellbeing,
            recorded_by=actor,
            due_at=_open_due(person, workflow.FIRST),
        )
        if person.under_16 and person.pregnant and person.protection_case_id is None:
            firing.then.append(lambda: _report_girl(actor, person))
        firing.opens = ("prevention.assessment", _contact_rule(person, at))
        firing.starts = {code: at for code in firing.opens}
        return person

    return FLOW.fire(
        person,
        "contact",
        actor=actor,
        inputs={"at": at, "wellbeing": wellbeing, "expected_delivery": expected_delivery},
        effect=effect,
    )


@transaction.atomic
def person_decline(
    *, actor: User, person: AtRiskPerson, reason: str = "", at: dt.datetime | None = None
) -> AtRiskPerson:
    """She declines (or withdraws her consent): only the minimum record is kept (PDP Law 2025 art. 9;
    §9c DECLINED), and her clocks are cancelled. ``at``: when she said so, at a first contact."""

    def effect(firing: Firing) -> AtRiskPerson:
        person.consent, person.consent_at = Consent.DECLINED, firing.now
        person.pregnant = False
        person.expected_delivery = None
        person.risk_factors = []
        person.needs = {}
        person.notes_encrypted = ""
        person.save()
        # What she was referred to, and what the timeline says of it, are as sensitive as her notes.
        person.visits.update(notes_encrypted="")
        person.supports.all().delete()
        person.steps.update(note="")
        firing.note = reason
        return person

    return FLOW.fire(person, "decline", actor=actor, inputs={"at": at}, effect=effect)


@transaction.atomic
def person_assess(
    *, actor: User, person: AtRiskPerson, needs: dict[str, str], notes: str = ""
) -> AtRiskPerson:
    """§9c ASSESSED: psychological, legal, reproductive-health, economic, housing and violence needs,
    within 7 days of consent."""

    def effect(firing: Firing) -> AtRiskPerson:
        if set(needs) != NEED_CODES or not set(needs.values()) <= LEVEL_CODES:
            raise invalid("needs", _("Give a level for every need."), "incomplete")
        person.needs = dict(needs)
        if notes.strip():
            person.notes_encrypted = _encrypt(notes)
        person.save()
        return person

    return FLOW.fire(
        person, "assess", actor=actor, inputs={"needs": needs, "notes": notes.strip()}, effect=effect
    )


@transaction.atomic
def support_refer(
    *,
    actor: User,
    person: AtRiskPerson,
    service: str,
    provider: str,
    to_organisation: Organisation | None = None,
) -> Support:
    """Link her to a service (Notice 432 §1): counselling, antenatal care and delivery, legal aid,
    social assistance (Decree 20 art. 5(4)), sponsorship, livelihood. A provider in Haven is told."""

    def effect(firing: Firing) -> Support:
        errors = {}
        if service not in Service.values:
            errors["service"] = ValidationError(_("Choose a service from the list."), code="unknown_service")
        if not provider.strip():
            errors["provider"] = ValidationError(_("Say who provides the service."), code="required")
        if (
            to_organisation is not None
            and not service_providers(person).filter(pk=to_organisation.pk).exists()
        ):
            message = _("Choose a service provider of her province from the list.")
            errors["to_organisation"] = ValidationError(message, code="cannot_receive")
        if errors:
            raise ValidationError(errors)
        support = Support.objects.create(
            person=person,
            service=service,
            provider=provider.strip(),
            to_organisation=to_organisation,
            referred_at=firing.now,
            referred_by=actor,
        )
        firing.note = f"{support.get_service_display()} — {support.provider}"
        firing.data.update({"support": support.pk, "service": service})
        if to_organisation is not None:
            firing.data["to_organisation"] = to_organisation.pk
        return support

    return FLOW.fire(person, "refer", actor=actor, inputs={"service": service}, effect=effect)


@transaction.atomic
def support_outcome(*, actor: User, support: Support, status: str, outcome: str) -> Support:
    """What came of a referral: delivered or not, and how."""
    person = support.person

    def effect(firing: Firing) -> Support:
        support.refresh_from_db()
        if support.status != SupportStatus.REFERRED:
            raise Refused(_("The outcome of this referral is already recorded."), code="already_done")
        errors = {}
        if status not in (SupportStatus.DELIVERED, SupportStatus.NOT_DELIVERED):
            errors["status"] = ValidationError(
                _("Say whether the service was delivered."), code="unknown_status"
            )
        if not outcome.strip():
            errors["outcome"] = ValidationError(_("Say what came of it."), code="required")
        if errors:
            raise ValidationError(errors)
        support.status, support.outcome, support.closed_at = status, outcome.strip(), firing.now
        support.save()
        firing.note = f"{support.get_service_display()}: {support.get_status_display()}"
        firing.data.update({"support": support.pk, "status": status})
        return support

    return FLOW.fire(
        person, "support_outcome", actor=actor, inputs={"outcome": outcome.strip()}, effect=effect
    )


@transaction.atomic
def person_plan(*, actor: User, person: AtRiskPerson, note: str = "") -> AtRiskPerson:
    """§9c SUPPORT_PLAN → FOLLOW_UP: the services are linked; regular contact follows."""
    FLOW.fire(person, "plan", actor=actor, note=note)
    return person


# --- Visits -------------------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor: User,
    person: AtRiskPerson,
    at: dt.datetime,
    mode: str,
    wellbeing: str,
    notes: str = "",
) -> Visit:
    """A contact in pregnancy or after the birth. It meets the running contact clock and starts the next
    one: monthly, weekly in the last month, or the next postnatal visit of the schedule. A visit that
    finds danger reaches the commune at once."""

    def effect(firing: Firing) -> Visit:
        postnatal = person.state == State.POSTNATAL
        visit = Visit.objects.create(
            person=person,
            at=at,
            kind=VisitKind.POSTNATAL
            if postnatal
            else (VisitKind.PREGNANCY if person.pregnant else VisitKind.OTHER),
            mode=mode,
            wellbeing=wellbeing,
            notes_encrypted=_encrypt(notes),
            recorded_by=actor,
            due_at=_open_due(person, FLOW.transitions["visit"].closes),
        )
        if postnatal:
            due_on = schedule.postnatal_due(person.outcome_on, clock.localdate(at))
            if due_on is not None:
                firing.opens = ("prevention.postnatal_visit",)
                # The next postnatal visit is due on the day the schedule sets (a clock due on a date).
                firing.dues = {"prevention.postnatal_visit": due_on}
            else:
                # The six months of visits are done: monthly contact until the commune closes the record.
                firing.opens = ("prevention.contact_monthly",)
                firing.starts = {"prevention.contact_monthly": at}
        else:
            contact = _contact_rule(person, at)
            firing.opens, firing.starts = (contact,), {contact: at}
        firing.note = visit.get_wellbeing_display()
        firing.data.update({"visit": visit.pk, "wellbeing": wellbeing})
        return visit

    return FLOW.fire(
        person,
        "visit",
        actor=actor,
        inputs={"at": at, "wellbeing": wellbeing, "notes": notes.strip()},
        effect=effect,
    )


# --- Outcome ------------------------------------------------------------------------------------


@transaction.atomic
def person_birth(
    *,
    actor: User,
    person: AtRiskPerson,
    born_on: dt.date,
    sex: str,
    given_name: str = "",
    family_name: str = "",
    middle_name: str = "",
    wellbeing: str = "",
) -> AtRiskPerson:
    """The baby is born (§9c BIRTH): the newborn gets a record, the 60-day clock for the papers starts,
    and the postnatal visits (weeks 1, 2, 4, then monthly to 6 months) are scheduled. ``wellbeing``:
    how the mother and the baby are; a danger reaches the commune officer, who decides whether to
    escalate."""
    from haven.people import services as people

    def effect(firing: Firing) -> AtRiskPerson:
        errors = {}
        if sex not in ("male", "female"):
            errors["sex"] = ValidationError(_("Choose the baby's sex."), code="required")
        if wellbeing and wellbeing not in Wellbeing.values:
            errors["wellbeing"] = ValidationError(_("Choose how she is from the list."), code="unknown")
        if errors:
            raise ValidationError(errors)
        newborn = people.child_create(
            actor=actor,
            family_name=(family_name or person.family_name).strip(),
            middle_name=middle_name.strip(),
            given_name=given_name.strip(),
            sex=sex,
            date_of_birth=born_on,
            current_commune=person.commune,
        )
        person.newborn = newborn
        person.outcome, person.outcome_on = Outcome.LIVE_BIRTH, born_on
        person.pregnant = False
        person.kept_with_family = True
        person.save()
        first_visit = schedule.postnatal_due(born_on, born_on)
        # The newborn's papers count from the end of the day of birth; the first postnatal visit is due
        # on its day of the schedule (decision 0012).
        firing.starts = {"prevention.newborn_papers": calendar.day_end(born_on)}
        firing.dues = {"prevention.postnatal_visit": first_visit}
        firing.data["newborn"] = str(newborn.pk)
        if wellbeing:
            firing.note = Wellbeing(wellbeing).label
            firing.data["wellbeing"] = wellbeing
        return person

    return FLOW.fire(
        person, "birth", actor=actor, inputs={"born_on": born_on, "wellbeing": wellbeing}, effect=effect
    )


@transaction.atomic
def papers_record(
    *,
    actor: User,
    person: AtRiskPerson,
    birth_registered_on: dt.date | None = None,
    residence_registered_on: dt.date | None = None,
    insurance_issued_on: dt.date | None = None,
) -> AtRiskPerson:
    """The newborn's birth registration, residence and health-insurance card (within 60 days). The
    clock stops when all three are recorded."""
    given = {
        "birth_registered_on": birth_registered_on,
        "residence_registered_on": residence_registered_on,
        "insurance_issued_on": insurance_issued_on,
    }

    def effect(firing: Firing) -> AtRiskPerson:
        if not any(given.values()):
            raise invalid("birth_registered_on", _("Give at least one date."), "required")
        for field, day in given.items():
            if day is not None:
                setattr(person, field, day)
        person.save()
        firing.closes = ("prevention.newborn_papers",) if person.papers_complete else ()
        firing.data.update({k: v.isoformat() for k, v in given.items() if v})
        return person

    return FLOW.fire(person, "papers", actor=actor, inputs=given, effect=effect)


@transaction.atomic
def person_escalate(*, actor: User, person: AtRiskPerson, reason: str) -> AtRiskPerson:
    """A risk of abandonment or of harm to the newborn becomes a child-protection case at support
    level (Law on Children art. 49; Decree 56 art. 28), taken up by the commune at once."""
    from haven.protection.services import protection_accept, protection_report

    def effect(firing: Firing) -> AtRiskPerson:
        if not reason.strip():
            raise invalid("reason", _("Say what the risk is."), "required")
        case = protection_report(
            actor=actor,
            incident_commune=person.commune,
            incident_place=str(person.village or person.commune.name),
            condition=reason.strip(),
            likely_harm=_("Risk of abandonment of the newborn (prevention follow-up)."),
            sex=person.newborn.sex,
            child=person.newborn,
            actions_taken=_("Followed by the prevention work since %(day)s; support level asked for.")
            % {"day": clock.localdate(person.flagged_at).strftime("%d/%m/%Y")},
        )
        protection_accept(actor=actor, case=case)
        person.protection_case = case
        person.save(update_fields=["protection_case", "updated_at"])
        firing.note = reason.strip()
        firing.data["protection_case"] = str(case.pk)
        return person

    return FLOW.fire(person, "escalate", actor=actor, effect=effect)


@transaction.atomic
def person_abandoned(
    *, actor: User, person: AtRiskPerson, found_at: dt.datetime, found_place: str, condition: str
) -> AtRiskPerson:
    """The baby was abandoned after all: the foundlings pathway (§9a) opens for the newborn, and the
    commune is told. The mother's record stays linked here, seen only by those who may see the
    prevention record."""
    from haven.foundlings.services import foundling_report

    def effect(firing: Firing) -> AtRiskPerson:
        case = foundling_report(
            actor=actor,
            found_at=found_at,
            found_commune=person.commune,
            found_place=found_place,
            sex=person.newborn.sex,
            condition=condition,
            child=person.newborn,
        )
        person.foundling_case = case
        person.kept_with_family = False
        person.closed_as, person.closed_at = CloseReason.ABANDONED, firing.now
        person.save()
        firing.note = found_place
        firing.data["foundling_case"] = str(case.pk)
        return person

    return FLOW.fire(person, "abandoned", actor=actor, inputs={"found_at": found_at}, effect=effect)


@transaction.atomic
def person_close_stable(*, actor: User, person: AtRiskPerson, note: str = "") -> AtRiskPerson:
    """§9c CLOSED_STABLE: the family is stable, from 6 months after the birth."""

    def effect(firing: Firing) -> AtRiskPerson:
        person.kept_with_family, person.closed_at = True, firing.now
        person.save()
        return person

    return FLOW.fire(person, "close_stable", actor=actor, note=note, effect=effect)


@transaction.atomic
def person_close(*, actor: User, person: AtRiskPerson, closed_as: str, reason: str) -> AtRiskPerson:
    """Close for another reason: the pregnancy ended otherwise, she moved away, or the risk is gone.
    A birth already recorded stays recorded."""

    def effect(firing: Firing) -> AtRiskPerson:
        errors = {}
        if closed_as not in CloseReason.values or closed_as == CloseReason.ABANDONED:
            errors["closed_as"] = ValidationError(_("Choose why the record closes."), code="unknown_reason")
        elif closed_as in PREGNANCY_ENDS and person.outcome:
            errors["closed_as"] = ValidationError(_("The birth is already recorded."), code="inconsistent")
        if not reason.strip():
            errors["reason"] = ValidationError(_("Say why the record closes."), code="required")
        if errors:
            raise ValidationError(errors)
        if closed_as in PREGNANCY_ENDS:
            person.outcome, person.outcome_on = closed_as, clock.localdate(firing.now)
        person.closed_as, person.closed_at = closed_as, firing.now
        person.save()
        firing.note = reason.strip()
        return person

    return FLOW.fire(person, "close", actor=actor, inputs={"closed_as": closed_as}, effect=effect)


# --- Villages and coverage ------------------------------------------------------------------------


def _managing(actor: User, commune: Area) -> Membership:
    for m in granting(actor, Verb.PREVENTION_MANAGE):
        if m.organisation.area_id in (commune.id, commune.parent_id):
            return m
    raise NotVisible


@transaction.atomic
def village_add(*, actor: User, commune: Area, name: str) -> Village:
    membership = _managing(actor, commune)
    name = " ".join(name.split())
    if not name:
        raise invalid("name", _("Give the village's name."), "required")
    if Village.objects.filter(commune=commune, name__iexact=name).exists():
        raise invalid("name", _("This commune already has a village of that name."), "duplicate")
    village = Village.objects.create(commune=commune, name=name)
    record(actor=actor, action="prevention.village_add", obj=village, organisation=membership.organisation)
    return village


@transaction.atomic
def coverage_assign(
    *, actor: User, collaborator: User, village: Village, since: dt.date | None = None
) -> Coverage:
    """A collaborator takes on a village; the people there with nobody following them become hers."""
    membership = _managing(actor, village.commune)
    since = since or clock.localdate(clock.now())
    organisation = _organisation_of(collaborator)
    if organisation is None or organisation.area_id not in (village.commune_id, village.commune.parent_id):
        raise invalid(
            "collaborator", _("Choose a social collaborator of this commune."), "not_a_collaborator"
        )
    if covers(collaborator, village, since):
        raise invalid("village", _("She already covers this village."), "duplicate")
    coverage = Coverage.objects.create(collaborator=collaborator, village=village, since=since)
    # Each person there with nobody following her becomes hers: a step on her timeline, and the
    # collaborator is told she has someone to see.
    unfollowed = AtRiskPerson.objects.filter(
        village=village, collaborator__isnull=True, state__in=list(OPEN_STATES)
    ).order_by("flagged_at", "pk")
    for person in unfollowed if covers(collaborator, village) else ():
        person_assign(actor=actor, person=person, collaborator=collaborator)
    record(
        actor=actor,
        action="prevention.coverage_assign",
        obj=coverage,
        organisation=membership.organisation,
        data={"collaborator": collaborator.pk, "village": village.pk},
    )
    return coverage


@transaction.atomic
def coverage_end(*, actor: User, coverage: Coverage, until: dt.date | None = None) -> Coverage:
    membership = _managing(actor, coverage.village.commune)
    until = until or clock.localdate(clock.now())
    dated.end(coverage, until, already=_("This coverage has already ended."), code="already_done")
    # The people she followed there now have nobody: the commune sees them as such and reassigns them.
    left = AtRiskPerson.objects.filter(
        village=coverage.village, collaborator=coverage.collaborator, state__in=list(OPEN_STATES)
    )
    ids = [str(pk) for pk in left.values_list("pk", flat=True)]
    left.update(collaborator=None, collaborator_organisation=None)
    record(
        actor=actor,
        action="prevention.coverage_end",
        obj=coverage,
        organisation=membership.organisation,
        data={"unassigned": ids},
    )
    if ids:
        notify(
            organisation=membership.organisation,
            kind="prevention.unassigned",
            title=_("%(n)s people at risk in %(village)s have no collaborator now")
            % {"n": len(ids), "village": coverage.village.name},
            link=f"/prevention/coverage/?commune={coverage.village.commune_id}",
        )
    return coverage


@transaction.atomic
def person_update(
    *,
    actor: User,
    person: AtRiskPerson,
    village: Village | None = None,
    pregnant: bool | None = None,
    expected_delivery: dt.date | None = None,
) -> AtRiskPerson:
    """What is learnt after the flag: her village (which gives her a collaborator, who is told), that
    she is pregnant, the expected date of delivery (which sets the weekly contact of the last month)."""

    def effect(firing: Firing) -> AtRiskPerson:
        changed: dict[str, str] = {}
        if village is not None and village.pk != person.village_id:
            if village.commune_id != person.commune_id:
                raise invalid("village", _("This village is not in her commune."), "wrong_commune")
            if firing.membership.role == Role.SOCIAL_COLLABORATOR and not covers(actor, village):
                raise invalid(
                    "village", _("You do not cover this village: choose one of yours."), "not_covered"
                )
            person.village = village
            changed["village"] = village.name
            if person.collaborator_id is None or not covers(person.collaborator, village):
                person.collaborator = _collaborator_for(village)
                person.collaborator_organisation = _organisation_of(person.collaborator)
                if person.collaborator is not None:
                    firing.data["collaborator"] = person.collaborator.pk
        if pregnant is not None and pregnant != person.pregnant:
            person.pregnant = pregnant
            changed["pregnant"] = str(pregnant)
        # The form shows the recorded date: the same date sent back is no change.
        if expected_delivery is not None and expected_delivery != person.expected_delivery:
            person.expected_delivery = expected_delivery
            changed["expected_delivery"] = expected_delivery.isoformat()
        if not changed:
            raise invalid("village", _("Nothing to change."), "nothing")
        person.save()
        firing.data.update(changed)
        return person

    return FLOW.fire(
        person,
        "update",
        actor=actor,
        inputs={
            "pregnant": pregnant,
            # An unchanged date is not checked again (it may be past by now, the birth overdue).
            "expected_delivery": None if expected_delivery == person.expected_delivery else expected_delivery,
        },
        effect=effect,
    )


@transaction.atomic
def person_assign(*, actor: User, person: AtRiskPerson, collaborator: User | None) -> AtRiskPerson:
    """The commune gives her to a collaborator, who must cover her village, and who is told (None, as
    for a collaborator who does not: an id that names nobody)."""

    def effect(firing: Firing) -> AtRiskPerson:
        if not covers(collaborator, person.village):
            raise invalid("collaborator", _("This collaborator does not cover her village."), "not_covered")
        person.collaborator = collaborator
        person.collaborator_organisation = _organisation_of(collaborator)
        person.save(update_fields=["collaborator", "collaborator_organisation", "updated_at"])
        firing.data["collaborator"] = collaborator.pk
        return person

    return FLOW.fire(person, "assign", actor=actor, effect=effect)
