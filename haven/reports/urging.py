"""Urging (đôn đốc): a commune red on an indicator against its target for two periods in a row owes its
province a reminder (Notice 432-TB/VPTW §4.6: the centre and the provinces "monitor, urge, report").

Each pass of the sweep reads, for every indicator with a target, the commune figures of the last two
periods that have ended (from the summary table: a few stored rows per commune, no scan of cases) and
opens a reminder, with its clock, for each commune red in both. A reminder is opened once per commune,
indicator and period. The figures are exact: the reminder goes to the provincial officer, who may see
every child behind them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from haven.areas.models import Area
from haven.core import calendar, clock
from haven.reports import periods, store
from haven.reports.models import ChildPopulation, StoredFact, Urging
from haven.reports.periods import Kind, Period
from haven.reports.registry import Indicator, in_order
from haven.reports.tables import Value
from haven.reports.targets import Status, Target, target_for


def kind_of(ind: Indicator) -> Kind:
    """The period an indicator is urged on: the month where it is published by month, else its
    shortest period."""
    return Kind.MONTH if Kind.MONTH in ind.periods else ind.periods[0]


def commune_values(ind: Indicator, period: Period) -> dict[int, float | None]:
    """Each commune's value of ``ind`` in ``period``, from the summary table."""
    store.ensure(ind, period)
    rows = (
        StoredFact.objects.filter(indicator=ind.code, period=period.key, dimension="", area__level="commune")
        .values("area_id")
        .annotate(n=Sum("numerator"), d=Sum("denominator"))
    )
    populations = {}
    if ind.unit.value == "per_100k":
        populations = dict(
            ChildPopulation.objects.in_force(period.last_day)
            .filter(area__level="commune")
            .values_list("area_id", "children")
        )
    return {
        r["area_id"]: Value(r["n"], r["d"], False, ind.unit, populations.get(r["area_id"])).figure
        for r in rows
    }


def red_in(target: Target, values: dict[int, float | None]) -> set[int]:
    return {pk for pk, v in values.items() if target.status(v) is Status.RED}


def urge_due(now: dt.datetime | None = None) -> int:
    """The sweep's job: open the reminders owed. Returns how many were opened."""
    from haven.reports.services import urging_open

    now = now or clock.now()
    today = calendar.local_day(now)
    opened = 0
    for ind in in_order():
        kind = kind_of(ind)
        last = periods.containing(today, kind).previous()
        before = last.previous()
        target = target_for(ind.code, last.last_day)
        earlier = target_for(ind.code, before.last_day)
        if target is None or earlier is None:
            continue
        now_values, then_values = commune_values(ind, last), commune_values(ind, before)
        twice = red_in(target, now_values) & red_in(earlier, then_values)
        if not twice:
            continue
        done = set(
            Urging.objects.filter(indicator=ind.code, period=last.key, commune__in=twice).values_list(
                "commune_id", flat=True
            )
        )
        for commune in Area.objects.filter(pk__in=twice - done).select_related("parent"):
            found = {
                "values": [then_values[commune.pk], now_values[commune.pk]],
                "target": float(target.value),
                "better": target.better.value,
            }
            urging_open(commune=commune, indicator=ind.code, period=last, found=found, now=now)
            opened += 1
    return opened
