"""The follow-up of a person at risk as one table on the workflow engine (vietnam-process.md §9c):
each rule the table encodes — who reaches her, which clocks a step meets, cancels or starts, which
entered times are lawful, what a step requires, and who is told next — tested as that rule."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.core.calendar import VIETNAM
from haven.core.errors import Refused
from haven.core.testing import member
from haven.deadlines.models import Obligation, Status
from haven.notifications.models import Notification
from haven.prevention import services, workflow
from haven.prevention.catalog import NEEDS
from haven.prevention.models import AtRiskPerson, State, Village
from haven.prevention.tests.factories import contacted, flag
from haven.prevention.views import STEPS
from haven.workflow.engine import Workflow
from haven.workflow.guards import GUARDS

FLOW = workflow.FLOW
ALL_FINE = {code: "none" for code, _label in NEEDS}


def clocks(person, status=None) -> dict[str, str]:
    rows = Obligation.objects.filter(subject_id=person.pk)
    if status:
        rows = rows.filter(status=status)
    return dict(rows.values_list("rule", "status"))


def told(kind: str, **where):
    return Notification.objects.filter(kind=kind, **where)


# --- One table ----------------------------------------------------------------------------------


def test_the_follow_up_is_one_titled_table_on_the_engine():
    """Notice 432-TB/VPTW §2: one procedure. Every step is a row with a title (the page, the action
    and the permission document), every guard it names is registered, every page fires a row."""
    assert Workflow.registry["prevention"] is FLOW
    for action, rule in FLOW.transitions.items():
        assert str(rule.title), action
        assert set(rule.guards) <= set(GUARDS), action
    assert set(STEPS) <= set(FLOW.transitions)


def test_no_step_is_written_by_hand_beside_the_engine():
    """The copies the architecture review found (C1) are gone: no own acting, timeline or messages."""
    source = inspect.getsource(services)
    for copy in (
        "_acting",
        "_enter(",
        "pathway.",
        "steps.create",
        "Notification.objects.create",
        "_check_past",
    ):
        assert copy not in source, copy


# --- Who reaches her ------------------------------------------------------------------------------


def test_a_collaborator_acts_only_for_the_people_she_follows_or_whose_village_she_covers(
    world, village, frozen
):
    """models.reach: a collaborator reaches the people she follows and the villages she covers today,
    never everyone her Women's Union chapter follows."""
    person = contacted(world, flag(world, village), frozen.at)
    colleague = member("collaborator_2", world.orgs["union_a"], "social_collaborator")
    frozen.advance(days=1)
    with pytest.raises(NotVisible):
        services.visit_record(actor=colleague, person=person, at=frozen.at, mode="home", wellbeing="good")
    services.coverage_assign(actor=world.officer_a, collaborator=colleague, village=village)
    services.visit_record(actor=colleague, person=person, at=frozen.at, mode="home", wellbeing="good")
    # Her own collaborator stops covering the village: she no longer follows her, and cannot act.
    services.coverage_end(
        actor=world.officer_a, coverage=village.coverage.get(collaborator=world.collaborator_a)
    )
    with pytest.raises(NotVisible):
        services.visit_record(
            actor=world.collaborator_a, person=person, at=frozen.at, mode="home", wellbeing="good"
        )
    assert person.visits.count() == 2


def test_who_sees_her_but_may_not_take_the_step_is_told_why_and_others_get_404(world, village, frozen):
    person = flag(world, village)
    with pytest.raises(Refused) as refused:  # the chairman sees the register but records nothing
        services.person_contact(
            actor=world.chairman_a, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
        )
    assert refused.value.code == "not_your_step"
    for outsider in (world.officer_b, world.hospital_sw, world.school_a):
        with pytest.raises(NotVisible):
            services.person_contact(
                actor=outsider, person=person, at=frozen.at, mode="home", wellbeing="good", consent=True
            )
    person.refresh_from_db()
    assert person.state == State.IDENTIFIED and not person.steps.filter(action="contact").exists()


def test_the_antenatal_clinic_follows_the_woman_it_flagged(world, frozen):
    person = flag(world, None, actor=world.hospital_sw, consent=False, risk_factors=[])
    services.person_contact(
        actor=world.hospital_sw, person=person, at=frozen.at, mode="facility", wellbeing="good", consent=True
    )
    assert person.state == State.CONTACTED


