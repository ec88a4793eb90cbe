"""Every write of the prevention work (vietnam-process.md §9c): keyword-only, atomic, audited, on the
one deadline engine. The table of steps is workflow.py; the schedule of visits is schedule.py.

Consent (Personal Data Protection Law 91/2025 art. 9, 19(1)): triage facts — her name, village, that
she is under 16, pregnant, or that violence is suspected — may be recorded without consent, to protect
life and health; risk factors, the expected date of delivery, the needs assessment, notes and the
services she is referred to only once she has consented. If she declines, the sensitive data go.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.access.policy import POLICY, Scope, Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Problems, Refused, invalid
from haven.deadlines import pathway
from haven.deadlines.models import Obligation, Status
from haven.deadlines.services import obligations_close
from haven.foundlings.services import authority_for
from haven.lib import crypto
from haven.notifications.models import Notification
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
    Source,
    State,
    Step,
    Support,
    SupportStatus,
    Village,
    Visit,
    VisitKind,
    reach,
)

K = OrganisationKind
SOURCE_OF_ROLE = {
    Role.SOCIAL_COLLABORATOR: Source.COLLABORATOR,
    Role.HOSPITAL_SOCIAL_WORKER: Source.ANTENATAL_CLINIC,
    Role.HOTLINE_OPERATOR: Source.HOTLINE,
    Role.COMMUNE_CHILD_PROTECTION_OFFICER: Source.COMMUNE,
}
SUBJECT = AtRiskPerson._meta.label_lower


def _encrypt(text: str) -> str:
    return crypto.encrypt(text.strip(), keys=settings.HAVEN_FIELD_KEYS) if text.strip() else ""


def notes_of(obj) -> str:
    return crypto.decrypt(obj.notes_encrypted, keys=settings.HAVEN_FIELD_KEYS) if obj.notes_encrypted else ""


def covers(user: User, village: Village | None, on: dt.date | None = None) -> bool:
    if village is None:
        return False
    on = on or clock.localdate(clock.now())
    return (
        Coverage.objects.filter(collaborator=user, village=village, since__lte=on)
        .exclude(until__lte=on)
        .exists()
    )


def _reaches(m: Membership, person: AtRiskPerson, actor: User) -> bool:
    q = reach([m], actor)
    return q is not None and AtRiskPerson.objects.filter(q, pk=person.pk).exists()


def _acting(actor: User, person: AtRiskPerson, action: str) -> Membership:
    """The membership through which ``actor`` takes ``action``: a role the table allows and a reach
    that includes her (a collaborator reaches only the people she follows and the villages she
    covers: models.reach). Anyone else who sees her is told why not; the rest get 404."""
    pathway.lock(person)
    roles = workflow.TRANSITIONS[action].roles
    for m in granting(actor, Verb.PREVENTION_RECORD):
        if m.role in roles and _reaches(m, person, actor):
            return m
    if AtRiskPerson.objects.visible_to(actor).filter(pk=person.pk).exists():
        who = ", ".join(str(Role(r).label) for r in sorted(roles))
        raise Refused(_("Only these roles take this step: %(roles)s.") % {"roles": who}, code="not_your_step")
    raise NotVisible


def _enter(person: AtRiskPerson, action: str, rule=None, **kwargs: Any) -> Step:
    return pathway.enter(
        person,
        action,
        rule or workflow.transition(action, person.state),
        steps=person.steps,
        audit_prefix="prevention",
        responsible_for=lambda code: person.responsible,
        **kwargs,
    )


def _cancel(person: AtRiskPerson, rules, actor: User) -> None:
    """Clocks made moot by a turn of events (she declined, the baby is born, the record closed) are
    cancelled, not "met": the visits-on-time figure counts only contacts made."""
    obligations_close(subject=person, rules=list(rules), actor=actor, status=Status.CANCELLED)


def _check_past(field: str, when: dt.datetime | dt.date, now: dt.datetime) -> None:
    today = clock.localdate(now)
    if (when.date() if isinstance(when, dt.datetime) else when) > today or (
        isinstance(when, dt.datetime) and when > now
    ):
        raise invalid(field, _("This cannot be in the future."), "future")


def _minute(moment: dt.datetime) -> dt.datetime:
    """Forms give times to the minute: a contact in the minute she was flagged is not "before" it."""
    return moment.replace(second=0, microsecond=0)


def _require_consent(person: AtRiskPerson, field: str) -> None:
    if person.consent != Consent.GIVEN:
        raise invalid(
            field,
            _(
                "She has not consented to her sensitive data being kept: record consent at the first "
                "contact before recording this."
            ),
            "consent_required",
        )


def _clean_risks(risk_factors: list[str]) -> list[str]:
    unknown = set(risk_factors) - RISK_CODES
    if unknown:
        raise invalid("risk_factors", _("Choose risk factors from the list."), "unknown_risk")
    return sorted(set(risk_factors))


def _check_delivery(expected_delivery: dt.date | None, now: dt.datetime) -> None:
    if expected_delivery is None:
        return
    today = clock.localdate(now)
    # A pregnancy lasts about 40 weeks: a date more than 10 months ahead, or long past, is a typing error.
    if not today - dt.timedelta(days=60) <= expected_delivery <= today + dt.timedelta(days=300):
        raise invalid(
            "expected_delivery",
            _("The expected date of delivery must be within the next 10 months."),
            "implausible",
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
        Coverage.objects.filter(village=village, since__lte=today)
        .exclude(until__lte=today)
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
        problems.check(_check_delivery, expected_delivery, now)
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
    herself a child at risk: a child-protection report is opened at once (Decree 56 art. 25)."""
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
    urgent = person.under_16 or person.suspected_violence
    flag = workflow.Transition(
        frozenset({State.IDENTIFIED}),
        None,
        workflow.FOLLOWERS,
        opens=("prevention.first_contact_urgent" if urgent else "prevention.first_contact",),
    )
    _enter(person, "flag", flag, actor=actor, membership=membership, now=now)
    if under_16 and pregnant:
        _report_girl(actor, person, now)
    if collaborator is not None and collaborator != actor:
        Notification.objects.create(
            organisation=person.collaborator_organisation or person.responsible,
            user=collaborator,
            kind="prevention.assigned",
            title=_("A person at risk in your village needs a first contact"),
            link=f"/prevention/{person.pk}/",
            created_at=now,
        )
    return person


