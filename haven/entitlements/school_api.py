"""/api/v1/entitlements/school-support: a pupil's support as the pages show it — what is due for the
enrolment (tuition free or supported, the learning-cost support of a child in a group, each with its
basis and whether its value was verified in the text) and each semester's instalment. Proposals are
listed and decided with the other applications (/applications?programme=learning_costs)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Sum
from ninja import Field, Query, Router, Schema

from haven.api.errors import Error
from haven.audit import services as audit
from haven.core import clock
from haven.entitlements import schooling, selectors, views
from haven.entitlements.models import Ground, Instalment, Programme

router = Router(tags=["entitlements"])


class PupilTuitionOut(Schema):
    status: str = Field(..., description="free (public school), supported (private school) or unknown")
    monthly: int | None = Field(..., description="VND a month at a private school; null: none recorded")
    capped_by_fee: bool
    missing: str = Field(..., description="Why there is no amount (to be set by the province...)")
    legal_basis: str
    verified: bool


class PupilLearningOut(Schema):
    ground: Ground
    groups: list[Ground] = Field(..., description="Every group of the support the child is in")
    monthly: int | None
    max_months: int | None = Field(..., description="At most this many months a school year")
    missing: str
    legal_basis: str
    verified: bool = Field(..., description="The amount, the schedule and the group were read in the text")
    verification_note: str


class PupilDueOut(Schema):
    enrolment_id: uuid.UUID
    school_year: int
    semester: int
    tuition: PupilTuitionOut
    learning_costs: PupilLearningOut | None = Field(..., description="null: in no group of the support")


class InstalmentOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID
    programme: Programme
    school_year: int
    semester: int
    commune_code: str
    decision_id: uuid.UUID
    decision_number: str
    enrolment_id: uuid.UUID
    from_month: dt.date
    until_month: dt.date = Field(..., description="The first month not counted")
    months: int
    monthly: int
    amount: int
    verified: bool


class PupilSupportOut(Schema):
    child_id: uuid.UUID
    due: PupilDueOut | None = Field(..., description="null: no enrolment of this school year")
    application_ids: list[uuid.UUID]
    instalments: list[InstalmentOut]


class InstalmentPage(Schema):
    school_year: int
    semester: int
    count: int
    total: int
    items: list[InstalmentOut]


def _tuition_out(found: schooling.Tuition) -> dict:
    status = "free" if found.exempt else "supported" if found.supported else "unknown"
    basis = [str(found.rule.citation)] if found.rule else []
    if found.parameter is not None:
        basis.append(found.parameter.legal_basis)
    return {
        "status": status,
        "monthly": found.monthly,
        "capped_by_fee": found.capped,
        "missing": found.missing,
        "legal_basis": "; ".join(basis),
        "verified": found.verified,
    }


def _learning_out(due: schooling.PupilDue) -> dict | None:
    found = due.learning
    if found is None:
        return None
    basis = [str(found.group.citation)]
    if found.schedule is not None:
        basis.append(str(found.schedule.citation))
    if found.parameter is not None:
        basis.append(found.parameter.legal_basis)
    notes = [
        str(n)
        for n in (
            found.parameter.verification_note if found.parameter and not found.parameter.verified else "",
            found.schedule.note if found.schedule and not found.schedule.verified else "",
            found.group.note if not found.group.verified else "",
        )
        if n
    ]
    return {
        "ground": found.group.ground,
        "groups": [g.ground for g in due.groups],
        "monthly": found.monthly,
        "max_months": found.max_months,
        "missing": found.missing,
        "legal_basis": "; ".join(basis),
        "verified": found.verified,
        "verification_note": " ".join(dict.fromkeys(notes)),
    }


def instalment_out(i: Instalment) -> dict:
    return {
        **{
            f: getattr(i, f)
            for f in (
                "id",
                "child_id",
                "programme",
                "school_year",
                "semester",
                "decision_id",
                "enrolment_id",
                "from_month",
                "until_month",
                "months",
                "monthly",
                "amount",
                "verified",
            )
        },
        "commune_code": i.commune.code,
        "decision_number": i.decision.decision_number,
    }


@router.get("/children/{child_id}", response={200: PupilSupportOut, 404: Error})
def pupil_support(request, child_id: uuid.UUID):
    """What is due to a pupil this school year, the support's procedures and the instalments counted."""
    child = views._child(request.user, child_id)
    today = clock.today()
    found = selectors.pupil_support(request.user, child, views._enrolment_now(child, today), today)
    audit.record(actor=request.user, action="child.view", obj=child, data={"api": "pupil_support"})
    due = found.due
    return {
        "child_id": child.pk,
        "due": None
        if due is None
        else {
            "enrolment_id": due.enrolment.pk,
            "school_year": due.term.year,
            "semester": due.term.semester,
            "tuition": _tuition_out(due.tuition),
            "learning_costs": _learning_out(due),
        },
        "application_ids": [a.pk for a in found.decisions],
        "instalments": [instalment_out(i) for i in found.instalments],
    }


class TermQuery(Schema):
    school_year: int | None = Field(default=None, ge=2021, le=2100, description="The year it starts")
    semester: int | None = Field(default=None, ge=1, le=2)
    commune_code: str | None = Field(default=None, max_length=5)


@router.get("/instalments", response={200: InstalmentPage, 422: Error})
def instalments(request, query: Query[TermQuery]):
    """The instalments of a semester (this one by default) in the caller's communes, with the total."""
    now = schooling.term_of(clock.today())
    year = query.school_year or now.year
    semester = query.semester or (now.semester if query.school_year is None else 1)
    rows = selectors.instalments(request.user).filter(school_year=year, semester=semester)
    if query.commune_code:
        rows = rows.filter(commune__code=query.commune_code)
    listed = list(rows.order_by("commune__name", "child__family_name", "child__given_name")[:1000])
    audit.record(
        actor=request.user,
        action="child.list",
        data={"api": "school_support", "shown": [str(i.child_id) for i in listed][:500]},
    )
    return {
        "school_year": year,
        "semester": semester,
        "count": rows.count(),
        "total": rows.aggregate(n=Sum("amount"))["n"] or 0,
        "items": [instalment_out(i) for i in listed],
    }
