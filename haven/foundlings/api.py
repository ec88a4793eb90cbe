"""/api/v1/foundlings: the abandoned-child pathway through the same selectors, services and access
rules as the web pages. Every step answers with the case as its caller now sees it; a step the case
is not ready for is 409 "out_of_order" and changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import unicodedata
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AfterValidator, AwareDatetime
from typing_extensions import TypeAliasType

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can, require
from haven.accounts.models import Organisation, User
from haven.api.errors import Error, api_field_names
from haven.api.steps import STEP_ERRORS, Steps, step_responses
from haven.areas.models import Area
from haven.audit import services as audit
from haven.core.errors import invalid
from haven.foundlings import selectors, services
from haven.foundlings.models import Channel, FoundlingCase, Handover, Placement, State, TemporaryCare
from haven.foundlings.reconciliation import reconciliation
from haven.people.models import Sex
from haven.population.selectors import pin_status

router = Router(tags=["foundlings"])

# The API document names each schema once for the whole API: the pathways each have a State (and
# more than one a Channel or a Service), so they go into it under names of their own.
FoundlingState = TypeAliasType("FoundlingState", State)
FoundlingChannel = TypeAliasType("FoundlingChannel", Channel)

PAGE_SIZE = 25
MAX_ID = 2**63 - 1  # the largest key the databases hold; a larger one would be a 500, not a 404


# --- Input types --------------------------------------------------------------------------------


def _no_control(value: str, allowed: str = "") -> str:
    # No name or place holds a control character; PostgreSQL stores neither NUL nor a lone surrogate.
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in value):
        raise ValueError("control characters are not allowed")
    return value


def _line(value: str) -> str:
    return _no_control(value)


def _prose(value: str) -> str:
    return _no_control(value, allowed="\n\r\t")


def _plausible_moment(value: dt.datetime) -> dt.datetime:
    # Outside these years a time is a typing error, and date arithmetic on it would overflow.
    if not 1900 <= value.year <= 2100:
        raise ValueError("the year must be between 1900 and 2100")
    return value


def _plausible_day(value: dt.date) -> dt.date:
    if not 1900 <= value.year <= 2100:
        raise ValueError("the year must be between 1900 and 2100")
    return value


Line = Annotated[str, AfterValidator(_line)]
Prose = Annotated[str, AfterValidator(_prose)]
# A time without its offset is ambiguous (the server's zone? the client's?), so it is refused.
Moment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]
Day = Annotated[dt.date, AfterValidator(_plausible_day)]
LONG = 2000


class ReportIn(Schema):
    found_at: Moment
    found_commune_code: str = Field(..., pattern=r"^\d{5}$", description="official 5-digit commune code")
    found_place: Line = Field(..., max_length=300, pattern=r"\S")
    sex: Sex
    estimated_age_days: int | None = Field(default=None, ge=0, le=6000)
    condition: Prose = Field(..., max_length=LONG)
    belongings: Prose = Field(default="", max_length=LONG)
    finder_name: Line = Field(default="", max_length=150)
    finder_id_document: Line = Field(default="", max_length=50)
    finder_address: Line = Field(default="", max_length=300)


class ScreeningIn(Schema):
    screened_at: Moment
    temperature_c: Decimal = Field(..., ge=25, le=45, max_digits=3, decimal_places=1)
    heart_rate: int = Field(..., ge=20, le=250)
    respiratory_rate: int = Field(..., ge=5, le=120)
    weight_grams: int = Field(..., ge=300, le=80000)
    estimated_age_days: int = Field(..., ge=0, le=6000)
    findings: Prose = Field(..., max_length=LONG)
    referrals: Prose = Field(default="", max_length=LONG)


class RecordIn(Schema):
    """The biên bản: Decree 123/2015 art. 14(1) requires every field but the belongings and witnesses."""

    drafter_title: Line = Field(..., max_length=150)
    drawn_up_place: Line = Field(..., max_length=300)
    physique: Prose = Field(..., max_length=LONG)
    health: Prose = Field(..., max_length=LONG)
    belongings: Prose = Field(default="", max_length=LONG)
    finder_name: Line = Field(..., max_length=150)
    finder_id_document: Line = Field(..., max_length=50)
    finder_address: Line = Field(..., max_length=300)
    witness_name: Line = Field(default="", max_length=150)
    witness_id_document: Line = Field(default="", max_length=50)
    witness_address: Line = Field(default="", max_length=300)
    witnesses: Prose = Field(default="", max_length=LONG)


class DischargeIn(Schema):
    discharged_at: Moment


class TemporaryCareIn(Schema):
    """A facility or a hospital hold names the receiving organisation; a family is under the commune."""

    kind: TemporaryCare
    to_organisation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    family: Line = Field(default="", max_length=300)
    reason: Prose = Field(default="", max_length=LONG)


class MoveIn(Schema):
    """After the medical discharge a child on a hospital hold goes to a facility (named) or a
    registered family (under the commune)."""

    kind: Literal["facility", "family"]
    to_organisation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    family: Line = Field(default="", max_length=300)
    reason: Prose = Field(default="", max_length=LONG)


class WithdrawIn(Schema):
    reason: Prose = Field(..., max_length=LONG, pattern=r"\S", description="why the handover is withdrawn")


class AnswerIn(Schema):
    accept: bool
    reason: Prose = Field(default="", max_length=LONG, description="required to refuse")


class NoticeIn(Schema):
    posted_at: Moment | None = Field(
        default=None,
        description="now when left out; an earlier time is kept, but the 7 days count from when the "
        "posting was recorded until a supervisor confirms it (POST .../notice/confirm-time)",
    )


class ConfirmTimeIn(Schema):
    reason: Line = Field(..., max_length=1000, description="how the earlier posting time was checked")


class ClaimIn(Schema):
    claimant: Line = Field(..., max_length=300, description="who claims the child, and their relationship")


class ClaimDecisionIn(Schema):
    reunify: bool
    reason: Prose = Field(..., max_length=LONG, description="how the claim was verified")


class BirthRegistrationIn(Schema):
    family_name: Line = Field(..., max_length=50)
    middle_name: Line = Field(default="", max_length=50)
    given_name: Line = Field(..., max_length=50)
    sex: Literal["male", "female"] | None = Field(default=None, description="the reported sex when left out")
    date_of_birth: Day | None = Field(
        default=None, description="when unknown: the day and month found, the year estimated"
    )
    date_of_birth_estimated: bool = Field(
        default=False, description="the date given is an estimate (Decree 123/2015 art. 14(3))"
    )


class Paper(enum.StrEnum):
    HEALTH_INSURANCE = "health_insurance"
    RESIDENCE = "residence"
    ALLOWANCE = "allowance"


PAPER_FIELDS = {
    Paper.HEALTH_INSURANCE: ("health_insurance_number", "health_insurance_from"),
    Paper.RESIDENCE: ("residence_registered_on",),
    Paper.ALLOWANCE: ("allowance_decision", "allowance_from", "allowance_monthly_vnd"),
}


class PaperIn(Schema):
    """Send the fields of the paper named in the path; the others are ignored."""

    health_insurance_number: Line | None = Field(default=None, max_length=20)
    health_insurance_from: Day | None = None
    residence_registered_on: Day | None = None
    allowance_decision: Line | None = Field(default=None, max_length=50)
    allowance_from: Day | None = None
    allowance_monthly_vnd: int | None = Field(default=None, ge=1, le=100_000_000)


class FoundlingNoteIn(Schema):
    note: Prose = Field(..., max_length=LONG)


class PlacementIn(Schema):
    placement: Placement
    detail: Line = Field(..., max_length=300, description="with whom or where the child is placed")


class DuplicateDecisionIn(Schema):
    same_child: bool


# --- Output -------------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str


class LateOut(Schema):
    rule: str
    due_at: dt.datetime
    late_seconds: int


class CaseOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID
    state: FoundlingState
    found_at: dt.datetime
    found_commune_code: str
    found_place: str
    channel: FoundlingChannel
    responsible: OrganisationRef
    overdue: list[LateOut]


class CasePage(Schema):
    count: int
    page: int
    pages: int
    items: list[CaseOut]


class NotYetSafeReason(enum.StrEnum):
    NOT_IN_CARE = "not_in_care"
    NOTICE_EXPIRED_UNREGISTERED = "notice_expired_unregistered"
    NO_PIN = "no_pin"
    NO_CARD = "no_card"
    OVERDUE_STEP = "overdue_step"


class NotYetSafeCountOut(Schema):
    value: int | None = Field(
        ..., description="null when the count is 1 to 4 and the reader may not see children"
    )
    suppressed: bool


class NotYetSafeOut(CaseOut):
    reasons: list[NotYetSafeReason]


class NotYetSafeAreaOut(Schema):
    code: str
    name: str
    counts: dict[NotYetSafeReason, NotYetSafeCountOut]


class NotYetSafePage(Schema):
    scope: str
    children: NotYetSafeCountOut
    counts: dict[NotYetSafeReason, NotYetSafeCountOut]
    by_area: list[NotYetSafeAreaOut]
    count: int | None = Field(..., description="children listed over all pages; null for counts-only readers")
    page: int | None
    pages: int | None
    items: list[NotYetSafeOut] = Field(..., description="empty for readers who may see counts only")


class ObligationOut(Schema):
    rule: str
    title: str
    due_at: dt.datetime
    status: str
    escalation_level: int
    responsible: OrganisationRef


class StepOut(Schema):
    action: str
    at: dt.datetime
    actor: str | None
    organisation: str | None
    late_seconds: int | None


class HandoverOut(Schema):
    id: int
    purpose: TemporaryCare
    from_organisation: OrganisationRef
    to_organisation: OrganisationRef
    requested_at: dt.datetime


class DuplicateOut(Schema):
    id: int
    other_case_id: uuid.UUID
    found_at: dt.datetime
    found_commune_code: str


class PinRequestOut(Schema):
    status: Literal["waiting", "done", "failed", "conflict"] = Field(
        ...,
        description="waiting: the register has not answered yet and Haven keeps trying by itself; "
        "failed: refused, correct and re-send; conflict: a PIN was issued that Haven could not store",
    )
    attempts: int
    next_attempt_at: dt.datetime | None
    reason: str = Field(..., description="why the register refused (status failed)")


class ScreeningOut(Schema):
    screened_at: dt.datetime
    organisation: OrganisationRef
    temperature_c: Decimal
    heart_rate: int
    respiratory_rate: int
    weight_grams: int
    estimated_age_days: int
    findings: str
    referrals: str


class CaseDetail(CaseOut):
    seen_as: Literal["case", "asked_to_accept", "reported"] = Field(
        ...,
        description="case: the caller sees the child and the whole case; asked_to_accept: the caller's "
        "organisation is asked to accept the child and reads what it needs to decide; reported: the "
        "caller's organisation reported the child and follows the case (no child's record, no step)",
    )
    sex: str
    health_screening: ScreeningOut | None = Field(
        None, description="the latest health screening (for the whole case and the receiver asked)"
    )
    estimated_age_days: int | None
    condition: str
    belongings: str
    temporary_care: str
    temporary_family: str
    medically_discharged_at: dt.datetime | None
    notice_posted_at: dt.datetime | None
    notice_ends_at: dt.datetime | None
    claimant: str
    placement: str
    placement_detail: str
    closed_at: dt.datetime | None
    obligations: list[ObligationOut]
    steps: list[StepOut]
    pending_handover: HandoverOut | None
    possible_duplicates: list[DuplicateOut]
    pin_request: PinRequestOut | None = Field(
        None, description="the request for the child's PIN sent to the population register, once made"
    )
    actions: list[str] = Field(..., description="the pathway's steps this user could take now")


STEP = step_responses(CaseDetail)


def _org(organisation: Organisation) -> dict:
    return {"id": organisation.pk, "name": organisation.name}


def _summary(case: FoundlingCase, late: list[selectors.Late]) -> dict:
    return {
        "id": case.pk,
        "child_id": case.child_id,
        "state": case.state,
        "found_at": case.found_at,
        "found_commune_code": case.found_commune.code,
        "found_place": case.found_place,
        "channel": case.channel,
        "responsible": _org(case.responsible),
        "overdue": [
            {"rule": x.obligation.rule, "due_at": x.obligation.due_at, "late_seconds": _seconds(x.late_by)}
            for x in late
        ],
    }


def _seconds(delta: dt.timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


# What a named relation does not read (haven/access/relations.py): who cares for the child, the
# claimant, the timeline, the other reports, the register's answer.
WHOLE_CASE_ONLY = {
    "temporary_family": "",
    "claimant": "",
    "placement_detail": "",
    "steps": [],
    "possible_duplicates": [],
    "pin_request": None,
}


def _screening(case: FoundlingCase) -> dict | None:
    s = case.screenings.select_related("organisation").order_by("-screened_at").first()
    if s is None:
        return None
    fields = "screened_at temperature_c heart_rate respiratory_rate weight_grams estimated_age_days"
    return {
        **{name: getattr(s, name) for name in fields.split()},
        "organisation": _org(s.organisation),
        "findings": s.findings,
        "referrals": s.referrals,
    }


def _detail(user: User, case_id: uuid.UUID) -> dict:
    """The case as ``user`` sees it: the whole case, or what a named relation gives (the receiver asked
    to accept the child, the reporter); showing it is an audit event on the child."""
    seen = selectors.case_seen(user=user, case_id=case_id)
    case = seen.case
    handover = selectors.pending_handover(case)
    fields = (
        "estimated_age_days condition belongings temporary_care temporary_family medically_discharged_at "
        "notice_posted_at notice_ends_at claimant placement placement_detail closed_at"
    ).split()
    detail = _whole(user, case, handover, fields)
    detail["seen_as"] = seen.relation or "case"
    if seen.relation:
        detail.update(WHOLE_CASE_ONLY)
        detail["obligations"] = [
            o for o in detail["obligations"] if seen.relation == "asked_to_accept" and o["rule"] in RECEIVER
        ]
    if seen.relation == "reported":
        detail["health_screening"] = None
        detail["pending_handover"] = None
    return detail


RECEIVER = ("foundling.handover_answer",)


def _whole(user: User, case: FoundlingCase, handover, fields: list[str]) -> dict:
    return {
        **_summary(case, selectors.overdue(case)),
        **{name: getattr(case, name) for name in fields},
        "sex": case.child.sex,
        "health_screening": _screening(case),
        "obligations": [
            {
                "rule": o.rule,
                "title": o.title,
                "due_at": o.due_at,
                "status": o.status,
                "escalation_level": o.escalation_level,
                "responsible": _org(o.responsible),
            }
            for o in selectors.obligations_of(case)
        ],
        "steps": [
            {
                "action": s.action,
                "at": s.at,
                "actor": s.actor.username if s.actor else None,
                "organisation": s.organisation.name if s.organisation else None,
                "late_seconds": _seconds(s.late_by),
            }
            for s in case.steps.select_related("actor", "organisation")
        ],
        "pending_handover": None
        if handover is None
        else {
            "id": handover.pk,
            "purpose": handover.purpose,
            "from_organisation": _org(handover.from_organisation),
            "to_organisation": _org(handover.to_organisation),
            "requested_at": handover.requested_at,
        },
        "possible_duplicates": [
            {
                "id": pair.pk,
                "other_case_id": pair.other_id,
                "found_at": pair.other.found_at,
                "found_commune_code": pair.other.found_commune.code,
            }
            for pair in selectors.duplicates_pending(case)
        ],
        "pin_request": pin_status(case.child),
        "actions": selectors.actions_for(user, case),
    }


def _case(user: User, case_id: uuid.UUID) -> FoundlingCase:
    return selectors.case_for_action(user=user, case_id=case_id)


# Every step endpoint of a case (haven/api/steps.py): the case the user may act on, the service, then
# the case as the user now sees it.
_steps = Steps(load=_case, detail=_detail)


# --- Cases --------------------------------------------------------------------------------------


@router.get("", response={200: CasePage, 404: Error})
def list_cases(request, state: FoundlingState | None = None, page: int = Query(1, ge=1, le=100000)):
    """Found children's cases the token's user may see, the latest found first: those of the children
    they see, and those their organisation reported or is asked to accept."""
    require(request.user, Verb.CHILD_VIEW)
    cases = selectors.cases_listed(request.user).order_by("-found_at", "pk")
    if state is not None:
        cases = cases.filter(state=state)
    found = Paginator(cases, PAGE_SIZE).get_page(page)
    items = list(found.object_list)
    late = selectors.overdue_by_case(items)
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


def _count(cell) -> dict:
    return {"value": None if cell.suppressed else cell.value, "suppressed": cell.suppressed}


@router.get("/not-yet-safe", response={200: NotYetSafePage, 404: Error})
def not_yet_safe(
    request,
    province: str = Query("", pattern=r"^(\d{2})?$", description="a province code, to list its communes"),
    page: int = Query(1, ge=1, le=100000),
):
    """Every found child not yet safe that the token's user may see, with why, who answers for the
    child and how late, the most overdue first, a page at a time; counts only (small ones
    suppressed) for those who see aggregates."""
    if not (can(request.user, Verb.CHILD_VIEW) or can(request.user, Verb.AGGREGATE_VIEW)):
        raise NotVisible
    report = reconciliation(user=request.user, province=province, page=page)
    return {
        "scope": report.scope,
        "children": _count(report.children),
        "counts": {code: _count(cell) for code, cell in report.counts.items()},
        "by_area": [
            {"code": code, "name": name, "counts": {k: _count(c) for k, c in cells.items()}}
            for (code, name), cells in report.by_area
        ],
        "count": report.page.paginator.count if report.page else None,
        "page": report.page.number if report.page else None,
        "pages": report.page.paginator.num_pages if report.page else None,
        "items": [{**_summary(row.case, row.overdue), "reasons": row.reasons} for row in report.rows],
    }


@router.post("", response={201: CaseDetail, 404: Error, 409: Error, 422: Error})
def report(request, payload: ReportIn):
    """A found child, reported from the place of discovery (hospital, commune police or committee) or
    by the hotline 111. The photo is not taken here."""
    data = payload.dict()
    code = data.pop("found_commune_code")
    commune = Area.objects.communes().filter(code=code).first()
    if commune is None:
        raise invalid("found_commune_code", _("There is no commune with this code."), "unknown_commune")
    with api_field_names(found_commune="found_commune_code"):
        case = services.foundling_report(actor=request.user, found_commune=commune, **data)
    return Status(201, _detail(request.user, case.pk))


@router.get("/{case_id}", response={200: CaseDetail, 404: Error})
def get_case(request, case_id: uuid.UUID):
    return _detail(request.user, case_id)


# --- Reception ----------------------------------------------------------------------------------


PHOTO_FILE = File(..., description="JPEG or PNG, at most 5 MB")


@router.post("/{case_id}/photo", response=STEP)
def photo(request, case_id: uuid.UUID, photo: UploadedFile = PHOTO_FILE):
    """The photo taken at discovery (multipart/form-data)."""
    return _steps.take(request, case_id, services.foundling_photo_attach, photo=photo)


@router.post("/{case_id}/acknowledge", response=STEP)
def acknowledge(request, case_id: uuid.UUID):
    return _steps.take(request, case_id, services.foundling_acknowledge)


@router.post("/{case_id}/screen", response=STEP)
def screen(request, case_id: uuid.UUID, payload: ScreeningIn):
    return _steps.take(request, case_id, services.foundling_screen, **payload.dict())


@router.post("/{case_id}/record", response=STEP)
def record(request, case_id: uuid.UUID, payload: RecordIn):
    return _steps.take(request, case_id, services.foundling_record, **payload.dict())


@router.post("/{case_id}/discharge", response=STEP)
def discharge(request, case_id: uuid.UUID, payload: DischargeIn):
    return _steps.take(request, case_id, services.foundling_discharge, **payload.dict())


# --- Temporary care and handover ----------------------------------------------------------------


@router.post("/{case_id}/temporary-care", response=STEP)
def temporary_care(request, case_id: uuid.UUID, payload: TemporaryCareIn):
    """A facility or a hospital hold names the organisation that receives the child; an id that names
    none is answered as no organisation chosen, with every other problem of the decision."""
    data = payload.dict()
    to_organisation = Organisation.objects.filter(pk=data.pop("to_organisation_id")).first()
    with api_field_names(to_organisation="to_organisation_id"):
        return _steps.take(
            request,
            case_id,
            services.foundling_decide_temporary_care,
            to_organisation=to_organisation,
            **data,
        )


def _detail_or_gone(user: User, case_id: uuid.UUID) -> dict | Status:
    try:
        return _detail(user, case_id)
    except NotVisible:
        return Status(204, None)


@router.post(
    "/{case_id}/handovers/{handover_id}/answer", response={200: CaseDetail, 204: None, **STEP_ERRORS}
)
def answer_handover(
    request, case_id: uuid.UUID, payload: AnswerIn, handover_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Only a member of the receiving organisation answers. After a refusal the receiver may no
    longer see the case: the answer is then 204 with no body."""

    def handover(user: User, case_id: uuid.UUID) -> Handover:
        return selectors.handover_to_answer(user=user, case_id=case_id, handover_id=handover_id)

    answering = dataclasses.replace(_steps, load=handover, detail=_detail_or_gone, subject_as="handover")
    return answering.take(request, case_id, services.foundling_handover_answer, **payload.dict())


