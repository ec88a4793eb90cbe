"""Disclosure control: the one policy for every table, chart, export and API answer of counts.

Who gets exact counts is decided by access (``access.scoping.sees_all_in``): those who may see the
people behind a count — every one of them, in the whole area shown — get it exact; anyone else (the
central monitoring office, a ministry officer for the prevention register) gets the counts of the same
table with small cells hidden, so that no child can be recognised.

Hiding holds against subtraction:

- **primary suppression**: a count from 1 to ``threshold - 1`` is hidden (the threshold is a setting,
  ``HAVEN_DISCLOSURE_THRESHOLD``, 5 by default; 11 is the other common choice);
- **secondary suppression**: a table is a set of cells and the sums that hold between them (the areas
  add up to the total; the sexes, the age bands, the outcomes add up to an area's total; for a share,
  the children counted and those not counted add up to the denominator). No sum may have exactly one
  hidden cell, the hidden cells of a sum must together hold at least ``threshold`` (else the next
  smallest is hidden as well), and finally no hidden cell may be determined by any combination of the
  published sums — checked by elimination, not assumed. A province's table is protected together
  with the nation's, whose cells stay as the nation's table shows them: moving down a level, or
  reading both, recovers nothing.

The attack the tests make (reports/tests/test_disclosure.py) solves every published sum for every
hidden cell and must fail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from django.conf import settings

Key = Hashable
# Elimination is exact modulo this prime (2^61 - 1): the sums have coefficients 0 and 1, and a false
# answer would need the prime to divide a minor of the table, which it cannot at these sizes.
PRIME = (1 << 61) - 1


def threshold() -> int:
    return int(getattr(settings, "HAVEN_DISCLOSURE_THRESHOLD", 5))


@dataclass
class Grid:
    """Cells (a key and a count) and the sums between them: ``total = sum(members)``."""

    values: dict[Key, int] = field(default_factory=dict)
    sums: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)
    # Hidden whatever their value: hidden in the table above, which a reader also has.
    forced: set[Key] = field(default_factory=set)
    # Already published (the table above): shown or hidden as they are, never hidden afresh.
    frozen: set[Key] = field(default_factory=set)

    def cell(self, key: Key, value: int) -> None:
        self.values[key] = value

    def add_sum(self, total: Key, members: Iterable[Key]) -> None:
        members = tuple(members)
        if members:
            self.sums.append((total, members))


def protect(grid: Grid, at: int | None = None) -> set[Key]:
    """The cells to hide so that no small count can be read or worked out from the others."""
    limit = threshold() if at is None else at
    hidden = {k for k, v in grid.values.items() if 0 < v < limit and k not in grid.frozen}
    hidden |= grid.forced & set(grid.values)
    if not hidden:
        return hidden
    lines = [(total, *members) for total, members in grid.sums]
    while True:
        _complete_lines(grid, lines, hidden, limit)
        exposed = _determined(grid, lines, hidden)
        if not exposed:
            return hidden
        # Hide one more cell next to the first exposed one, then look again.
        if not _widen(grid, lines, hidden, exposed[0]):
            return hidden


def _candidates(grid: Grid, line: tuple[Key, ...], hidden: set[Key], zeros: bool = False) -> list[Key]:
    found = [k for k in line if k not in hidden and k not in grid.frozen and (zeros or grid.values[k] > 0)]
    # The smallest first, and an area's own cells before its total.
    return sorted(found, key=lambda k: (grid.values[k], k == line[0], str(k)))


def _complete_lines(grid: Grid, lines, hidden: set[Key], limit: int) -> None:
    """Until nothing changes: no sum with exactly one hidden cell, and the hidden cells of a sum hold
    at least ``limit`` between them (so a 1 is not hidden behind a single 0)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [k for k in line if k in hidden]
            if not inside:
                continue
            if len(inside) == 1 or sum(grid.values[k] for k in inside) < limit:
                more = _candidates(grid, line, hidden)
                if len(inside) == 1 and not more:
                    more = _candidates(grid, line, hidden, zeros=True)
                if more:
                    hidden.add(more[0])
                    changed = True


def _widen(grid: Grid, lines, hidden: set[Key], exposed: Key) -> bool:
    """Hide the smallest cell of a sum through the exposed cell; when those sums have nothing left to
    hide, of the sums one hidden cell further away, and so on (the cell is worked out through them)."""
    reached, frontier, used = {exposed}, {exposed}, set()
    while frontier:
        near = [i for i, line in enumerate(lines) if i not in used and frontier & set(line)]
        used.update(near)
        for zeros in (False, True):
            options = [k for i in near for k in _candidates(grid, lines[i], hidden, zeros)]
            if options:
                hidden.add(min(options, key=lambda k: (grid.values[k], str(k))))
                return True
        frontier = {k for i in near for k in lines[i] if k in hidden} - reached
        reached |= frontier
    return False


def _determined(grid: Grid, lines, hidden: set[Key]) -> list[Key]:
    """The hidden cells that the published sums determine (Gaussian elimination over the hidden cells:
    a cell is determined exactly when the reduced equations hold a row with that cell alone)."""
    unknowns = sorted(hidden, key=str)
    index = {k: i for i, k in enumerate(unknowns)}
    rows: list[dict[int, int]] = []
    for total, *members in lines:
        row: dict[int, int] = defaultdict(int)
        if total in index:
            row[index[total]] -= 1
        for k in members:
            if k in index:
                row[index[k]] += 1
        row = {c: v % PRIME for c, v in row.items() if v % PRIME}
        if row:
            rows.append(row)
    pivots: dict[int, dict[int, int]] = {}
    for row in rows:
        row = dict(row)
        # Reduce by the pivots found so far.
        for col in sorted(set(row) & set(pivots)):
            if col in row:
                factor = row[col]
                for c, v in pivots[col].items():
                    row[c] = (row.get(c, 0) - factor * v) % PRIME
                row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        inverse = pow(row[col], PRIME - 2, PRIME)
        row = {c: v * inverse % PRIME for c, v in row.items()}
        # Keep the basis reduced: clear the new pivot from the others.
        for other in pivots.values():
            if col in other:
                factor = other[col]
                for c, v in row.items():
                    other[c] = (other.get(c, 0) - factor * v) % PRIME
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[col] = row
    return [unknowns[col] for col, row in sorted(pivots.items()) if len(row) == 1]


@dataclass(frozen=True)
class Count:
    """A count as a page shows it: exact, or hidden by the policy (``suppressed``)."""

    value: int
    hidden: bool = False

    @property
    def suppressed(self) -> bool:
        return self.hidden

    def __str__(self) -> str:
        from django.contrib.humanize.templatetags.humanize import intcomma
        from django.utils.translation import gettext

        return gettext("hidden") if self.hidden else str(intcomma(self.value))


def shown(grid: Grid, exact: bool) -> dict[Key, Count]:
    """Every cell of ``grid`` as a ``Count``: exact for those who may see the people behind it,
    protected for anyone else."""
    hidden = set() if exact else protect(grid)
    return {k: Count(v, k in hidden) for k, v in grid.values.items()}
