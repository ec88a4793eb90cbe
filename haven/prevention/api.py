"""/api/v1/prevention: people at risk, their visits and support (vietnam-process.md §9c), through the
same selectors, services and access rules as the pages. Every step answers with the record as its
caller now sees it; a step the record is not ready for is 409 "out_of_order" and changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import create_model
from typing_extensions import TypeAliasType

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can, require
from haven.accounts.models import Organisation, Role, User
from haven.api.errors import Error, api_field_names
from haven.api.steps import Steps, named, step_responses
from haven.areas.models import Area
from haven.audit.services import record
from haven.core.errors import invalid
from haven.foundlings.api import (
    LONG,
    MAX_ID,
    PAGE_SIZE,
    Day,
    Line,
    Moment,
    ObligationOut,
    OrganisationRef,
    Prose,
)
from haven.prevention import selectors, services
from haven.prevention.catalog import NEED_LEVELS, NEEDS, RISK_FACTORS
from haven.prevention.models import (
    AtRiskPerson,
    CloseReason,
    Consent,
    Coverage,
    Mode,
    Service,
    Source,
    State,
    SupportStatus,
    Village,
    VisitKind,
    Wellbeing,
)

router = Router(tags=["prevention"])

# The API document names each schema once for the whole API: the pathways each have a State (and
# more than one a Channel or a Service), so they go into it under names of their own.
PreventionState = TypeAliasType("PreventionState", State)
SupportService = TypeAliasType("SupportService", Service)

RiskFactor = Literal[tuple(code for code, _label in RISK_FACTORS)]  # type: ignore[valid-type]
NeedLevel = Literal[tuple(code for code, _label in NEED_LEVELS)]  # type: ignore[valid-type]


# --- Input --------------------------------------------------------------------------------------


class FlagIn(Schema):
    """Flag a person or household at risk. Risk factors, the expected date of delivery and notes are
    sensitive: they are refused unless ``consent`` is true."""

    family_name: Line = Field(..., max_length=50, pattern=r"\S")
    middle_name: Line = Field(default="", max_length=50)
    given_name: Line = Field(..., max_length=50, pattern=r"\S")
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    commune_code: str = Field(..., pattern=r"^\d{5}$", description="official 5-digit commune code")
    village_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    household: bool = False
    pregnant: bool = False
    under_16: bool = False
    suspected_violence: bool = False
    consent: bool = False
    expected_delivery: Day | None = None
    risk_factors: list[RiskFactor] = Field(default_factory=list, max_length=len(RISK_FACTORS))
    notes: Prose = Field(default="", max_length=LONG)


class ContactIn(Schema):
    at: Moment
    mode: Mode
    wellbeing: Wellbeing
    consent: bool = Field(..., description="false: she declines, and only the minimum record is kept")
    expected_delivery: Day | None = None
    risk_factors: list[RiskFactor] | None = Field(default=None, max_length=len(RISK_FACTORS))
    notes: Prose = Field(default="", max_length=LONG)


NeedsIn = create_model(
    "NeedsIn",
    __base__=Schema,
    __doc__="One level per need assessed (psychological, legal, reproductive health, economic, housing...).",
    **{code: (NeedLevel, ...) for code, _label in NEEDS},
)


class AssessIn(Schema):
    needs: NeedsIn  # type: ignore[valid-type]
    notes: Prose = Field(default="", max_length=LONG)


class ReferIn(Schema):
    service: SupportService
    provider: Line = Field(..., max_length=200, pattern=r"\S")
    to_organisation_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="an organisation in Haven that provides it (told at once)"
    )


class UpdateIn(Schema):
    village_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    pregnant: bool | None = None
    expected_delivery: Day | None = None


class OutcomeIn(Schema):
    status: Literal["delivered", "not_delivered"]
    outcome: Prose = Field(..., max_length=LONG, pattern=r"\S")


class PreventionNoteIn(Schema):
    note: Prose = Field(default="", max_length=LONG)


class HomeVisitIn(Schema):
    at: Moment
    mode: Mode
    wellbeing: Wellbeing
    notes: Prose = Field(default="", max_length=LONG)


class PreventionBirthIn(Schema):
    born_on: Day
    sex: Literal["female", "male"]
    given_name: Line = Field(default="", max_length=50)
    wellbeing: Wellbeing | None = Field(
        default=None, description="how the mother and the baby are; danger tells the commune officer"
    )


class PapersIn(Schema):
    birth_registered_on: Day | None = None
    residence_registered_on: Day | None = None
    insurance_issued_on: Day | None = None


class PreventionReasonIn(Schema):
    reason: Prose = Field(..., max_length=LONG, pattern=r"\S")


class AbandonedIn(Schema):
    found_at: Moment
    found_place: Line = Field(..., max_length=300, pattern=r"\S")
    condition: Prose = Field(..., max_length=LONG, pattern=r"\S")


class CloseIn(Schema):
    closed_as: Literal[tuple(r for r in CloseReason.values if r != CloseReason.ABANDONED)]  # type: ignore[valid-type]
    reason: Prose = Field(..., max_length=LONG, pattern=r"\S")


class VillageIn(Schema):
    commune_code: str = Field(..., pattern=r"^\d{5}$")
    name: Line = Field(..., max_length=100, pattern=r"\S")


class CoverageIn(Schema):
    collaborator_id: int = Field(..., ge=1, le=MAX_ID)
    village_id: int = Field(..., ge=1, le=MAX_ID)


# --- Output -------------------------------------------------------------------------------------


class VisitOut(Schema):
    at: dt.datetime
    kind: VisitKind
    mode: Mode
    wellbeing: Wellbeing
    notes: str
    late_seconds: int | None


class SupportOut(Schema):
    id: int
    service: SupportService
    provider: str
    status: SupportStatus
    referred_at: dt.datetime
    outcome: str


class PersonOut(Schema):
    id: uuid.UUID
    name: str
    state: PreventionState
    commune_code: str
    village: str | None
    collaborator: str | None
    next_due_at: dt.datetime | None
    next_step: str | None


class PersonDetail(PersonOut):
    birth_year: int | None
    household: bool
    source: Source
    flagged_at: dt.datetime
    responsible: OrganisationRef
    under_16: bool
    suspected_violence: bool
    consent: Consent
    pregnant: bool
    expected_delivery: dt.date | None
    risk_factors: list[str]
    needs: dict[str, str]
    notes: str
    outcome: str
    outcome_on: dt.date | None
    closed_as: str
    newborn_id: uuid.UUID | None
    birth_registered_on: dt.date | None
    residence_registered_on: dt.date | None
    insurance_issued_on: dt.date | None
    kept_with_family: bool | None
    protection_case_id: uuid.UUID | None
    foundling_case_id: uuid.UUID | None
    visits: list[VisitOut]
    supports: list[SupportOut]
    obligations: list[ObligationOut]
    actions: list[str] = Field(..., description="the workflow's steps this user could take now")


class PersonPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PersonOut]


class FlagReceipt(Schema):
    """The answer to a flagger who does not follow the person (hotline 111)."""

    id: uuid.UUID
    flagged_at: dt.datetime
    responsible: OrganisationRef


class VillageOut(Schema):
    id: int
    name: str
    commune_code: str
    collaborators: list[str]
    people: int


class CollaboratorOut(Schema):
    id: int
    name: str
    villages: list[int]
    caseload: int
    overloaded: bool


class CoverageOut(Schema):
    commune_code: str
    villages: list[VillageOut]
    uncovered_village_ids: list[int]
    collaborators: list[CollaboratorOut]
    people_without_collaborator: int
    caseload_limit: int


class FigureOut(Schema):
    value: int | None = Field(
        ..., description="null when hidden by the disclosure policy (a small count, or one giving one away)"
    )
    shown: str


class AreaFiguresOut(Schema):
    code: str
    name: str
    at_risk: FigureOut
    births: FigureOut
    kept_with_family: FigureOut


class FiguresOut(Schema):
    area_code: str | None
    at_risk: FigureOut
    without_collaborator: FigureOut
    visits: FigureOut
    visits_on_time: FigureOut
    births: FigureOut
    kept_with_family: FigureOut
    abandoned: FigureOut
    papers_within_60_days: FigureOut
    areas: list[AreaFiguresOut]


STEP = step_responses(PersonDetail)


def _name(user: User | None) -> str | None:
    return None if user is None else (user.get_full_name() or user.username)


def _late(due_at, at) -> int | None:
    return int((at - due_at).total_seconds()) if due_at and at > due_at else None


def _out(person: AtRiskPerson, due=None) -> dict:
    return {
        "id": person.pk,
        "name": str(person),
        "state": person.state,
        "commune_code": person.commune.code,
        "village": person.village.name if person.village else None,
        "collaborator": _name(person.collaborator),
        "next_due_at": due.due_at if due else None,
        "next_step": due.rule if due else None,
    }


def _detail(user: User, person_id) -> dict:
    person = selectors.person_for_viewing(user=user, person_id=person_id)
    return {
        **_out(person, selectors.next_dues([person]).get(person.pk)),
        **{
            f: getattr(person, f)
            for f in (
                "birth_year",
                "household",
                "source",
                "flagged_at",
                "under_16",
                "suspected_violence",
                "consent",
                "pregnant",
                "expected_delivery",
                "risk_factors",
                "needs",
                "outcome",
                "outcome_on",
                "closed_as",
                "newborn_id",
                "birth_registered_on",
                "residence_registered_on",
                "insurance_issued_on",
                "kept_with_family",
                "protection_case_id",
                "foundling_case_id",
            )
        },
        "responsible": {"id": person.responsible_id, "name": person.responsible.name},
        "notes": services.notes_of(person),
        "visits": [
            {
                "at": v.at,
                "kind": v.kind,
                "mode": v.mode,
                "wellbeing": v.wellbeing,
                "notes": services.notes_of(v),
                "late_seconds": _late(v.due_at, v.at),
            }
            for v in person.visits.all()
        ],
        "supports": [
            {
                "id": s.pk,
                "service": s.service,
                "provider": s.provider,
                "status": s.status,
                "referred_at": s.referred_at,
                "outcome": s.outcome,
            }
            for s in person.supports.all()
        ],
        "obligations": [
            {
                "rule": o.rule,
                "title": o.title,
                "due_at": o.due_at,
                "status": o.status,
                "escalation_level": o.escalation_level,
                "responsible": {"id": o.responsible_id, "name": o.responsible.name},
            }
            for o in selectors.obligations_of(person).select_related("responsible")
        ],
        "actions": selectors.actions_for(user, person),
    }


def _person(user: User, person_id) -> AtRiskPerson:
    return selectors.person_for_action(user=user, person_id=person_id)


# Every step endpoint of a person (haven/api/steps.py): the person the user may act on, the service,
# then the person as the user now sees it.
_steps = Steps(load=_person, detail=_detail, subject_as="person")


def _commune(code: str, field: str = "commune_code") -> Area:
    commune = Area.objects.communes().filter(code=code).first()
    if commune is None:
        raise invalid(field, _("There is no commune with this code."), "unknown_commune")
    return commune


# --- People -------------------------------------------------------------------------------------


@router.get("", response={200: PersonPage, 404: Error})
def list_people(request, state: PreventionState | None = None, page: int = Query(1, ge=1, le=100000)):
    """The people at risk the token's user follows or sees, the most recently flagged first."""
    require(request.user, Verb.PREVENTION_VIEW)
    people = selectors.persons_visible(request.user).order_by("-flagged_at", "pk")
    if state is not None:
        people = people.filter(state=state)
    found = Paginator(people, PAGE_SIZE).get_page(page)
    items = list(found.object_list)
    if items:
        record(actor=request.user, action="prevention.list", data={"shown": [str(p.pk) for p in items]})
    dues = selectors.next_dues(items)
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [_out(p, dues.get(p.pk)) for p in items],
    }


