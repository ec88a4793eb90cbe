"""Programmes, sponsors, vetting and the sponsorship's steps: every write, audited, on the engine."""

from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Organisation, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Problems, Refused, invalid
from haven.people.models import Child, CircumstanceGroup
from haven.sponsorship.models import (
    Consent,
    Form,
    Message,
    Programme,
    ProgrammeType,
    Purpose,
    Sponsor,
    SponsorKind,
    Sponsorship,
    SponsorshipEndReason,
    Vetting,
    Visit,
    VisitState,
)
from haven.sponsorship.workflow import COORDINATOR, WORKFLOW, coordinates

# The children a programme is for (next-capabilities §3.1: orphans, abandoned children, children
# without support, children of poor households with a serious illness).
ELIGIBLE_GROUPS = (
    CircumstanceGroup.HCDB_A,
    CircumstanceGroup.HCDB_B,
    CircumstanceGroup.HCDB_C,
    CircumstanceGroup.HCDB_N,
)
ADULT = 18


def coordinating(actor: User, *, area: Area | None = None, organisation: Organisation | None = None):
    """The coordinator membership of ``actor`` reaching ``area`` (or running ``organisation``'s
    programme); 404 otherwise."""
    for m in granting(actor, Verb.SPONSORSHIP_COORDINATE):
        own = m.organisation.area
        if organisation is not None and m.organisation_id == organisation.pk:
            return m
        if area is not None and (own.pk == area.pk or (own.level == "province" and area.parent_id == own.pk)):
            return m
    raise NotVisible


# --- Programmes and sponsors ----------------------------------------------------------------------


@transaction.atomic
def programme_create(*, actor: User, type: ProgrammeType, name: str, area: Area) -> Programme:
    membership = coordinating(actor, area=area)
    if not name.strip():
        raise invalid("name", _("Give the programme a name."), "required")
    programme = Programme.objects.create(
        type=type, name=name.strip(), organiser=membership.organisation, area=area
    )
    record(
        actor=actor,
        action="sponsorship.programme_create",
        obj=programme,
        organisation=membership.organisation,
    )
    return programme


@transaction.atomic
def sponsor_register(
    *,
    actor: User,
    kind: str,
    name: str,
    area: Area,
    phone: str = "",
    publish_identity: bool = False,
    organisation: Organisation | None = None,
    user: User | None = None,
    registry_id: str = "",
) -> Sponsor:
    membership = coordinating(actor, area=area)
    problems = Problems()
    if kind not in SponsorKind.values:
        problems.add("kind", _("Choose the kind of sponsor."), "invalid")
    if not name.strip():
        problems.add("name", _("Give the sponsor's name."), "required")
    if phone and not re.fullmatch(r"\+?[0-9 ]{8,15}", phone):
        problems.add("phone", _("A phone number is 8 to 15 digits."), "invalid")
    problems.raise_any()
    sponsor = Sponsor.objects.create(
        kind=kind,
        name=name.strip(),
        area=area,
        phone=phone,
        publish_identity=publish_identity,
        organisation=organisation,
        user=user,
        registry_id=registry_id.strip(),
    )
    record(
        actor=actor,
        action="sponsorship.sponsor_register",
        obj=sponsor,
        organisation=membership.organisation,
        data={"kind": kind, "publish_identity": publish_identity},
    )
    return sponsor


@transaction.atomic
def vetting_record(
    *,
    actor: User,
    sponsor: Sponsor,
    judicial_record_number: str,
    judicial_record_date: dt.date,
    referee: str,
    briefing_acknowledged_on: dt.date,
) -> Vetting:
    """A judicial record certificate (Phiếu lý lịch tư pháp) no older than 6 months, a referee, the
    safeguarding briefing acknowledged. A new vetting replaces the old one and needs a new approval."""
    membership = coordinating(actor, area=sponsor.area)
    today = clock.today()
    problems = Problems()
    if not judicial_record_number.strip():
        problems.add("judicial_record_number", _("Give the certificate's number."), "required")
    if judicial_record_date > today:
        problems.add("judicial_record_date", _("The certificate cannot be issued in the future."), "future")
    elif judicial_record_date < today - relativedelta(months=6):
        problems.add(
            "judicial_record_date",
            _("The judicial record certificate is older than 6 months: ask for a new one."),
            "stale",
        )
    if not referee.strip():
        problems.add("referee", _("Name a referee and how to reach them."), "required")
    if briefing_acknowledged_on > today:
        problems.add("briefing_acknowledged_on", _("The briefing cannot be in the future."), "future")
    problems.raise_any()
    Vetting.objects.filter(sponsor=sponsor).delete()
    vetting = Vetting.objects.create(
        sponsor=sponsor,
        judicial_record_number=judicial_record_number.strip(),
        judicial_record_date=judicial_record_date,
        referee=referee.strip(),
        briefing_acknowledged_on=briefing_acknowledged_on,
        recorded_by=actor,
    )
    record(
        actor=actor, action="sponsorship.vetting_record", obj=sponsor, organisation=membership.organisation
    )
    return vetting


