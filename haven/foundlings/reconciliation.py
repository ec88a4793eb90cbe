"""No child missed (Notice 432-TB/VPTW §2 and §4.5): every found child not yet safe is named, with
why, who answers for the child and how late, and counted from commune to province to nation.

A child is "not yet safe" while any of REASONS holds. The same expressions count the children, pick
them for the list and say why each is on it, so a count and the list below it can never disagree.
The list is paged, never cut: every child is on some page, and only the children on the page shown
are audited as seen."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from haven.access.policy import Verb
from haven.access.scoping import aggregate_reach, can
from haven.accounts.models import User
from haven.audit.services import record
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.foundlings.models import FoundlingCase, State
from haven.foundlings.selectors import Late, overdue_by_case
from haven.reports import disclosure
from haven.reports.disclosure import Count

PAGE_SIZE = 50
NOT_YET_IN_CARE = (State.REPORTED, State.ACKNOWLEDGED, State.HANDOVER_PENDING)
# From the birth registration on, the child must have a personal identification number (Law on
# Identification 2023 art. 12) and a health-insurance card (Law on Health Insurance art. 12).
REGISTERED = (State.BIRTH_REGISTERED, State.BENEFITS_ENROLLED, State.CARE_PLANNING, State.PLACED)
OPEN_CASES = ~Q(state__in=(State.REUNIFIED, State.DUPLICATE))


def _overdue_steps(now) -> QuerySet[Obligation]:
    return Obligation.objects.filter(
        subject_type="foundlings.foundlingcase", status=Status.OPEN, due_at__lt=now
    )


# Why a found child is not yet safe, in the order the list gives the reasons.
REASONS = {
    "not_in_care": _("not yet in temporary care"),
    "notice_expired_unregistered": _("notice expired, birth not registered"),
    "no_pin": _("no personal identification number"),
    "no_card": _("no health-insurance card"),
    "overdue_step": _("a step is overdue"),
}


def reasons(now) -> dict[str, Q]:
    """Who each reason holds for, at ``now``."""
    return {
        "not_in_care": Q(state__in=NOT_YET_IN_CARE),
        "notice_expired_unregistered": Q(state=State.NOTICE_EXPIRED),
        "no_pin": Q(state__in=REGISTERED, child__pin_index__isnull=True),
        "no_card": Q(state__in=REGISTERED, health_insurance_number=""),
        "overdue_step": Q(pk__in=_overdue_steps(now).values("subject_id")),
    }


@dataclass
class Row:
    case: FoundlingCase
    reasons: list[str]
    overdue: list[Late]

    @property
    def labels(self) -> list[str]:
        return [str(REASONS[code]) for code in self.reasons]


@dataclass
class Reconciliation:
    scope: str
    counts: dict[str, Count]
    # Children not yet safe, each once, whatever the number of reasons.
    children: Count
    # ((code, name), counts); provinces can be drilled into.
    by_area: list[tuple[tuple[str, str], dict[str, Count]]] = field(default_factory=list)
    drill: bool = False
    identities: bool = False
    page: Page | None = None
    rows: list[Row] = field(default_factory=list)


def _scope(user: User) -> tuple[QuerySet[FoundlingCase], str, bool]:
    if can(user, Verb.CHILD_VIEW):
        return FoundlingCase.objects.visible_to(user), "visible", True
    area, children = aggregate_reach(user)
    if area is False:
        return FoundlingCase.objects.none(), "", False
    cases = FoundlingCase.objects.filter(child__in=children)
    return cases, "national" if area is None else area.name, False


def not_yet_safe(cases: QuerySet[FoundlingCase], now) -> QuerySet[FoundlingCase]:
    """The cases of ``cases`` whose child is not yet safe, each with a boolean per reason and its
    earliest overdue step; the most overdue first, then the longest waiting."""
    rules = reasons(now)
    anyone = Q(pk__in=[])
    for q in rules.values():
        anyone |= q
    first_due = _overdue_steps(now).filter(subject_id=OuterRef("pk")).order_by("due_at").values("due_at")
    return (
        cases.filter(OPEN_CASES)
        .filter(anyone)
        .annotate(
            first_due=Subquery(first_due[:1]),
            **{f"is_{code}": ExpressionWrapper(q, output_field=BooleanField()) for code, q in rules.items()},
        )
        .select_related("child", "responsible", "found_commune")
        .order_by("first_due", "found_at", "pk")
    )


def reconciliation(*, user: User, province: str = "", page: int | str = 1) -> Reconciliation:
    """Users who may see children get the children, a page at a time; aggregate-only users get the
    counts. Rows are the provinces of a national view, the communes of a province; ``province`` (a
    code) drills down."""
    now = clock.now()
    cases, scope_name, identities = _scope(user)
    cases = cases.filter(OPEN_CASES)
    if province:
        cases = cases.filter(found_commune__parent__code=province)
    rules = reasons(now)
    unsafe = not_yet_safe(cases, now)
    counts = {code: cases.filter(q).count() for code, q in rules.items()}
    children = unsafe.count()
    # Rolled up: by province when the cases span provinces, by commune within one.
    provinces = set(cases.values_list("found_commune__parent", flat=True).distinct()[:2])
    level = "found_commune__parent" if not province and len(provinces) > 1 else "found_commune"
    rollup: dict[tuple[str, str], Counter] = {}
    for code, q in rules.items():
        for row in cases.filter(q).values_list(f"{level}__code", f"{level}__name"):
            rollup.setdefault(row, Counter())[code] += 1
    # Counts for those who may not see the children, under the one disclosure policy: the areas add up
    # to each reason's count (a child may be late for several reasons, so reasons add up to nothing).
    grid = disclosure.Grid()
    grid.cell("children", children)
    for code in rules:
        grid.cell(code, counts[code])
        grid.add_sum(code, [(area, code) for area in rollup])
        for area, c in rollup.items():
            grid.cell((area, code), c.get(code, 0))
    cells = disclosure.shown(grid, exact=identities)
    report = Reconciliation(
        scope=scope_name,
        counts={code: cells[code] for code in rules},
        children=cells["children"],
        by_area=sorted(
            ((area, {code: cells[(area, code)] for code in rules}) for area in rollup),
            key=lambda item: item[0][1],
        ),
        identities=identities,
        drill=level == "found_commune__parent",
    )
    if not identities:
        record(actor=user, action="report.reconciliation_view", data={"scope": scope_name})
        return report
    report.page = Paginator(unsafe, PAGE_SIZE).get_page(page)
    shown = list(report.page.object_list)
    late = overdue_by_case(shown)
    report.rows = [
        Row(case, [code for code in rules if getattr(case, f"is_{code}")], late[case.pk]) for case in shown
    ]
    if shown:
        record(
            actor=user,
            action="child.list",
            data={"shown": [str(case.child_id) for case in shown], "view": "reconciliation"},
        )
    return report