@router.get("/today", response={200: list[PersonOut], 404: Error})
def today(request):
    """The collaborator's round: overdue, due today and in the next 7 days, most urgent first."""
    require(request.user, Verb.PREVENTION_VIEW)
    round_ = selectors.round_for(request.user)
    rows = [(p, o) for rows in (round_.overdue, round_.today, round_.week) for p, o in rows]
    if rows:
        record(actor=request.user, action="prevention.list", data={"shown": [str(p.pk) for p, _o in rows]})
    return [_out(p, o) for p, o in rows]


@router.post("", response={201: PersonDetail, 202: FlagReceipt, 404: Error, 422: Error})
def flag(request, payload: FlagIn):
    data = payload.dict()
    commune = _commune(data.pop("commune_code"))
    village = named(
        Village.objects.filter(commune=commune),
        data.pop("village_id"),
        "village_id",
        _("This village is not in the chosen commune."),
    )
    with api_field_names(commune="commune_code", village="village_id"):
        person = services.person_flag(actor=request.user, commune=commune, village=village, **data)
    if can(request.user, Verb.PREVENTION_VIEW):
        try:
            return Status(201, _detail(request.user, person.pk))
        except NotVisible:
            pass
    return Status(
        202,
        {
            "id": person.pk,
            "flagged_at": person.flagged_at,
            "responsible": {"id": person.responsible_id, "name": person.responsible.name},
        },
    )