@transaction.atomic
def vetting_approve(*, actor: User, sponsor: Sponsor) -> Vetting:
    """A second person approves: the coordinator who recorded the vetting does not approve it."""
    membership = coordinating(actor, area=sponsor.area)
    vetting = Vetting.objects.select_for_update().filter(sponsor=sponsor).first()
    if vetting is None:
        raise Refused(_("Record the sponsor's vetting first."), code="not_vetted")
    if vetting.recorded_by_id == actor.pk:
        raise Refused(
            _("Another coordinator approves the vetting: not the person who recorded it."), code="four_eyes"
        )
    vetting.approved_by, vetting.approved_at = actor, clock.now()
    vetting.save(update_fields=["approved_by", "approved_at", "updated_at"])
    record(
        actor=actor, action="sponsorship.vetting_approve", obj=sponsor, organisation=membership.organisation
    )
    return vetting


# --- The sponsorship ------------------------------------------------------------------------------


def _offering(actor: User, sponsor: Sponsor, commune: Area):
    """Who offers: the sponsor's own account or unit, or a coordinator of the commune on its behalf."""
    for m in granting(actor, Verb.SPONSORSHIP_OFFER):
        if m.role in COORDINATOR:
            own = m.organisation.area
            if own.pk == commune.pk or (own.level == "province" and commune.parent_id == own.pk):
                return m
        elif sponsor.user_id == actor.pk or (
            sponsor.organisation_id is not None and sponsor.organisation_id == m.organisation_id
        ):
            return m
    raise NotVisible


@transaction.atomic
def sponsorship_offer(
    *,
    actor: User,
    sponsor: Sponsor,
    programme: Programme,
    commune: Area,
    form: str,
    monthly_amount: int = 0,
    months: int | None = None,
    until_adult: bool = False,
    direct_contact: bool = False,
) -> Sponsorship:
    """A sponsor chooses a programme and a commune, never a child. The programme's type says who may
    sponsor, what may be given and for how long."""
    membership = _offering(actor, sponsor, commune)
    rules = programme.type
    problems = Problems()
    if commune.level != "commune":
        problems.add("commune", _("Choose a commune."), "invalid")
    elif not (programme.area_id == commune.pk or programme.area_id == commune.parent_id):
        problems.add("commune", _("This programme does not run in that commune."), "outside")
    if not programme.is_active:
        problems.add("programme", _("This programme no longer takes sponsors."), "closed")
    if not rules.allows(sponsor.kind):
        problems.add(
            "programme",
            _("“%(model)s” is for: %(kinds)s.")
            % {"model": rules, "kinds": ", ".join(str(SponsorKind(k).label) for k in rules.sponsor_kinds)},
            "sponsor_kind",
        )
    if form not in rules.forms:
        problems.add(
            "form",
            _("“%(model)s” gives: %(forms)s.")
            % {"model": rules, "forms": ", ".join(str(Form(f).label) for f in rules.forms)},
            "form",
        )
    if form == Form.CASH_MONTHLY and monthly_amount <= 0:
        problems.add("monthly_amount", _("Give the amount a month."), "required")
    if monthly_amount < 0 or monthly_amount > 100_000_000:
        problems.add(
            "monthly_amount", _("The amount a month must be between 0 and 100,000,000 đồng."), "range"
        )
    if until_adult and rules.until_age is None:
        problems.add("until_adult", _("This programme does not run until the child is 18."), "until_adult")
    if not until_adult:
        if months is None or months < 1:
            problems.add("months", _("Give how many months, or choose “until 18”."), "required")
        elif rules.min_months and months < rules.min_months:
            problems.add(
                "months",
                _("“%(model)s” asks for at least %(n)s months.") % {"model": rules, "n": rules.min_months},
                "too_short",
            )
        elif rules.max_months and months > rules.max_months:
            problems.add(
                "months",
                _("“%(model)s” lasts at most %(n)s months.") % {"model": rules, "n": rules.max_months},
                "too_long",
            )
    problems.raise_any()
    sponsorship = Sponsorship.objects.create(
        sponsor=sponsor,
        programme=programme,
        commune=commune,
        form=form,
        monthly_amount=monthly_amount,
        months=None if until_adult else months,
        until_adult=until_adult,
        direct_contact=direct_contact,
    )
    WORKFLOW.fire(
        sponsorship,
        "offer",
        actor=actor,
        membership=membership,
        created=True,
        data={"programme": programme.type_id, "form": form},
    )
    return sponsorship


