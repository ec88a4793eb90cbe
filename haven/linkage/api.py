"""/api/v1/linkage: the review queue over the same selectors, services and access rules as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Field, Query, Router, Schema

from haven.api.errors import Error
from haven.linkage import selectors, services
from haven.linkage.models import Candidate

router = Router(tags=["linkage"])


class FieldOut(Schema):
    name: str
    label: str
    haven: str = Field(description="The Haven record's value (for duplicates: the older record's).")
    other: str = Field(description="The register's value (for duplicates: the newer record's).")
    match_weight: float | None = Field(description="This comparison's contribution to the match weight.")


class HistoryOut(Schema):
    at: dt.datetime
    who: str
    what: str
    note: str


class PairFields(Schema):
    id: uuid.UUID
    kind: str
    status: str
    child_id: uuid.UUID
    other_child_id: uuid.UUID | None
    register_person_id: str
    match_weight: float
    match_probability: float
    reason: str = Field(description="Why the pair was not linked automatically (code).")
    reason_text: str
    run_id: uuid.UUID
    created_at: dt.datetime


class PairOut(PairFields):
    @staticmethod
    def resolve_register_person_id(pair: Candidate) -> str:
        return pair.person_id

    @staticmethod
    def resolve_reason_text(pair: Candidate) -> str:
        return str(pair.get_reason_display())


class PairDetailOut(PairFields):
    fields: list[FieldOut]
    gammas: dict[str, int]
    history: list[HistoryOut]


class PairPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PairOut]


class RunOut(Schema):
    id: uuid.UUID
    kind: str
    source: str
    province_code: str
    upper: float
    lower: float
    records: int
    register_people: int
    candidate_pairs: int
    links: int
    review_items: int
    seconds: float
    started_at: dt.datetime
    finished_at: dt.datetime


class PairDecisionIn(Schema):
    same: bool = Field(description="True: the same person (a register link, or a merge of two records).")
    note: str = Field(default="", max_length=2000)


class UndoIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


def _detail(pair: Candidate) -> dict:
    out = {name: getattr(pair, name) for name in ("id", "kind", "status", "child_id", "other_child_id")}
    out.update(
        register_person_id=pair.person_id,
        match_weight=pair.match_weight,
        match_probability=pair.match_probability,
        reason=pair.reason,
        reason_text=str(pair.get_reason_display()),
        run_id=pair.run_id,
        created_at=pair.created_at,
    )
    out["fields"] = [
        {"name": r.name, "label": r.label, "haven": r.left, "other": r.right, "match_weight": r.weight}
        for r in selectors.side_by_side(pair)
    ]
    out["gammas"] = pair.gammas
    out["history"] = [vars(h) for h in selectors.pair_history(pair)]
    return out


@router.get("/runs", response={200: list[RunOut], 404: Error})
def list_runs(request, limit: int = Query(20, ge=1, le=200)):
    """The latest linkage runs with their settings and counts (no child's data)."""
    return selectors.runs(user=request.user, limit=limit)


@router.get("/pairs", response={200: PairPage, 404: Error})
def list_pairs(
    request,
    kind: str = Query("", pattern=r"^(register|duplicates)?$"),
    province: str = Query("", pattern=r"^(\d{2})?$"),
    status: str = Query("pending", pattern=r"^(pending|proposed|linked|rejected|undone)$"),
    page: int = Query(1, ge=1, le=100000),
):
    """Pairs the token's user may review (pending by default), most probable first."""
    found = selectors.queue(user=request.user, kind=kind, province=province, status=status, page=page)
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": list(found.object_list),
    }


@router.get("/pairs/{pair_id}", response={200: PairDetailOut, 404: Error})
def get_pair(request, pair_id: uuid.UUID):
    """One pair side by side, field by field, with each field's contribution to the match weight."""
    return _detail(selectors.pair_for_review(user=request.user, pair_id=pair_id))


@router.post("/pairs/{pair_id}/decision", response={200: PairDetailOut, 404: Error, 409: Error, 422: Error})
def decide_pair(request, pair_id: uuid.UUID, payload: PairDecisionIn):
    """Same person (link, or merge two records keeping the older) or not (never proposed again)."""
    pair = selectors.pair_for_review(user=request.user, pair_id=pair_id)
    pair = services.decide(actor=request.user, candidate=pair, same=payload.same, note=payload.note)
    return _detail(pair)


@router.post("/pairs/{pair_id}/undo", response={200: PairDetailOut, 404: Error, 409: Error, 422: Error})
def undo_pair(request, pair_id: uuid.UUID, payload: UndoIn):
    """Undo a decision or a link, with a reason; the pair waits for review again, history kept."""
    pair = selectors.pair_for_review(user=request.user, pair_id=pair_id)
    pair = services.undo(actor=request.user, candidate=pair, reason=payload.reason)
    return _detail(pair)
