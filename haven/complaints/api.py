"""/api/v1/complaints: every step of a complaint or feedback, through the same services and access rules
as the pages. A complaint the caller may not see — another commune's, or one about the caller — is 404;
a step not open now is 409 with its code (``feedback_no_appeal``, ``too_early``, ``out_of_order``); bad
data is 422 with every field at once, in the caller's language, and nothing changed."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from typing_extensions import TypeAliasType

from haven.access.scoping import NotVisible
from haven.accounts.models import User
from haven.api.errors import Error
from haven.api.steps import Steps, named, step_responses
from haven.areas.models import Area
from haven.audit.services import record
from haven.complaints import selectors, services, views, workflow
from haven.complaints.models import Category, Channel, Complaint, Outcome, State, Track
from haven.core import clock
from haven.core.errors import invalid
from haven.foundlings.api import Day, Line, Prose

router = Router(tags=["complaints"])
ERRORS = {404: Error, 409: Error, 422: Error}
LONG = 4000

ComplaintState = TypeAliasType("ComplaintState", State)
ComplaintTrack = TypeAliasType("ComplaintTrack", Track)
ComplaintChannel = TypeAliasType("ComplaintChannel", Channel)
ComplaintOutcome = TypeAliasType("ComplaintOutcome", Outcome)


class ComplaintCategoryOut(Schema):
    code: str
    name: str
    name_en: str
    names_officer: bool


class ComplaintDueOut(Schema):
    step: str
    due_at: dt.datetime
    responsible: str
    roles: str
    escalation_level: int


class ComplaintOut(Schema):
    id: uuid.UUID
    reference: str
    track: ComplaintTrack
    state: ComplaintState
    category: str
    channel: ComplaintChannel
    commune_code: str
    received_on: dt.date
    anonymous: bool
    complainant_name: str | None = Field(..., description="null: not shown to the caller's level")
    complainant_phone: str | None
    content: str
    child_id: uuid.UUID | None
    application_id: uuid.UUID | None
    payment_id: int | None
    remote_area: bool
    complicated: bool
    reveals_harm: bool
    protection_case_id: uuid.UUID | None
    accepted_on: dt.date | None
    decision_number: str
    decided_on: dt.date | None
    outcome: str
    appealed_on: dt.date | None
    appeal_decision_number: str
    appeal_decided_on: dt.date | None
    appeal_outcome: str
    status: str = Field(..., description="on_track, at_risk, breached, or on_time once nothing is running")
    due: ComplaintDueOut | None
    appeal_until: dt.date | None = Field(
        ..., description="The last day a second-time complaint may be lodged"
    )
    steps: list[str] = Field(..., description="The steps the caller may take now")


class ComplaintPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ComplaintOut]


class ComplaintIn(Schema):
    category: str = Field(..., max_length=30, description="A category code (GET /complaints/categories)")
    content: Prose = Field(..., max_length=LONG)
    received_on: Day | None = None
    channel: ComplaintChannel = Channel.SYSTEM
    commune_code: str | None = Field(
        default=None, pattern=r"^\d{5}$", description="Default: the caller's commune"
    )
    complainant_name: Line = Field(default="", max_length=150)
    complainant_phone: Line = Field(default="", max_length=30)
    complainant_address: Line = Field(default="", max_length=300)
    feedback: bool = Field(default=False, description="Feedback or a petition rather than a complaint")
    child_id: uuid.UUID | None = None
    application_id: uuid.UUID | None = None
    payment_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    about_officer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    remote_area: bool = False
    reveals_harm: bool = False


class ComplaintAcceptIn(Schema):
    accepted_on: Day
    remote_area: bool | None = None


class ComplaintRefuseIn(Schema):
    decided_on: Day
    reasons: Prose = Field(..., max_length=LONG)


class ComplaintReasonIn(Schema):
    reason: Prose = Field(..., max_length=LONG)


class ComplaintDecisionIn(Schema):
    decision_number: Line = Field(..., max_length=60)
    decided_on: Day
    outcome: ComplaintOutcome
    reasons: Prose = Field(..., max_length=LONG)


class ComplaintAppealIn(Schema):
    appealed_on: Day
    note: Prose = Field(default="", max_length=LONG)


class ComplaintAppealAcceptIn(Schema):
    accepted_on: Day


class FeedbackAnswerIn(Schema):
    answered_on: Day
    answer: Prose = Field(..., max_length=LONG)


class ComplaintProtectionIn(Schema):
    incident_place: Line = Field(..., max_length=300)
    condition: Prose = Field(..., max_length=LONG)
    likely_harm: Prose = Field(..., max_length=LONG)
    sex: str = Field(default="", max_length=8, description="When the complaint names no child")
    family_name: Line = Field(default="", max_length=50)
    middle_name: Line = Field(default="", max_length=50)
    given_name: Line = Field(default="", max_length=50)
    estimated_age_years: int | None = Field(default=None, ge=0, le=17)


class ComplaintLinkIn(Schema):
    case_id: uuid.UUID


def _out(user: User, complaint: Complaint) -> dict:
    annotated = selectors.with_deadlines(Complaint.objects.filter(pk=complaint.pk)).first()
    due = selectors.due_of(annotated)
    # Nothing to show of an anonymous message; a named one only at the level that settles it.
    identity = not complaint.anonymous and selectors.may_see_complainant(user, complaint)
    window = workflow.appeal_window(complaint, clock.now()) if complaint.track == Track.COMPLAINT else None
    return {
        **{
            f: getattr(complaint, f)
            for f in (
                "id",
                "reference",
                "track",
                "state",
                "channel",
                "received_on",
                "anonymous",
                "content",
                "application_id",
                "payment_id",
                "remote_area",
                "complicated",
                "reveals_harm",
                "protection_case_id",
                "accepted_on",
                "decision_number",
                "decided_on",
                "outcome",
                "appealed_on",
                "appeal_decision_number",
                "appeal_decided_on",
                "appeal_outcome",
            )
        },
        "category": complaint.category.code,
        "commune_code": complaint.commune.code,
        "child_id": complaint.about_child_id,
        "complainant_name": complaint.complainant_name if identity else None,
        "complainant_phone": complaint.complainant_phone if identity else None,
        "status": selectors.status_of(annotated),
        "due": {
            "step": due.title,
            "due_at": due.due_at,
            "responsible": due.responsible,
            "roles": due.roles,
            "escalation_level": due.escalation_level,
        }
        if due
        else None,
        "appeal_until": window[0] if window else None,
        "steps": views.open_steps(user, complaint),
    }


def _load(user: User, complaint_id) -> Complaint:
    found = (
        selectors.complaints(user)
        .select_related("category", "commune__parent")
        .filter(pk=complaint_id)
        .first()
    )
    if found is None:
        raise NotVisible
    return found


def _detail(user: User, complaint_id) -> dict:
    found = _load(user, complaint_id)
    record(
        actor=user,
        action="complaint.view",
        obj=found,
        child=found.about_child,
        data={"api": True, "complainant_shown": selectors.may_see_complainant(user, found)},
    )
    return _out(user, found)


_steps = Steps(load=_load, detail=_detail, subject_as="complaint")
STEP = step_responses(ComplaintOut)


@router.get("/categories", response=list[ComplaintCategoryOut])
def categories(request):
    """The categories in use, as data."""
    return list(Category.objects.filter(active=True))


@router.get("", response={200: ComplaintPage, 422: Error})
def list_complaints(
    request,
    state: ComplaintState | None = None,
    late: bool | None = None,
    page: int = Query(1, ge=1, le=100000),
):
    """The complaints of the caller's commune (a province's of its communes), 25 a page, the late first;
    ``late``: only those with a deadline missed."""
    rows = selectors.with_deadlines(
        selectors.complaints(request.user).select_related("category", "commune__parent")
    )
    if state is not None:
        rows = rows.filter(state=state)
    if late is not None:
        rows = rows.filter(ever_late=late)
    found = Paginator(rows.order_by(*selectors.LATE_FIRST, "pk"), 25).get_page(page)
    listed = list(found.object_list)
    record(
        actor=request.user, action="complaint.list", data={"api": True, "shown": [str(c.pk) for c in listed]}
    )
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [_out(request.user, c) for c in listed],
    }


@router.post("", response={201: ComplaintOut, **ERRORS})
def receive(request, payload: ComplaintIn):
    """A complaint received by the commune (at its desk, by post, by telephone, or from another system).
    Without a name, telephone or address it is anonymous feedback. The 10 days to accept it start on
    ``received_on``."""
    from haven.entitlements.models import PaymentLine, PayrollRun
    from haven.entitlements.selectors import applications
    from haven.people.models import Child

    data = payload.dict()
    user = request.user
    category = Category.objects.filter(code=data.pop("category"), active=True).first()
    code = data.pop("commune_code")
    commune = Area.objects.communes().filter(code=code).first() if code else None
    if code and commune is None:
        raise invalid("commune_code", _("Choose a commune from the list."), "unknown_commune")
    child = named(
        Child.objects.visible_to(user),
        data.pop("child_id"),
        "child_id",
        _("No child you can see has this id."),
    )
    application = named(
        applications(user),
        data.pop("application_id"),
        "application_id",
        _("No allowance application you can see has this id."),
    )
    payment = named(
        PaymentLine.objects.filter(run__in=PayrollRun.objects.visible_to(user).values("pk")).select_related(
            "run__commune"
        ),
        data.pop("payment_id"),
        "payment_id",
        _("No payment you can see has this id."),
    )
    officer = named(
        User.objects.filter(is_active=True),
        data.pop("about_officer_id"),
        "about_officer_id",
        _("No officer has this id."),
    )
    found = services.complaint_receive(
        actor=user,
        category=category,
        commune=commune,
        about_child=child,
        application=application,
        payment=payment,
        about_officer=officer,
        **data,
    )
    return Status(201, _detail(user, found.pk))


@router.get("/{complaint_id}", response={200: ComplaintOut, 404: Error})
def get_complaint(request, complaint_id: uuid.UUID):
    return _detail(request.user, complaint_id)


@router.post("/{complaint_id}/accept", response=STEP)
def accept(request, payload: ComplaintAcceptIn, complaint_id: uuid.UUID):
    """Accepted: the 30 days (45 in a remote area) to settle start on ``accepted_on``."""
    return _steps.take(request, complaint_id, services.complaint_accept, **payload.dict())


@router.post("/{complaint_id}/refuse", response=STEP)
def refuse(request, payload: ComplaintRefuseIn, complaint_id: uuid.UUID):
    """Not accepted, with the written reasons."""
    return _steps.take(request, complaint_id, services.complaint_refuse, **payload.dict())


@router.post("/{complaint_id}/extend", response=STEP)
def extend(request, payload: ComplaintReasonIn, complaint_id: uuid.UUID):
    """A complicated case: the longer limit from the same acceptance; once per level (409 ``already``)."""
    return _steps.take(request, complaint_id, services.complaint_extend, **payload.dict())


@router.post("/{complaint_id}/settle", response=STEP)
def settle(request, payload: ComplaintDecisionIn, complaint_id: uuid.UUID):
    """The commune chairman's first-time decision."""
    return _steps.take(request, complaint_id, services.complaint_settle, **payload.dict())