@router.get("/coverage", response={200: CoverageOut, 404: Error, 422: Error})
def coverage(request, commune_code: str = Query(..., pattern=r"^\d{5}$")):
    """Who covers each village; villages with nobody; collaborators with too many people."""
    commune = _commune(commune_code)
    require(request.user, Verb.PREVENTION_VIEW)
    if not selectors.may_see_coverage(request.user, commune):
        raise NotVisible
    cover = selectors.coverage_of(commune)
    return {
        "commune_code": commune.code,
        "villages": [
            {
                "id": row.village.pk,
                "name": row.village.name,
                "commune_code": commune.code,
                "collaborators": [_name(c.collaborator) for c in row.collaborators],
                "people": row.people,
            }
            for row in cover.villages
        ],
        "uncovered_village_ids": [row.village.pk for row in cover.uncovered],
        "collaborators": [
            {
                "id": c.user.pk,
                "name": _name(c.user),
                "villages": [v.pk for v in c.villages],
                "caseload": c.caseload,
                "overloaded": c.overloaded,
            }
            for c in cover.collaborators
        ],
        "people_without_collaborator": cover.unassigned,
        "caseload_limit": services.schedule.CASELOAD_LIMIT,
    }


class CommuneGapsOut(Schema):
    commune_code: str
    commune: str
    villages: int
    uncovered: int
    collaborators: int
    overloaded: int
    without_collaborator: int


