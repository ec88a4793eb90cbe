"""A woman at risk followed from the flag to a stable family, on §9c's clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep
from haven.lib.vnnames import FEMALE_GIVEN
from haven.notifications.models import Notification
from haven.prevention import selectors, services
from haven.prevention.catalog import NEEDS
from haven.prevention.models import AtRiskPerson, Consent, State, Village
from haven.prevention.tests.factories import flag

ALL_FINE = {code: "none" for code, _label in NEEDS}


def open_clocks(person) -> dict[str, dt.datetime]:
    return dict(
        Obligation.objects.filter(subject_id=person.pk, status=Status.OPEN).values_list("rule", "due_at")
    )


def test_first_contact_is_due_within_3_days(world, village, frozen):
    person = flag(world, village)
    assert open_clocks(person) == {"prevention.first_contact": frozen.at + dt.timedelta(days=3)}
    assert person.collaborator == world.collaborator_a and person.responsible == world.orgs["committee_a"]


def test_first_contact_within_24_hours_when_violence_is_suspected(world, village, frozen):
    person = flag(world, village, suspected_violence=True)
    assert open_clocks(person) == {"prevention.first_contact_urgent": frozen.at + dt.timedelta(hours=24)}


def test_a_pregnant_girl_under_16_also_opens_a_child_protection_report(world, village, frozen):
    person = flag(
        world, village, birth_year=clock_year(frozen) - 15, under_16=True, consent=False, risk_factors=[]
    )
    assert person.protection_case is not None
    assert person.protection_case.responsible == world.orgs["committee_a"]
    assert "pregnant_under_16" in person.protection_case.flags
    assert "prevention.first_contact_urgent" in open_clocks(person)


def clock_year(frozen) -> int:
    return frozen.at.year


def test_sensitive_fields_without_consent_are_refused_and_nothing_is_saved(world, village, frozen):
    with pytest.raises(ValidationError) as error:
        flag(world, village, consent=False)
    assert error.value.error_dict["consent"][0].code == "consent_required"
    assert not AtRiskPerson.objects.exists()


def test_a_collaborator_cannot_flag_in_a_village_she_does_not_cover(world, village, frozen):
    elsewhere = Village.objects.create(commune=world.commune_a, name="Thôn Tây")
    with pytest.raises(ValidationError) as error:
        flag(world, elsewhere)
    assert error.value.error_dict["village"][0].code == "not_covered"
    assert not AtRiskPerson.objects.exists()


def test_the_whole_follow_up(world, village, frozen):
    delivery = clock.localdate(frozen.at) + dt.timedelta(days=120)
    person = flag(world, village)
    frozen.advance(days=1)
    services.person_contact(
        actor=world.collaborator_a,
        person=person,
        at=frozen.at,
        mode="home",
        wellbeing="concern",
        consent=True,
        expected_delivery=delivery,
    )
    assert person.state == State.CONTACTED
    clocks = open_clocks(person)
    assert clocks["prevention.assessment"] == frozen.at + dt.timedelta(days=7)
    assert clocks["prevention.contact_monthly"] == frozen.at + dt.timedelta(days=30)
    frozen.advance(days=2)
    services.person_assess(
        actor=world.collaborator_a, person=person, needs={**ALL_FINE, "psychological": "urgent"}
    )
    support = services.support_refer(
        actor=world.collaborator_a, person=person, service="counselling", provider="Trạm y tế xã"
    )
    services.person_plan(actor=world.collaborator_a, person=person)
    assert person.state == State.FOLLOW_UP
    services.support_outcome(
        actor=world.collaborator_a, support=support, status="delivered", outcome="3 buổi"
    )
    # A monthly visit missed: the commune officer's organisation hears of it through the engine.
    frozen.advance(days=31)
    sweep(now=frozen.at)
    missed = Obligation.objects.get(subject_id=person.pk, rule="prevention.contact_monthly")
    assert missed.escalation_level == 1
    assert Notification.objects.filter(
        organisation=world.orgs["committee_a"], kind="escalation", link=f"/prevention/{person.pk}/"
    ).exists()
    visit = services.visit_record(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good"
    )
    assert visit.late_by is not None
    # In the last month of pregnancy, contact is weekly.
    frozen.advance(days=70)
    services.visit_record(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="phone", wellbeing="good"
    )
    assert set(open_clocks(person)) == {"prevention.contact_weekly"}
    frozen.advance(days=14)
    born = clock.localdate(frozen.at)  # the day in Vietnam, not in UTC
    services.person_birth(actor=world.collaborator_a, person=person, born_on=born, sex="female")
    assert person.state == State.POSTNATAL and person.newborn.current_commune == world.commune_a
    clocks = open_clocks(person)
    assert set(clocks) == {"prevention.newborn_papers", "prevention.postnatal_visit"}
    assert clock.localdate(
        clocks["prevention.postnatal_visit"] - dt.timedelta(seconds=1)
    ) == born + dt.timedelta(days=7)
    services.papers_record(actor=world.collaborator_a, person=person, birth_registered_on=born)
    assert "prevention.newborn_papers" in open_clocks(person)
    services.papers_record(
        actor=world.collaborator_a, person=person, residence_registered_on=born, insurance_issued_on=born
    )
    assert "prevention.newborn_papers" not in open_clocks(person)
    # Weeks 1, 2 and 4, then monthly to six months.
    dues = []
    for _visit in range(8):
        due = open_clocks(person)["prevention.postnatal_visit"]
        dues.append((clock.localdate(due - dt.timedelta(seconds=1)) - born).days)
        frozen.at = due - dt.timedelta(hours=1)
        services.visit_record(
            actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good"
        )
    assert dues == [7, 14, 28, 58, 88, 118, 148, 178]
    # After the six months of visits, monthly contact until the commune closes the record.
    assert set(open_clocks(person)) == {"prevention.contact_monthly"}
    with pytest.raises(Refused):
        services.person_close_stable(actor=world.officer_a, person=person)
    frozen.at += dt.timedelta(days=10)
    services.person_close_stable(actor=world.officer_a, person=person)
    assert person.state == State.CLOSED_STABLE and person.kept_with_family is True
    assert open_clocks(person) == {}


def test_declining_keeps_only_the_minimum(world, village, frozen):
    person = flag(world, village, consent=False, risk_factors=[])
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=False
    )
    person.refresh_from_db()
    assert person.state == State.DECLINED and person.consent == Consent.DECLINED
    assert not person.pregnant and person.risk_factors == [] and person.notes_encrypted == ""
    assert open_clocks(person) == {}


def test_a_visit_in_the_future_is_refused(world, village, frozen):
    person = flag(world, village)
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
    )
    with pytest.raises(ValidationError) as error:
        services.visit_record(
            actor=world.collaborator_a,
            person=person,
            at=frozen.at + dt.timedelta(hours=2),
            mode="home",
            wellbeing="good",
        )
    assert error.value.error_dict["at"][0].code == "time_in_future"  # the engine's lawful-time guard
    assert person.visits.count() == 1


def test_danger_at_a_visit_reaches_the_commune_at_once(world, village, frozen):
    person = flag(world, village)
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="danger", consent=True
    )
    # The message is the contact step's own (kind "prevention.<step>"), from the workflow table.
    assert Notification.objects.filter(
        organisation=world.orgs["committee_a"], kind="prevention.contact"
    ).exists()


def test_who_sees_a_person_at_risk(world, village, frozen):
    person = flag(world, village)
    sees = {
        name
        for name in (
            "collaborator_a",
            "officer_a",
            "officer_b",
            "chairman_a",
            "provincial",
            "hotline",
            "ministry",
            "analyst",
            "school_a",
        )
        if AtRiskPerson.objects.visible_to(getattr(world, name)).filter(pk=person.pk).exists()
    }
    assert sees == {"collaborator_a", "officer_a", "chairman_a", "provincial"}
    with pytest.raises(NotVisible):
        services.visit_record(
            actor=world.officer_b, person=person, at=frozen.at, mode="home", wellbeing="good"
        )


def test_only_the_commune_officer_escalates(world, village, frozen):
    person = flag(world, village)
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
    )
    services.person_birth(
        actor=world.collaborator_a, person=person, born_on=clock.localdate(frozen.at), sex="male"
    )
    with pytest.raises(Refused) as refused:
        services.person_escalate(actor=world.collaborator_a, person=person, reason="Mẹ nói muốn bỏ con")
    assert refused.value.code == "not_your_step"
    services.person_escalate(actor=world.officer_a, person=person, reason="Mẹ nói muốn bỏ con")
    assert person.state == State.ESCALATED
    assert person.protection_case.child == person.newborn and person.protection_case.state == "with_commune"
    services.person_abandoned(
        actor=world.officer_a,
        person=person,
        found_at=frozen.at,
        found_place="Cổng trạm y tế",
        condition="Khỏe",
    )
    assert person.foundling_case.child == person.newborn and person.kept_with_family is False
    # The mother's record is linked from the found-child case only for those who may see it.
    assert selectors.mother_record(user=world.officer_a, foundling_case=person.foundling_case) == person
    assert selectors.mother_record(user=world.facility_director, foundling_case=person.foundling_case) is None


def test_every_write_is_audited(world, village, frozen):
    person = flag(world, village)
    assert AuditEvent.objects.filter(action="prevention.flag", object_id=str(person.pk)).exists()


def test_coverage_shows_gaps_and_overload(world, village, frozen):
    Village.objects.create(commune=world.commune_a, name="Tổ dân phố 9")
    for i in range(16):
        flag(world, village, given_name=f"Lan {FEMALE_GIVEN[i][0]}")
    cover = selectors.coverage_of(world.commune_a)
    assert [v.village.name for v in cover.uncovered] == ["Tổ dân phố 9"]
    assert [c.user for c in cover.overloaded] == [world.collaborator_a]


def test_figures_are_suppressed_for_the_central_office(world, village, frozen):
    for i in range(3):
        flag(world, village, given_name=f"Lan {FEMALE_GIVEN[i][0]}")
    assert selectors.figures_for(world.officer_a).at_risk.value == 3
    assert str(selectors.figures_for(world.officer_a).at_risk) == "3"
    hidden = selectors.figures_for(world.analyst).at_risk
    assert hidden.suppressed and str(hidden) == "ẩn"


def test_a_person_followed_who_is_not_pregnant_has_a_monthly_contact(world, village, frozen):
    person = flag(world, village, pregnant=False, risk_factors=["broken_family"])
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
    )
    assert open_clocks(person)["prevention.contact_monthly"] == frozen.at + dt.timedelta(days=30)


def test_province_coverage_counts_gaps_per_commune(world, village, frozen):
    Village.objects.create(commune=world.commune_a, name="Tổ dân phố 9")
    Village.objects.create(commune=world.commune_b, name="Thôn 1")
    flag(world, village)
    rows = {r.commune: r for r in selectors.coverage_of_province(world.hanoi)}
    a, b = rows[world.commune_a], rows[world.commune_b]
    assert (a.villages, a.uncovered, a.collaborators, a.without_collaborator) == (2, 1, 1, 0)
    assert (b.villages, b.uncovered, b.collaborators) == (1, 1, 0)


# --- What a review found: each a rule of its own ------------------------------------------------


def test_prevention_deadlines_are_not_shown_to_commune_staff_without_prevention_rights(
    world, village, frozen
):
    person = flag(
        world, village, under_16=True, birth_year=frozen.at.year - 15, consent=False, risk_factors=[]
    )
    mine = Obligation.objects.filter(subject_id=person.pk)
    assert mine.visible_to(world.officer_a).exists()
    for name in ("civil_status_a", "police_a", "hotline", "ministry", "officer_b"):
        assert not mine.visible_to(getattr(world, name)).exists(), name


def test_a_missed_visit_climbs_to_the_province_never_to_the_ministry(world, village, frozen):
    person = flag(world, village)
    frozen.advance(days=60)
    for _ in range(5):
        sweep(now=frozen.at)
        frozen.advance(days=3)
    first = Obligation.objects.get(subject_id=person.pk, rule="prevention.first_contact")
    assert first.escalation_level == 2 and first.next_escalation_at is None


def test_closing_after_the_birth_keeps_the_birth_and_stops_every_clock(world, village, frozen):
    person = flag(world, village)
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
    )
    born = clock.localdate(frozen.at)
    services.person_birth(actor=world.collaborator_a, person=person, born_on=born, sex="male")
    services.person_close(actor=world.officer_a, person=person, closed_as="moved_away", reason="Về quê mẹ")
    person.refresh_from_db()
    assert (person.outcome, person.outcome_on, person.closed_as) == ("live_birth", born, "moved_away")
    assert open_clocks(person) == {}
    assert not Obligation.objects.filter(
        subject_id=person.pk, status=Status.MET, rule="prevention.newborn_papers"
    )


def test_a_health_outcome_needs_consent(world, village, frozen):
    person = flag(world, village, consent=False, risk_factors=[])
    with pytest.raises(ValidationError) as error:
        services.person_close(
            actor=world.officer_a, person=person, closed_as="miscarriage", reason="Sảy thai"
        )
    assert error.value.error_dict["closed_as"][0].code == "consent_required"
    services.person_close(actor=world.officer_a, person=person, closed_as="moved_away", reason="Chuyển đi")
    assert person.outcome == ""


def test_withdrawing_consent_erases_the_referrals_too(world, village, frozen):
    person = flag(world, village)
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
    )
    support = services.support_refer(
        actor=world.collaborator_a, person=person, service="antenatal", provider="Bệnh viện Từ Dũ"
    )
    services.person_decline(actor=world.collaborator_a, person=person, reason="Không muốn theo dõi nữa")
    assert not person.supports.exists()
    assert not person.steps.exclude(note="").exclude(action="decline").exists()
    with pytest.raises(Refused):
        services.support_outcome(actor=world.collaborator_a, support=support, status="delivered", outcome="x")


def test_ending_a_coverage_leaves_her_people_to_the_commune(world, village, frozen):
    person = flag(world, village)
    coverage = village.coverage.get()
    services.coverage_end(actor=world.officer_a, coverage=coverage)
    person.refresh_from_db()
    assert person.collaborator is None
    assert selectors.coverage_of(world.commune_a).unassigned == 1
    assert not AtRiskPerson.objects.visible_to(world.collaborator_a).filter(pk=person.pk).exists()
    assert Notification.objects.filter(kind="prevention.unassigned").exists()


def test_a_girl_born_15_years_ago_is_under_16_whatever_the_box(world, village, frozen):
    person = flag(
        world, village, birth_year=clock.localdate(frozen.at).year - 13, consent=False, risk_factors=[]
    )
    assert person.under_16 and person.protection_case is not None
    assert "prevention.first_contact_urgent" in open_clocks(person)


def test_a_collaborator_sees_only_her_people_and_villages(world, village, frozen):
    from haven.core.testing import member

    colleague = member("collaborator_2", world.orgs["union_a"], "social_collaborator")
    person = flag(world, village)
    assert not AtRiskPerson.objects.visible_to(colleague).filter(pk=person.pk).exists()
    services.coverage_assign(actor=world.officer_a, collaborator=colleague, village=village)
    assert AtRiskPerson.objects.visible_to(colleague).filter(pk=person.pk).exists()


def test_what_is_learnt_later_gives_her_a_collaborator(world, village, frozen):
    person = flag(world, None, actor=world.hotline, consent=False, risk_factors=[])
    assert person.collaborator is None
    services.person_update(actor=world.officer_a, person=person, village=village)
    person.refresh_from_db()
    assert person.collaborator == world.collaborator_a and person.village == village


def test_postnatal_visits_follow_the_days_not_the_count(world, village, frozen):
    person = flag(world, village)
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
    )
    born = clock.localdate(frozen.at)
    services.person_birth(actor=world.collaborator_a, person=person, born_on=born, sex="male")
    frozen.advance(days=40)
    services.visit_record(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good"
    )
    due = open_clocks(person)["prevention.postnatal_visit"]
    assert (clock.localdate(due - dt.timedelta(seconds=1)) - born).days == 88
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=world.collaborator_a,
            person=person,
            at=frozen.at - dt.timedelta(days=41),
            mode="home",
            wellbeing="good",
        )


def test_visits_on_time_count_the_missed_ones(world, village, frozen):
    person = flag(world, village)
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
    )
    frozen.advance(days=40)  # the assessment (7 days) and the monthly contact (30 days) were missed
    figures = selectors.figures_for(world.officer_a)
    assert (figures.visits_on_time.value, figures.visits.value) == (1, 2)


def test_a_postnatal_visit_is_due_on_its_day_not_worked_back_from_it(world, village, frozen):
    """§9c: the visit of week 1 is due on day 7 after the birth — a step due on a date (the engine's
    due-on obligation), opened when it is set, not a 7-day clock started a week before."""
    from haven.core.calendar import day_end

    person = flag(world, village)
    services.person_contact(
        actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
    )
    born = clock.localdate(frozen.at)
    frozen.advance(days=2)  # recorded two days after the birth
    services.person_birth(actor=world.collaborator_a, person=person, born_on=born, sex="male")
    visit = Obligation.objects.get(
        subject_id=person.pk, rule="prevention.postnatal_visit", status=Status.OPEN
    )
    week_1 = born + dt.timedelta(days=7)
    assert (visit.due_on, visit.due_at, visit.opened_at) == (week_1, day_end(week_1), frozen.at)
    papers = Obligation.objects.get(subject_id=person.pk, rule="prevention.newborn_papers")
    # 60 days counted from the day after the birth (Civil Code 2015 art. 147).
    assert papers.due_at == day_end(born + dt.timedelta(days=60))
