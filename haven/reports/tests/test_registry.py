"""The indicator registry: each indicator is data with its passport, the domains contribute theirs,
and each counts from case data what its definition says."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from haven.core import calendar
from haven.deadlines.models import Obligation, Status
from haven.people.models import CircumstanceGroup, SpecialCircumstance
from haven.reports import periods, store
from haven.reports.periods import BadPeriod, Kind, Period
from haven.reports.registry import INDICATORS, Dimension, Indicator, Unit, indicator, register
from haven.reports.tables import release
from haven.reports.targets import TARGETS, target_for
from haven.reports.targets import Status as Colour

MUST_HAVE = {
    "HV.SC",  # children in special circumstances by group
    "HV.FOUND",  # found children
    "HV.FOUND.PIN30",  # ... and the share with a PIN within 30 days
    "HV.CLOCKS",  # legal clocks met, per rule
    "HV.CARE.FAMILY",  # family-based care against facility care
    "HV.CARE.RESIDENTIAL",  # residential care per 100,000 children
    "HV.CARE.CHANGES",  # caregiver changes
    "HV.CARE.OCCUPANCY",  # facility occupancy
    "HV.CARE.BREACHES",  # ratio breaches
    "HV.RISK.FOLLOWED",  # people at risk with a collaborator
    "HV.RISK.VISITS",  # visits on time
    "IV.0101",  # abused children (Circular 13/2021, Annex IV)
    "HV.ABUSE.REPORTS",  # abuse reports by outcome
    "HV.ALLOW.WITHOUT",  # entitled children without the allowance
    "HV.ALLOW.DELAY",  # months from the application to the first payment
    "HV.ALLOW.UNPAID",  # payments failed or not reconciled
    "HV.HI.WITHOUT",  # children followed without a valid health-insurance card
    "HV.EDU.SUPPORT",  # pupils entitled to the learning-cost support without a decision
    "HV.SPONSOR.CHILDREN",  # children sponsored, by programme
    "HV.SPONSOR.EARLY",  # sponsorships ended early
    "HV.SPONSOR.CONFIRMED",  # disbursements confirmed by the carer
    "HV.SPONSOR.RECEIVED",  # resources received
    "HV.COMPLAINT.ONTIME",  # complaints settled on time
}


def test_the_domains_contribute_every_required_indicator_with_its_passport():
    assert MUST_HAVE <= set(INDICATORS)
    for ind in INDICATORS.values():
        assert ind.app in {
            "people",
            "foundlings",
            "reports",
            "care",
            "prevention",
            "protection",
            "entitlements",
            "sponsorship",
            "education",
            "complaints",
        }
        assert str(ind.name) and str(ind.numerator) and str(ind.legal_basis)
        assert ind.valid_from <= dt.date(2026, 1, 1)
        assert (ind.denominator is not None) or ind.unit is Unit.COUNT
    assert INDICATORS["IV.0101"].circular, "the Circular's own code where it has one"


def test_a_code_belongs_to_one_definition():
    known = INDICATORS["HV.SC"]
    register("people", [known])  # registering again at start-up changes nothing
    with pytest.raises(ValueError, match="registered twice"):
        register("care", [known])


def test_an_indicator_that_cannot_compute_is_refused_at_declaration():
    with pytest.raises(ValueError, match="denominator"):
        Indicator("X", "x", "x", None, Unit.PERCENT, "x", dt.date(2020, 1, 1), compute=lambda w: [])
    with pytest.raises(ValueError, match="breakdown"):
        Indicator(
            "X",
            "x",
            "x",
            None,
            Unit.COUNT,
            "x",
            dt.date(2020, 1, 1),
            compute=lambda w: [],
            disaggregations=(Dimension.CATEGORY,),
        )


@pytest.mark.parametrize(
    ("key", "start", "kind", "previous", "vi"),
    [
        ("2025-07", dt.date(2025, 7, 1), Kind.MONTH, "2025-06", "Tháng 7/2025"),
        ("2025-Q1", dt.date(2025, 1, 1), Kind.QUARTER, "2024-Q4", "Quý I/2025"),
        ("2025-H2", dt.date(2025, 7, 1), Kind.HALF, "2025-H1", "6 tháng cuối năm 2025"),
        ("2025", dt.date(2025, 1, 1), Kind.YEAR, "2024", "Năm 2025"),
    ],
)
def test_periods_have_a_key_a_vietnamese_name_and_a_previous_one(key, start, kind, previous, vi):
    from django.utils import translation

    period = periods.parse(key)
    assert (period.start, period.kind, period.key, period.previous().key) == (start, kind, key, previous)
    with translation.override("vi"):
        assert str(period) == vi


@pytest.mark.parametrize("key", ["", "2025-13", "2025-Q5", "1850", "abc", "2025-H3"])
def test_a_period_that_names_nothing_is_refused_with_the_reason(key):
    with pytest.raises(BadPeriod):
        periods.parse(key)


def _group(child, group, start=dt.date(2024, 1, 1), end=None):
    SpecialCircumstance.objects.create(child=child, group=group, started_on=start, ended_on=end, evidence="x")


def test_children_in_special_circumstances_count_each_child_once_and_in_each_group(world, frozen):
    frozen.at = calendar.day_start(dt.date(2026, 3, 10))
    two_groups = world.child(sex="female", date_of_birth=dt.date(2020, 5, 1))
    _group(two_groups, CircumstanceGroup.HCDB_A)
    _group(two_groups, CircumstanceGroup.HCDB_D)
    one = world.child(sex="male", date_of_birth=dt.date(2012, 1, 1))
    _group(one, CircumstanceGroup.HCDB_A)
    # Left the group in January: not counted in March, counted in January.
    ended = world.child(sex="male", commune=world.commune_b)
    _group(ended, CircumstanceGroup.HCDB_B, end=dt.date(2026, 2, 1))
    world.child()  # in no group

    march = Period(dt.date(2026, 3, 1), Kind.MONTH)
    ind = indicator("HV.SC")
    store.refresh(ind, march)
    rel = release(ind, march, world.hanoi, user=world.provincial, previous=False)
    assert rel.total.numerator == 2
    assert rel.tables[Dimension.GROUP].total.cells["HCDB_A"].numerator == 2
    assert rel.tables[Dimension.GROUP].total.cells["HCDB_D"].numerator == 1
    assert rel.tables[Dimension.SEX].total.cells["female"].numerator == 1
    assert rel.tables[Dimension.AGE].total.cells["3-5"].numerator == 1
    assert rel.tables[Dimension.AGE].total.cells["11-15"].numerator == 1
    january = Period(dt.date(2026, 1, 1), Kind.MONTH)
    store.refresh(ind, january)
    rel = release(ind, january, world.hanoi, user=world.provincial, previous=False)
    assert rel.total.numerator == 3
    assert [r.area for r in rel.main.rows] == sorted([world.commune_a, world.commune_b], key=lambda a: a.name)


def _obligation(world, rule, due, status=Status.OPEN, closed=None):
    return Obligation.objects.create(
        rule=rule,
        child=world.child(),
        subject_type="foundlings.foundlingcase",
        subject_id=uuid.uuid4(),
        responsible=world.orgs["committee_a"],
        opened_at=due - dt.timedelta(days=1),
        due_at=due,
        status=status,
        closed_at=closed,
    )


def test_deadlines_met_count_each_clock_in_the_period_it_fell_due_per_rule(world, frozen):
    frozen.at = calendar.day_start(dt.date(2026, 3, 20))
    due = calendar.day_start(dt.date(2026, 3, 5))
    _obligation(world, "protection.emergency", due, Status.MET, due - dt.timedelta(hours=2))  # on time
    _obligation(world, "protection.emergency", due, Status.MET, due + dt.timedelta(hours=2))  # late
    _obligation(world, "protection.emergency", due)  # still open past its deadline
    _obligation(world, "protection.emergency", due, Status.CANCELLED)  # no longer needed
    _obligation(world, "protection.plan", due, Status.MET, due)  # on the minute
    _obligation(world, "protection.plan", calendar.day_start(dt.date(2026, 3, 25)))  # not yet due
    _obligation(world, "foundling.notice_period", due, Status.MET, due)  # a timer: no one's step

    march = Period(dt.date(2026, 3, 1), Kind.MONTH)
    ind = indicator("HV.CLOCKS")
    store.refresh(ind, march)
    rel = release(ind, march, world.commune_a, user=world.officer_a, previous=False)
    assert (rel.total.numerator, rel.total.denominator) == (2, 4)
    assert rel.total.figure == 50.0
    rules = rel.tables[Dimension.CATEGORY].total.cells
    assert (rules["protection.emergency"].numerator, rules["protection.emergency"].denominator) == (1, 3)
    assert (rules["protection.plan"].numerator, rules["protection.plan"].denominator) == (1, 1)
    assert "foundling.notice_period" not in rules


def test_a_province_is_the_sum_of_its_communes_and_the_nation_of_its_provinces(world, frozen):
    for commune, n in ((world.commune_a, 6), (world.commune_b, 7)):
        for _i in range(n):
            _group(world.child(commune=commune), CircumstanceGroup.HCDB_A)
    other = world.other_province.communes().first()
    for _i in range(5):
        _group(world.child(commune=other), CircumstanceGroup.HCDB_A)
    ind = indicator("HV.SC")
    month = periods.current(Kind.MONTH)
    province = release(ind, month, world.hanoi, user=world.ministry, previous=False)
    nation = release(ind, month, None, user=world.ministry, previous=False)
    assert [r.total.numerator for r in province.main.rows] == [6, 7] or sorted(
        r.total.numerator for r in province.main.rows
    ) == [6, 7]
    assert province.total.numerator == 13
    assert nation.total.numerator == 18
    assert next(r for r in nation.main.rows if r.area == world.hanoi).total.numerator == 13


def test_recounting_replaces_what_was_kept(world, frozen):
    ind = indicator("HV.SC")
    month = periods.current(Kind.MONTH)
    _group(world.child(), CircumstanceGroup.HCDB_A)
    store.refresh(ind, month)
    _group(world.child(), CircumstanceGroup.HCDB_A)
    assert release(ind, month, world.commune_a, user=world.officer_a, previous=False).total.numerator == 1
    store.refresh(ind, month)
    assert release(ind, month, world.commune_a, user=world.officer_a, previous=False).total.numerator == 2


def test_targets_are_dated_and_say_whether_they_were_checked():
    assert target_for("HV.ABUSE.RATE", dt.date(2025, 12, 31)).value == 4500
    assert target_for("HV.ABUSE.RATE", dt.date(2026, 1, 1)).value == 4000
    assert target_for("HV.ABUSE.RATE", dt.date(2020, 12, 31)) is None
    assert all(not t.verified and t.caveat for t in TARGETS if "23/QĐ-TTg" in str(t.basis))
    clocks = target_for("HV.CLOCKS", dt.date(2026, 3, 31))
    assert clocks.status(100) is Colour.GREEN
    assert clocks.status(93.5) is Colour.AMBER
    assert clocks.status(80) is Colour.RED
    breaches = target_for("HV.CARE.BREACHES", dt.date(2026, 3, 31))
    assert (breaches.status(0), breaches.status(1)) == (Colour.GREEN, Colour.RED)
