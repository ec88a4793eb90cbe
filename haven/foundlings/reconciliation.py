"""No child missed (issue #3 §5): every found child not yet safe, with who answers for them and how
late, counted from commune to province to nation."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from haven.access.policy import Verb
from haven.access.scoping import aggregate_reach, can
from haven.accounts.models import User
from haven.audit.services import record
from haven.core import clock
from haven.deadlines.models import Obligation, Status
from haven.foundlings.models import FoundlingCase, State
from haven.reports.selectors import Cell

NOT_YET_IN_CARE = (State.REPORTED, State.ACKNOWLEDGED, State.HANDOVER_PENDING)
GAPS = {
    "not_in_care": Q(state__in=NOT_YET_IN_CARE),
    "notice_expired_unregistered": Q(state=State.NOTICE_EXPIRED),
    "registered_without_pin_or_card": Q(state=State.BIRTH_REGISTERED)
    & (Q(child__pin_index__isnull=True) | Q(health_insurance_number="")),
}


@dataclass
class Item:
    case: FoundlingCase
    gap: str
    late_by: dt.timedelta | None
    step: str


@dataclass
class Reconciliation:
    scope: str
    counts: dict[str, Cell]
    # ((code, name), counts); provinces can be drilled into.
    by_area: list[tuple[tuple[str, str], dict[str, Cell]]] = field(default_factory=list)
    drill: bool = False
    items: list[Item] = field(default_factory=list)
    overdue: list[Obligation] = field(default_factory=list)
    identities: bool = False


def reconciliation(*, user: User, province: str = "", limit: int = 200) -> Reconciliation:
    """Users who may see children get the list; aggregate-only users get the counts. Rows are the
    provinces of a national view, the communes of a province; ``province`` (a code) drills down."""
    now = clock.now()
    identities = can(user, Verb.CHILD_VIEW)
    if identities:
        cases = FoundlingCase.objects.visible_to(user)
        scope_name = "visible"
    else:
        area, children = aggregate_reach(user)
        cases = FoundlingCase.objects.filter(child__in=children)
        scope_name = "national" if area is None else area.name
    cases = cases.exclude(state__in=(State.REUNIFIED, State.DUPLICATE))
    if province:
        cases = cases.filter(found_commune__parent__code=province)
    counts = {gap: cases.filter(q).count() for gap, q in GAPS.items()}
    overdue = (
        Obligation.objects.filter(
            status=Status.OPEN,
            due_at__lt=now,
            subject_type="foundlings.foundlingcase",
            subject_id__in=cases.values("pk"),
        )
        .select_related("responsible", "child")
        .order_by("due_at")
    )
    counts["overdue_steps"] = overdue.count()
    # Rolled up: by province when the cases span provinces, by commune within one.
    provinces = set(cases.values_list("found_commune__parent", flat=True)[:1000])
    level = "found_commune__parent" if not province and len(provinces) > 1 else "found_commune"
    rollup: dict[tuple[str, str], Counter] = {}
    for gap, q in GAPS.items():
        for row in cases.filter(q).values_list(f"{level}__code", f"{level}__name"):
            rollup.setdefault(row, Counter())[gap] += 1
    prefix = "child__foundling_case__"
    for row in overdue.values_list(f"{prefix}{level}__code", f"{prefix}{level}__name"):
        rollup.setdefault(row, Counter())["overdue_steps"] += 1
    # Counts only for those who may not see children: 1 to 4 could identify a child (reports/).
    keys = (*GAPS, "overdue_steps")
    cells = {k: Cell(counts[k], exact=identities) for k in keys}
    areas = {row: {k: Cell(c.get(k, 0), exact=identities) for k in keys} for row, c in rollup.items()}
    report = Reconciliation(
        scope=scope_name,
        counts=cells,
        by_area=sorted(areas.items(), key=lambda item: item[0][1]),
        identities=identities,
        drill=level == "found_commune__parent",
    )
    if identities:
        open_due = {o.subject_id: o for o in overdue}
        for gap, q in GAPS.items():
            for case in cases.filter(q).select_related("child", "responsible", "found_commune")[:limit]:
                late = open_due.get(case.pk)
                report.items.append(
                    Item(case, gap, now - late.due_at if late else None, late.title if late else "")
                )
        report.overdue = list(overdue[:limit])
        shown = sorted(
            {str(i.case.child_id) for i in report.items} | {str(o.child_id) for o in report.overdue}
        )
        if shown:
            record(actor=user, action="child.list", data={"shown": shown, "view": "reconciliation"})
    else:
        record(actor=user, action="report.reconciliation_view", data={"scope": scope_name})
    return report
