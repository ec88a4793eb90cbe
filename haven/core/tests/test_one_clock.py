"""Nothing reads the time except through haven.core.clock (DESIGN.md; architecture review, problem 3).

When a demo or a browser journey moves the clock forward, deadlines, visibility, ages and the dates
records carry must all move together; one read of the machine's time elsewhere breaks that. The scan
reads every module of haven/ (its migrations and tests aside, and clock.py itself, the one place that
may) and fails on:

- ``timezone.now`` and ``timezone.localdate``/``localtime`` without an argument, called or passed as a
  default (Django would call it later);
- ``date.today``, ``datetime.now``, ``datetime.utcnow``, ``datetime.today`` and ``time.time``, however
  the module was imported;
- Django's ``auto_now``/``auto_now_add`` on a plain ``DateTimeField``/``DateField`` (they read
  ``timezone.now`` inside Django): ``core.models.ClockStampedField`` stamps from the clock instead;
- ``default=clock.now``: Django keeps that very function, which a test holding the clock still does
  not replace; ``clock.stamp`` looks the clock up when called.

Converting a given moment (``timezone.localdate(moment)``, ``clock.localdate(moment)``) is not a read.
Durations (``time.monotonic``, ``time.perf_counter``) are not the time of day and are allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import haven

ROOT = Path(haven.__file__).parent
ALLOWED = {ROOT / "core" / "clock.py"}

# Attribute chains (read from the right) that read the time wherever they appear.
ALWAYS = {
    ("timezone", "now"),
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("time", "time"),
}
# Read the time only when given no moment to convert.
WITHOUT_ARGUMENT = {("timezone", "localdate"), ("timezone", "localtime")}
# ``from django.utils.timezone import now`` and the like.
IMPORTED_READERS = {
    ("django.utils.timezone", "now"),
    ("django.utils.timezone", "localdate"),
    ("django.utils.timezone", "localtime"),
}
AUTO_FIELDS = {"DateTimeField", "DateField"}


def _chain(node: ast.AST) -> tuple[str, ...]:
    """``dt.datetime.now`` -> ("dt", "datetime", "now"); () for anything else."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
        return tuple(reversed(names))
    return ()


def time_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) for every read of the time in ``source``."""
    tree = ast.parse(source)
    called: dict[int, ast.Call] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called[id(node.func)] = node
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (node.module, alias.name) in IMPORTED_READERS:
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
        if isinstance(node, ast.Attribute):
            tail = _chain(node)[-2:]
            if tail in ALWAYS:
                found.append((node.lineno, ".".join(tail)))
            elif tail in WITHOUT_ARGUMENT:
                call = called.get(id(node))
                if call is None or not (call.args or call.keywords):
                    found.append((node.lineno, ".".join(tail) + "()"))
        if isinstance(node, ast.Call):
            name = _chain(node.func)[-1:]
            for keyword in node.keywords:
                if name and name[0] in AUTO_FIELDS and keyword.arg in ("auto_now", "auto_now_add"):
                    found.append((node.lineno, f"{name[0]}({keyword.arg}=...)"))
                if keyword.arg == "default" and _chain(keyword.value)[-2:] == ("clock", "now"):
                    found.append((node.lineno, "default=clock.now"))
    return sorted(found)


def modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if path not in ALLOWED and "migrations" not in path.parts and "tests" not in path.parts
    )


def test_the_scan_finds_every_way_of_reading_the_time():
    source = """
import datetime as dt
import time
from datetime import date, datetime
from django.utils import timezone
from django.utils.timezone import now

a = timezone.now()
b = timezone.localdate()
c = dt.date.today()
d = date.today()
e = datetime.now()
f = dt.datetime.utcnow()
g = time.time()
h = models.DateField(default=dt.date.today)
i = forms.DateField(initial=timezone.localdate)
j = models.DateTimeField(auto_now_add=True)
k = models.DateTimeField(default=clock.now)
"""
    reads = time_reads(source)
    assert [line for line, _what in reads] == [6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18], reads


def test_converting_a_given_moment_and_asking_the_clock_are_not_reads():
    source = """
from haven.core import clock
from haven.core.models import ClockStampedField
a = clock.now()
b = clock.today()
c = timezone.localdate(moment)
d = timezone.localtime(value=moment)
e = time.perf_counter()
f = models.DateField(default=clock.today)
g = ClockStampedField(auto_now=True)
h = models.DateTimeField(default=clock.stamp)
"""
    assert time_reads(source) == []


def test_nothing_outside_the_clock_reads_the_time():
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{line}: {what}"
        for path in modules()
        for line, what in time_reads(path.read_text(encoding="utf-8"))
    ]
    assert len(modules()) > 100  # the scan reads the whole package, not an empty directory
    assert offenders == [], "read the time through haven.core.clock:\n" + "\n".join(offenders)
