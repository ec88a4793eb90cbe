"""A pupil's support, as the law reads: tuition is free at a public school (Resolution 217/2025/QH15
art. 1), supported at a private school at the province's rate — and no amount while the province has
set none; the learning-cost support is 150,000 đồng a month for the months studied, at most 9 a school
year, paid by the semester (Decree 81/2021 art. 20(10), Decree 238/2025 not verified), for an orphan, a
child with a disability or of a poor household, and for no other child. A semester is paid once; a
child who drops out stops. Haven proposes, the chairman decides, as for every other proposal.

The clock runs in the next school year (always ahead of today), so the tests read the same whatever
day they run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from haven.accounts.models import Organisation, OrganisationKind
from haven.core import calendar
from haven.education import ages
from haven.education import services as education
from haven.education.models import School
from haven.education.tests.conftest import school_of
from haven.entitlements import proposals, schooling, services
from haven.entitlements.models import Application, Instalment, Parameter, Programme, State
from haven.entitlements.services.schooling import instalments_sweep
from haven.people.models import CircumstanceGroup, SpecialCircumstance

pytestmark = pytest.mark.django_db

D = dt.date
G = CircumstanceGroup


def next_year() -> int:
    """A school year wholly ahead of the real today."""
    from haven.core import clock

    return ages.school_year_of(clock.real_now().date()) + 1


def on(frozen, day: dt.date, hour: int = 10) -> dt.date:
    """Hold the one clock on ``day`` in Viet Nam (only forward: what was built stays in the past)."""
    moment = calendar.day_start(day) + dt.timedelta(hours=hour)
    assert moment >= frozen.at, "the clock only moves forward"
    frozen.at = moment
    return day


def pupil(world, *, group: str | None = None, age: int = 8, commune=None):
    """A child of commune A, ``age`` by calendar year in the next school year, in ``group`` since birth."""
    born = D(next_year() - age, 3, 15)
    child = world.child(commune=commune, date_of_birth=born, sex="female")
    if group:
        SpecialCircumstance.objects.create(child=child, group=group, started_on=born, evidence="Hồ sơ xã")
    return child


def enrol(world, child, *, started_on: dt.date, school: School | None = None, grade: int = 3):
    return education.enrolment_record(
        actor=world.officer_a,
        child=child,
        school=school or school_of(world),
        school_year=next_year(),
        level="primary",
        grade=grade,
        started_on=started_on,
        class_name=f"{grade}A",
    )


def private_school(world) -> School:
    organisation = Organisation.objects.create(
        name="Trường Tiểu học tư thục Ánh Dương", kind=OrganisationKind.SCHOOL, area=world.commune_a
    )
    return School.objects.create(
        organisation=organisation, code="01009009", first_level="primary", last_level="primary", public=False
    )


def proposed(child, programme: str = Programme.LEARNING_COSTS) -> Application:
    proposals.proposals_sweep()
    return Application.objects.get(child=child, programme=programme)


def decide(world, application: Application, *, number: str = "45/QĐ-UBND") -> Application:
    from haven.core import clock

    today = clock.today()
    services.application_take_up(
        actor=world.officer_a, application=application, received_on=today, applicant_name="Trần Thị Mai"
    )
    return services.application_decide(
        actor=world.chairman_a, application=application, decision_number=number, decided_on=today
    )


# --- Tuition ---------------------------------------------------------------------------------------


def test_at_a_public_school_tuition_is_free_with_its_basis_and_nothing_is_proposed(world, frozen):
    y = next_year()
    on(frozen, D(y, 9, 10))
    child = pupil(world)
    enrolment = enrol(world, child, started_on=D(y, 9, 5))
    found = schooling.due(enrolment, schooling.circumstances_of(child, D(y, 9, 10)), D(y, 9, 10))
    assert found.tuition.exempt and found.tuition.verified
    assert "217/2025/QH15" in str(found.tuition.rule.citation)
    assert found.learning is None
    assert proposals.proposals_sweep() == 0
    assert not Application.objects.filter(child=child).exists()


def test_at_a_private_school_without_a_provincial_rate_no_amount_is_invented(world, frozen):
    y = next_year()
    on(frozen, D(y, 9, 10))
    child = pupil(world)
    school = private_school(world)
    enrolment = enrol(world, child, started_on=D(y, 9, 5), school=school)
    found = schooling.due(enrolment, set(), D(y, 9, 10))
    assert found.tuition.supported and found.tuition.monthly is None
    assert "tỉnh" in found.tuition.missing  # "to be set by the province"
    application = decide(world, proposed(child, Programme.TUITION_SUPPORT))
    assert application.state == State.DECIDED and application.ground == "private_school"
    assert instalments_sweep() == 0
    assert not Instalment.objects.filter(child=child).exists()
    # The province's People's Council sets its rate: the next pass counts the semester at it.
    services.parameter_add(
        actor=world.provincial,
        key="tuition_primary",
        province=world.hanoi,
        value=120_000,
        valid_from=D(y, 8, 1),
        citation="Nghị quyết 15/2026/NQ-HĐND",
    )
    assert instalments_sweep() == 1
    paid = Instalment.objects.get(child=child)
    assert (paid.months, paid.monthly, paid.amount) == (4, 120_000, 480_000)


def test_no_national_rate_of_tuition_support_and_no_provincial_learning_cost_amount(world, frozen):
    from django.core.exceptions import ValidationError

    before = Parameter.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.parameter_add(
            actor=world.ministry,
            key="tuition_primary",
            value=100_000,
            valid_from=D(2026, 9, 1),
            citation="Nghị quyết 217/2025/QH15",
        )
    assert "tỉnh" in refused.value.message_dict["province"][0]
    with pytest.raises(ValidationError) as refused:
        services.parameter_add(
            actor=world.provincial,
            key="learning_costs",
            province=world.hanoi,
            value=200_000,
            valid_from=D(2026, 9, 1),
            citation="Nghị quyết 1/2026/NQ-HĐND",
        )
    assert "cả nước" in refused.value.message_dict["province"][0]
    assert Parameter.objects.count() == before


# --- Learning-cost support -------------------------------------------------------------------------


def test_learning_costs_are_150000_a_month_studied_capped_at_9_a_school_year(world, frozen):
    y = next_year()
    on(frozen, D(y, 8, 20))
    child = pupil(world, group=G.HCDB_A)
    # Enrolled from mid-August: 5 months in the first semester (August to December).
    enrol(world, child, started_on=D(y, 8, 15))
    application = proposed(child)
    assert (application.ground, application.state, application.commune) == (
        "pupil_orphan",
        State.PROPOSED,
        world.commune_a,
    )
    decide(world, application)
    first = Instalment.objects.get(child=child, semester=1)
    assert (first.months, first.monthly, first.amount) == (5, 150_000, 750_000)
    assert (first.from_month, first.until_month) == (D(y, 8, 1), D(y + 1, 1, 1))
    # Decree 238/2025 was not read: the amount and the cap are marked unverified.
    assert first.verified is False
    on(frozen, D(y + 1, 1, 5))
    assert instalments_sweep() == 1
    second = Instalment.objects.get(child=child, semester=2)
    # January to May would be 5 months; 9 a year at most leaves 4.
    assert (second.months, second.amount) == (4, 600_000)
    assert sum(i.months for i in Instalment.objects.filter(child=child)) == 9


def test_a_semester_is_paid_once_whatever_retries_or_a_second_school(world, frozen):
    y = next_year()
    on(frozen, D(y, 9, 10))
    child = pupil(world, group=G.HCDB_D)
    enrolment = enrol(world, child, started_on=D(y, 9, 5))
    application = decide(world, proposed(child))
    assert application.ground == "pupil_disability"
    assert Instalment.objects.filter(child=child).count() == 1
    assert instalments_sweep() == 0 and instalments_sweep() == 0
    # The database itself refuses a second instalment of the same child, programme and semester.
    paid = Instalment.objects.get(child=child)
    paid.pk = None
    paid.id = None
    with pytest.raises(IntegrityError), transaction.atomic():
        paid.save(force_insert=True)
    # Transferred to another school in October: its support is decided too, the first semester is not
    # paid again.
    on(frozen, D(y, 10, 20))
    education.enrolment_leave(
        actor=world.officer_a, enrolment=enrolment, ended_on=D(y, 10, 20), reason="transferred"
    )
    other = private_school(world)
    other.public, other.first_level = True, "primary"
    other.save()
    enrol(world, child, started_on=D(y, 10, 20), school=other)
    on(frozen, D(y, 10, 22))
    second = Application.objects.filter(child=child, programme=Programme.LEARNING_COSTS).exclude(
        pk=application.pk
    )
    proposals.proposals_sweep()
    decide(world, second.get(), number="46/QĐ-UBND")
    assert Instalment.objects.filter(child=child, semester=1).count() == 1


def test_a_child_who_drops_out_is_paid_the_months_studied_and_then_stops(world, frozen):
    y = next_year()
    on(frozen, D(y, 9, 10))
    child = pupil(world, group=G.HCDB_N)
    enrolment = enrol(world, child, started_on=D(y, 9, 5))
    application = proposed(child)
    assert application.ground == "pupil_poor"
    # Dropped out in mid-October before the chairman decided: only September and October count.
    on(frozen, D(y, 10, 16))
    education.enrolment_leave(
        actor=world.officer_a, enrolment=enrolment, ended_on=D(y, 10, 16), reason="dropped_out"
    )
    decide(world, application)
    first = Instalment.objects.get(child=child)
    assert (first.months, first.amount) == (2, 300_000)
    # No second semester: the enrolment ended.
    on(frozen, D(y + 1, 1, 6))
    assert instalments_sweep() == 0
    assert Instalment.objects.filter(child=child).count() == 1


def test_a_child_in_no_group_of_the_support_gets_none(world, frozen):
    y = next_year()
    on(frozen, D(y, 9, 10))
    # Abandoned (art. 10 b) is not a group of the learning-cost support; a disability ended before.
    abandoned = pupil(world, group=G.HCDB_B)
    recovered = pupil(world)
    SpecialCircumstance.objects.create(
        child=recovered,
        group=G.HCDB_D,
        started_on=D(y - 3, 1, 1),
        ended_on=D(y - 1, 1, 1),
        evidence="Giấy xác nhận khuyết tật",
    )
    for child in (abandoned, recovered):
        enrol(world, child, started_on=D(y, 9, 5))
        found = schooling.due(
            child.enrolments.get(), schooling.circumstances_of(child, D(y, 9, 10)), D(y, 9, 10)
        )
        assert found.learning is None and found.tuition.exempt
    proposals.proposals_sweep()
    instalments_sweep()
    assert not Application.objects.filter(child__in=[abandoned, recovered]).exists()
    assert not Instalment.objects.filter(child__in=[abandoned, recovered]).exists()


def test_a_proposal_is_made_once_and_a_proposal_set_aside_is_not_made_again(world, frozen):
    y = next_year()
    on(frozen, D(y, 9, 10))
    child = pupil(world, group=G.HCDB_A)
    enrol(world, child, started_on=D(y, 9, 5))
    assert proposals.proposals_sweep() == 1
    assert proposals.proposals_sweep() == 0
    application = Application.objects.get(child=child)
    services.application_dismiss(
        actor=world.officer_a, application=application, reason="Gia đình đã nhận hỗ trợ ở tỉnh khác"
    )
    assert proposals.proposals_sweep() == 0
    assert Application.objects.filter(child=child).count() == 1


def test_the_allowance_is_not_blocked_by_a_pupil_s_support(world, frozen):
    """One procedure at a time is per programme: an open pupil's support leaves the monthly allowance
    free to be applied for."""
    from haven.entitlements.tests.conftest import with_pin

    y = next_year()
    on(frozen, D(y, 9, 10))
    child = with_pin(world, born=D(y - 8, 3, 15), group=G.HCDB_A)
    enrol(world, child, started_on=D(y, 9, 5))
    proposals.proposals_sweep()
    assert Application.objects.get(child=child, programme=Programme.LEARNING_COSTS).state == State.PROPOSED
    allowance = services.application_apply(
        actor=world.officer_a,
        child=child,
        received_on=D(y, 9, 10),
        ground="orphan",
        care_situation="community",
        applicant_name="Trần Thị Mai",
    )
    assert allowance.programme == Programme.MONTHLY_ALLOWANCE


# --- The figure --------------------------------------------------------------------------------------


def test_the_figure_counts_pupils_entitled_without_a_decision_by_procedure(world, frozen):
    from haven.entitlements import indicators
    from haven.entitlements.tests.test_indicators import facts

    y = next_year()
    on(frozen, D(y, 9, 10))
    waiting, decided_, none = (pupil(world, group=G.HCDB_A) for _ in range(3))
    pupil_without_group = pupil(world)
    for child in (waiting, decided_, none, pupil_without_group):
        enrol(world, child, started_on=D(y, 9, 5))
    proposals.proposals_sweep()
    decide(world, Application.objects.get(child=decided_))
    services.application_dismiss(
        actor=world.officer_a,
        application=Application.objects.get(child=none),
        reason="Gia đình chuyển đi nơi khác",
    )
    a = world.commune_a.pk
    found = facts(indicators.pupils_without_learning_support, D(y, 9, 1), D(y, 9, 10))
    assert found[(a, "", "")] == (2, None)
    assert found[(a, "category", "procedure")] == (1, None)
    assert found[(a, "category", "none")] == (1, None)


# --- Pages and API ------------------------------------------------------------------------------------


def login(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_outsiders_are_refused_a_pupil_s_support_and_a_school_sees_only_the_tuition(world, frozen):
    from django.urls import reverse

    y = next_year()
    on(frozen, D(y, 9, 10))
    child = pupil(world, group=G.HCDB_A)
    enrol(world, child, started_on=D(y, 9, 5))
    application = proposed(child)
    pages = [
        reverse("entitlements:application", args=[application.pk]),
        reverse("entitlements:step", args=[application.pk, "take_up"]),
        reverse("entitlements:child", args=[child.pk]),
    ]
    for outsider in (world.officer_b, world.provincial_other, world.school_a, world.nobody):
        for page in pages:
            assert login(outsider).get(page).status_code in (302, 404), (outsider, page)
    # The school reads that tuition is free, never the group that gives the learning-cost support.
    page = login(world.school_a).get(reverse("education:child", args=[child.pk])).content.decode()
    assert 'id="tuition"' in page and "217/2025/QH15" in page
    assert 'id="learning-costs"' not in page and "mồ côi" not in page.lower()


def test_the_officer_sees_the_proposal_and_the_chairman_decides_it_on_the_pages(world, frozen):
    from django.urls import reverse

    y = next_year()
    on(frozen, D(y, 9, 10))
    child = pupil(world, group=G.HCDB_D)
    enrol(world, child, started_on=D(y, 9, 5))
    proposals.proposals_sweep()
    application = Application.objects.get(child=child)
    officer, chairman = login(world.officer_a), login(world.chairman_a)
    page = officer.get(reverse("entitlements:index")).content.decode()
    assert reverse("entitlements:application", args=[application.pk]) in page
    assert "Hỗ trợ chi phí học tập" in page
    detail = reverse("entitlements:application", args=[application.pk])
    page = officer.get(detail).content.decode()
    # What is due, with its basis; Decree 238's value is marked as not verified.
    assert "150.000 đồng" in page and "chưa kiểm chứng" in page and "81/2021/NĐ-CP" in page
    assert "step-take_up" in page and "step-verify" not in page
    take_up = reverse("entitlements:step", args=[application.pk, "take_up"])
    assert 'name="ground"' not in officer.get(take_up).content.decode()
    today = D(y, 9, 10).strftime("%d/%m/%Y")
    assert officer.post(take_up, {"received_on": today, "applicant_name": "Trần Thị Mai"}).status_code == 302
    assert "step-decide" in chairman.get(detail).content.decode()
    decide_page = reverse("entitlements:step", args=[application.pk, "decide"])
    # No decision number: refused beside its field, in Vietnamese, nothing decided or paid.
    response = chairman.post(decide_page, {"decision_number": "", "decided_on": today, "step-confirm": "on"})
    assert response.status_code == 200 and "Thông tin này là bắt buộc." in response.content.decode()
    application.refresh_from_db()
    assert application.state == State.RECEIVED and not Instalment.objects.exists()
    response = chairman.post(
        decide_page, {"decision_number": "51/QĐ-UBND", "decided_on": today, "step-confirm": "on"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.DECIDED
    page = officer.get(reverse("education:child", args=[child.pk])).content.decode()
    assert "51/QĐ-UBND" in page and "600.000 đồng" in page  # September to December
    page = officer.get(reverse("entitlements:school_support")).content.decode()
    assert str(child) in page and "600.000 đồng" in page
    # A semester that is not one: said in Vietnamese, the page still answers.
    response = officer.get(reverse("entitlements:school_support"), {"year": str(y), "semester": "3"})
    assert response.status_code == 200 and "Chọn học kỳ I hoặc học kỳ II." in response.content.decode()


def test_the_api_lists_and_decides_a_pupil_s_support_and_refuses_bad_input(world, frozen):
    from haven.api.tests.client import ApiClient

    y = next_year()
    on(frozen, D(y, 9, 10))
    child = pupil(world, group=G.HCDB_A)
    enrol(world, child, started_on=D(y, 9, 5))
    proposals.proposals_sweep()
    officer, chairman = ApiClient(world.officer_a), ApiClient(world.chairman_a)
    listed = officer.get("/entitlements/applications", programme="learning_costs", state="proposed").json()
    assert [(a["programme"], a["ground"], a["steps"]) for a in listed["items"]] == [
        ("learning_costs", "pupil_orphan", ["take_up", "dismiss"])
    ]
    found = listed["items"][0]
    assert "học kỳ" in found["why"]
    assert ApiClient(world.officer_b).get(f"/entitlements/applications/{found['id']}").status_code == 404
    # The group is derived from the child's record: another one is refused, nothing changed.
    wrong = officer.post(
        f"/entitlements/applications/{found['id']}/take-up",
        {"received_on": str(D(y, 9, 10)), "ground": "pupil_poor"},
    )
    assert wrong.status_code == 422 and "hồ sơ của trẻ" in wrong.json()["fields"]["ground"][0]
    assert Application.objects.get(pk=found["id"]).state == State.PROPOSED
    path = f"/entitlements/applications/{found['id']}"
    taken = officer.post(f"{path}/take-up", {"received_on": str(D(y, 9, 10))})
    assert taken.status_code == 200 and taken.json()["steps"] == []
    bad = chairman.post(f"{path}/decide", {"decision_number": "", "decided_on": str(D(y, 9, 10))})
    assert bad.status_code == 422 and not Instalment.objects.exists()
    decided_now = chairman.post(
        f"/entitlements/applications/{found['id']}/decide",
        {"decision_number": "52/QĐ-UBND", "decided_on": str(D(y, 9, 10))},
    )
    assert decided_now.status_code == 200 and decided_now.json()["state"] == "decided"
    support = officer.get(f"/entitlements/school-support/children/{child.pk}").json()
    assert support["due"]["tuition"]["status"] == "free"
    learning = support["due"]["learning_costs"]
    assert (learning["ground"], learning["monthly"], learning["max_months"], learning["verified"]) == (
        "pupil_orphan",
        150_000,
        9,
        False,
    )
    assert [(i["semester"], i["months"], i["amount"]) for i in support["instalments"]] == [(1, 4, 600_000)]
    page = officer.get("/entitlements/school-support/instalments", school_year=y, semester=1).json()
    assert (page["count"], page["total"]) == (1, 600_000)
    refused = officer.get("/entitlements/school-support/instalments", school_year=y, semester=3)
    assert refused.status_code == 422
    outsider = ApiClient(world.officer_b)
    assert outsider.get(f"/entitlements/school-support/children/{child.pk}").status_code == 404


def test_the_tuition_support_is_at_most_the_school_s_own_fee(world, frozen):
    y = next_year()
    on(frozen, D(y, 9, 10))
    school = private_school(world)
    school.monthly_fee = 90_000
    school.save()
    services.parameter_add(
        actor=world.provincial,
        key="tuition_primary",
        province=world.hanoi,
        value=120_000,
        valid_from=D(y, 8, 1),
        citation="Nghị quyết 15/2026/NQ-HĐND",
    )
    child = pupil(world)
    enrolment = enrol(world, child, started_on=D(y, 9, 5), school=school)
    found = schooling.due(enrolment, set(), D(y, 9, 10))
    assert (found.tuition.monthly, found.tuition.capped) == (90_000, True)
    decide(world, proposed(child, Programme.TUITION_SUPPORT))
    paid = Instalment.objects.get(child=child)
    assert (paid.monthly, paid.amount, paid.capped_by_fee) == (90_000, 360_000, True)


def test_a_public_school_is_registered_without_a_fee(world):
    from django.core.exceptions import ValidationError

    from haven.education.services.schools import school_register

    with pytest.raises(ValidationError) as refused:
        school_register(
            actor=world.officer_a,
            name="Trường Tiểu học Kim Mã",
            commune=world.commune_a,
            code="01005005",
            first_level="primary",
            last_level="primary",
            public=True,
            monthly_fee=200_000,
        )
    assert "công lập" in refused.value.message_dict["monthly_fee"][0]
    assert not School.objects.filter(code="01005005").exists()


def test_the_pupils_support_page_reads_the_same_number_of_queries_for_more_pupils(world, frozen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    y = next_year()
    on(frozen, D(y, 9, 10))

    def one_more():
        child = pupil(world, group=G.HCDB_A)
        enrol(world, child, started_on=D(y, 9, 5))
        decide(world, proposed(child))
        waiting = pupil(world, group=G.HCDB_D)
        enrol(world, waiting, started_on=D(y, 9, 5))
        proposals.proposals_sweep()

    officer = login(world.officer_a)
    page = reverse("entitlements:school_support")
    one_more()
    officer.get(page)
    with CaptureQueriesContext(connection) as few:
        assert officer.get(page).status_code == 200
    one_more()
    one_more()
    with CaptureQueriesContext(connection) as more:
        response = officer.get(page)
    assert response.content.decode().count("150.000 đồng × 4") == 3
    assert len(more) == len(few)
