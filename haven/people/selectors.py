"""Every read of a child's data starts from ``visible_to(user)`` and is recorded in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, require
from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import invalid
from haven.core.limits import SEARCH_MAX_CHARS, SEARCH_MAX_WORDS
from haven.lib import pin as pins
from haven.lib.vietnamese import search_tokens
from haven.people.models import Child, SpecialCircumstance

PAGE_SIZE = 25


def children_matching(user: User, query: str = "") -> QuerySet[Child]:
    """Children the user may see, filtered by a name typed with or without diacritics, in any order,
    or by an exact PIN. A query longer than a name is refused before it reaches the database: one
    condition per word, 5,000 words, made the database give up after 7 seconds (security review
    finding 11)."""
    query = query.strip()
    if len(query) > SEARCH_MAX_CHARS or len(search_tokens(query)) > SEARCH_MAX_WORDS:
        raise invalid("q", _("Search by a name of at most 8 words, or by a 12-digit PIN."), "too_long")
    children = Child.objects.visible_to(user).select_related("current_commune__parent")
    digits = query.replace(" ", "")
    if len(digits) == 12 and digits.isdigit():
        return children.filter(pin_index=Child.pin_lookup_key(digits))
    for token in search_tokens(query):
        # search_name is " nguyen van an ": " tok" matches a whole word or a word's beginning.
        children = children.filter(search_name__contains=" " + token)
    return children


@dataclass
class ChildSearch:
    query: str
    page: Page | None
    problem: str = ""  # why the search was refused, for the reader


def child_search(*, user: User, query: str = "", page: int | str = 1) -> ChildSearch:
    membership = require(user, Verb.CHILD_VIEW)
    found = Paginator(children_matching(user, query), PAGE_SIZE).get_page(page)
    record(
        actor=user,
        action="child.search",
        organisation=membership.organisation,
        data={
            "query_tokens": len(search_tokens(query)),
            "pin": _looks_like_pin(query),
            "shown": [str(c.pk) for c in found],
        },
    )
    return ChildSearch(query=query, page=found)


def _looks_like_pin(query: str) -> bool:
    try:
        pins.parse(query)
    except pins.InvalidPin:
        return False
    return True


def child_for_viewing(*, user: User, child_id, reason: str = "") -> Child:
    """One child's record for display; the view itself is an audit event."""
    child = (
        Child.objects.visible_to(user).select_related("current_commune__parent").filter(pk=child_id).first()
    )
    if child is None:
        raise NotVisible
    membership = require(user, Verb.CHILD_VIEW, child)
    record(actor=user, action="child.view", obj=child, organisation=membership.organisation, reason=reason)
    return child


def child_for_update(*, user: User, child_id) -> Child:
    """A child's record for an edit page; opening it is a view like any other."""
    child = Child.objects.visible_to(user, Verb.CHILD_UPDATE).filter(pk=child_id).first()
    if child is None:
        raise NotVisible
    membership = require(user, Verb.CHILD_UPDATE, child)
    record(actor=user, action="child.view", obj=child, organisation=membership.organisation, reason="edit")
    return child


def access_log(*, user: User, child_id, limit: int = 200) -> tuple[Child, QuerySet[AuditEvent]]:
    """Who touched this child's record, newest first; only for roles allowed to read the log.

    Reading the log is itself an event on the child (it shows the child's name)."""
    child = Child.objects.visible_to(user, Verb.CHILD_ACCESS_LOG).filter(pk=child_id).first()
    if child is None:
        raise NotVisible
    membership = require(user, Verb.CHILD_ACCESS_LOG, child)
    record(actor=user, action="child.access_log_view", obj=child, organisation=membership.organisation)
    events = (
        AuditEvent.objects.filter(child_id=child.pk)
        .select_related("actor", "organisation")
        .order_by("-seq")[:limit]
    )
    return child, events


def can_read_access_log(user: User, child: Child) -> bool:
    try:
        require(user, Verb.CHILD_ACCESS_LOG, child)
    except NotVisible:
        return False
    return True


@dataclass
class Attention:
    key: str
    count: int
    children: list[Child]


def children_needing_attention(*, user: User, limit: int = 10) -> list[Attention]:
    """Records in the user's reach with a gap someone must close: no PIN, no date of birth, no
    special-circumstance group. Shown on the home page; what is shown is audited like a search."""
    membership = require(user, Verb.CHILD_VIEW)
    visible = Child.objects.visible_to(user).select_related("current_commune__parent").order_by("created_at")
    current_group = SpecialCircumstance.objects.in_force(clock.today()).values("child_id")
    gaps = {
        "no_pin": visible.filter(pin_index__isnull=True),
        "no_date_of_birth": visible.filter(date_of_birth__isnull=True),
        "no_group": visible.exclude(id__in=current_group),
    }
    found = [Attention(key, qs.count(), list(qs[:limit])) for key, qs in gaps.items()]
    shown = sorted({str(c.pk) for a in found for c in a.children})
    if shown:
        record(actor=user, action="child.list", organisation=membership.organisation, data={"shown": shown})
    return found


def child_export(*, user: User, child_id) -> dict:
    """The whole record of one child as data, for a download; the export is an audit event."""
    child = Child.objects.visible_to(user, Verb.CHILD_EXPORT).filter(pk=child_id).first()
    if child is None:
        raise NotVisible
    membership = require(user, Verb.CHILD_EXPORT, child)
    record(
        actor=user,
        action="child.export",
        obj=child,
        organisation=membership.organisation,
        data={"format": "json"},
    )
    return {
        "id": str(child.pk),
        "family_name": child.family_name,
        "middle_name": child.middle_name,
        "given_name": child.given_name,
        "sex": child.sex,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "date_of_birth_estimated": child.date_of_birth_estimated,
        "place_of_birth": child.place_of_birth,
        "ethnicity": child.ethnicity,
        "nationality": child.nationality,
        "commune": {"code": child.current_commune.code, "name": child.current_commune.name},
        "province": {"code": child.current_commune.parent.code, "name": child.current_commune.parent.name},
        "pin": child.pin or None,
        "special_circumstances": [
            {
                "group": c.group,
                "subgroup": c.subgroup,
                "from": c.started_on.isoformat(),
                "to": c.ended_on.isoformat() if c.ended_on else None,
                "evidence": c.evidence,
            }
            for c in child.circumstances.all()
        ],
        # What the page shows: a sibling outside the user's reach is there, unnamed and without an id.
        "siblings": [
            {"id": str(s.child.pk) if s.child else None, "kind": s.kind}
            for s in siblings_of(user=user, child=child)
        ],
        "views": [
            {"heard_on": o.heard_on.isoformat(), "subject": o.subject, "view": o.opinion}
            for o in child.opinions.all()
        ],
        "organisations": [
            {"name": i.organisation.name, "basis": i.basis, "since": i.started_at.isoformat()}
            for i in child.involvements.current().select_related("organisation")
        ],
    }


@dataclass
class Sibling:
    kind: str  # SiblingKind
    label: str
    child: Child | None  # None: a sibling the user may not see (named nowhere on the page or export)


def siblings_of(*, user: User, child: Child) -> list[Sibling]:
    links = list(child.sibling_links.select_related("sibling"))
    visible = set(
        Child.objects.visible_to(user)
        .filter(pk__in=[s.sibling_id for s in links])
        .values_list("pk", flat=True)
    )
    return [
        Sibling(link.kind, link.get_kind_display(), link.sibling if link.sibling_id in visible else None)
        for link in links
    ]
