"""/api/v1/protection: a child-protection case (Decree 56/2017 art. 25–32) through the same selectors,
services and access rules as the web pages. Every step answers with the case as its caller now sees
it; a step the case is not ready for is 409 "out_of_order" and changes nothing. A referral's receiver
reads only /protection/referrals: the case and the child stay "not found" for it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.core.paginator import Paginator
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import create_model
from typing_extensions import TypeAliasType

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, require
from haven.accounts.models import Organisation, User
from haven.api.errors import Error, api_field_names
from haven.api.steps import STEP_ERRORS, Steps, step_responses
from haven.areas.models import Area
from haven.audit import services as audit
from haven.core import clock
from haven.core.errors import invalid
from haven.deadlines.models import Obligation
from haven.deadlines.models import Status as ObligationStatus
from haven.foundlings.api import (
    LONG,
    MAX_ID,
    PAGE_SIZE,
    Day,
    LateOut,
    Line,
    ObligationOut,
    OrganisationRef,
    Prose,
    StepOut,
)
from haven.people import selectors as people
from haven.people.models import Sex
from haven.protection import selectors, services
from haven.protection.forms_catalog import FORMS, LEVELS
from haven.protection.models import Channel, ProtectionCase, Referral, ReferralStatus, Service, State

router = Router(tags=["protection"])

# The API document names each schema once for the whole API: the pathways each have a State (and
# more than one a Channel or a Service), so they go into it under names of their own.
ProtectionState = TypeAliasType("ProtectionState", State)
ProtectionChannel = TypeAliasType("ProtectionChannel", Channel)
ReferralService = TypeAliasType("ReferralService", Service)


# --- Input types --------------------------------------------------------------------------------


class InformantIn(Schema):
    name: Line = Field(default="", max_length=150)
    phone: str = Field(default="", max_length=30, pattern=r"^[0-9 +().-]*$")
    address: Line = Field(default="", max_length=300)


class ProtectionReportIn(Schema):
    """Form 01. Without ``child_id`` a new child's record is opened from the description; with it,
    the report is linked to that child (whose name and birth then stay as they are)."""

    incident_commune_code: str = Field(..., pattern=r"^\d{5}$", description="official 5-digit commune code")
    incident_place: Line = Field(..., max_length=300, pattern=r"\S")
    sex: Sex
    family_name: Line = Field(default="", max_length=50)
    middle_name: Line = Field(default="", max_length=50)
    given_name: Line = Field(default="", max_length=50)
    date_of_birth: Day | None = None
    estimated_age_years: int | None = Field(
        default=None, ge=0, le=17, description="when the date of birth is unknown"
    )
    condition: Prose = Field(..., max_length=LONG, description="the child's current condition")
    likely_harm: Prose = Field(..., max_length=LONG, description="the harm likely without help")
    parents: Prose = Field(default="", max_length=LONG)
    caregiver: Line = Field(default="", max_length=300)
    actions_taken: Prose = Field(default="", max_length=LONG)
    pregnant: bool = False
    abandoned: bool = False
    informant_consent: bool = Field(default=False, description="required to record the informant")
    informant: InformantIn | None = None
    child_id: uuid.UUID | None = Field(default=None, description="a child Haven knows and the user sees")


Level = Literal[tuple(value for value, _label in LEVELS)]  # type: ignore[valid-type]


def _form_schema(code: str) -> type[Schema]:
    """The body of one assessment form, built from forms_catalog so the two cannot drift apart."""
    spec = FORMS[code]
    fields: dict[str, Any] = {}
    with translation.override(None):  # the document is the same whatever the server's language
        for f in spec.fields:
            label = str(f.label)
            if f.kind == "level":
                fields[f.name] = (Level, Field(..., description=label))
            elif f.kind == "bool":
                fields[f.name] = (bool, Field(default=False, description=label))
            elif f.kind == "date" and f.required:
                fields[f.name] = (Day, Field(..., description=label))
            elif f.kind == "date":
                fields[f.name] = (Day | None, Field(default=None, description=label))
            else:
                default = ... if f.required else ""
                fields[f.name] = (Prose, Field(default, max_length=LONG, description=label))
        doc = f"{spec.title}, version {spec.version} ({spec.legal_basis})."
    return create_model(f"Form{code}In", __base__=Schema, __doc__=doc, **fields)


Form02In = _form_schema("02")
Form03In = _form_schema("03")
Form04In = _form_schema("04")
Form06In = _form_schema("06")


class EmergencyIn(Schema):
    """Decree 56 art. 26(3), 31, 32: within 12 hours of the report. A separation needs the child's
    recorded view from age 7, and lasts at most 15 days unless a decision extends it."""

    measures: Prose = Field(..., max_length=LONG)
    separate: bool = False
    shelter: Line = Field(default="", max_length=300, description="required to separate")
    separation_days: int = Field(default=15, ge=1, le=365)
    extension_decision: Line = Field(default="", max_length=100, description="required beyond 15 days")


class ProtectionReasonIn(Schema):
    reason: Prose = Field(..., max_length=LONG)


class ChildViewIn(Schema):
    """Law on Children art. 60(3), 47(5): what the child said, in the child's words."""

    heard_on: dt.date = Field(..., description="not in the future, nor before the child was born")
    subject: Line = Field(..., min_length=1, max_length=200, description="what the child was asked about")
    opinion: Prose = Field(..., min_length=1, max_length=LONG)