def age_on(child: Child, on: dt.date) -> int | None:
    if child.date_of_birth is None:
        return None
    return relativedelta(on, child.date_of_birth).years


def candidates(*, actor: User, sponsorship: Sponsorship) -> list[Child]:
    """The children a coordinator may match to an offer: in the offer's commune, in a group the
    programmes are for, under 18, not sponsored by this programme already. Read as little as the
    match needs; audited as a view of each child listed."""
    m = coordinating(actor, area=sponsorship.commune, organisation=sponsorship.programme.organiser)
    today = clock.today()
    from haven.people.models import SpecialCircumstance

    in_groups = (
        SpecialCircumstance.objects.in_force(today).filter(group__in=ELIGIBLE_GROUPS).values("child_id")
    )
    taken = Sponsorship.objects.filter(programme=sponsorship.programme, state="active").values("child_id")
    found = list(
        Child.objects.filter(
            current_commune=sponsorship.commune,
            merged_into__isnull=True,
            id__in=in_groups,
            date_of_birth__gt=today - relativedelta(years=ADULT),
        )
        .exclude(id__in=taken)
        .order_by("given_name", "date_of_birth")[:50]
    )
    record(
        actor=actor,
        action="sponsorship.candidates",
        obj=sponsorship,
        organisation=m.organisation,
        data={"children": [str(c.pk) for c in found]},
    )
    return found


def _planned_end(sponsorship: Sponsorship, child: Child, start: dt.date) -> dt.date:
    adult = child.date_of_birth + relativedelta(years=ADULT)
    if sponsorship.until_adult:
        return adult
    return min(adult, start + relativedelta(months=sponsorship.months or 0))


@transaction.atomic
def sponsorship_match(*, actor: User, sponsorship: Sponsorship, child: Child) -> Sponsorship:
    """The coordinator matches a child to the offer. Living in the sponsor's home or post is
    alternative care (Law on Children art. 62–64): it is decided through the care procedure, never by
    a match."""

    def effect(firing):
        if sponsorship.form == Form.RESIDENCE:
            raise Refused(
                _(
                    "Living in the sponsor's home or post is alternative care: the commune decides it "
                    "through the care procedure (Law on Children 2016 art. 62–64), not by a match."
                ),
                code="alternative_care",
            )
        today = clock.today()
        eligible = {c.pk for c in candidates(actor=actor, sponsorship=sponsorship)}
        if child.pk not in eligible:
            raise invalid(
                "child",
                _(
                    "This child cannot be matched to the offer: the child must live in the commune, be in "
                    "a group the programme is for, be under 18 and not sponsored by it already."
                ),
                "not_eligible",
            )
        sponsorship.child = child
        sponsorship.starts_on = today
        sponsorship.ends_on = _planned_end(sponsorship, child, today)
        sponsorship.save(update_fields=["child", "starts_on", "ends_on", "updated_at"])
        firing.dues["sponsorship.exit_plan"] = max(today, sponsorship.ends_on - relativedelta(months=1))
        firing.data["ends_on"] = sponsorship.ends_on.isoformat()

    WORKFLOW.fire(sponsorship, "match", actor=actor, effect=effect)
    return sponsorship


