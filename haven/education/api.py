"""/api/v1/education: schools, the school-age roster, enrolments and their steps, attendance (as JSON
or as a CSV/XLSX file), home visits and inclusion plans, through the same services and access rules as
the pages. A file or a list of marks with problems is 422 with every line's problems by line number,
and nothing is saved unless ``partial`` is asked for."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from haven.access.scoping import NotVisible
from haven.api.errors import Error, api_field_names
from haven.api.steps import Steps, step_responses
from haven.areas.models import Area
from haven.audit import services as audit
from haven.core import clock
from haven.core.errors import invalid
from haven.education import ages, roster, selectors, services, sheets
from haven.education.ages import AgeBasis, Level
from haven.education.models import AbsenceAlert, EndReason, Enrolment, Mark, Mode, School, State
from haven.education.services.attendance import Line

# The schemas' own names for the enums other apps also call "State" and "Mode" (one name, one schema).
EnrolmentState = enum.Enum("EnrolmentState", {s.name: s.value for s in State}, type=str)
InclusionMode = enum.Enum("InclusionMode", {m.name: m.value for m in Mode}, type=str)
router = Router(tags=["education"])
ERRORS = {404: Error, 409: Error, 422: Error}
Note = Field("", max_length=300)


class SchoolIn(Schema):
    name: str = Field(..., max_length=200)
    commune_code: str = Field(..., max_length=10)
    code: str = Field(..., max_length=20, description="The education sector's official school code")
    first_level: Level
    last_level: Level
    public: bool = True
    monthly_fee: int | None = Field(
        default=None, ge=1, le=100_000_000, description="A private school's fee, đồng a month"
    )


class SchoolOut(Schema):
    id: int
    name: str
    code: str
    commune_code: str
    first_level: Level
    last_level: Level
    public: bool
    monthly_fee: int | None


def _school_out(s: School) -> dict:
    return {
        "id": s.pk,
        "name": s.organisation.name,
        "code": s.code,
        "commune_code": s.organisation.area.code,
        "first_level": s.first_level,
        "last_level": s.last_level,
        "public": s.public,
        "monthly_fee": s.monthly_fee,
    }


@router.get("/schools", response={200: list[SchoolOut]})
def list_schools(request):
    """The caller's own schools (a school officer), else the schools of the caller's communes."""
    own = selectors.own_schools(request.user)
    if own:
        return [_school_out(s) for s in own]
    found: list[School] = []
    for commune in selectors.communes_for(request.user):
        found.extend(selectors.schools_in(commune))
    return [_school_out(s) for s in found]


@router.post("/schools", response={201: SchoolOut, **ERRORS})
def register_school(request, payload: SchoolIn):
    data = payload.dict()
    commune = Area.objects.communes().filter(code=data.pop("commune_code")).first()
    with api_field_names(commune="commune_code"):
        school = services.school_register(actor=request.user, commune=commune, **data)
    return Status(201, _school_out(school))


# --- The roster -------------------------------------------------------------------------------------


class Expected(Schema):
    level: Level
    grade: int


class RosterRow(Schema):
    child_id: uuid.UUID
    name: str
    birth_year: int
    birth_year_estimated: bool
    expected: Expected
    status: roster.Status
    over_age_years: int
    lawful_over_age: bool
    school: str
    without_pin: bool
    dimension: roster.Dimension | None
    risk_score: int | None
    risk_reasons: list[str]


class RosterOut(Schema):
    commune_code: str
    school_year: int
    counts: dict[str, int]
    children: list[RosterRow]


def _row_out(r: roster.Row) -> dict:
    return {
        "child_id": r.child_id,
        "name": r.name,
        "birth_year": r.birth_year,
        "birth_year_estimated": r.estimated,
        "expected": {"level": r.expected.level, "grade": r.expected.grade},
        "status": r.status,
        "over_age_years": r.over_by,
        "lawful_over_age": r.lawful_over_age,
        "school": r.school,
        "without_pin": r.without_pin,
        "dimension": r.dimension,
        "risk_score": r.score.total if r.score else None,
        "risk_reasons": [
            f"{reason.criterion.title}: {reason.found} (+{reason.points})"
            for reason in (r.score.reasons if r.score else ())
        ],
    }


@router.get("/communes/{code}/roster", response={200: RosterOut, 404: Error})
def commune_roster(request, code: str):
    """The school-age roster of a commune, by name, for those who may read every child there."""
    commune = Area.objects.communes().filter(code=code[:10]).first()
    if commune is None or commune not in selectors.communes_for(request.user):
        raise NotVisible
    rows = selectors.roster_of(request.user, commune)
    return {
        "commune_code": commune.code,
        "school_year": ages.school_year_of(clock.today()),
        "counts": roster.profile(rows).get(commune.pk) or roster.empty_profile(),
        "children": [_row_out(r) for r in rows],
    }


# --- Enrolments -------------------------------------------------------------------------------------


class EnrolmentOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID
    school_id: int
    school: str
    school_year: int
    level: Level
    grade: int
    class_name: str
    state: EnrolmentState
    started_on: dt.date | None
    ended_on: dt.date | None
    end_reason: str
    without_pin: bool = Field(..., description="The child has no PIN: the education database keys on it")
    over_age_years: int
    age_basis: str
    age_decided_by: str
    age_decision: str


def _enrolment_out(e: Enrolment) -> dict:
    return {
        "id": e.pk,
        "child_id": e.child_id,
        "school_id": e.school_id,
        "school": str(e.school),
        "school_year": e.school_year,
        "level": e.level,
        "grade": e.grade,
        "class_name": e.class_name,
        "state": e.state,
        "started_on": e.started_on,
        "ended_on": e.ended_on,
        "end_reason": e.end_reason,
        "without_pin": not e.child.pin_index,
        "over_age_years": e.over_age_years,
        "age_basis": e.age_basis,
        "age_decided_by": e.age_decided_by,
        "age_decision": e.age_decision,
    }


class ChildSchoolOut(Schema):
    child_id: uuid.UUID
    name: str
    birth_year: int | None
    birth_year_estimated: bool
    expected: Expected | None
    status: roster.Status | None
    without_pin: bool
    contact_commune_officer: str | None = Field(
        ..., description="Whom to contact: the child is followed by the commune (never the case itself)"
    )
    enrolments: list[EnrolmentOut]


def _child_school(user, child_id) -> dict:
    child = selectors.child_for(user, child_id)
    facts = selectors.school_facts(user, child)
    return {
        "child_id": child.pk,
        "name": child.full_name,
        "birth_year": child.date_of_birth.year if child.date_of_birth else None,
        "birth_year_estimated": child.date_of_birth_estimated,
        "expected": {"level": facts.expected.level, "grade": facts.expected.grade}
        if facts.expected
        else None,
        "status": facts.row.status if facts.row else None,
        "without_pin": not child.pin_index,
        "contact_commune_officer": str(facts.contact.authority) if facts.contact else None,
        "enrolments": [_enrolment_out(e) for e in facts.enrolments],
    }


@router.get("/children/{child_id}", response={200: ChildSchoolOut, 404: Error})
def child_school(request, child_id: uuid.UUID):
    """A child's school facts: what a school may read of its pupil, and no more."""
    return _child_school(request.user, child_id)