def _report_girl(actor: User, person: AtRiskPerson, now: dt.datetime) -> None:
    from haven.protection.services import protection_report

    year = clock.localdate(now).year
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
    """The first contact: she is met, told what Haven keeps and why, and consents or declines."""
    now = clock.now()
    _check_past("at", at, now)
    if at < _minute(person.flagged_at):
        raise invalid("at", _("The contact cannot be before she was flagged."), "before_flag")
    if not consent:
        return person_decline(actor=actor, person=person, reason=_("Declined at the first contact."))
    membership = _acting(actor, person, "contact")
    rule = workflow.transition("contact", person.state)
    if expected_delivery and not person.pregnant:
        raise invalid(
            "expected_delivery", _("An expected date of delivery needs “pregnant”."), "inconsistent"
        )
    _check_delivery(expected_delivery, now)
    person.consent, person.consent_at = Consent.GIVEN, at
    if expected_delivery:
        person.expected_delivery = expected_delivery
    if risk_factors is not None:
        person.risk_factors = _clean_risks(risk_factors)
        person.suspected_violence = person.suspected_violence or "violence" in person.risk_factors
    if notes.strip():
        person.notes_encrypted = _encrypt(notes)
    person.save()
    first_due = _open_due(person, workflow.FIRST)
    Visit.objects.create(
        person=person,
        at=at,
        kind=VisitKind.FIRST_CONTACT,
        mode=mode,
        wellbeing=wellbeing,
        recorded_by=actor,
        due_at=first_due,
    )
    if person.under_16 and person.pregnant and person.protection_case_id is None:
        _report_girl(actor, person, now)
    opens = (*rule.opens, _contact_rule(person, at))
    _enter(
        person,
        "contact",
        replace(rule, opens=opens),
        actor=actor,
        membership=membership,
        now=now,
        starts={code: at for code in opens},
    )
    _danger(person, wellbeing, now)
    return person