def test_only_the_commune_officer_gives_her_to_a_collaborator(world, village, frozen):
    person = flag(world, village)
    with pytest.raises(Refused):
        services.person_assign(actor=world.collaborator_a, person=person, collaborator=world.collaborator_a)
    with pytest.raises(NotVisible):
        services.person_assign(actor=world.officer_b, person=person, collaborator=world.collaborator_a)


# --- Clocks met, cancelled, started ---------------------------------------------------------------


def test_clocks_made_moot_are_cancelled_not_met(world, village, frozen):
    """§9c: the "visits on time" figure counts contacts made. A first contact meets its clock; her
    refusal (PDP Law 2025 art. 9) makes the assessment and the next contact moot: cancelled."""
    person = contacted(world, flag(world, village), frozen.at)
    assert clocks(person)["prevention.first_contact"] == Status.MET
    services.person_decline(actor=world.collaborator_a, person=person, reason="Không muốn theo dõi nữa")
    assert clocks(person) == {
        "prevention.first_contact": Status.MET,
        "prevention.assessment": Status.CANCELLED,
        "prevention.contact_monthly": Status.CANCELLED,
    }


def test_the_birth_cancels_the_pregnancys_clocks_and_starts_the_papers_and_postnatal_visits(
    world, village, frozen
):
    person = contacted(world, flag(world, village), frozen.at)
    born = clock.localdate(frozen.at)
    services.person_birth(actor=world.collaborator_a, person=person, born_on=born, sex="female")
    assert clocks(person) == {
        "prevention.first_contact": Status.MET,
        "prevention.assessment": Status.CANCELLED,
        "prevention.contact_monthly": Status.CANCELLED,
        "prevention.newborn_papers": Status.OPEN,
        "prevention.postnatal_visit": Status.OPEN,
    }
    step = person.steps.get(action="birth")
    assert (step.from_state, step.to_state, step.due_at) == (State.CONTACTED, State.POSTNATAL, None)


def test_the_papers_clock_stops_only_when_all_three_are_recorded(world, village, frozen):
    """Law on Civil Status 2014 art. 15; Decree 104/2022; Decree 63/2024: within 60 days."""
    person = contacted(world, flag(world, village), frozen.at)
    born = clock.localdate(frozen.at)
    services.person_birth(actor=world.collaborator_a, person=person, born_on=born, sex="male")
    services.papers_record(actor=world.collaborator_a, person=person, birth_registered_on=born)
    assert clocks(person)["prevention.newborn_papers"] == Status.OPEN
    services.papers_record(
        actor=world.collaborator_a, person=person, residence_registered_on=born, insurance_issued_on=born
    )
    assert clocks(person)["prevention.newborn_papers"] == Status.MET
    assert person.steps.filter(action="papers").count() == 2


# --- Lawful times -----------------------------------------------------------------------------------


def test_a_contact_cannot_be_before_she_was_flagged_but_may_be_in_the_same_minute(world, village, frozen):
    frozen.at = frozen.at.replace(second=40)
    person = flag(world, village)
    with pytest.raises(ValidationError) as error:
        contacted(world, person, frozen.at - dt.timedelta(minutes=5))
    assert error.value.error_dict["at"][0].code == "before_timeline"
    assert person.visits.count() == 0
    contacted(world, person, frozen.at.replace(second=0))
    assert person.state == State.CONTACTED


@pytest.mark.parametrize(
    ("born_on", "code"),
    [
        (dt.timedelta(days=1), "time_in_future"),
        (-dt.timedelta(days=3), "before_timeline"),  # before she was flagged
        (-dt.timedelta(days=365 * 120), "time_absurd"),
    ],
)
def test_a_birth_date_is_lawful_on_her_timeline(world, village, frozen, born_on, code):
    person = contacted(world, flag(world, village), frozen.at)
    frozen.advance(days=1)
    with pytest.raises(ValidationError) as error:
        services.person_birth(
            actor=world.collaborator_a,
            person=person,
            born_on=clock.localdate(frozen.at) + born_on,
            sex="female",
        )
    assert error.value.error_dict["born_on"][0].code == code
    person.refresh_from_db()
    assert person.state == State.CONTACTED and person.newborn is None