@transaction.atomic
def sponsorship_decline(*, actor: User, sponsorship: Sponsorship, reason: str) -> Sponsorship:
    if not reason.strip():
        raise invalid("reason", _("Say why the offer is declined: the sponsor is told."), "required")
    WORKFLOW.fire(sponsorship, "decline", actor=actor, note=reason.strip())
    return sponsorship


@transaction.atomic
def contact_approve(*, actor: User, sponsorship: Sponsorship) -> Sponsorship:
    def effect(firing):
        sponsorship.contact_approved_at = firing.now
        sponsorship.save(update_fields=["contact_approved_at", "updated_at"])

    WORKFLOW.fire(sponsorship, "approve_contact", actor=actor, effect=effect)
    return sponsorship


@transaction.atomic
def consent_record(
    *, actor: User, sponsorship: Sponsorship, purpose: str, child_agreed: bool, representative_agreed: bool
) -> Consent:
    """PDP Law 91/2025 art. 24: the child from 7 and the representative, each, per purpose. A child
    under 7 is not asked; the representative alone decides."""

    def effect(firing):
        if purpose not in Purpose.values:
            raise invalid("purpose", _("Choose what the consent is for."), "invalid")
        Consent.objects.filter(sponsorship=sponsorship, purpose=purpose, withdrawn_at__isnull=True).update(
            withdrawn_at=firing.now
        )
        firing.data.update(
            {"purpose": purpose, "child": child_agreed, "representative": representative_agreed}
        )
        return Consent.objects.create(
            sponsorship=sponsorship,
            purpose=purpose,
            child_agreed=child_agreed,
            representative_agreed=representative_agreed,
            recorded_by=actor,
        )

    return WORKFLOW.fire(sponsorship, "consent", actor=actor, effect=effect)