class ApprovalIn(Schema):
    """Form 05, by the commune chairman, after the meeting of Law on Children art. 52."""

    decision_number: Line = Field(..., max_length=50)
    participants: Prose = Field(..., max_length=LONG, description="who took part in the meeting")


class ReferralIn(Schema):
    to_organisation_id: int = Field(..., ge=1, le=MAX_ID)
    service: ReferralService
    note: Prose = Field(..., max_length=LONG, description="what is asked")
    consent: bool = Field(..., description="the child and the parent or caregiver agree to the sharing")


class ReferralAnswerIn(Schema):
    status: Literal["accepted", "rejected", "done"]
    outcome: Prose = Field(default="", max_length=LONG, description="required to reject or report done")


# --- Output -------------------------------------------------------------------------------------


class ProtectionCaseOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID
    state: ProtectionState
    received_at: dt.datetime
    channel: ProtectionChannel
    incident_commune_code: str
    incident_place: str
    responsible: OrganisationRef
    assigned_to: str | None
    flags: list[str]
    overdue: list[LateOut]


class ProtectionCasePage(Schema):
    count: int
    page: int
    pages: int
    items: list[ProtectionCaseOut]


class ProtectionReceipt(Schema):
    """The answer to a reporter whose organisation does not follow the case (a school, a hospital)."""

    id: uuid.UUID
    received_at: dt.datetime
    responsible: OrganisationRef


class CaseChildOut(Schema):
    id: uuid.UUID
    full_name: str
    sex: str
    date_of_birth: dt.date | None
    date_of_birth_estimated: bool
    age_years: int | None


class InformantOut(Schema):
    name: str
    phone: str
    address: str


class AssessmentOut(Schema):
    id: int
    form: str
    version: int
    data: dict[str, Any]
    recorded_at: dt.datetime
    recorded_by: str


class ApprovalOut(Schema):
    decision_number: str
    approved_at: dt.datetime
    approved_by: str
    participants: str


class SeparationOut(Schema):
    decided_at: dt.datetime
    decided_by: str
    shelter: str
    ends_at: dt.datetime
    extension_decision: str
    ended_at: dt.datetime | None


class CaseReferralOut(Schema):
    id: int
    from_organisation: OrganisationRef
    to_organisation: OrganisationRef
    service: ReferralService
    note: str
    status: ReferralStatus
    requested_at: dt.datetime
    answered_at: dt.datetime | None
    outcome: str


class KnownChildMatchOut(Schema):
    id: int
    candidate_id: uuid.UUID
    candidate: str


