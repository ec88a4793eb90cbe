"""Reading the linkage: the review queue, one pair side by side, and a child's register link.

A reviewer sees a pair only when they may review the child (for duplicates: both children); every
listing and every opening of a pair is audited, because it shows a child's data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, child_filter, require
from haven.accounts.models import User
from haven.audit.services import record
from haven.linkage.models import Candidate, Label, LinkRun, PairStatus, RegisterLink, RunKind
from haven.people.models import Child

PAGE_SIZE = 25
PENDING = (PairStatus.PROPOSED, PairStatus.UNDONE)


def reviewable(user: User) -> QuerySet[Candidate]:
    """The pairs whose child (and, for duplicates, whose other child) the user may review."""
    pairs = Candidate.objects.visible_to(user, Verb.LINKAGE_REVIEW)
    reach = child_filter(user, Verb.LINKAGE_REVIEW)
    if reach is None:
        return pairs.none()
    # The other record may since have been merged into the first (its pair stays readable).
    others = Child.objects.filter(reach).values("pk")
    return pairs.filter(Q(other_child__isnull=True) | Q(other_child__in=others))


def queue(*, user: User, kind: str = "", province: str = "", status: str = "pending", page=1) -> Page:
    membership = require(user, Verb.LINKAGE_REVIEW)
    pairs = reviewable(user).select_related("child__current_commune__parent", "other_child", "run")
    if kind in RunKind.values:
        pairs = pairs.filter(kind=kind)
    if province:
        pairs = pairs.filter(child__current_commune__parent__code=province)
    if status in PairStatus.values:
        pairs = pairs.filter(status=status)
    else:  # "pending", or a value the filter does not know: never every decided pair at once
        status = "pending"
        pairs = pairs.filter(status__in=PENDING)
    found = Paginator(pairs.order_by("-match_probability", "created_at", "pk"), PAGE_SIZE).get_page(page)
    record(
        actor=user,
        action="linkage.queue_view",
        organisation=membership.organisation,
        data={"kind": kind, "province": province, "status": status, "shown": [str(c.pk) for c in found]},
    )
    return found


def runs(*, user: User, limit: int = 20) -> list[LinkRun]:
    """The latest runs, for those who run the linkage (counts and settings only)."""
    require(user, Verb.LINKAGE_RUN)
    return list(LinkRun.objects.order_by("-started_at")[:limit])


def pair_for_review(*, user: User, pair_id) -> Candidate:
    """One pair, if the user may review it; the opening is audited for each child shown."""
    pair = (
        reviewable(user)
        .select_related("child__current_commune__parent", "other_child", "run")
        .filter(pk=pair_id)
        .first()
    )
    if pair is None:
        raise NotVisible
    membership = require(user, Verb.LINKAGE_REVIEW, pair)
    for child_id in filter(None, (pair.child_id, pair.other_child_id)):
        record(
            actor=user,
            action="linkage.pair_view",
            obj=pair,
            child=child_id,
            organisation=membership.organisation,
        )
    return pair


# What is compared, in the order shown, with the model's comparison each field feeds.
FIELDS = (
    ("pin", gettext_lazy("Personal identification number"), ("pin",)),
    ("family_name", gettext_lazy("Family name"), ("family_name",)),
    ("middle_name", gettext_lazy("Middle name"), ("middle_name",)),
    ("given_name", gettext_lazy("Given name"), ("given_name",)),
    ("sex", gettext_lazy("Sex"), ("sex",)),
    ("date_of_birth", gettext_lazy("Date of birth"), ("date_of_birth",)),
    ("place", gettext_lazy("Commune"), ("commune_code",)),
    ("mother_name", gettext_lazy("Mother's name"), ("mother_name",)),
    ("father_name", gettext_lazy("Father's name"), ("father_name",)),
)


@dataclass
class Row:
    name: str
    label: str
    left: str
    right: str
    weight: float | None
    # The bar's width in percent of the largest contribution shown, and its direction.
    width: int = 0
    positive: bool = True


def _show(name: str, values: dict, columns: tuple[str, ...], places: dict[str, str]) -> str:
    """A field as a person reads it: the sex in words, the date as dd/mm/yyyy, the commune's name."""
    if name == "sex":
        return {"M": _("Male"), "F": _("Female")}.get(values.get("sex", ""), "")
    if name == "date_of_birth":
        value = values.get("date_of_birth") or ""
        try:
            text = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
        return f"{text} {_('(estimated)')}" if values.get("dob_estimated") == "1" else text
    if name == "place":
        code = values.get("commune_code") or ""
        old = values.get("old_commune_code") or ""
        text = places.get(code, code)
        if old and old != code:
            text += " " + _("(before 2025: %(code)s)") % {"code": places.get(old, old)}
        return text
    return " ".join(str(values.get(c) or "") for c in columns).strip()