def _open_due(person: AtRiskPerson, rules) -> dt.datetime | None:
    return (
        Obligation.objects.filter(
            subject_type=SUBJECT, subject_id=person.pk, rule__in=rules, status=Status.OPEN
        )
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )


@transaction.atomic
def person_decline(*, actor: User, person: AtRiskPerson, reason: str = "") -> AtRiskPerson:
    """She declines: only the minimum record is kept (PDP Law 2025 art. 9; §9c DECLINED)."""
    now = clock.now()
    membership = _acting(actor, person, "decline")
    person.consent, person.consent_at = Consent.DECLINED, now
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
    _cancel(person, workflow.EVERY_CLOCK, actor)
    _enter(person, "decline", actor=actor, membership=membership, now=now, note=reason)
    return person


@transaction.atomic
def person_assess(
    *, actor: User, person: AtRiskPerson, needs: dict[str, str], notes: str = ""
) -> AtRiskPerson:
    """§9c ASSESSED: psychological, legal, reproductive-health, economic, housing and violence needs,
    within 7 days of consent."""
    now = clock.now()
    membership = _acting(actor, person, "assess")
    workflow.transition("assess", person.state)
    _require_consent(person, "needs")
    if set(needs) != NEED_CODES or not set(needs.values()) <= LEVEL_CODES:
        raise invalid("needs", _("Give a level for every need."), "incomplete")
    person.needs = dict(needs)
    if notes.strip():
        person.notes_encrypted = _encrypt(notes)
    person.save()
    _enter(person, "assess", actor=actor, membership=membership, now=now)
    return person


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
    social assistance (Decree 20 art. 5(4)), sponsorship, livelihood."""
    from haven.prevention.models import Service

    now = clock.now()
    membership = _acting(actor, person, "refer")
    workflow.transition("refer", person.state)
    _require_consent(person, "service")
    if service not in Service.values:
        raise invalid("service", _("Choose a service from the list."), "unknown_service")
    if not provider.strip():
        raise invalid("provider", _("Say who provides the service."), "required")
    support = Support.objects.create(
        person=person,
        service=service,
        provider=provider.strip(),
        to_organisation=to_organisation,
        referred_at=now,
        referred_by=actor,
    )
    _enter(
        person,
        "refer",
        actor=actor,
        membership=membership,
        now=now,
        note=f"{support.get_service_display()} — {support.provider}",
        data={"support": support.pk, "service": service},
    )
    if to_organisation is not None:
        Notification.objects.create(
            organisation=to_organisation,
            kind="prevention.referral",
            title=_("A person at risk was referred to you: %(service)s")
            % {"service": support.get_service_display()},
            created_at=now,
        )
    return support


@transaction.atomic
def support_outcome(*, actor: User, support: Support, status: str, outcome: str) -> Support:
    now = clock.now()
    person = support.person
    membership = _acting(actor, person, "support_outcome")
    workflow.transition("support_outcome", person.state)
    _require_consent(person, "outcome")
    if support.status != SupportStatus.REFERRED:
        raise Refused(_("The outcome of this referral is already recorded."), code="already_done")
    if status not in (SupportStatus.DELIVERED, SupportStatus.NOT_DELIVERED):
        raise invalid("status", _("Say whether the service was delivered."), "unknown_status")
    if not outcome.strip():
        raise invalid("outcome", _("Say what came of it."), "required")
    support.status, support.outcome, support.closed_at = status, outcome.strip(), now
    support.save()
    _enter(
        person,
        "support_outcome",
        actor=actor,
        membership=membership,
        now=now,
        note=f"{support.get_service_display()}: {support.get_status_display()}",
        data={"support": support.pk, "status": status},
    )
    return support


@transaction.atomic
def person_plan(*, actor: User, person: AtRiskPerson, note: str = "") -> AtRiskPerson:
    """§9c SUPPORT_PLAN → FOLLOW_UP: the services are linked; regular contact follows."""
    now = clock.now()
    membership = _acting(actor, person, "plan")
    workflow.transition("plan", person.state)
    if not person.supports.exists():
        raise Refused(_("Refer her to at least one service before agreeing the plan."), code="no_support")
    _enter(person, "plan", actor=actor, membership=membership, now=now, note=note)
    return person


# --- Visits -------------------------------------------------------------------------------------


def _danger(person: AtRiskPerson, wellbeing: str, now: dt.datetime) -> None:
    """A turn for the worse reaches the commune officer at once, not at the next sweep."""
    if wellbeing != "danger":
        return
    Notification.objects.create(
        organisation=person.responsible,
        kind="prevention.danger",
        title=_("A visit found danger to a mother or her baby: act now"),
        link=f"/prevention/{person.pk}/",
        created_at=now,
    )


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
    one: monthly, weekly in the last month, or the next postnatal visit of the schedule."""
    now = clock.now()
    membership = _acting(actor, person, "visit")
    rule = workflow.transition("visit", person.state)
    _check_past("at", at, now)
    if at < _minute(person.flagged_at):
        raise invalid("at", _("The visit cannot be before she was flagged."), "before_flag")
    if notes.strip():
        _require_consent(person, "notes")
    postnatal = person.state == State.POSTNATAL
    if postnatal and clock.localdate(at) < person.outcome_on:
        raise invalid("at", _("A postnatal visit cannot be before the birth."), "before_birth")
    closes = ("prevention.postnatal_visit", *workflow.CONTACT) if postnatal else workflow.CONTACT
    due_at = _open_due(person, closes)
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
        due_at=due_at,
    )
    opens: tuple[str, ...] = ()
    starts: dict[str, dt.datetime] = {}
    if postnatal:
        due_on = schedule.postnatal_due(person.outcome_on, clock.localdate(at))
        if due_on is not None:
            opens = ("prevention.postnatal_visit",)
            starts = {opens[0]: _day_end(due_on) - schedule.POSTNATAL_WINDOW}
        else:
            # The six months of visits are done: monthly contact until the commune closes the record.
            opens, starts = ("prevention.contact_monthly",), {"prevention.contact_monthly": at}
    else:
        contact = _contact_rule(person, at)
        opens, starts = (contact,), {contact: at}
    _enter(
        person,
        "visit",
        replace(rule, closes=closes, opens=opens),
        actor=actor,
        membership=membership,
        now=now,
        starts=starts,
        note=visit.get_wellbeing_display(),
        data={"visit": visit.pk, "wellbeing": wellbeing},
    )
    _danger(person, wellbeing, now)
    return visit


