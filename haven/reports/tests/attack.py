"""The attacker of the disclosure tests: given what a table publishes (the shown cells and the sums
that hold between its cells), work out every hidden cell it can. Written apart from the policy it
attacks: plain subtraction first, then linear algebra over the whole table (numpy's rank)."""

from __future__ import annotations

import numpy as np


def by_subtraction(shown: dict, hidden: set, sums: list) -> dict:
    """Repeatedly take a sum with one unknown left and subtract: what a reader does with a calculator."""
    known = dict(shown)
    found = {}
    progress = True
    while progress:
        progress = False
        for total, members in sums:
            cells = [total, *members]
            unknown = [c for c in cells if c not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            if cell == total:
                value = sum(known[m] for m in members)
            else:
                value = known[total] - sum(known[m] for m in members if m != cell)
            known[cell] = found[cell] = value
            progress = True
    return {c: v for c, v in found.items() if c in hidden}


def by_algebra(hidden: set, sums: list) -> set:
    """The hidden cells that some combination of the published sums pins down: e_cell lies in the row
    space of the sums restricted to the hidden cells exactly when adding it leaves the rank unchanged."""
    unknowns = sorted(hidden, key=str)
    if not unknowns:
        return set()
    index = {c: i for i, c in enumerate(unknowns)}
    rows = []
    for total, members in sums:
        row = np.zeros(len(unknowns))
        if total in index:
            row[index[total]] -= 1
        for m in members:
            if m in index:
                row[index[m]] += 1
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    determined = set()
    for cell, i in index.items():
        probe = np.zeros(len(unknowns))
        probe[i] = 1
        if np.linalg.matrix_rank(np.vstack([a, probe])) == rank:
            determined.add(cell)
    return determined
