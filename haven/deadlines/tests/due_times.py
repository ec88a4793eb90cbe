"""What a table of the law's deadlines checks, rule by rule.

Each app keeps the table of its own clocks (``haven/<app>/tests/test_every_rule_s_due_time.py``),
written by hand from the rule book and the law, never read from the rule registry: for every rule the
event the law counts from, the period it gives, where the citation says so, and one start moment
chosen to be awkward (a Friday evening, the eve of Tết, a month with no such day) with the due time
worked out by hand. Each row is checked three ways:

- the rule's period and unit are the table's;
- the engine's own entry point (``obligation_open``, which every workflow step calls) makes the clock
  due at the table's moment;
- the English citation carries the table's instrument and article, and the Vietnamese one names the
  instrument by its number and symbol ("Nghị định 56/2017/NĐ-CP, Điều 28 khoản 1"); a number that no
  text sets says it is Haven's recommendation, in both languages.

``haven/deadlines/tests/test_every_rule_s_due_time.py`` checks that every registered rule has a row.
Time is Viet Nam's; Tết 2027 runs from Thursday 4 to Wednesday 10 February, so Wednesday 3 February is
the last working day before it and Thursday 11 February the first after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import translation

from haven.core.calendar import VIETNAM
from haven.core.testing import ChildFactory, OrganisationFactory, province
from haven.deadlines.rules import Basis, Unit, rule
from haven.deadlines.services import obligation_open

# How a citation says a number is Haven's own and not the law's, in each language.
DEFAULT_EN = ("recommended", "haven's default")
DEFAULT_VI = ("khuyến nghị", "mặc định của haven")
# Instruments named in English, which a Vietnamese citation must not keep.
ENGLISH_NAMES = ("Decree ", "Circular ", "Law on ", "Notice ", "Resolution ")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A moment in Viet Nam."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


@dataclass(frozen=True)
class Row:
    code: str
    # The event the law counts the period from, in words (and Haven's reading where the law is silent).
    starts: str
    amount: int
    unit: Unit
    # The instrument and article as the English citation writes them ("Decree 56/2017 art. 28(1)");
    # None when no text is cited at all.
    cites: str | None
    # The same as the Vietnamese citation names it, with the instrument's symbol.
    vi: str | None
    # A start moment, and the due time worked out by hand from it.
    start: dt.datetime
    due: dt.datetime
    # The date (due when it ends) or the moment the step gives: a rule due on a date, or a period that
    # ends earlier on the date the step gives.
    given: dt.date | dt.datetime | None = None
    # False: the law sets no number; the period is Haven's recommendation.
    law: bool = True


def check_period(row: Row) -> None:
    found = rule(row.code)
    assert (found.amount, found.unit) == (row.amount, row.unit), (
        f"{row.code} counts {found.amount} {found.unit}; the law gives {row.amount} {row.unit} "
        f"from {row.starts}"
    )
    assert found.basis is (Basis.LAW if row.law else Basis.RECOMMENDED), row.code


def check_due(row: Row) -> None:
    """Opened as a workflow step opens it, for a child of a Hà Nội commune (no stricter deadline of
    the province), the clock is due when the table says."""
    commune = province("01").communes().order_by("code").first()
    child = ChildFactory(current_commune=commune)
    responsible = OrganisationFactory(area=commune)
    obligation = obligation_open(
        rule_code=row.code,
        subject=child,
        child=child,
        responsible=responsible,
        start=row.start,
        due=row.given,
    )
    assert obligation.opened_at == row.start
    assert obligation.due_at == row.due, (
        f"{row.code}: from {row.start:%a %d %b %Y %H:%M} due "
        f"{obligation.due_at.astimezone(VIETNAM):%a %d %b %Y %H:%M}, the law says {row.due:%a %d %b %Y %H:%M}"
    )


def check_citation(row: Row) -> None:
    with translation.override("en"):
        english = str(rule(row.code).legal_basis)
    with translation.override("vi"):
        vietnamese = str(rule(row.code).legal_basis)
    assert vietnamese != english, f"{row.code}: the citation is not translated"
    if row.cites is None:
        assert not row.law, f"{row.code}: a deadline set by law cites the law"
    else:
        assert row.cites in english, f"{row.code}: {row.cites!r} not in {english!r}"
        assert row.vi in vietnamese, f"{row.code}: {row.vi!r} not in {vietnamese!r}"
    assert not any(name in vietnamese for name in ENGLISH_NAMES), vietnamese
    if not row.law:
        assert any(word in english.lower() for word in DEFAULT_EN), (
            f"{row.code}: no text sets this number, and the citation does not say so: {english!r}"
        )
        assert any(word in vietnamese.lower() for word in DEFAULT_VI), (
            f"{row.code}: the Vietnamese citation does not say the number is recommended: {vietnamese!r}"
        )
