"""Disclosure control holds: small counts are hidden from those who may not see the children behind
them, and no hidden count can be worked out from what a table publishes — by subtraction along a row
or column, or by any combination of its sums, or with the table one level up."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from haven.people.models import CircumstanceGroup, SpecialCircumstance
from haven.reports import disclosure, periods, store
from haven.reports.registry import indicator
from haven.reports.tables import release
from haven.reports.tests.attack import by_algebra, by_subtraction


def _table(rng: random.Random, rows: int, cols: int, partition: bool) -> disclosure.Grid:
    """A table of counts (many small ones) with its row, column and grand totals."""
    grid = disclosure.Grid()
    for r in range(rows):
        for c in range(cols):
            grid.cell((r, c), rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40]))
    for c in range(cols):
        grid.cell(("T", c), sum(grid.values[(r, c)] for r in range(rows)))
        grid.add_sum(("T", c), [(r, c) for r in range(rows)])
    for r in [*range(rows), "T"]:
        # Not a partition (a child in two groups): the row's total is a count of its own.
        total = sum(grid.values[(r, c)] for c in range(cols)) + (0 if partition else rng.choice([0, 1, 3]))
        grid.cell((r, "T"), total)
        if partition:
            grid.add_sum((r, "T"), [(r, c) for c in range(cols)])
    if not partition:
        grid.add_sum(("T", "T"), [(r, "T") for r in range(rows)])
    return grid


@pytest.mark.parametrize("seed", range(60))
def test_no_hidden_cell_of_a_table_can_be_worked_out(seed):
    rng = random.Random(seed)
    grid = _table(rng, rng.randint(2, 9), rng.randint(2, 6), partition=seed % 3 != 0)
    hidden = disclosure.protect(grid, at=5)
    small = {k for k, v in grid.values.items() if 0 < v < 5}
    assert small <= hidden
    shown = {k: v for k, v in grid.values.items() if k not in hidden}
    assert by_subtraction(shown, hidden, grid.sums) == {}
    assert by_algebra(hidden, grid.sums) == set()


def test_a_total_of_9_beside_5_and_a_hidden_cell_hides_a_second_cell():
    """The leak of the old rule: 9 published beside 5 and "<5" gave the hidden 4 away."""
    grid = disclosure.Grid()
    for key, value in {"a": 5, "b": 4, "c": 0}.items():
        grid.cell(key, value)
    grid.cell("total", 9)
    grid.add_sum("total", ["a", "b", "c"])
    hidden = disclosure.protect(grid, at=5)
    assert "b" in hidden
    assert len(hidden & {"a", "total"}) == 1
    assert by_subtraction({k: v for k, v in grid.values.items() if k not in hidden}, hidden, grid.sums) == {}


def test_the_threshold_is_a_setting(settings):
    grid = disclosure.Grid()
    grid.cell("a", 7)
    settings.HAVEN_DISCLOSURE_THRESHOLD = 11
    assert disclosure.protect(grid) == {"a"}
    settings.HAVEN_DISCLOSURE_THRESHOLD = 5
    assert disclosure.protect(grid) == set()


# --- On the figures Haven publishes -----------------------------------------------------------------


@pytest.fixture
def children_in_hanoi(world, frozen):
    """Children in special circumstances in eight communes of Hà Nội and in another province: some
    communes with many, some with one or two."""
    rng = random.Random(11)
    communes = list(world.hanoi.communes().order_by("code")[:8])
    sizes = [14, 3, 9, 1, 7, 2, 12, 6]
    groups = [CircumstanceGroup.HCDB_A, CircumstanceGroup.HCDB_B, CircumstanceGroup.HCDB_D]
    for commune, size in zip(communes, sizes, strict=True):
        for _i in range(size):
            child = world.child(commune=commune, sex=rng.choice(["male", "female"]))
            for group in rng.sample(groups, rng.choice([1, 1, 2])):
                SpecialCircumstance.objects.create(
                    child=child, group=group, started_on=dt.date(2024, 1, 1), evidence="Biên bản xác minh"
                )
    other = world.other_province.communes().order_by("code").first()
    for _i in range(4):
        child = world.child(commune=other)
        SpecialCircumstance.objects.create(
            child=child, group=groups[0], started_on=dt.date(2024, 1, 1), evidence="Biên bản xác minh"
        )
    return communes


def _published(rel, scope_key):
    """What a release shows, as cells keyed by area (the scope's total keyed as the area itself, so a
    province's total and the nation's row for it are one cell), and the sums between them."""
    shown, hidden, sums = {}, set(), []

    def key(row, table, category, is_total):
        if is_total:
            area = scope_key
        elif rel.scope is not None and row.area.pk == rel.scope.pk:
            area = ("bodies", row.area.pk)
        else:
            area = row.area.pk
        return (area, table.dimension, category)

    for table in rel.tables.values():
        categories = [c for c, _l in table.categories]
        rows = [(row, False) for row in table.rows] + [(table.total, True)]
        for row, is_total in rows:
            for category in categories:
                cell = key(row, table, category, is_total)
                value = row.cells[category]
                if value.hidden:
                    hidden.add(cell)
                else:
                    shown[cell] = value.numerator
        for category in categories:
            members = [key(r, table, category, False) for r in table.rows]
            sums.append((key(table.total, table, category, True), members))
        if table.dimension and rel.indicator.partitions(table.dimension):
            for row, is_total in rows:
                whole = key(row, rel.tables[""], "", is_total)
                sums.append((whole, [key(row, table, c, is_total) for c in categories]))
    return shown, hidden, sums


def test_the_central_office_cannot_recover_a_hidden_count_even_with_the_national_table(
    world, children_in_hanoi
):
    ind = indicator("HV.SC")
    period = periods.current(periods.Kind.MONTH)
    store.refresh(ind, period)
    province = release(ind, period, world.hanoi, user=world.analyst, previous=False)
    nation = release(ind, period, None, user=world.analyst, previous=False)
    p_shown, p_hidden, p_sums = _published(province, world.hanoi.pk)
    n_shown, n_hidden, n_sums = _published(nation, "VN")
    assert p_hidden, "the communes with 1, 2 and 3 children are hidden"
    shown = p_shown | n_shown
    hidden = (p_hidden | n_hidden) - set(shown)
    sums = p_sums + n_sums
    assert by_subtraction(shown, hidden, sums) == {}
    assert by_algebra(hidden, sums) == set()
    # The commune with one child: hidden in every table.
    lone = children_in_hanoi[3]
    row = next(r for r in province.main.rows if r.area.pk == lone.pk)
    assert row.total.hidden and row.total.numerator == 1


def test_who_may_see_the_children_gets_exact_counts(world, children_in_hanoi):
    ind = indicator("HV.SC")
    period = periods.current(periods.Kind.MONTH)
    lone = children_in_hanoi[3]
    for user in (world.provincial, world.ministry):
        rel = release(ind, period, world.hanoi, user=user, previous=False)
        row = next(r for r in rel.main.rows if r.area.pk == lone.pk)
        assert rel.exact and row.total.numerator == 1 and not row.total.hidden
    rel = release(ind, period, world.hanoi, user=world.analyst, previous=False)
    assert not rel.exact
    # The provincial officer of another province sees Hà Nội's counts as the central office does.
    assert not release(ind, period, world.hanoi, user=world.provincial_other, previous=False).exact


def test_the_ministry_sees_exact_children_but_hidden_counts_of_people_at_risk(world):
    """People at risk are the prevention register's (its own verb): the ministry does not see them."""
    period = periods.current(periods.Kind.MONTH)
    assert release(indicator("HV.SC"), period, None, user=world.ministry, previous=False).exact
    assert not release(indicator("HV.RISK.FOLLOWED"), period, None, user=world.ministry, previous=False).exact
    assert release(
        indicator("HV.RISK.FOLLOWED"), period, world.hanoi, user=world.provincial, previous=False
    ).exact