@router.post("/{case_id}/handovers/{handover_id}/withdraw", response=STEP)
def withdraw_handover(
    request, case_id: uuid.UUID, payload: WithdrawIn, handover_id: int = Path(..., ge=1, le=MAX_ID)
):
    """The commune that asked withdraws a handover not yet answered: the receiver is told and the case
    is back where it was before the handover."""
    withdrawing = _steps.on_part(lambda case: case.handovers.filter(pk=handover_id).first(), "handover")
    return withdrawing.take(request, case_id, services.foundling_handover_withdraw, **payload.dict())


@router.post("/{case_id}/move-after-discharge", response=STEP)
def move_after_discharge(request, case_id: uuid.UUID, payload: MoveIn):
    """A hospital hold ends with the medical discharge: hand the child over to a facility or a
    registered family; the child moves once the receiver accepts (answer as any handover). An id
    that names no organisation is answered as no organisation chosen, with every other problem."""
    data = payload.dict()
    to_id = data.pop("to_organisation_id")
    to_organisation = Organisation.objects.filter(pk=to_id).first() if to_id is not None else None
    with api_field_names(to_organisation="to_organisation_id"):
        return _steps.take(
            request, case_id, services.foundling_move_after_discharge, to_organisation=to_organisation, **data
        )


# --- Public notice, claim -----------------------------------------------------------------------