def side_by_side(pair: Candidate) -> list[Row]:
    """The two records field by field, with each comparison's contribution to the match weight."""
    from haven.areas.models import Area

    if pair.kind == RunKind.REGISTER:
        left, right = dict(pair.record), dict(pair.person)
        left_pin, right_pin = pair.child.pin_masked, pair.person_pin_masked
    else:
        left, right = dict(pair.record.get("left", {})), dict(pair.record.get("right", {}))
        left_pin, right_pin = pair.child.pin_masked, pair.other_child.pin_masked
    codes = {v.get(k) for v in (left, right) for k in ("commune_code", "old_commune_code") if v.get(k)}
    places = dict(Area.objects.filter(level="commune", code__in=codes).values_list("code", "name"))
    rows = []
    for name, label, columns in FIELDS:
        if name == "pin":
            a, b = left_pin, right_pin
        else:
            a, b = _show(name, left, columns, places), _show(name, right, columns, places)
        weight = pair.contributions.get(name)
        rows.append(Row(name=name, label=str(label), left=a or "—", right=b or "—", weight=weight))
    largest = max((abs(r.weight) for r in rows if r.weight is not None), default=0) or 1
    for r in rows:
        if r.weight is not None:
            r.width = max(2, round(100 * abs(r.weight) / largest))
            r.positive = r.weight >= 0
    return rows


@dataclass
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str
    note: str


def pair_history(pair: Candidate) -> list[HistoryEntry]:
    entries = [
        HistoryEntry(
            at=pair.created_at,
            who=_("the model"),
            what=_("proposed (run of %(date)s)") % {"date": f"{pair.run.started_at:%d/%m/%Y %H:%M}"},
            note="",
        )
    ]
    for link in pair.links.all():
        if link.how == "automatic":
            entries.append(HistoryEntry(link.linked_at, _("the model"), _("linked automatically"), ""))
    for label in pair.labels.select_related("decided_by"):
        entries.append(
            HistoryEntry(label.decided_at, str(label.decided_by), label.get_decision_display(), label.note)
        )
    return sorted(entries, key=lambda e: e.at)


# --- a child's link to the register ------------------------------------------------------------


@dataclass
class RegisterStatus:
    """Where a child stands with the population register, for the child's page and API.

    ``state``: linked, review, waiting_register, rejected, no_candidate, never.
    """

    state: str
    message: str
    link: RegisterLink | None = None
    pending: list[Candidate] = field(default_factory=list)
    rejected: int = 0
    run: LinkRun | None = None
    history: list[RegisterLink] = field(default_factory=list)


def register_status(child: Child) -> RegisterStatus:
    """The caller has checked that the user may see the child."""
    from haven.population.selectors import pin_status

    history = list(RegisterLink.objects.filter(child=child).select_related("linked_by", "undone_by"))
    link = next((h for h in history if h.undone_at is None), None)
    pairs = Candidate.objects.filter(kind=RunKind.REGISTER, child=child)
    pending = list(pairs.filter(status__in=PENDING))
    rejected = pairs.filter(status=PairStatus.REJECTED).count()
    if link is not None:
        how = link.get_how_display()
        if link.linked_by:
            message = _("Linked to the population register %(how)s by %(who)s on %(when)s.") % {
                "how": how,
                "who": link.linked_by,
                "when": f"{link.linked_at:%d/%m/%Y}",
            }
        else:
            message = _("Linked to the population register %(how)s on %(when)s.") % {
                "how": how,
                "when": f"{link.linked_at:%d/%m/%Y}",
            }
        return RegisterStatus("linked", message, link=link, rejected=rejected, history=history)
    if pending:
        message = _("A possible match in the population register is waiting for review.")
        return RegisterStatus("review", message, pending=pending, rejected=rejected, history=history)
    waiting = pin_status(child)
    if waiting is not None and waiting.status == "waiting":
        message = _("Waiting for the population register to answer the request for a PIN.")
        return RegisterStatus("waiting_register", message, rejected=rejected, history=history)
    runs = LinkRun.objects.filter(kind=RunKind.REGISTER, started_at__gte=child.created_at)
    province = child.current_commune.parent.code if child.current_commune.parent_id else ""
    last = runs.filter(Q(province_code="") | Q(province_code=province)).order_by("-started_at").first()
    if last is None:
        message = _("Never linked: no linkage run has included this record yet.")
        return RegisterStatus("never", message, rejected=rejected, history=history)
    if rejected:
        message = _("No link: a reviewer found the register's candidates were not this child.")
        return RegisterStatus("rejected", message, rejected=rejected, run=last, history=history)
    message = _("No candidate was found in the population register in the run of %(date)s.") % {
        "date": f"{last.started_at:%d/%m/%Y}"
    }
    return RegisterStatus("no_candidate", message, run=last, history=history)


def labels_of(pair: Candidate) -> QuerySet[Label]:
    return pair.labels.select_related("decided_by")