@router.get("/coverage/province", response={200: list[CommuneGapsOut], 404: Error})
def province_coverage(request):
    """For a provincial officer: per commune, villages with nobody, collaborators with too many
    people, people at risk without a collaborator; the communes with gaps first."""
    provinces = selectors.provinces_seen(request.user)
    if not provinces:
        raise NotVisible
    return [
        {
            "commune_code": r.commune.code,
            "commune": r.commune.name,
            "villages": r.villages,
            "uncovered": r.uncovered,
            "collaborators": r.collaborators,
            "overloaded": r.overloaded,
            "without_collaborator": r.without_collaborator,
        }
        for r in selectors.coverage_of_province(provinces[0])
    ]


@router.post("/villages", response={201: VillageOut, 404: Error, 422: Error})
def add_village(request, payload: VillageIn):
    village = services.village_add(
        actor=request.user, commune=_commune(payload.commune_code), name=payload.name
    )
    return Status(
        201,
        {
            "id": village.pk,
            "name": village.name,
            "commune_code": payload.commune_code,
            "collaborators": [],
            "people": 0,
        },
    )


@router.post("/coverage", response={201: CoverageOut, 404: Error, 422: Error})
def assign(request, payload: CoverageIn):
    village = Village.objects.select_related("commune").filter(pk=payload.village_id).first()
    if village is None or not selectors.can_manage(request.user, village.commune):
        raise NotVisible
    collaborator = User.objects.filter(
        pk=payload.collaborator_id, memberships__role=Role.SOCIAL_COLLABORATOR
    ).first()
    if collaborator is None:
        raise invalid(
            "collaborator_id", _("Choose a social collaborator of this commune."), "not_a_collaborator"
        )
    services.coverage_assign(actor=request.user, collaborator=collaborator, village=village)
    return Status(201, coverage(request, commune_code=village.commune.code))