class ProtectionCaseDetail(ProtectionCaseOut):
    child: CaseChildOut
    condition: str
    likely_harm: str
    parents: str
    caregiver: str
    actions_taken: str
    receiving_organisation: OrganisationRef | None
    previous_case_id: uuid.UUID | None
    closed_at: dt.datetime | None
    informant: InformantOut | None = Field(
        ..., description="only for the roles that handle reports, and only if the informant agreed"
    )
    obligations: list[ObligationOut]
    steps: list[StepOut]
    assessments: list[AssessmentOut]
    previous_scores: dict[str, dict[str, str | None]] = Field(
        ..., description="per form, the levels of its last assessment, to show progress on the next"
    )
    approvals: list[ApprovalOut]
    separations: list[SeparationOut]
    referrals: list[CaseReferralOut]
    known_child_matches: list[KnownChildMatchOut] = Field(
        ..., description="children already recorded that this report may be about, for a person to decide"
    )
    actions: list[str] = Field(..., description="the workflow's steps this user could take now")


class ReferredChildOut(Schema):
    name: str
    sex: str
    age_years: int | None


class CommuneRef(Schema):
    code: str
    name: str


class ReceivedReferralOut(Schema):
    """What a referral grants its receiver: the child's name, sex and age and what is asked."""

    id: int
    status: ReferralStatus
    service: ReferralService
    note: str
    child: ReferredChildOut
    commune: CommuneRef
    from_organisation: OrganisationRef
    requested_at: dt.datetime
    answered_at: dt.datetime | None
    outcome: str


class ReceivedReferralPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ReceivedReferralOut]


STEP = step_responses(ProtectionCaseDetail)


def _org(organisation: Organisation | None) -> dict | None:
    return None if organisation is None else {"id": organisation.pk, "name": organisation.name}


def _seconds(delta: dt.timedelta) -> int:
    return int(delta.total_seconds())


def _late(obligations: list[Obligation], now: dt.datetime) -> list[dict]:
    return [
        {"rule": o.rule, "due_at": o.due_at, "late_seconds": _seconds(now - o.due_at)}
        for o in sorted(obligations, key=lambda o: o.due_at)
        if o.status == ObligationStatus.OPEN and o.due_at < now
    ]


def _overdue_by_case(user: User, cases: list[ProtectionCase], now: dt.datetime) -> dict:
    """The open obligations past due of a page of cases in one query, so a list costs no query per row."""
    late: dict = {case.pk: [] for case in cases}
    for o in Obligation.objects.visible_to(user).filter(
        subject_type=ProtectionCase._meta.label_lower,
        subject_id__in=list(late),
        status=ObligationStatus.OPEN,
        due_at__lt=now,
    ):
        late[o.subject_id].append(o)
    return {pk: _late(obligations, now) for pk, obligations in late.items()}


def _summary(case: ProtectionCase, overdue: list[dict]) -> dict:
    return {
        "id": case.pk,
        "child_id": case.child_id,
        "state": case.state,
        "received_at": case.received_at,
        "channel": case.channel,
        "incident_commune_code": case.incident_commune.code,
        "incident_place": case.incident_place,
        "responsible": _org(case.responsible),
        "assigned_to": case.assigned_to.username if case.assigned_to else None,
        "flags": case.flags,
        "overdue": overdue,
    }