@router.post("/{case_id}/notice", response=STEP)
def notice(request, case_id: uuid.UUID, payload: NoticeIn):
    return _steps.take(request, case_id, services.foundling_post_notice, **payload.dict())


@router.post("/{case_id}/notice/confirm-time", response=STEP)
def notice_time_confirm(request, case_id: uuid.UUID, payload: ConfirmTimeIn):
    """A supervisor confirms the earlier posting time entered for the notice: the 7 days then count
    from it (until then they count from when the posting was recorded)."""
    return _steps.take(request, case_id, services.foundling_notice_time_confirm, **payload.dict())


@router.post("/{case_id}/claim", response=STEP)
def claim(request, case_id: uuid.UUID, payload: ClaimIn):
    return _steps.take(request, case_id, services.foundling_claim, **payload.dict())


@router.post("/{case_id}/claim/decision", response=STEP)
def claim_decision(request, case_id: uuid.UUID, payload: ClaimDecisionIn):
    return _steps.take(request, case_id, services.foundling_claim_decide, **payload.dict())


# --- Papers -------------------------------------------------------------------------------------


@router.post("/{case_id}/birth-registration", response=STEP)
def birth_registration(request, case_id: uuid.UUID, payload: BirthRegistrationIn):
    """The PIN is asked of the population register once the registration is committed."""
    return _steps.take(request, case_id, services.foundling_register_birth, **payload.dict())