@router.post("/coverage/{coverage_id}/end", response={200: CoverageOut, 404: Error, 409: Error, 422: Error})
def end_coverage(request, coverage_id: int = Path(..., ge=1, le=MAX_ID)):
    """The collaborator stops covering the village from today."""
    found = Coverage.objects.select_related("village__commune").filter(pk=coverage_id).first()
    if found is None or not selectors.can_manage(request.user, found.village.commune):
        raise NotVisible
    services.coverage_end(actor=request.user, coverage=found)
    return coverage(request, commune_code=found.village.commune.code)


@router.get("/figures", response={200: FiguresOut, 404: Error})
def figures(request, area_code: str | None = Query(None, pattern=r"^\d{2}$|^\d{5}$")):
    """People at risk, visits on time and outcomes for the user's area, per commune or province. Small
    counts are suppressed for the central office."""
    require(request.user, Verb.AGGREGATE_VIEW)
    area = None
    if area_code:
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            raise NotVisible
    f = selectors.figures_for(request.user, area)

    def count(cell) -> dict:
        return {"value": None if cell.suppressed else cell.value, "shown": str(cell)}

    return {
        "area_code": f.area.code if f.area else None,
        "at_risk": count(f.at_risk),
        "without_collaborator": count(f.high_risk_without_collaborator),
        "visits": count(f.visits),
        "visits_on_time": count(f.visits_on_time),
        "births": count(f.births),
        "kept_with_family": count(f.kept_with_family),
        "abandoned": count(f.abandoned),
        "papers_within_60_days": count(f.papers_on_time),
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "at_risk": count(o),
                "births": count(b),
                "kept_with_family": count(k),
            }
            for a, o, b, k in f.rows
        ],
    }


@router.get("/{person_id}", response={200: PersonDetail, 404: Error})
def detail(request, person_id: uuid.UUID):
    return _detail(request.user, person_id)


@router.post("/{person_id}/contact", response=STEP)
def contact(request, person_id: uuid.UUID, payload: ContactIn):
    """The first contact: she consents (the follow-up starts) or declines (the minimum is kept)."""
    return _steps.take(request, person_id, services.person_contact, **payload.dict())


@router.post("/{person_id}/decline", response=STEP)
def decline(request, person_id: uuid.UUID, payload: PreventionReasonIn):
    return _steps.take(request, person_id, services.person_decline, **payload.dict())


@router.post("/{person_id}/assessment", response=STEP)
def assess(request, person_id: uuid.UUID, payload: AssessIn):
    return _steps.take(request, person_id, services.person_assess, **payload.dict())