def _day_end(day: dt.date) -> dt.datetime:
    """The end of a local day (the start of the next): a visit due "on" a day may be made all that day."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0)))


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
) -> AtRiskPerson:
    """The baby is born (§9c BIRTH): the newborn gets a record, the 60-day clock for the papers starts,
    and the postnatal visits (weeks 1, 2, 4, then monthly to 6 months) are scheduled."""
    from haven.people import services as people

    now = clock.now()
    membership = _acting(actor, person, "birth")
    rule = workflow.transition("birth", person.state)
    _require_consent(person, "born_on")
    _check_past("born_on", born_on, now)
    if born_on < clock.localdate(person.flagged_at) - dt.timedelta(days=300):
        raise invalid("born_on", _("The birth cannot be so long before she was flagged."), "implausible")
    if sex not in ("male", "female"):
        raise invalid("sex", _("Choose the baby's sex."), "required")
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
    _cancel(person, rule.closes, actor)
    _enter(
        person,
        "birth",
        replace(rule, opens=(*rule.opens, "prevention.postnatal_visit")),
        actor=actor,
        membership=membership,
        now=now,
        starts={
            "prevention.newborn_papers": _day_end(born_on),
            "prevention.postnatal_visit": _day_end(first_visit) - schedule.POSTNATAL_WINDOW,
        },
        data={"newborn": str(newborn.pk)},
    )
    return person


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
    now = clock.now()
    membership = _acting(actor, person, "papers")
    rule = workflow.transition("papers", person.state)
    given = {
        "birth_registered_on": birth_registered_on,
        "residence_registered_on": residence_registered_on,
        "insurance_issued_on": insurance_issued_on,
    }
    if not any(given.values()):
        raise invalid("birth_registered_on", _("Give at least one date."), "required")
    for field, day in given.items():
        if day is None:
            continue
        _check_past(field, day, now)
        if day < person.outcome_on:
            raise invalid(field, _("This cannot be before the birth."), "before_birth")
        setattr(person, field, day)
    person.save()
    closes = ("prevention.newborn_papers",) if person.papers_complete else ()
    _enter(
        person,
        "papers",
        replace(rule, closes=closes),
        actor=actor,
        membership=membership,
        now=now,
        data={k: v.isoformat() for k, v in given.items() if v},
    )
    return person


@transaction.atomic
def person_escalate(*, actor: User, person: AtRiskPerson, reason: str) -> AtRiskPerson:
    """A risk of abandonment or of harm to the newborn becomes a child-protection case at support
    level (Law on Children art. 49; Decree 56 art. 28), taken up by the commune at once."""
    from haven.protection.services import protection_accept, protection_report

    now = clock.now()
    membership = _acting(actor, person, "escalate")
    workflow.transition("escalate", person.state)
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
    _cancel(person, workflow.EVERY_CLOCK, actor)
    _enter(person, "escalate", actor=actor, membership=membership, now=now, note=reason.strip())
    return person


@transaction.atomic
def person_abandoned(
    *, actor: User, person: AtRiskPerson, found_at: dt.datetime, found_place: str, condition: str
) -> AtRiskPerson:
    """The baby was abandoned after all: the foundlings pathway (§9a) opens for the newborn. The
    mother's record stays linked here, seen only by those who may see the prevention record."""
    from haven.foundlings.services import foundling_report

    now = clock.now()
    membership = _acting(actor, person, "abandoned")
    workflow.transition("abandoned", person.state)
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
    person.closed_as, person.closed_at = CloseReason.ABANDONED, now
    person.save()
    _cancel(person, workflow.EVERY_CLOCK, actor)
    _enter(person, "abandoned", actor=actor, membership=membership, now=now, note=found_place)
    return person