def test_papers_dated_before_the_birth_or_in_the_future_are_all_refused_at_once(world, village, frozen):
    person = contacted(world, flag(world, village), frozen.at)
    frozen.advance(days=2)
    born = clock.localdate(frozen.at) - dt.timedelta(days=1)
    services.person_birth(actor=world.collaborator_a, person=person, born_on=born, sex="male")
    with pytest.raises(ValidationError) as error:
        services.papers_record(
            actor=world.collaborator_a,
            person=person,
            birth_registered_on=born - dt.timedelta(days=1),
            residence_registered_on=born + dt.timedelta(days=5),
        )
    codes = {name: errors[0].code for name, errors in error.value.error_dict.items()}
    assert codes == {"birth_registered_on": "before_birth", "residence_registered_on": "time_in_future"}
    person.refresh_from_db()
    assert person.birth_registered_on is None and person.residence_registered_on is None


def test_a_visit_early_on_the_morning_of_the_birth_is_on_the_birth_day_in_vietnam(world, village, frozen):
    """06:00 in Hà Nội is 23:00 UTC the day before: the visit is on the day of the birth, not before."""
    today = clock.localdate(frozen.at)
    frozen.at = dt.datetime.combine(today, dt.time(5, 0), tzinfo=VIETNAM).astimezone(dt.UTC)
    person = flag(world, village)
    frozen.advance(minutes=10)
    contacted(world, person, frozen.at)
    frozen.advance(hours=2)
    services.person_birth(actor=world.collaborator_a, person=person, born_on=today, sex="female")
    early = dt.datetime.combine(today, dt.time(6, 0), tzinfo=VIETNAM).astimezone(dt.UTC)
    assert early.date() < today
    visit = services.visit_record(
        actor=world.collaborator_a, person=person, at=early, mode="home", wellbeing="good"
    )
    assert visit.kind == "postnatal"


def test_the_baby_cannot_be_found_abandoned_before_it_was_born(world, village, frozen):
    person = contacted(world, flag(world, village), frozen.at)
    frozen.advance(days=3)
    born = clock.localdate(frozen.at)
    services.person_birth(actor=world.collaborator_a, person=person, born_on=born, sex="male")
    with pytest.raises(ValidationError) as error:
        services.person_abandoned(
            actor=world.officer_a,
            person=person,
            found_at=frozen.at - dt.timedelta(days=2),
            found_place="Cổng trạm y tế",
            condition="Khỏe",
        )
    assert error.value.error_dict["found_at"][0].code == "before_birth"
    assert AtRiskPerson.objects.get(pk=person.pk).foundling_case is None


# --- What a step requires -------------------------------------------------------------------------


def test_the_plan_needs_a_referral(world, village, frozen):
    """§9c SUPPORT_PLAN: the plan links her to services."""
    person = contacted(world, flag(world, village), frozen.at)
    services.person_assess(actor=world.collaborator_a, person=person, needs=ALL_FINE)
    with pytest.raises(Refused) as refused:
        services.person_plan(actor=world.collaborator_a, person=person)
    assert refused.value.code == "no_support"
    assert person.state == State.ASSESSED


def test_sensitive_data_without_consent_and_a_delivery_date_without_a_pregnancy_are_refused_together(
    world, village, frozen
):
    """PDP Law 2025 art. 9: the expected date of delivery is kept only with her consent; and it is the
    date of a pregnancy. Both problems are shown at once, and nothing changes."""
    person = flag(world, village, consent=False, risk_factors=[], pregnant=False)
    with pytest.raises(ValidationError) as error:
        services.person_update(
            actor=world.officer_a,
            person=person,
            expected_delivery=clock.localdate(frozen.at) + dt.timedelta(days=90),
        )
    assert [e.code for e in error.value.error_dict["expected_delivery"]] == [
        "consent_required",
        "inconsistent",
    ]
    person.refresh_from_db()
    assert person.expected_delivery is None and not person.steps.filter(action="update").exists()


# --- Who is told next -------------------------------------------------------------------------------


