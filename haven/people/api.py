"""/api/v1/children: the same selectors, services and access rules as the web pages."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from haven.api.errors import Error, api_field_names
from haven.areas.models import Area
from haven.core.errors import invalid
from haven.core.limits import LONG_TEXT
from haven.people import selectors, services
from haven.people.models import Child, ChildOpinion, Sex

router = Router(tags=["children"])


def _printable(value: str) -> str:
    # No name or place contains a control character, and PostgreSQL cannot store NUL at all.
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("control characters are not allowed")
    return value


def _prose(value: str) -> str:
    # A child's words may run over several lines; nothing else invisible.
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value):
        raise ValueError("control characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_printable)]
Prose = Annotated[str, AfterValidator(_prose)]
Name = Field(default="", max_length=50)


class ChildOut(Schema):
    id: uuid.UUID
    family_name: str
    middle_name: str
    given_name: str
    full_name: str
    sex: str
    date_of_birth: dt.date | None
    date_of_birth_estimated: bool
    place_of_birth: str
    ethnicity: str
    nationality: str
    commune_code: str
    province_code: str
    has_pin: bool
    pin_masked: str

    @staticmethod
    def resolve_commune_code(child: Child) -> str:
        return child.current_commune.code

    @staticmethod
    def resolve_province_code(child: Child) -> str:
        return child.current_commune.parent.code

    @staticmethod
    def resolve_has_pin(child: Child) -> bool:
        return bool(child.pin_encrypted)


class ChildPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ChildOut]


class ChildIn(Schema):
    family_name: Text = Name
    middle_name: Text = Name
    given_name: Text = Name
    sex: Sex = Sex.UNKNOWN
    date_of_birth: dt.date | None = None
    date_of_birth_estimated: bool = False
    place_of_birth: Text = Field(default="", max_length=200)
    ethnicity: str = Field(default="", max_length=2)
    nationality: str = Field(default="VN", max_length=2)
    commune_code: str = Field(..., min_length=5, max_length=5, pattern=r"^\d{5}$")
    pin: str | None = Field(default=None, max_length=20)


class ChildPatch(Schema):
    """Only the fields sent are changed. Null clears the date of birth; an empty PIN clears the PIN;
    the other fields cannot be null (their defaults below only mean "not sent")."""

    family_name: Text = Field(default=None, max_length=50)
    middle_name: Text = Field(default=None, max_length=50)
    given_name: Text = Field(default=None, max_length=50)
    sex: Sex = None
    date_of_birth: dt.date | None = None
    date_of_birth_estimated: bool = None
    place_of_birth: Text = Field(default=None, max_length=200)
    ethnicity: str = Field(default=None, max_length=2)
    nationality: str = Field(default=None, max_length=2)
    commune_code: str = Field(default=None, min_length=5, max_length=5, pattern=r"^\d{5}$")
    pin: str | None = Field(default=None, max_length=20)
    reason: Text = Field(default="", max_length=500)


class AccessEventOut(Schema):
    at: dt.datetime
    action: str
    actor: str | None
    organisation: str | None

    @staticmethod
    def resolve_actor(event) -> str | None:
        return event.actor.username if event.actor else None

    @staticmethod
    def resolve_organisation(event) -> str | None:
        return event.organisation.name if event.organisation else None


def _fields(data: dict) -> dict:
    """API names to service names: the commune is given by its official code."""
    code = data.pop("commune_code", None)
    if code is not None:
        commune = Area.objects.communes().filter(code=code).first()
        if commune is None:
            raise invalid("commune_code", _("There is no commune with this code."), "unknown_commune")
        data["current_commune"] = commune
    ethnicity = data.get("ethnicity")
    if ethnicity and ethnicity not in dict(Child._meta.get_field("ethnicity").choices):
        raise invalid("ethnicity", _("Unknown ethnicity code."), "unknown_ethnicity")
    return data


class SearchIn(Schema):
    q: str = Field(
        ..., max_length=100, description="a name, with or without diacritics and in any order, or a PIN"
    )
    page: int = Field(1, ge=1, le=100000)


def _page(found) -> dict:
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": list(found.object_list),
    }


@router.get("", response={200: ChildPage, 404: Error})
def list_children(request, page: int = Query(1, ge=1, le=100000)):
    """Children the token's user may see. To find one by name or PIN, POST /children/search."""
    if "q" in request.GET:
        # A client still searching in the address is told, rather than silently sent every child.
        message = _("Send a name or a PIN in the body of POST /api/v1/children/search, never in the address.")
        raise invalid("q", message, "search_by_post")
    return _page(selectors.child_search(user=request.user, page=page).page)


