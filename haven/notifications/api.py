"""/api/v1/inbox: the same messages as the inbox page, to the same readers, a page at a time."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.paginator import Paginator
from ninja import Query, Router, Schema

from haven.notifications.selectors import inbox_for

router = Router(tags=["inbox"])

PAGE_SIZE = 50


class MessageOut(Schema):
    id: int
    title: str
    body: str
    link: str
    child_id: uuid.UUID | None
    organisation: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxPage(Schema):
    count: int
    page: int
    pages: int
    items: list[MessageOut]


@router.get("", response=InboxPage)
def inbox(request, page: int = Query(1, ge=1, le=100000)):
    """Messages to the token's user's organisations that the user can open (and those to the user
    alone), the newest first."""
    found = Paginator(inbox_for(user=request.user), PAGE_SIZE).get_page(page)
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [
            {
                "id": n.pk,
                "title": n.title,
                "body": n.body,
                "link": n.link,
                "child_id": n.child_id,
                "organisation": n.organisation.name,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in found.object_list
        ],
    }