@router.post("/{person_id}/supports", response=STEP)
def refer(request, person_id: uuid.UUID, payload: ReferIn):
    data = payload.dict()
    # Which providers she may be referred to is the service's to say (prevention/receivers.py).
    organisation = named(
        Organisation.objects.all(),
        data.pop("to_organisation_id"),
        "to_organisation_id",
        _("Choose a service provider from the list."),
    )
    with api_field_names(to_organisation="to_organisation_id"):
        return _steps.take(request, person_id, services.support_refer, to_organisation=organisation, **data)


@router.post("/{person_id}/update", response=STEP)
def update(request, person_id: uuid.UUID, payload: UpdateIn):
    """What is learnt after the flag: her village, the pregnancy, the expected date of delivery."""
    data = payload.dict()
    village = named(
        Village.objects, data.pop("village_id"), "village_id", _("This village is not in her commune.")
    )
    with api_field_names(village="village_id"):
        return _steps.take(request, person_id, services.person_update, village=village, **data)


@router.post("/{person_id}/supports/{support_id}/outcome", response=STEP)
def support_outcome(request, person_id: uuid.UUID, support_id: int, payload: OutcomeIn):
    outcome = _steps.on_part(
        lambda person: person.supports.filter(pk=support_id).first() if 0 < support_id <= MAX_ID else None,
        "support",
    )
    return outcome.take(request, person_id, services.support_outcome, **payload.dict())


@router.post("/{person_id}/plan", response=STEP)
def plan(request, person_id: uuid.UUID, payload: PreventionNoteIn):
    return _steps.take(request, person_id, services.person_plan, **payload.dict())


@router.post("/{person_id}/visits", response=STEP)
def visit(request, person_id: uuid.UUID, payload: HomeVisitIn):
    """A visit in pregnancy or after the birth: it meets the running contact clock and starts the next."""
    return _steps.take(request, person_id, services.visit_record, **payload.dict())


@router.post("/{person_id}/birth", response=STEP)
def birth(request, person_id: uuid.UUID, payload: PreventionBirthIn):
    data = payload.dict()
    data["wellbeing"] = data["wellbeing"] or ""
    return _steps.take(request, person_id, services.person_birth, **data)


@router.post("/{person_id}/papers", response=STEP)
def papers(request, person_id: uuid.UUID, payload: PapersIn):
    return _steps.take(request, person_id, services.papers_record, **payload.dict())


@router.post("/{person_id}/escalate", response=STEP)
def escalate(request, person_id: uuid.UUID, payload: PreventionReasonIn):
    """A risk of abandonment: a child-protection case for the newborn, taken up by the commune."""
    return _steps.take(request, person_id, services.person_escalate, **payload.dict())


@router.post("/{person_id}/abandoned", response=STEP)
def abandoned(request, person_id: uuid.UUID, payload: AbandonedIn):
    return _steps.take(request, person_id, services.person_abandoned, **payload.dict())


@router.post("/{person_id}/close-stable", response=STEP)
def close_stable(request, person_id: uuid.UUID, payload: PreventionNoteIn):
    return _steps.take(request, person_id, services.person_close_stable, **payload.dict())


class AssignIn(Schema):
    collaborator_id: int = Field(..., ge=1, le=MAX_ID, description="a collaborator who covers her village")


@router.post("/{person_id}/collaborator", response=STEP)
def assign_collaborator(request, person_id: uuid.UUID, payload: AssignIn):
    """The commune gives her to another collaborator, who must cover her village."""
    # An id that names nobody gets the same answer as a collaborator who does not cover her village.
    collaborator = User.objects.filter(pk=payload.collaborator_id).first()
    with api_field_names(collaborator="collaborator_id"):
        return _steps.take(request, person_id, services.person_assign, collaborator=collaborator)


@router.post("/{person_id}/close", response=STEP)
def close(request, person_id: uuid.UUID, payload: CloseIn):
    return _steps.take(request, person_id, services.person_close, **payload.dict())
