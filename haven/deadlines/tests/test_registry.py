"""The engine holds no domain: each app registers its own rules and subject hooks when Django starts,
and the one table is generated from them (`haven rules`, docs/rules.md)."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

import haven.deadlines
from haven.deadlines.docs import rule_table
from haven.deadlines.rules import RULES, Rule, register

ENGINE = Path(haven.deadlines.__file__).parent
# What the engine may import from Haven: the shared foundations, and the child register's models —
# a child is the subject of nearly every obligation and is how an obligation is seen
# (docs/decisions/0012-dated-rules-and-clocks.md). No domain app: not foundlings, protection,
# prevention, care, nor people's services or selectors, nor the domains to come.
ALLOWED = (
    "haven.core",
    "haven.lib",
    "haven.areas",
    "haven.accounts",
    "haven.access",
    "haven.audit",
    "haven.notifications",
    # Operations (the sweep's heartbeat for /readyz): a foundation, not a domain.
    "haven.ops",
    "haven.deadlines",
    "haven.people.models",
)


def imported(source: str) -> list[tuple[int, str]]:
    """Every module of Haven a source imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
            # ``from haven import protection`` imports the app itself.
            if node.module == "haven":
                found += [(node.lineno, f"haven.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name == "haven" or name.startswith("haven.")]


def forbidden(source: str) -> list[tuple[int, str]]:
    return [
        (line, name)
        for line, name in imported(source)
        if name != "haven" and not any(name == a or name.startswith(a + ".") for a in ALLOWED)
    ]


def test_the_check_finds_a_domain_import_even_inside_a_function():
    source = """
from haven.core import clock
from haven.people.models import Child

def case_worker():
    from haven.protection.models import ProtectionCase
    import haven.care.services
    from haven.people import services
    from haven import foundlings
"""
    assert [line for line, _name in forbidden(source)] == [6, 7, 8, 9]


def test_the_deadline_engine_imports_no_domain_app():
    modules = [p for p in ENGINE.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    assert len(modules) > 8
    offenders = [
        f"{path.relative_to(ENGINE.parent)}:{line}: {name}"
        for path in modules
        for line, name in forbidden(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "the engine must not import a domain; register a hook instead:\n" + "\n".join(
        offenders
    )


def test_every_rule_is_declared_by_an_app_not_by_the_engine():
    assert len(RULES) > 30
    labels = {app.label for app in apps.get_app_configs()}
    assert {r.app for r in RULES.values()} <= labels - {"deadlines"}
    declared = ast.parse((ENGINE / "rules.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(declared) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Rule"]
    assert calls == []
    # The four pathways' rules come from their own apps.
    assert {RULES[c].app for c in ("foundling.notice_period", "care.review", "protection.plan")} == {
        "foundlings",
        "care",
        "protection",
    }
    assert RULES["prevention.first_contact"].app == "prevention"


def test_a_code_is_registered_once(monkeypatch):
    monkeypatch.setattr("haven.deadlines.rules.RULES", dict(RULES))
    from haven.deadlines import rules

    again = rules.RULES["care.review"]
    register("care", [again])  # the same rule again changes nothing (ready() may run twice)
    with pytest.raises(ValueError):
        register("care", [Rule("care.review", "Another", 1, again.unit, "x", again.basis)])


def test_haven_rules_prints_the_one_table_and_docs_rules_md_is_it():
    out = io.StringIO()
    call_command("rules", stdout=out)
    printed = out.getvalue()
    assert all(f"`{code}`" in printed for code in RULES)
    doc = (settings.BASE_DIR / "docs" / "rules.md").read_text(encoding="utf-8")
    assert rule_table() in doc, "docs/rules.md is stale: run `haven rules --write`"


def test_the_case_worker_of_a_protection_case_is_told_by_protection(world):
    from haven.deadlines.subjects import SUBJECTS, case_workers, subject_page

    assert set(case_workers()) == {"protection.protectioncase"}
    assert SUBJECTS["prevention.atriskperson"].page == "/prevention/{id}/"
    assert subject_page("prevention.atriskperson", "x", None) == "/prevention/x/"
    assert subject_page("people.child", "x", "c") == "/children/c/"


def test_every_step_links_to_the_page_where_it_is_taken():
    # A task list, a notification and an e-mail link to the subject's own page, declared by its
    # domain; an education or sponsorship step must not fall through to a child's record that its
    # actor may not open, nor a step without a child go unnamed.
    from django.urls import resolve

    from haven.deadlines.duties import DUTIES
    from haven.deadlines.subjects import SUBJECTS, not_children, subject_page

    ids = {"id": "8f0c3f1e-9a52-4a39-9d5b-2f1f6f3b8a10", "child": "0b6c9a3e-5d7f-4c1e-8a2b-9e4d3c2b1a00"}
    for subject in {duty.subject for duty in DUTIES.values()}:
        assert SUBJECTS.get(subject) is not None and SUBJECTS[subject].page, f"{subject} has no page"
        page = subject_page(subject, ids["id"], ids["child"])
        assert resolve(page).url_name, page
    for subject in not_children():
        assert str(SUBJECTS[subject].label), f"{subject} is not a child's step and has no name"


def test_a_task_row_links_to_its_subject_and_names_a_step_without_a_child():
    import datetime as dt
    import uuid

    from django.template.loader import render_to_string
    from django.utils import translation

    from haven.deadlines.models import Obligation

    run, enrolment = uuid.uuid4(), uuid.uuid4()
    due = dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC)
    payroll = Obligation(
        rule="entitlement.provider_list", subject_type="entitlements.payrollrun", subject_id=run, due_at=due
    )
    with translation.override("vi"):
        row = render_to_string("deadlines/_obligation.html", {"o": payroll})
    assert f'href="/entitlements/payroll/{run}/"' in row
    assert "Bảng chi trả trợ cấp" in row, row
    school = Obligation(
        rule="education.papers", subject_type="education.enrolment", subject_id=enrolment, due_at=due
    )
    assert school.page == f"/education/enrolments/{enrolment}/"