def _detail(user: User, case_id: uuid.UUID) -> dict:
    """The case as ``user`` sees it; showing it is an audit event on the child (and showing the
    informant, one more)."""
    case = selectors.case_for_viewing(user=user, case_id=case_id)
    now = clock.now()
    child = case.child
    obligations = list(selectors.obligations_of(case))
    found = selectors.informant(user=user, case=case)
    fields = "condition likely_harm parents caregiver actions_taken closed_at".split()
    return {
        **_summary(case, _late(obligations, now)),
        **{name: getattr(case, name) for name in fields},
        "child": {
            "id": child.pk,
            "full_name": child.full_name,
            "sex": child.sex,
            "date_of_birth": child.date_of_birth,
            "date_of_birth_estimated": child.date_of_birth_estimated,
            "age_years": child.age_years(clock.localdate(now)),
        },
        "receiving_organisation": _org(case.receiving_organisation),
        "previous_case_id": case.previous_id,
        "informant": {key: found.get(key, "") for key in ("name", "phone", "address")} if found else None,
        "obligations": [
            {
                "rule": o.rule,
                "title": o.title,
                "due_at": o.due_at,
                "status": o.status,
                "escalation_level": o.escalation_level,
                "responsible": _org(o.responsible),
            }
            for o in obligations
        ],
        "steps": [
            {
                "action": s.action,
                "at": s.at,
                "actor": s.actor.username if s.actor else None,
                "organisation": s.organisation.name if s.organisation else None,
                "late_seconds": _seconds(s.at - s.due_at) if s.due_at and s.at > s.due_at else None,
            }
            for s in case.steps.select_related("actor", "organisation")
        ],
        "assessments": [
            {
                "id": a.pk,
                "form": a.form,
                "version": a.form_version,
                "data": a.data,
                "recorded_at": a.recorded_at,
                "recorded_by": a.recorded_by.username,
            }
            for a in case.assessments.select_related("recorded_by")
        ],
        "previous_scores": {
            code: services.previous_scores(case, code) for code, spec in FORMS.items() if spec.levels
        },
        "approvals": [
            {
                "decision_number": a.decision_number,
                "approved_at": a.approved_at,
                "approved_by": a.approved_by.username,
                "participants": a.participants,
            }
            for a in case.approvals.select_related("approved_by").order_by("approved_at", "pk")
        ],
        "separations": [
            {
                "decided_at": s.decided_at,
                "decided_by": s.decided_by.username,
                "shelter": s.shelter,
                "ends_at": s.ends_at,
                "extension_decision": s.extension_decision,
                "ended_at": s.ended_at,
            }
            for s in case.separations.select_related("decided_by").order_by("decided_at", "pk")
        ],
        "referrals": [
            {
                "id": r.pk,
                "from_organisation": _org(r.from_organisation),
                "to_organisation": _org(r.to_organisation),
                "service": r.service,
                "note": r.note,
                "status": r.status,
                "requested_at": r.requested_at,
                "answered_at": r.answered_at,
                "outcome": r.outcome,
            }
            for r in case.referrals.select_related("from_organisation", "to_organisation").order_by(
                "requested_at", "pk"
            )
        ],
        "known_child_matches": [
            {"id": m.pk, "candidate_id": m.candidate_id, "candidate": str(m.candidate)}
            for m in case.known_child_matches.filter(status="pending").select_related("candidate")
        ],
        "actions": selectors.actions_for(user, case),
    }


def _received(referral: Referral) -> dict:
    child, commune = referral.case.child, referral.case.incident_commune
    return {
        "id": referral.pk,
        "status": referral.status,
        "service": referral.service,
        "note": referral.note,
        "child": {
            "name": child.full_name,
            "sex": child.sex,
            "age_years": child.age_years(clock.localdate(clock.now())),
        },
        "commune": {"code": commune.code, "name": commune.name},
        "from_organisation": _org(referral.from_organisation),
        "requested_at": referral.requested_at,
        "answered_at": referral.answered_at,
        "outcome": referral.outcome,
    }


def _case(user: User, case_id: uuid.UUID) -> ProtectionCase:
    return selectors.case_for_action(user=user, case_id=case_id)


# Every step endpoint of a case (haven/api/steps.py): the case the user may act on, the service, then
# the case as the user now sees it.
_steps = Steps(load=_case, detail=_detail)


# --- Referrals, as their receiver sees them ------------------------------------------------------
# Declared before /{case_id} so that "referrals" is never read as a case's id.