@router.post("/{case_id}/birth-registration/resend", response=STEP)
def birth_registration_resend(request, case_id: uuid.UUID, payload: BirthRegistrationIn):
    """The register refused the birth: correct it and send it again (a new request, linked to the old)."""
    return _steps.take(request, case_id, services.foundling_pin_resend, **payload.dict())


@router.post("/{case_id}/papers/{paper}", response=STEP)
def record_paper(request, case_id: uuid.UUID, paper: Paper, payload: PaperIn):
    """A field of the paper left out is reported with every other problem of the paper."""
    fields = {name: getattr(payload, name) for name in PAPER_FIELDS[paper]}
    return _steps.take(request, case_id, services.foundling_record_paper, paper=paper.value, **fields)


# --- Care planning, placement, review, duplicates -----------------------------------------------


@router.post("/{case_id}/care-plan", response=STEP)
def care_plan(request, case_id: uuid.UUID, payload: FoundlingNoteIn):
    return _steps.take(request, case_id, services.foundling_plan_care, **payload.dict())


@router.post("/{case_id}/placement", response=STEP)
def placement(request, case_id: uuid.UUID, payload: PlacementIn):
    return _steps.take(request, case_id, services.foundling_place, **payload.dict())


@router.post("/{case_id}/review", response=STEP)
def review(request, case_id: uuid.UUID, payload: FoundlingNoteIn):
    return _steps.take(request, case_id, services.foundling_review, **payload.dict())


@router.post("/{case_id}/duplicates/{pair_id}/decision", response=STEP)
def duplicate_decision(
    request, case_id: uuid.UUID, payload: DuplicateDecisionIn, pair_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Same child: this later report is closed and points to the earlier one; nothing is deleted."""
    deciding = _steps.on_part(
        lambda case: selectors.duplicates_pending(case).filter(pk=pair_id).first(), "pair"
    )
    return deciding.take(request, case_id, services.duplicate_decide, **payload.dict())