def consented(sponsorship: Sponsorship, purpose: str) -> bool:
    found = (
        sponsorship.consents.filter(purpose=purpose, withdrawn_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if found is None or not found.representative_agreed:
        return False
    age = age_on(sponsorship.child, clock.today()) if sponsorship.child else None
    return found.child_agreed or (age is not None and age < 7)


@transaction.atomic
def exit_plan_record(*, actor: User, sponsorship: Sponsorship, plan: str) -> Sponsorship:
    def effect(firing):
        if len(plan.strip()) < 20:
            raise invalid(
                "plan", _("Write the exit plan: who supports the child afterwards, and how."), "required"
            )
        sponsorship.exit_plan = plan.strip()
        sponsorship.save(update_fields=["exit_plan", "updated_at"])

    WORKFLOW.fire(sponsorship, "exit_plan", actor=actor, effect=effect)
    return sponsorship


@transaction.atomic
def sponsorship_end(
    *, actor: User, sponsorship: Sponsorship, reason: str, on: dt.date | None = None
) -> Sponsorship:
    def effect(firing):
        if reason not in SponsorshipEndReason.values:
            raise invalid("reason", _("Say why the sponsorship ends."), "required")
        ended = on or clock.today()
        if sponsorship.starts_on and ended < sponsorship.starts_on:
            raise invalid("on", _("A sponsorship cannot end before it started."), "before_start")
        if ended > clock.today():
            raise invalid("on", _("The end cannot be in the future."), "future")
        sponsorship.ended_on, sponsorship.end_reason = ended, reason
        sponsorship.save(update_fields=["ended_on", "end_reason", "updated_at"])
        firing.data["reason"] = reason

    WORKFLOW.fire(sponsorship, "end", actor=actor, effect=effect)
    return sponsorship


# --- Visits and messages --------------------------------------------------------------------------


@transaction.atomic
def visit_request(*, actor: User, sponsorship: Sponsorship, planned_at: dt.datetime, place: str) -> Visit:
    def effect(firing):
        problems = Problems()
        if not sponsorship.direct_contact or sponsorship.contact_approved_at is None:
            raise Refused(
                _("Visits need direct contact approved by the coordinator, after the sponsor's vetting."),
                code="contact_not_approved",
            )
        if planned_at <= firing.now:
            problems.add("planned_at", _("A visit is planned for a time to come."), "past")
        if not place.strip():
            problems.add("place", _("Say where the visit would take place."), "required")
        problems.raise_any()
        return Visit.objects.create(sponsorship=sponsorship, planned_at=planned_at, place=place.strip())

    return WORKFLOW.fire(sponsorship, "request_visit", actor=actor, effect=effect)


@transaction.atomic
def visit_decide(
    *,
    actor: User,
    visit: Visit,
    approve: bool,
    supervisor: str = "",
    at_home_or_school: bool = False,
    reason_for_place: str = "",
) -> Visit:
    """Approved with the person who supervises it; at the child's home or school only with the reason
    recorded (Save the Children, World Vision: never unannounced, never unsupervised)."""

    def effect(firing):
        if visit.state != VisitState.REQUESTED:
            raise Refused(_("This visit has been decided already."), code="decided")
        problems = Problems()
        if approve and not supervisor.strip():
            problems.add("supervisor", _("Name who supervises the visit."), "required")
        if approve and at_home_or_school and not reason_for_place.strip():
            problems.add(
                "reason_for_place", _("Say why the visit must be at the child's home or school."), "required"
            )
        problems.raise_any()
        visit.state = VisitState.APPROVED if approve else VisitState.REFUSED
        visit.supervisor, visit.decided_by = supervisor.strip(), actor
        visit.at_home_or_school, visit.reason_for_place = at_home_or_school, reason_for_place.strip()
        visit.save()
        firing.data.update({"visit": visit.pk, "approved": approve})
        return visit

    return WORKFLOW.fire(visit.sponsorship, "decide_visit", actor=actor, effect=effect)


@transaction.atomic
def visit_done(*, actor: User, visit: Visit) -> Visit:
    """Only an approved visit takes place; recorded by the coordinator once its time has come."""

    def effect(firing):
        if visit.state != VisitState.APPROVED:
            raise Refused(
                _("A visit takes place only once the coordinator has approved it."), code="not_approved"
            )
        if visit.planned_at > firing.now:
            raise Refused(_("This visit's time has not come yet."), code="not_yet")
        visit.state = VisitState.DONE
        visit.save(update_fields=["state", "updated_at"])
        firing.data["visit"] = visit.pk
        return visit

    return WORKFLOW.fire(visit.sponsorship, "decide_visit", actor=actor, effect=effect)


# Contact details and links a message may not carry (Plan International UK: no addresses, websites,
# e-mails, social handles or phone numbers in letters).
SCREENS = (
    (re.compile(r"(?:\+?84|0)(?:[\s.\-]?\d){8,10}"), "phone"),
    (re.compile(r"\d(?:[\s.\-]?\d){7,}"), "phone"),
    (
        re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w-]+)+", re.I),
        "email",
    ),
    (re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|vn|net|org|me|ly|io|info)\b", re.I), "link"),
    (re.compile(r"(?:zalo|facebook|fb|messenger|telegram|tiktok|instagram|viber)\b", re.I), "social"),
    (re.compile(r"(?<!\w)@[A-Za-z0-9_.]{3,}"), "social"),
)


def screen(text: str) -> str | None:
    """Why ``text`` may not be sent, or None."""
    reasons = {
        "phone": _("it contains a phone number"),
        "email": _("it contains an e-mail address"),
        "link": _("it contains a link or a web address"),
        "social": _("it names a social network or an account"),
    }
    for pattern, kind in SCREENS:
        if pattern.search(text):
            return reasons[kind]
    return None


@transaction.atomic
def message_send(*, actor: User, sponsorship: Sponsorship, text: str) -> Message:
    """A message through Haven, screened: one with contact details or a link is refused with the
    reason and not kept."""

    def effect(firing):
        body = text.strip()
        if not body or len(body) > 2000:
            raise invalid("text", _("Write a message of up to 2,000 characters."), "length")
        if (why := screen(body)) is not None:
            raise invalid(
                "text",
                _(
                    "This message cannot be sent: %(why)s. Messages go through Haven only, without "
                    "contact details."
                )
                % {"why": why},
                "screened",
            )
        from_sponsor = firing.membership.role not in COORDINATOR
        return Message.objects.create(
            sponsorship=sponsorship, from_sponsor=from_sponsor, text=body, author=actor
        )

    return WORKFLOW.fire(sponsorship, "message", actor=actor, effect=effect)


def require_coordinator(actor: User, sponsorship: Sponsorship):
    for m in granting(actor, Verb.SPONSORSHIP_COORDINATE):
        if coordinates(m, sponsorship):
            return m
    raise NotVisible


def validate_date(value, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({field: ValidationError(_("Give a date."), code="required")})
    return value
