"""The indicators over the API: their definitions, and their values for an area and a period, through
the same selectors and the same disclosure policy as the dashboards. Counts only; reading values is
audited like the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, require
from haven.api.errors import Error
from haven.audit.services import record
from haven.core.errors import invalid
from haven.reports import periods, selectors
from haven.reports.periods import BadPeriod
from haven.reports.registry import DIMENSION_TITLES, Indicator, in_order, indicator
from haven.reports.tables import Value
from haven.reports.targets import target_for

router = Router(tags=["indicators"])


class TargetOut(Schema):
    value: float
    comparator: str = Field(..., description="≥ (higher is better) or ≤ (lower is better)")
    basis: str
    valid_from: dt.date
    valid_to: dt.date | None
    verified: bool = Field(..., description="false when the value could not be checked against its text")
    caveat: str


class IndicatorOut(Schema):
    code: str
    name: str
    numerator: str
    denominator: str | None
    unit: str = Field(..., description="count, percent or per_100k")
    disaggregations: list[str] = Field(..., description="sex, age, group or category (the indicator's own)")
    periods: list[str] = Field(..., description="month, quarter, half or year")
    legal_basis: str
    circular: str = Field(..., description="the Circular 13/2021/TT-BLĐTBXH indicator it is, if any")
    valid_from: dt.date
    domain: str
    stock: bool = Field(..., description="counted on the period's last day rather than over it")
    target: TargetOut | None = Field(..., description="the target in force today")


class CellOut(Schema):
    category: str = Field(..., description="empty for the row's total")
    numerator: int | None = Field(..., description="null when hidden by the disclosure policy")
    denominator: int | None
    value: float | None = Field(..., description="the count, percentage or rate; null when hidden or unknown")
    hidden: bool


class RowOut(Schema):
    area_code: str | None = Field(..., description="null for the nation")
    area_name: str
    status: str | None = Field(..., description="green, amber or red against the target; null without one")
    cells: list[CellOut]


class TableOut(Schema):
    dimension: str = Field(..., description="empty for the table by area; else the breakdown")
    title: str
    categories: dict[str, str]
    rows: list[RowOut]
    total: RowOut


class ValuesOut(Schema):
    indicator: str
    period: str
    period_name: str
    area_code: str | None
    exact: bool = Field(..., description="false when small counts are hidden for this reader")
    computed_at: dt.datetime | None
    value: float | None
    previous_period: str
    previous_value: float | None
    status: str | None
    tables: list[TableOut]


def _target(ind: Indicator) -> dict | None:
    from haven.core import clock

    found = target_for(ind.code, clock.today())
    if found is None:
        return None
    return {
        "value": float(found.value),
        "comparator": found.comparator,
        "basis": str(found.basis),
        "valid_from": found.valid_from,
        "valid_to": found.valid_to,
        "verified": found.verified,
        "caveat": str(found.caveat),
    }


def _definition(ind: Indicator) -> dict:
    return {
        "code": ind.code,
        "name": str(ind.name),
        "numerator": str(ind.numerator),
        "denominator": str(ind.denominator) if ind.denominator is not None else None,
        "unit": ind.unit.value,
        "disaggregations": [str(d) for d in ind.disaggregations],
        "periods": [str(k) for k in ind.periods],
        "legal_basis": str(ind.legal_basis),
        "circular": str(ind.circular),
        "valid_from": ind.valid_from,
        "domain": ind.app,
        "stock": ind.stock,
        "target": _target(ind),
    }


@router.get("", response={200: list[IndicatorOut], 404: Error})
def indicators(request):
    """Every indicator of the registry with its passport and its target in force."""
    require(request.user, Verb.AGGREGATE_VIEW)
    return [_definition(ind) for ind in in_order()]


@router.get("/{code}", response={200: IndicatorOut, 404: Error})
def indicator_detail(request, code: str):
    require(request.user, Verb.AGGREGATE_VIEW)
    ind = indicator(code)
    if ind is None:
        raise NotVisible
    return _definition(ind)


def _cell(category: str, value: Value) -> dict:
    return {
        "category": category,
        "numerator": None if value.hidden else value.numerator,
        "denominator": None if value.hidden else value.denominator,
        "value": value.figure,
        "hidden": value.hidden,
    }


def _row(row, categories) -> dict:
    return {
        "area_code": row.area.code if row.area is not None else None,
        "area_name": row.label,
        "status": row.status.value if row.status else None,
        "cells": [_cell(c, row.cells[c]) for c in ["", *[c for c, _l in categories if c]]],
    }


@router.get("/{code}/values", response={200: ValuesOut, 404: Error, 422: Error})
def values(
    request,
    code: str,
    period: str = Query("", description="2025, 2025-H1, 2025-Q3 or 2025-07; the current one when empty"),
    area_code: str = Query(
        "", pattern=r"^(\d{2}|\d{5})?$", description="a province or commune; the reader's own when empty"
    ),
):
    """The indicator's tables for an area and a period: by the areas one level down, then by each
    breakdown, with the total and the previous period; small counts hidden for readers who may not see
    the people behind them."""
    require(request.user, Verb.AGGREGATE_VIEW)
    ind = indicator(code)
    if ind is None:
        raise NotVisible
    scope = selectors.scope_for(request.user, area_code or None)
    try:
        chosen = periods.parse(period) if period else periods.current(ind.periods[0])
    except BadPeriod as bad:
        raise invalid("period", str(bad), "bad_period") from None
    chosen = selectors.period_for(ind, chosen)
    rel = selectors.release(ind, chosen, scope, user=request.user)
    record(
        actor=request.user,
        action="report.values_view",
        data={"indicator": ind.code, "area": scope.code if scope else "national", "period": chosen.key},
    )
    return {
        "indicator": ind.code,
        "period": chosen.key,
        "period_name": str(chosen),
        "area_code": scope.code if scope else None,
        "exact": rel.exact,
        "computed_at": rel.computed_at,
        "value": rel.total.figure,
        "previous_period": rel.previous.period.key if rel.previous else "",
        "previous_value": rel.previous.total.figure if rel.previous else None,
        "status": rel.status.value if rel.status else None,
        "tables": [
            {
                "dimension": str(dimension),
                "title": table.title or str(DIMENSION_TITLES.get(dimension, "")),
                "categories": {c: label for c, label in table.categories if c},
                "rows": [_row(r, table.categories) for r in table.rows],
                "total": _row(table.total, table.categories),
            }
            for dimension, table in rel.tables.items()
        ],
    }
