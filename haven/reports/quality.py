"""Data quality per commune: lists to act on, each a check with the rule it serves — children without a
personal identification number, children whose number differs from the population register's, open
cases whose responsible organisation no longer acts, and records nobody has touched for months.

Each list is of children the reader may see (``visible_to``), in one commune, so a check never shows
anyone beyond the reader's reach; each view is audited as a list of children.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.areas.models import Area
from haven.core import calendar, clock

# A record is stale when neither it nor any of its cases changed for this long (Decision 3978/QĐ-BYT
# asks communes to keep the grassroots child information up to date; its cadence was not read, so the
# span is Haven's default).
STALE_MONTHS = 6


@dataclass(frozen=True)
class Check:
    code: str
    title: str | Promise
    why: str | Promise
    # The children the check finds among ``children`` (the reader's visible ones of an area).
    find: Callable[[QuerySet], QuerySet]


def _without_pin(children: QuerySet) -> QuerySet:
    return children.filter(pin_encrypted="")


def _pin_differs(children: QuerySet) -> QuerySet:
    from haven.linkage.models import RegisterLink

    differs = RegisterLink.objects.filter(undone_at__isnull=True, pin_conflict=True).values("child_id")
    return children.filter(pk__in=differs)


def _nobody_acts(children: QuerySet) -> QuerySet:
    from haven.foundlings.models import CLOSED_STATES as FOUNDLING_CLOSED
    from haven.foundlings.models import FoundlingCase
    from haven.protection.models import CLOSED_STATES as PROTECTION_CLOSED
    from haven.protection.models import ProtectionCase

    found = (
        FoundlingCase.objects.exclude(state__in=FOUNDLING_CLOSED)
        .filter(responsible__is_active=False)
        .values("child_id")
    )
    reported = (
        ProtectionCase.objects.exclude(state__in=PROTECTION_CLOSED)
        .filter(responsible__is_active=False)
        .values("child_id")
    )
    return children.filter(Q(pk__in=found) | Q(pk__in=reported))


def _stale(children: QuerySet) -> QuerySet:
    before = calendar.day_start(calendar.add_months(clock.today(), -STALE_MONTHS))
    return children.filter(updated_at__lt=before)


CHECKS: tuple[Check, ...] = (
    Check(
        "no_pin",
        _("Children without a personal identification number"),
        _(
            "Law on Identification 2023, art. 12: every citizen has a number, given at birth registration; "
            "without it a child is invisible to the population, education and insurance databases"
        ),
        _without_pin,
    ),
    Check(
        "pin_differs",
        _("Children whose number differs from the population register's"),
        _("The number in Haven and the register's are kept both, for a person to correct one of them"),
        _pin_differs,
    ),
    Check(
        "nobody_acts",
        _("Open cases whose responsible organisation no longer acts"),
        _(
            "Decree 123/2015/NĐ-CP, art. 14 and Notice 432-TB/VPTW: one organisation answers for the child "
            "at every moment"
        ),
        _nobody_acts,
    ),
    Check(
        "stale",
        _("Records not updated for 6 months"),
        _(
            "Decision 3978/QĐ-BYT of the Ministry of Health: the grassroots child information is kept up to "
            "date (the 6 months are Haven's default)"
        ),
        _stale,
    ),
)

LIMIT = 100


@dataclass
class Finding:
    check: Check
    count: int
    children: list


def _visible(user, area: Area) -> QuerySet:
    from haven.people.models import Child

    field = "current_commune" if area.level == "commune" else "current_commune__parent"
    return Child.objects.visible_to(user).filter(**{field: area})


def findings(user, commune: Area) -> list[Finding]:
    """Each check's count in ``commune`` and its first children, among those ``user`` may see."""
    visible = _visible(user, commune)
    out = []
    for check in CHECKS:
        found = check.find(visible).order_by("family_name", "given_name")
        out.append(Finding(check, found.count(), list(found[:LIMIT])))
    return out


def by_commune(user, province: Area) -> list[tuple[Area, list[int]]]:
    """Each commune of ``province`` with a count per check (one grouped query per check), those with
    the most to act on first; communes with nothing to act on are left out."""
    visible = _visible(user, province)
    counts: dict[int, list[int]] = {}
    for i, check in enumerate(CHECKS):
        for row in check.find(visible).order_by().values("current_commune").annotate(n=Count("pk")):
            counts.setdefault(row["current_commune"], [0] * len(CHECKS))[i] = row["n"]
    communes = Area.objects.in_bulk(list(counts))
    rows = [(communes[pk], found) for pk, found in counts.items()]
    return sorted(rows, key=lambda r: (-sum(r[1]), r[0].name))
