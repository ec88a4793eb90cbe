"""Every rule the apps register has a row in its app's table of due times (due_times.py): a new clock
without one — the event the law counts it from, the period, the due time from an awkward start, the
citation — fails here, and so does a row left behind by a rule that is gone."""

from __future__ import annotations

import importlib
from dataclasses import replace

from django.apps import apps

from haven.deadlines.rules import RULES, Rule
from haven.deadlines.tests.due_times import Row

TABLE = "tests.test_every_rule_s_due_time"


def gaps(rules: dict[str, Rule]) -> dict[str, list[str]]:
    """What the apps' tables lack against ``rules``: an app with rules but no table, a rule with no
    row, a row with no rule, a row in another app's table than its rule's."""
    rows: dict[str, str] = {}
    found = {"no table": [], "no row": [], "no rule": [], "another app's table": []}
    for label in sorted({r.app for r in rules.values()}):
        try:
            table = importlib.import_module(f"{apps.get_app_config(label).name}.{TABLE}")
        except (LookupError, ModuleNotFoundError):
            found["no table"].append(label)
            continue
        for row in table.ROWS:
            assert isinstance(row, Row) and row.code not in rows, row
            rows[row.code] = label
    found["no row"] = sorted(set(rules) - set(rows))
    found["no rule"] = sorted(set(rows) - set(rules))
    found["another app's table"] = sorted(c for c, app in rows.items() if c in rules and rules[c].app != app)
    return found


def test_every_registered_rule_has_a_row_in_its_app_s_table_and_every_row_a_rule():
    assert gaps(RULES) == {"no table": [], "no row": [], "no rule": [], "another app's table": []}


def test_a_new_rule_without_a_row_or_an_app_without_a_table_is_found():
    review = RULES["care.review"]
    rules = {
        **RULES,
        "care.new_clock": replace(review, code="care.new_clock"),
        "people.clock": replace(review, code="people.clock", app="people"),
    }
    found = gaps(rules)
    assert found["no row"] == ["care.new_clock", "people.clock"]
    assert found["no table"] == ["people"]