@router.post("/{complaint_id}/appeal", response=STEP)
def appeal(request, payload: ComplaintAppealIn, complaint_id: uuid.UUID):
    """A second-time complaint to the province: 409 ``feedback_no_appeal`` for feedback, ``too_early``
    before a decision or a missed deadline; 422 ``too_late`` after the time allowed."""
    return _steps.take(request, complaint_id, services.complaint_appeal, **payload.dict())


@router.post("/{complaint_id}/appeal/accept", response=STEP)
def appeal_accept(request, payload: ComplaintAppealAcceptIn, complaint_id: uuid.UUID):
    return _steps.take(request, complaint_id, services.complaint_appeal_accept, **payload.dict())


@router.post("/{complaint_id}/appeal/refuse", response=STEP)
def appeal_refuse(request, payload: ComplaintRefuseIn, complaint_id: uuid.UUID):
    return _steps.take(request, complaint_id, services.complaint_appeal_refuse, **payload.dict())


@router.post("/{complaint_id}/appeal/settle", response=STEP)
def appeal_settle(request, payload: ComplaintDecisionIn, complaint_id: uuid.UUID):
    return _steps.take(request, complaint_id, services.complaint_appeal_settle, **payload.dict())


@router.post("/{complaint_id}/withdraw", response=STEP)
def withdraw(request, payload: ComplaintReasonIn, complaint_id: uuid.UUID):
    return _steps.take(request, complaint_id, services.complaint_withdraw, **payload.dict())


@router.post("/{complaint_id}/answer", response=STEP)
def answer(request, payload: FeedbackAnswerIn, complaint_id: uuid.UUID):
    """How feedback was handled and answered."""
    return _steps.take(request, complaint_id, services.feedback_answer, **payload.dict())


@router.post("/{complaint_id}/protection", response=STEP)
def open_protection(request, payload: ComplaintProtectionIn, complaint_id: uuid.UUID):
    """The complaint reveals harm to a child: a child-protection report (Form 01) through the protection
    domain, linked both ways."""
    return _steps.take(request, complaint_id, services.complaint_open_protection, **payload.dict())


@router.post("/{complaint_id}/protection/link", response=STEP)
def link_protection(request, payload: ComplaintLinkIn, complaint_id: uuid.UUID):
    """Link a protection case already open (one the caller sees)."""
    from haven.protection.models import ProtectionCase

    case = ProtectionCase.objects.visible_to(request.user).filter(pk=payload.case_id).first()
    return _steps.take(request, complaint_id, services.complaint_link_protection, case=case)