@router.post("/search", response={200: ChildPage, 404: Error})
def search_children(request, payload: SearchIn):
    """Children the token's user may see, matching ``q``. The name or PIN goes in the body, never in
    the address, so that it stays out of every access log on the way."""
    return _page(selectors.child_search(user=request.user, query=payload.q, page=payload.page).page)


@router.post("", response={201: ChildOut, 422: Error, 404: Error})
def create_child(request, payload: ChildIn):
    data = _fields(payload.dict())
    pin = data.pop("pin", None)
    with api_field_names(current_commune="commune_code"):
        child = services.child_create(actor=request.user, pin=pin, **data)
    return Status(201, child)


@router.get("/{child_id}", response={200: ChildOut, 404: Error})
def get_child(request, child_id: uuid.UUID):
    return selectors.child_for_viewing(user=request.user, child_id=child_id)


@router.patch("/{child_id}", response={200: ChildOut, 422: Error, 404: Error})
def update_child(request, child_id: uuid.UUID, payload: ChildPatch):
    child = selectors.child_for_update(user=request.user, child_id=child_id)
    data = _fields(payload.dict(exclude_unset=True))
    pin = data.pop("pin", None)
    reason = data.pop("reason", "")
    with api_field_names(current_commune="commune_code"):
        child = services.child_update(actor=request.user, child=child, pin=pin, reason=reason, **data)
    return Status(200, child)


class RegisterLinkOut(Schema):
    state: str = Field(
        description="linked, review, waiting_register, rejected, no_candidate or never (no run yet)"
    )
    message: str
    pin_masked: str = ""
    how: str = ""
    linked_by: str | None = None
    linked_at: dt.datetime | None = None
    pin_conflict: bool = False
    pending_pairs: list[uuid.UUID] = []
    rejected_candidates: int = 0
    run_id: uuid.UUID | None = None
    history: list[dict] = []


@router.get("/{child_id}/register-link", response={200: RegisterLinkOut, 404: Error})
def child_register_link(request, child_id: uuid.UUID):
    """The child's link to the population register, or why there is none."""
    from haven.linkage.selectors import register_status

    child = selectors.child_for_viewing(user=request.user, child_id=child_id, reason="register_link")
    status = register_status(child)
    link = status.link
    return {
        "state": status.state,
        "message": status.message,
        "pin_masked": link.pin_masked if link else "",
        "how": link.how if link else "",
        "linked_by": link.linked_by.username if link and link.linked_by else None,
        "linked_at": link.linked_at if link else None,
        "pin_conflict": bool(link and link.pin_conflict),
        "pending_pairs": [p.pk for p in status.pending],
        "rejected_candidates": status.rejected,
        "run_id": status.run.pk if status.run else None,
        "history": [
            {
                "person_id": h.person_id,
                "how": h.how,
                "linked_at": h.linked_at.isoformat(),
                "linked_by": h.linked_by.username if h.linked_by else None,
                "undone_at": h.undone_at.isoformat() if h.undone_at else None,
                "undone_by": h.undone_by.username if h.undone_by else None,
                "undo_reason": h.undo_reason,
            }
            for h in status.history
        ],
    }


@router.get("/{child_id}/access-log", response={200: list[AccessEventOut], 404: Error})
def child_access_log(request, child_id: uuid.UUID):
    _child, events = selectors.access_log(user=request.user, child_id=child_id)
    return list(events)


class ChildOpinionIn(Schema):
    """Law on Children art. 34, 60(3): what the child was asked about and what the child said, in the
    child's own words. A child of 7 or over is heard (within the last 6 months) before a decision on
    the child's care: placing a found child, choosing a family (Form 12), ending or changing care
    (Form 16)."""

    heard_on: dt.date = Field(..., description="not in the future, nor before the child was born")
    subject: Text = Field(..., max_length=200, description="what the child was asked about")
    opinion: Prose = Field(..., max_length=LONG_TEXT, description="what the child said, in their words")


class ChildOpinionOut(Schema):
    id: int
    child_id: uuid.UUID
    heard_on: dt.date
    subject: str
    opinion: str


@router.post("/{child_id}/views", response={201: ChildOpinionOut, 422: Error, 404: Error})
def record_child_view(request, child_id: uuid.UUID, payload: ChildOpinionIn):
    """The child's view, recorded on the child's record by whoever may update it, as on the child's
    page; a decision that was refused with 409 "child_view_missing" can then be taken. A blank
    field, a day in the future or before the birth is 422 with every field at once."""
    child = selectors.child_for_update(user=request.user, child_id=child_id)
    entry: ChildOpinion = services.opinion_record(actor=request.user, child=child, **payload.dict())
    return Status(201, entry)