class EnrolIn(Schema):
    school_id: int = Field(..., ge=1, le=2**31 - 1)
    school_year: int = Field(..., ge=2000, le=2100)
    level: Level
    grade: int = Field(..., ge=0, le=12)


class RequestIn(EnrolIn):
    note: str = Note


class AgeIn(Schema):
    age_basis: AgeBasis | None = None
    age_decided_by: str = Field("", max_length=200)
    age_decision: str = Field("", max_length=100)


class EnrolmentRecordIn(EnrolIn, AgeIn):
    started_on: dt.date
    class_name: str = Field("", max_length=20)


def _school(school_id: int) -> School:
    found = School.objects.select_related("organisation__area").filter(pk=school_id).first()
    if found is None:
        raise invalid("school_id", _("There is no school with this number."), "unknown_school")
    return found


@router.post("/children/{child_id}/requests", response={201: EnrolmentOut, **ERRORS})
def request_enrolment(request, child_id: uuid.UUID, payload: RequestIn):
    """A commune or a facility asks a school to take the child; the school answers within 5 working days."""
    child = selectors.child_for(request.user, child_id)
    data = payload.dict()
    found = services.enrolment_request(
        actor=request.user, child=child, school=_school(data.pop("school_id")), **data
    )
    return Status(201, _enrolment_out(found))


@router.post("/children/{child_id}/enrolments", response={201: EnrolmentOut, **ERRORS})
def record_enrolment(request, child_id: uuid.UUID, payload: EnrolmentRecordIn):
    """An enrolment known to have happened, or a school's own enrolment of its pupil for the next year.
    No paper is asked for; a child without a PIN is flagged and the commune's obligation opens."""
    child = selectors.child_for(request.user, child_id)
    data = payload.dict()
    data["age_basis"] = data["age_basis"] or ""
    found = services.enrolment_record(
        actor=request.user, child=child, school=_school(data.pop("school_id")), **data
    )
    return Status(201, _enrolment_out(found))


def _load(user, enrolment_id) -> Enrolment:
    return selectors.enrolment_for(user, enrolment_id)


def _detail(user, enrolment_id) -> dict:
    found = _load(user, enrolment_id)
    audit.record(actor=user, action="child.view", obj=found, data={"api": "enrolment"})
    return _enrolment_out(found)


_enrolments = Steps(load=_load, detail=_detail, subject_as="enrolment")
STEP = step_responses(EnrolmentOut)


@router.get("/enrolments/{enrolment_id}", response={200: EnrolmentOut, 404: Error})
def get_enrolment(request, enrolment_id: uuid.UUID):
    return _detail(request.user, enrolment_id)


class AdmitIn(AgeIn):
    started_on: dt.date
    class_name: str = Field("", max_length=20)


class DeclineIn(Schema):
    reason: str = Field(..., max_length=2000)


