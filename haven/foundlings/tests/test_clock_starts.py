"""Every clock of the found-child pathway starts when the law starts it (Decree 123/2015 art. 14; Law on
Civil Status 2014 art. 16(2)): each test states a deadline from the event the law counts it from, and
the citation users read says which reading Haven chose where the law leaves the start open."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from haven.core.calendar import VIETNAM
from haven.deadlines.models import Obligation
from haven.deadlines.rules import rule
from haven.deadlines.sweep import sweep
from haven.foundlings import services
from haven.foundlings.models import FoundlingCase, State
from haven.foundlings.tests.test_pathway import RECORD, VITALS, report

PIN = "foundling.pin"
RECORDED = "foundling.record"


def clock(case, code: str) -> Obligation:
    return Obligation.objects.get(subject_id=case.pk, rule=code)


def cited(code: str) -> str:
    """The rule's citation as a Vietnamese user reads it."""
    with translation.override("vi"):
        return str(rule(code).legal_basis)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VIETNAM)


def test_the_discovery_record_is_due_24_hours_after_the_report_not_after_the_acknowledgement(world, frozen):
    """Decree 123/2015 art. 14(1): the biên bản is drawn up immediately after the commune (or the
    commune police) is notified — by the report, which reaches the commune when it is recorded. The
    commune's acknowledgement does not start it (24 hours, recommended)."""
    case = report(world, frozen)
    reported = frozen.at
    frozen.advance(hours=5)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    record = clock(case, RECORDED)
    assert record.opened_at == reported
    assert record.due_at == reported + dt.timedelta(hours=24)
    assert "Điều 14" in cited(RECORDED) and "§" not in cited(RECORDED)


def registered_on(world, frozen, moment: dt.datetime) -> FoundlingCase:
    """A found child carried to birth registration at ``moment`` (local time): reported on Monday
    2 March 2026, the notice posted that day and expired 7 days later."""
    frozen.at = at(dt.date(2026, 3, 2), 8)
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    services.foundling_post_notice(actor=world.officer_a, case=case)
    frozen.advance(days=7, minutes=1)
    assert sweep(now=frozen.at).fired == 1
    case.refresh_from_db()
    assert case.state == State.NOTICE_EXPIRED
    frozen.at = moment
    # The population register's answer (on commit) is not run: the PIN clock stays open.
    services.foundling_register_birth(
        actor=world.civil_status_a, case=case, family_name="Nguyễn", middle_name="Minh", given_name="An"
    )
    return case


def test_the_pin_is_due_the_same_working_day_the_birth_is_registered(world, frozen):
    """Law on Civil Status 2014 art. 16(2); Law on Identification 2023 art. 12: once the dossier is
    complete the birth is entered and sent for the personal identification number at once — the
    same working day. Registered on Tuesday 10 March 2026 at 10:00, due when that day ends."""
    case = registered_on(world, frozen, at(dt.date(2026, 3, 10), 10))
    pin = clock(case, PIN)
    assert pin.opened_at == at(dt.date(2026, 3, 10), 10)
    assert pin.due_at == at(dt.date(2026, 3, 11), 0)
    assert "Điều 16" in cited(PIN) and "15" in cited(PIN) and "§" not in cited(PIN)


def test_the_pin_of_a_birth_registered_after_15_00_is_due_the_next_working_day(world, frozen):
    """The commune's same-day procedure: a dossier completed after 15:00 is answered the next working
    day. Registered on Friday 13 March 2026 at 16:00, due when Monday 16 March ends."""
    case = registered_on(world, frozen, at(dt.date(2026, 3, 13), 16))
    assert clock(case, PIN).due_at == at(dt.date(2026, 3, 17), 0)


def test_the_pin_of_a_birth_registered_on_a_day_off_is_due_the_next_working_day(world, frozen):
    """Registered on Saturday 14 March 2026 (a commune open on Saturday morning): due when Monday ends."""
    case = registered_on(world, frozen, at(dt.date(2026, 3, 14), 9))
    assert clock(case, PIN).due_at == at(dt.date(2026, 3, 17), 0)


def test_every_citation_of_the_pathway_s_clocks_is_in_vietnamese_without_working_notes():
    """The citation is shown to the people held to the clock: in their language, naming the law, never
    the developers' own notes (a section of the rule book, a file)."""
    from haven.deadlines.rules import RULES

    codes = [code for code, r in RULES.items() if r.app == "foundlings"]
    assert codes
    for code in codes:
        with translation.override("en"):
            english = str(rule(code).legal_basis)
        assert cited(code) != english, code
        assert not any(note in cited(code) + english for note in ("§", ".md", "issue")), code


def test_cases_already_running_count_the_record_from_the_report_and_the_pin_the_same_day(world, frozen):
    """The data migration: a running discovery-record clock is counted from the report, a running PIN
    clock ends with the working day the birth was registered."""
    import importlib

    from django.apps import apps

    acknowledged = report(world, frozen)
    reported = frozen.at
    frozen.advance(hours=5)
    services.foundling_acknowledge(actor=world.officer_a, case=acknowledged)
    registered = registered_on(world, frozen, at(dt.date(2026, 3, 10), 10))
    # As recorded before: the record from the acknowledgement, the PIN one working day later.
    Obligation.objects.filter(pk=clock(acknowledged, RECORDED).pk).update(
        opened_at=reported + dt.timedelta(hours=5), due_at=reported + dt.timedelta(hours=29)
    )
    Obligation.objects.filter(pk=clock(registered, PIN).pk).update(due_at=at(dt.date(2026, 3, 12), 0))

    migration = importlib.import_module(
        "haven.foundlings.migrations.0007_record_from_the_report_pin_the_same_day"
    )
    for _twice in range(2):
        migration.record_from_the_report(apps, None)
        migration.pin_the_same_working_day(apps, None)

    record = clock(acknowledged, RECORDED)
    assert (record.opened_at, record.due_at) == (reported, reported + dt.timedelta(hours=24))
    pin = clock(registered, PIN)
    assert (pin.due_at, pin.next_escalation_at) == (at(dt.date(2026, 3, 11), 0), at(dt.date(2026, 3, 11), 0))