@router.get("/referrals", response={200: ReceivedReferralPage, 404: Error})
def list_referrals(request, status: ReferralStatus | None = None, page: int = Query(1, ge=1, le=100000)):
    """Referrals addressed to the token's user's organisations, the latest first."""
    require(request.user, Verb.CHILD_VIEW)
    referrals = selectors.referrals_received(user=request.user).select_related("case__incident_commune")
    if status is not None:
        referrals = referrals.filter(status=status)
    found = Paginator(referrals, PAGE_SIZE).get_page(page)
    items = list(found.object_list)
    if items:
        audit.record(
            actor=request.user,
            action="child.list",
            reason="referral",
            data={"shown": [str(r.case.child_id) for r in items]},
        )
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [_received(referral) for referral in items],
    }


@router.get("/referrals/{referral_id}", response={200: ReceivedReferralOut, 404: Error})
def get_referral(request, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    return _received(selectors.referral_for_receiver(user=request.user, referral_id=referral_id))


@router.post("/referrals/{referral_id}/answer", response={200: ReceivedReferralOut, **STEP_ERRORS})
def answer_referral(request, payload: ReferralAnswerIn, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    """Only a member of the receiving organisation answers: accepted or rejected, then done."""
    referral = selectors.referral_for_receiver(user=request.user, referral_id=referral_id)
    return _received(services.referral_answer(actor=request.user, referral=referral, **payload.dict()))


# --- Cases --------------------------------------------------------------------------------------


@router.get("", response={200: ProtectionCasePage, 404: Error})
def list_cases(request, state: ProtectionState | None = None, page: int = Query(1, ge=1, le=100000)):
    """Child-protection cases the token's user may see, the latest reported first."""
    require(request.user, Verb.CHILD_VIEW)
    cases = selectors.cases_visible(request.user).select_related("assigned_to").order_by("-received_at", "pk")
    if state is not None:
        cases = cases.filter(state=state)
    found = Paginator(cases, PAGE_SIZE).get_page(page)
    items = list(found.object_list)
    late = _overdue_by_case(request.user, items, clock.now())
    if items:
        audit.record(
            actor=request.user, action="child.list", data={"shown": [str(c.child_id) for c in items]}
        )
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [_summary(case, late[case.pk]) for case in items],
    }


@router.post("", response={201: ProtectionCaseDetail, 202: ProtectionReceipt, 404: Error, 422: Error})
def report(request, payload: ProtectionReportIn):
    """Form 01, from a hotline 111 operator, the police, a hospital, a school, a commune or a facility.
    The report goes at once to the commune of the incident. When the reporter may not follow the case
    (a school, a hospital), the answer is 202 with the receipt only."""
    data = payload.dict()
    code = data.pop("incident_commune_code")
    child_id = data.pop("child_id")
    # As on the page: an informant's section left empty is no informant at all.
    data["informant"] = {k: v.strip() for k, v in (data["informant"] or {}).items() if v.strip()} or None
    commune = Area.objects.communes().filter(code=code).first()
    if commune is None:
        raise invalid("incident_commune_code", _("There is no commune with this code."), "unknown_commune")
    child = None
    if child_id is not None:
        child = people.children_matching(request.user).filter(pk=child_id).first()
        if child is None:
            raise NotVisible
    with api_field_names(
        incident_commune="incident_commune_code",
        informant_name="informant.name",
        informant_phone="informant.phone",
    ):
        case = services.protection_report(actor=request.user, incident_commune=commune, child=child, **data)
    try:
        return Status(201, _detail(request.user, case.pk))
    except NotVisible:
        receipt = {"id": case.pk, "received_at": case.received_at, "responsible": _org(case.responsible)}
        return Status(202, receipt)


@router.get("/{case_id}", response={200: ProtectionCaseDetail, 404: Error})
def get_case(request, case_id: uuid.UUID):
    return _detail(request.user, case_id)


# --- The commune takes the case up; emergency measures -------------------------------------------


@router.post("/{case_id}/accept", response=STEP)
def accept(request, case_id: uuid.UUID):
    return _steps.take(request, case_id, services.protection_accept)


@router.post("/{case_id}/initial-assessment", response=STEP)
def initial_assessment(request, case_id: uuid.UUID, payload: Form02In):
    """Form 02 decides the way on: emergency measures, support, or an unfounded report (closed). An
    "unfounded" conclusion with a risk scored High or emergency measures chosen is refused (422, each
    field named)."""
    return _steps.take(request, case_id, services.protection_assess_initial, data=payload.dict())


@router.post("/{case_id}/emergency", response=STEP)
def emergency(request, case_id: uuid.UUID, payload: EmergencyIn):
    return _steps.take(request, case_id, services.protection_emergency, **payload.dict())


@router.post("/{case_id}/separation/end", response=STEP)
def end_separation(request, case_id: uuid.UUID, payload: ProtectionReasonIn):
    return _steps.take(request, case_id, services.protection_end_separation, **payload.dict())


# --- Assessment, plan, approval ----------------------------------------------------------------


@router.post("/{case_id}/specific-assessment", response=STEP)
def specific_assessment(request, case_id: uuid.UUID, payload: Form03In):
    """Form 03 and the minutes of the needs meeting (Decree 56 art. 27)."""
    return _steps.take(request, case_id, services.protection_assess_specific, data=payload.dict())


@router.post("/{case_id}/plan", response=STEP)
def plan(request, case_id: uuid.UUID, payload: Form04In):
    """Form 04, within 5 working days; it needs a specific assessment since the last re-planning, and
    its dates lie no earlier than the report and end no earlier than they start."""
    return _steps.take(request, case_id, services.protection_draft_plan, data=payload.dict())


@router.post("/{case_id}/child-view", response=STEP)
def hear_child(request, case_id: uuid.UUID, payload: ChildViewIn):
    """The child's view, on the child's record and the case's timeline; a child of 7 or over is heard
    before a separation is decided or the plan approved."""
    return _steps.take(request, case_id, services.protection_hear_child, **payload.dict())


@router.post("/{case_id}/plan/approval", response=STEP)
def approve_plan(request, case_id: uuid.UUID, payload: ApprovalIn):
    """By the commune chairman only; for a child aged 7 or over, only once the child's view is
    recorded (Law on Children art. 60(3)): otherwise 409 "child_view_missing"."""
    return _steps.take(request, case_id, services.protection_approve_plan, **payload.dict())


@router.post("/{case_id}/plan/return", response=STEP)
def return_plan(request, case_id: uuid.UUID, payload: ProtectionReasonIn):
    return _steps.take(request, case_id, services.protection_return_plan, **payload.dict())


# --- Review, closure, re-planning, reopening -------------------------------------------------------


@router.post("/{case_id}/review", response=STEP)
def review(request, case_id: uuid.UUID, payload: Form06In):
    return _steps.take(request, case_id, services.protection_review, data=payload.dict())


@router.post("/{case_id}/close", response=STEP)
def close(request, case_id: uuid.UUID, payload: ProtectionReasonIn):
    """By the chairman, when every score of the last review is Low (otherwise 409 "risk_remains") and
    no separation or service still runs (otherwise 422)."""
    return _steps.take(request, case_id, services.protection_close, **payload.dict())


@router.post("/{case_id}/replan", response=STEP)
def replan(request, case_id: uuid.UUID, payload: ProtectionReasonIn):
    return _steps.take(request, case_id, services.protection_replan, **payload.dict())


@router.post("/{case_id}/reopen", response=STEP)
def reopen(request, case_id: uuid.UUID, payload: ProtectionReasonIn):
    """A case closed in error (closed, or closed as unfounded) goes back to the state it was closed
    from, by the commune chairman or the provincial officer, with the reason; the clocks its closure
    stopped run again from now."""
    return _steps.take(request, case_id, services.protection_reopen, **payload.dict())


# --- Referrals, as their sender asks them ----------------------------------------------------------


@router.post("/{case_id}/referrals", response=STEP)
def refer(request, case_id: uuid.UUID, payload: ReferralIn):
    """A service asked of another organisation; it sees the referral, never the case."""
    data = payload.dict()
    # An unknown id gets the same answer as an organisation that cannot receive the referral.
    to_organisation = Organisation.objects.filter(pk=data.pop("to_organisation_id")).first()
    with api_field_names(to_organisation="to_organisation_id"):
        return _steps.take(
            request, case_id, services.referral_request, to_organisation=to_organisation, **data
        )


@router.post("/{case_id}/referrals/{referral_id}/withdraw", response=STEP)
def withdraw_referral(
    request, case_id: uuid.UUID, payload: ProtectionReasonIn, referral_id: int = Path(..., ge=1, le=MAX_ID)
):
    """The asking commune withdraws a service still asked or under way (so that the case can close)."""
    case = _case(request.user, case_id)
    referral = case.referrals.filter(pk=referral_id).first()
    if referral is None:
        raise NotVisible
    return _steps.take(request, case_id, services.referral_withdraw, referral=referral, **payload.dict())


class CaseTransferIn(Schema):
    to_organisation_id: int = Field(
        ..., ge=1, le=MAX_ID, description="the People's Committee of the new commune"
    )
    reason: Prose = Field(..., max_length=LONG)


class TransferAnswerIn(Schema):
    accept: bool
    reason: Prose = Field("", max_length=LONG, description="required to refuse")


class TransferOut(Schema):
    id: int
    case_id: uuid.UUID
    status: str
    from_organisation: OrganisationRef
    to_organisation: OrganisationRef
    reason: str
    requested_at: dt.datetime


@router.post("/{case_id}/transfers", response={200: TransferOut, **STEP_ERRORS})
def transfer(request, case_id: uuid.UUID, payload: CaseTransferIn):
    """Offer the lead of the case to another commune; it stays with the sender until accepted."""
    case = _case(request.user, case_id)
    to_organisation = Organisation.objects.filter(pk=payload.to_organisation_id).first()
    with api_field_names(to_organisation="to_organisation_id"):
        return services.transfer_request(
            actor=request.user, case=case, to_organisation=to_organisation, reason=payload.reason
        )


@router.post("/{case_id}/transfers/{transfer_id}/withdraw", response=STEP)
def withdraw_transfer(
    request, case_id: uuid.UUID, payload: ProtectionReasonIn, transfer_id: int = Path(..., ge=1, le=MAX_ID)
):
    """The commune leading the case takes back an offer the other commune has not answered, with the
    reason: the other commune is told and its answer is no longer due; the case may be offered again.
    An offer already answered (or withdrawn) is 409 "already_answered"; a blank reason is 422."""
    case = _case(request.user, case_id)
    transfer = case.transfers.filter(pk=transfer_id).first()
    if transfer is None:
        raise NotVisible
    return _steps.take(request, case_id, services.transfer_withdraw, transfer=transfer, **payload.dict())


@router.post("/transfers/{transfer_id}/answer", response={200: TransferOut, **STEP_ERRORS})
def transfer_answer(request, payload: TransferAnswerIn, transfer_id: int = Path(..., ge=1, le=MAX_ID)):
    """Only the receiving commune answers; accepting moves the lead, the open clocks and access."""
    offer = selectors.transfer_to_answer(user=request.user, transfer_id=transfer_id)
    return services.transfer_answer(actor=request.user, transfer=offer, **payload.dict())


class KnownChildDecisionIn(Schema):
    same_child: bool


@router.post("/{case_id}/matches/{match_id}/decision", response=STEP)
def known_child_decision(
    request, case_id: uuid.UUID, payload: KnownChildDecisionIn, match_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Is the report about this child already recorded? Same child: the case continues on that record."""
    deciding = _steps.on_part(lambda case: case.known_child_matches.filter(pk=match_id).first(), "match")
    return deciding.take(request, case_id, services.known_child_decide, **payload.dict())