def test_the_collaborator_is_told_when_someone_else_flags_a_woman_in_her_village(world, village, frozen):
    by_hotline = flag(world, village, actor=world.hotline, consent=False, risk_factors=[])
    message = told("prevention.flag").get()
    assert (message.organisation, message.user, message.link) == (
        world.orgs["union_a"],
        world.collaborator_a,
        f"/prevention/{by_hotline.pk}/",
    )
    flag(world, village, given_name="Lan")  # she flags her herself: nothing to tell her
    assert told("prevention.flag").count() == 1


def test_the_collaborator_is_told_when_the_commune_gives_her_a_woman(world, village, frozen):
    colleague = member("collaborator_2", world.orgs["union_a"], "social_collaborator")
    services.coverage_assign(actor=world.officer_a, collaborator=colleague, village=village)
    person = flag(world, village)
    services.person_assign(actor=world.officer_a, person=person, collaborator=colleague)
    assert told("prevention.assign", user=colleague, link=f"/prevention/{person.pk}/").exists()
    assert person.steps.filter(action="assign", actor=world.officer_a).exists()
    assert AuditEvent.objects.filter(action="prevention.assign", object_id=str(person.pk)).exists()


def test_taking_on_a_village_gives_her_its_unfollowed_women_and_tells_her(world, frozen):
    nobodys = Village.objects.create(commune=world.commune_a, name="Tổ dân phố 9")
    person = flag(world, nobodys, actor=world.officer_a, consent=False, risk_factors=[])
    assert person.collaborator is None and not told("prevention.flag").exists()
    services.coverage_assign(actor=world.officer_a, collaborator=world.collaborator_a, village=nobodys)
    person.refresh_from_db()
    assert person.collaborator == world.collaborator_a
    assert person.steps.filter(action="assign").exists()
    assert told("prevention.assign", user=world.collaborator_a).count() == 1


def test_her_village_learnt_later_tells_its_collaborator(world, village, frozen):
    person = flag(world, None, actor=world.hotline, consent=False, risk_factors=[])
    services.person_update(actor=world.officer_a, person=person, village=village)
    assert told("prevention.update", user=world.collaborator_a).exists()


def test_a_birth_with_danger_tells_the_commune_officer_who_alone_escalates(world, village, frozen):
    """Law on Children art. 49: a newborn at risk of abandonment is a support-level case; only the
    commune officer opens it, so a birth with danger reaches the commune at once."""
    calm = contacted(world, flag(world, village), frozen.at)
    services.person_birth(
        actor=world.collaborator_a,
        person=calm,
        born_on=clock.localdate(frozen.at),
        sex="male",
        wellbeing="good",
    )
    assert not told("prevention.birth").exists()
    worried = contacted(world, flag(world, village, given_name="Lan"), frozen.at)
    services.person_birth(
        actor=world.collaborator_a,
        person=worried,
        born_on=clock.localdate(frozen.at),
        sex="female",
        wellbeing="danger",
    )
    message = told("prevention.birth").get()
    assert message.organisation == world.orgs["committee_a"] and message.child == worried.newborn
    assert message.link == f"/prevention/{worried.pk}/"


def test_an_abandonment_tells_the_commune_and_links_the_found_child_case(world, village, frozen):
    person = contacted(world, flag(world, village), frozen.at)
    services.person_birth(
        actor=world.collaborator_a, person=person, born_on=clock.localdate(frozen.at), sex="male"
    )
    services.person_abandoned(
        actor=world.officer_a,
        person=person,
        found_at=frozen.at,
        found_place="Cổng trạm y tế",
        condition="Khỏe",
    )
    message = told("prevention.abandoned").get()
    assert message.organisation == world.orgs["committee_a"]
    assert message.link == f"/foundlings/{person.foundling_case_id}/"
    assert clocks(person, Status.OPEN) == {}


def test_a_provider_in_haven_is_told_of_a_referral_without_a_link_it_cannot_open(world, village, frozen):
    person = contacted(world, flag(world, village), frozen.at)
    services.support_refer(
        actor=world.collaborator_a,
        person=person,
        service="antenatal",
        provider="Bệnh viện",
        to_organisation=world.orgs["hospital_a"],
    )
    message = told("prevention.refer").get()
    assert message.organisation == world.orgs["hospital_a"] and message.link == ""
    assert not AtRiskPerson.objects.visible_to(world.hospital_sw).filter(pk=person.pk).exists()