@transaction.atomic
def person_close_stable(*, actor: User, person: AtRiskPerson, note: str = "") -> AtRiskPerson:
    """§9c CLOSED_STABLE: the family is stable, from 6 months after the birth."""
    now = clock.now()
    membership = _acting(actor, person, "close_stable")
    workflow.transition("close_stable", person.state)
    if not person.papers_complete:
        raise Refused(
            _("Record the newborn's birth registration, residence and health insurance first."),
            code="papers_missing",
        )
    if clock.localdate(now) < person.outcome_on + schedule.STABLE_AFTER:
        raise Refused(
            _("A family is closed as stable from 6 months after the birth (%(day)s).")
            % {"day": (person.outcome_on + schedule.STABLE_AFTER).strftime("%d/%m/%Y")},
            code="too_early",
        )
    person.kept_with_family, person.closed_at = True, now
    person.save()
    _cancel(person, workflow.EVERY_CLOCK, actor)
    _enter(person, "close_stable", actor=actor, membership=membership, now=now, note=note)
    return person


@transaction.atomic
def person_close(*, actor: User, person: AtRiskPerson, closed_as: str, reason: str) -> AtRiskPerson:
    """Close for another reason: the pregnancy ended otherwise, she moved away, or the risk is gone.
    A birth already recorded stays recorded."""
    now = clock.now()
    membership = _acting(actor, person, "close")
    workflow.transition("close", person.state)
    if closed_as not in CloseReason.values or closed_as == CloseReason.ABANDONED:
        raise invalid("closed_as", _("Choose why the record closes."), "unknown_reason")
    if not reason.strip():
        raise invalid("reason", _("Say why the record closes."), "required")
    if closed_as in PREGNANCY_ENDS:
        _require_consent(person, "closed_as")
        if person.outcome:
            raise invalid("closed_as", _("The birth is already recorded."), "inconsistent")
        person.outcome, person.outcome_on = closed_as, clock.localdate(now)
    person.closed_as, person.closed_at = closed_as, now
    person.save()
    _cancel(person, workflow.EVERY_CLOCK, actor)
    _enter(person, "close", actor=actor, membership=membership, now=now, note=reason.strip())
    return person


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
    AtRiskPerson.objects.filter(
        village=village, collaborator__isnull=True, state__in=list(OPEN_STATES)
    ).update(collaborator=collaborator, collaborator_organisation=organisation)
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
    if coverage.until is not None:
        raise Refused(_("This coverage has already ended."), code="already_done")
    if until < coverage.since:
        raise invalid("until", _("The end cannot be before the start."), "before_start")
    coverage.until = until
    coverage.save(update_fields=["until", "updated_at"])
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
        Notification.objects.create(
            organisation=membership.organisation,
            kind="prevention.unassigned",
            title=_("%(n)s people at risk in %(village)s have no collaborator now")
            % {"n": len(ids), "village": coverage.village.name},
            link=f"/prevention/coverage/?commune={coverage.village.commune_id}",
            created_at=clock.now(),
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
    """What is learnt after the flag: her village (which gives her a collaborator), that she is
    pregnant, the expected date of delivery (which sets the weekly contact of the last month)."""
    now = clock.now()
    membership = _acting(actor, person, "update")
    workflow.transition("update", person.state)
    changed: dict[str, str] = {}
    if village is not None and village.pk != person.village_id:
        if village.commune_id != person.commune_id:
            raise invalid("village", _("This village is not in her commune."), "wrong_commune")
        if membership.role == Role.SOCIAL_COLLABORATOR and not covers(actor, village):
            raise invalid("village", _("You do not cover this village: choose one of yours."), "not_covered")
        person.village = village
        changed["village"] = village.name
        if person.collaborator_id is None or not covers(person.collaborator, village):
            person.collaborator = _collaborator_for(village)
            person.collaborator_organisation = _organisation_of(person.collaborator)
    if pregnant is not None and pregnant != person.pregnant:
        person.pregnant = pregnant
        changed["pregnant"] = str(pregnant)
    # The form shows the recorded date: the same date sent back is no change.
    if expected_delivery is not None and expected_delivery != person.expected_delivery:
        _require_consent(person, "expected_delivery")
        if not person.pregnant:
            raise invalid(
                "expected_delivery", _("An expected date of delivery needs “pregnant”."), "inconsistent"
            )
        _check_delivery(expected_delivery, now)
        person.expected_delivery = expected_delivery
        changed["expected_delivery"] = expected_delivery.isoformat()
    if not changed:
        raise invalid("village", _("Nothing to change."), "nothing")
    person.save()
    _enter(person, "update", actor=actor, membership=membership, now=now, data=changed)
    return person


@transaction.atomic
def person_assign(*, actor: User, person: AtRiskPerson, collaborator: User) -> AtRiskPerson:
    """The commune gives her to another collaborator, who must cover her village."""
    membership = _managing(actor, person.commune)
    if not person.is_open:
        raise Refused(_("This record is closed."), code="closed")
    if not covers(collaborator, person.village):
        raise invalid("collaborator", _("This collaborator does not cover her village."), "not_covered")
    person.collaborator = collaborator
    person.collaborator_organisation = _organisation_of(collaborator)
    person.save(update_fields=["collaborator", "collaborator_organisation", "updated_at"])
    record(
        actor=actor,
        action="prevention.assign",
        obj=person,
        organisation=membership.organisation,
        data={"collaborator": collaborator.pk},
    )
    Notification.objects.create(
        organisation=person.collaborator_organisation or person.responsible,
        user=collaborator,
        kind="prevention.assigned",
        title=_("A person at risk in your village is now yours to follow"),
        link=f"/prevention/{person.pk}/",
        created_at=clock.now(),
    )
    return person
