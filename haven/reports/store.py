"""The summary table: each indicator's facts per period, counted from case data and kept, so that a
dashboard sums a few thousand stored rows instead of scanning two million children.

The sweep recounts the periods still open (and the one just before each, for late entries) every
``REFRESH_EVERY``; a period nobody has asked for yet is counted the first time it is read. A figure
always says when it was counted.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Sum, When

from haven.areas.models import Area
from haven.core import clock
from haven.reports import periods
from haven.reports.compute import Window
from haven.reports.models import Computation, StoredFact
from haven.reports.periods import Period
from haven.reports.registry import INDICATORS, Indicator

REFRESH_EVERY = dt.timedelta(minutes=15)


@transaction.atomic
def refresh(ind: Indicator, period: Period, now: dt.datetime | None = None) -> Computation:
    """Count ``ind`` for ``period`` again and replace what was kept. Counts only, no identity: no audit
    event (reading them is audited where they are shown)."""
    now = now or clock.now()
    began = time.perf_counter()
    merged: dict[tuple, list[int | None]] = {}
    for fact in ind.counter(Window.of(period, now)):
        key = (fact.area_id, fact.dimension, fact.category)
        known = merged.setdefault(key, [0, None])
        known[0] += fact.numerator
        if fact.denominator is not None:
            known[1] = (known[1] or 0) + fact.denominator
    StoredFact.objects.filter(indicator=ind.code, period=period.key).delete()
    StoredFact.objects.bulk_create(
        [
            StoredFact(
                indicator=ind.code,
                period=period.key,
                area_id=area,
                dimension=dimension,
                category=category,
                numerator=n,
                denominator=d,
            )
            for (area, dimension, category), (n, d) in merged.items()
            if n or d
        ],
        batch_size=2000,
    )
    computation, _created = Computation.objects.update_or_create(
        indicator=ind.code,
        period=period.key,
        defaults={"computed_at": now, "seconds": time.perf_counter() - began, "token": uuid.uuid4()},
    )
    return computation


def ensure(ind: Indicator, period: Period) -> Computation:
    """The computation of ``ind`` for ``period``, counting it now if it never was. Two readers asking
    at once: the second one's count collides with the first's and reads what the first kept."""
    found = Computation.objects.filter(indicator=ind.code, period=period.key).first()
    if found is not None:
        return found
    try:
        return refresh(ind, period)
    except IntegrityError:
        return Computation.objects.get(indicator=ind.code, period=period.key)


def refresh_due(now: dt.datetime | None = None) -> int:
    """The sweep's job: recount each indicator's open periods (and the one before each) counted longer
    ago than ``REFRESH_EVERY``. Returns how many were recounted."""
    now = now or clock.now()
    done = 0
    counted = {
        (c.indicator, c.period): c.computed_at
        for c in Computation.objects.filter(computed_at__gte=now - REFRESH_EVERY)
    }
    for ind in INDICATORS.values():
        for kind in ind.periods:
            open_now = periods.containing(clock.localdate(now), kind)
            for period in (open_now, open_now.previous()):
                if (ind.code, period.key) not in counted:
                    refresh(ind, period, now)
                    done += 1
    return done


TOTAL = "total"


def sums(ind: Indicator, period: Period, scope: Area | None, dimension: str = "") -> dict:
    """The kept facts of ``ind`` for ``period`` summed by the rows of a table of ``scope``: its provinces
    for the nation, its communes (and the province's own bodies, keyed by the province) for a province,
    the commune itself for a commune. ``{row_area_id: {category: (numerator, denominator)}}``."""
    ensure(ind, period)
    facts = StoredFact.objects.filter(indicator=ind.code, period=period.key, dimension=dimension)
    if scope is None:
        row = Case(
            When(area__level="commune", then=F("area__parent_id")),
            default=F("area_id"),
            output_field=IntegerField(),
        )
    elif scope.level == "province":
        facts = facts.filter(Q(area__parent=scope) | Q(area=scope))
        row = F("area_id")
    else:
        facts = facts.filter(area=scope)
        row = F("area_id")
    found: dict[int, dict[str, tuple[int, int | None]]] = defaultdict(dict)
    for r in (
        facts.annotate(row=row).values("row", "category").annotate(n=Sum("numerator"), d=Sum("denominator"))
    ):
        found[r["row"]][r["category"]] = (r["n"], r["d"])
    return found


def computed_at(ind: Indicator, period: Period) -> dt.datetime | None:
    return (
        Computation.objects.filter(indicator=ind.code, period=period.key)
        .values_list("computed_at", flat=True)
        .first()
    )