class LeaveIn(Schema):
    ended_on: dt.date
    reason: EndReason


@router.post("/enrolments/{enrolment_id}/admit", response=STEP)
def admit(request, enrolment_id: uuid.UUID, payload: AdmitIn):
    data = payload.dict()
    data["age_basis"] = data["age_basis"] or ""
    return _enrolments.take(request, enrolment_id, services.enrolment_admit, **data)


@router.post("/enrolments/{enrolment_id}/decline", response=STEP)
def decline(request, enrolment_id: uuid.UUID, payload: DeclineIn):
    return _enrolments.take(request, enrolment_id, services.enrolment_decline, **payload.dict())


@router.post("/enrolments/{enrolment_id}/leave", response=STEP)
def leave(request, enrolment_id: uuid.UUID, payload: LeaveIn):
    return _enrolments.take(request, enrolment_id, services.enrolment_leave, **payload.dict())


class PlanIn(Schema):
    mode: InclusionMode
    chosen_by: str = Field(..., max_length=150)
    plan_reference: str = Field(..., max_length=100)
    review_on: dt.date
    accommodations: str = Field("", max_length=500)


class PlanOut(Schema):
    id: uuid.UUID
    mode: InclusionMode
    chosen_by: str
    plan_reference: str
    review_on: dt.date
    accommodations: str


@router.post("/enrolments/{enrolment_id}/plan", response={201: PlanOut, **ERRORS})
def plan(request, enrolment_id: uuid.UUID, payload: PlanIn):
    """The guardian's choice of form of education and the individual education plan; its review is due
    on ``review_on`` on the deadline engine."""
    found = selectors.enrolment_for(request.user, enrolment_id)
    data = payload.dict()
    data["mode"] = Mode(data["mode"].value)
    made = services.inclusion_plan_record(actor=request.user, enrolment=found, **data)
    return Status(
        201,
        {
            "id": made.pk,
            "mode": InclusionMode(made.mode),
            "chosen_by": made.chosen_by,
            "plan_reference": made.plan_reference,
            "review_on": made.review_on,
            "accommodations": made.accommodations,
        },
    )


# --- Attendance -------------------------------------------------------------------------------------


class MarkIn(Schema):
    enrolment_id: str = Field(..., max_length=40)
    day: dt.date
    mark: Mark


class AttendanceIn(Schema):
    marks: list[MarkIn] = Field(..., max_length=20000)
    partial: bool = Field(False, description="Save the good lines even if some have problems")


class AlertOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID
    days: int
    first_day: dt.date


class AttendanceOut(Schema):
    saved: int
    problems: dict[str, list[str]] = Field(..., description="By line number: the lines not saved (partial)")
    alerts: list[AlertOut]


def _outcome(outcome) -> dict:
    return {
        "saved": outcome.saved,
        "problems": {str(n): p for n, p in outcome.problems.items()},
        "alerts": [
            {"id": a.pk, "child_id": a.child_id, "days": a.days, "first_day": a.first_day}
            for a in outcome.alerts
        ],
    }


@router.post("/schools/{school_id}/attendance", response={200: AttendanceOut, **ERRORS})
def attendance(request, school_id: int, payload: AttendanceIn):
    """Marks for the school's pupils (line n is the n-th mark). A day not marked stays unknown."""
    found = selectors.school_for(request.user, school_id)
    lines = [Line(i + 1, m.enrolment_id, m.day, m.mark) for i, m in enumerate(payload.marks)]
    return _outcome(
        services.attendance_record(actor=request.user, school=found, lines=lines, partial=payload.partial)
    )


ATTENDANCE_FILE = File(..., description="CSV (UTF-8) or XLSX, at most 2 MB")
PARTIAL = Form(False)


@router.post("/schools/{school_id}/attendance/file", response={200: AttendanceOut, **ERRORS})
def attendance_file(request, school_id: int, file: UploadedFile = ATTENDANCE_FILE, partial: bool = PARTIAL):
    """A CSV or XLSX file with the columns enrolment number, date, mark (C, M, P, K); problems are
    reported by the file's line numbers."""
    found = selectors.school_for(request.user, school_id)
    lines = sheets.read(file.read(sheets.MAX_BYTES + 1), file.name or "")
    return _outcome(
        services.attendance_record(actor=request.user, school=found, lines=lines, partial=partial)
    )


class VisitIn(Schema):
    visited_on: dt.date
    note: str = Field(..., max_length=500)


@router.post("/absences/{alert_id}/visit", response={200: AlertOut, **ERRORS})
def visit(request, alert_id: uuid.UUID, payload: VisitIn):
    """The commune's home visit after consecutive absences: its clock is met."""
    from haven.access.policy import Verb

    alert = AbsenceAlert.objects.visible_to(request.user, Verb.EDUCATION_VIEW).filter(pk=alert_id).first()
    if alert is None:
        raise NotVisible
    done = services.absence_visit(actor=request.user, alert=alert, **payload.dict())
    return {"id": done.pk, "child_id": done.child_id, "days": done.days, "first_day": done.first_day}
