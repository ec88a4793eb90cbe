"""A second report of the same child is flagged for a person to confirm or reject (issue #3 §5).

Candidates: an open case found within 2 days, same sex (or either unknown), similar estimated age,
in the same province — Haven holds no commune adjacency map, so the province stands in for "same or
neighbouring commune" (a superset: more pairs to check, none missed).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from haven.core import clock
from haven.foundlings.models import CLOSED_STATES, FoundlingCase, PossibleDuplicate
from haven.notifications.models import Notification

WINDOW = dt.timedelta(days=2)
MAX_PAIRS = 10


def _similar_age(a: int | None, b: int | None) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= max(30, 0.25 * max(a, b))


def flag(case) -> list:
    from haven.accounts.selectors import authority_for

    sexes = {case.child.sex, "unknown"} if case.child.sex != "unknown" else {"male", "female", "unknown"}
    candidates = (
        FoundlingCase.objects.filter(
            found_commune__parent=case.found_commune.parent,
            found_at__gte=case.found_at - WINDOW,
            found_at__lte=case.found_at + WINDOW,
            child__sex__in=sexes,
        )
        .exclude(pk=case.pk)
        .exclude(state__in=CLOSED_STATES)
        .filter(Q(closed_at__isnull=True))
        .select_related("child")
    )
    # The closest in time first, and at most MAX_PAIRS: a flood of reports must not flood the checkers.
    similar = [o for o in candidates[:200] if _similar_age(case.estimated_age_days, o.estimated_age_days)]
    similar.sort(key=lambda o: abs((o.found_at - case.found_at).total_seconds()))
    pairs = [PossibleDuplicate.objects.create(case=case, other=other) for other in similar[:MAX_PAIRS]]
    if pairs:
        Notification.objects.create(
            organisation=authority_for(case.found_commune),
            kind="foundling.duplicate",
            title=_("This report may be a second report of a child already reported: please check"),
            child=case.child,
            link=f"/foundlings/{case.pk}/",
            created_at=clock.now(),
        )
    return pairs
