"""Alternative-care families: the conditions of Law on Children art. 64 and Decree 56 art. 41, Forms
08, 11 and 12, the 15-working-day handover clock, and matching that explains itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.care import families, selectors
from haven.care.models import CareFamily, FamilyStatus, Placement
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.lib.vnnames import FEMALE_GIVEN
from haven.people.models import ChildOpinion

pytestmark = pytest.mark.django_db


def register(world, **kwargs):
    fields = {
        "commune": world.commune_a,
        "kind": "non_kin",
        "applicant_name": "Trần Thị Hạnh",
        "applicant_born_on": dt.date(1980, 4, 2),
        "address": "Số 5 ngõ 12 Đội Cấn",
        "household": "Chồng: Lê Văn Tâm (1978); con: Lê Thị Hoa (2008)",
        "economic_conditions": "Thu nhập ổn định",
        "housing": "Nhà riêng 3 phòng",
        "household_consent": True,
        "no_abuse_record": True,
        "health_certificate_on": clock.today() - dt.timedelta(days=30),
        **kwargs,
    }
    return families.family_register(actor=world.officer_a, **fields)


def test_a_family_that_fails_a_legal_condition_is_refused_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as refused:
        register(world, health_certificate_on=clock.today() - dt.timedelta(days=200), household_consent=False)
    assert set(refused.value.error_dict) == {"health_certificate_on", "household_consent"}
    with pytest.raises(ValidationError):
        register(world, applicant_born_on=clock.today() - dt.timedelta(days=17 * 365))
    with pytest.raises(ValidationError):
        register(world, health_certificate_on=None)
    assert not CareFamily.objects.exists()
    with pytest.raises(Exception):  # noqa: B017 - NotVisible: another commune's officer
        families.family_register(
            actor=world.officer_b,
            commune=world.commune_a,
            kind="non_kin",
            applicant_name="x",
            applicant_born_on=dt.date(1980, 1, 1),
            address="x",
            household="",
            economic_conditions="",
            housing="",
            household_consent=True,
            no_abuse_record=True,
            health_certificate_on=clock.today(),
        )


def test_kin_first_the_age_gap_and_the_childs_view(world, site):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=9 * 365))
    world.involve(child, "facility_b")
    young = register(
        world,
        applicant_name="Phạm Văn Long",
        applicant_born_on=child.date_of_birth - dt.timedelta(days=19 * 365),
    )
    kin = register(
        world,
        kind="kin",
        applicant_name="Nguyễn Thị Tâm",
        applicant_born_on=dt.date(1962, 3, 3),
        relative_of=child,
        relationship="Bà ngoại",
        health_certificate_on=None,
    )
    for family in (young, kin):
        families.family_verify(
            actor=world.officer_a, family=family, eligible=True, note="Đã xác minh tại nhà"
        )
    suggested = families.suggestions(world.chairman_a, child)
    assert [s.family for s in suggested] == [kin, young]
    assert any("Điều 60 khoản 4" in r for r in suggested[0].reasons)
    # The non-kin applicant is only 19 years older; and the child, 9, has not been heard yet.
    assert len(suggested[1].blocked) == 2
    with pytest.raises(Refused) as refused:
        families.family_decide(actor=world.chairman_a, family=kin, child=child, decision_number="12/QĐ-UBND")
    assert refused.value.code == "child_view_missing"  # the one rule: the shared "child_heard" guard
    ChildOpinion.objects.create(
        child=child,
        heard_on=clock.today(),
        subject="Nơi ở",
        opinion="Cháu muốn ở với bà",
        recorded_by=world.officer_a,
    )
    with pytest.raises(Refused):
        families.family_decide(
            actor=world.chairman_a, family=young, child=child, decision_number="13/QĐ-UBND"
        )
    with pytest.raises(Exception):  # noqa: B017 - the officer is not the chairman
        families.family_decide(actor=world.officer_a, family=kin, child=child, decision_number="12/QĐ-UBND")
    families.family_decide(actor=world.chairman_a, family=kin, child=child, decision_number="12/QĐ-UBND")
    handover = Obligation.objects.get(subject_id=kin.pk, rule="care.handover")
    assert handover.status == Status.OPEN and handover.responsible == world.orgs["committee_a"]


def test_handover_from_the_facility_to_kin_care(world, site):
    from haven.care import services

    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=2 * 365))
    world.involve(child, "facility_b")
    services.placement_start(
        actor=world.facility_director,
        child=child,
        form="facility_group",
        group=site.older,
        started_on=clock.today() - dt.timedelta(days=60),
        reason="Tiếp nhận",
    )
    kin = register(
        world,
        kind="kin",
        applicant_name="Nguyễn Thị Tâm",
        applicant_born_on=dt.date(1962, 3, 3),
        relative_of=child,
        relationship="Bà ngoại",
        health_certificate_on=None,
    )
    families.family_verify(actor=world.officer_a, family=kin, eligible=True, note="Đủ điều kiện")
    families.family_decide(actor=world.chairman_a, family=kin, child=child, decision_number="12/QĐ-UBND")
    families.family_handover(actor=world.officer_a, family=kin)
    kin.refresh_from_db()
    assert kin.state == FamilyStatus.HANDED_OVER
    path = selectors.care_path(world.officer_a, child)
    assert [p.form for p in path.placements] == ["facility_group", "kin"]
    assert path.current_carer == "Nguyễn Thị Tâm"
    assert Obligation.objects.get(subject_id=kin.pk, rule="care.handover").status == Status.MET
    open_rules = set(
        Obligation.objects.filter(child=child, status=Status.OPEN).values_list("rule", flat=True)
    )
    assert open_rules == {"care.monitoring"}


def test_one_family_per_child_and_a_handed_over_family_is_chosen_again_for_a_sibling(world, site):
    from haven.people.models import SiblingLink

    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=2 * 365))
    sister = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    SiblingLink.objects.create(child=child, sibling=sister, recorded_by=world.officer_a)
    first = register(world, applicant_name="Trần Thị Hạnh")
    second = register(world, applicant_name="Lê Thị Hồng")
    for family in (first, second):
        families.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    families.family_decide(actor=world.chairman_a, family=first, child=child, decision_number="12/QĐ-UBND")
    with pytest.raises(Refused) as refused:
        families.family_decide(actor=world.chairman_a, family=second, child=child, decision_number="13/QĐ")
    assert refused.value.code == "already_chosen"
    placement = families.family_handover(actor=world.officer_a, family=first)
    assert placement.family_id == first.pk
    with pytest.raises(Refused):
        families.family_decide(actor=world.chairman_a, family=second, child=child, decision_number="13/QĐ")
    # The sister: the family that cares for her brother comes first, matched by the family, not a name.
    suggested = families.suggestions(world.chairman_a, sister)
    assert suggested[0].family == first and any("Điều 60 khoản 4" in r for r in suggested[0].reasons)
    families.family_decide(actor=world.chairman_a, family=first, child=sister, decision_number="14/QĐ-UBND")
    families.family_handover(actor=world.officer_a, family=first)
    assert set(Placement.objects.filter(family=first).values_list("child_id", flat=True)) == {
        child.pk,
        sister.pk,
    }


def test_unknown_birth_date_stale_view_and_a_calendar_six_months_certificate(world, site):
    from dateutil.relativedelta import relativedelta

    today = clock.today()
    # Exactly 6 calendar months ago is within; the day before is not (not "183 days").
    register(world, applicant_name="A", health_certificate_on=today - relativedelta(months=6))
    with pytest.raises(ValidationError):
        register(world, applicant_name="B", health_certificate_on=today - relativedelta(months=6, days=1))
    family = register(world, applicant_name="Trần Thị Hạnh")
    unknown = world.child(date_of_birth=None)
    assert any("date of birth" in r or "ngày sinh" in r for r in families.decision_refusals(family, unknown))
    older = world.child(date_of_birth=today - dt.timedelta(days=9 * 365))
    ChildOpinion.objects.create(
        child=older,
        heard_on=today - relativedelta(months=7),
        subject="Nơi ở",
        opinion="Cháu muốn ở với bà",
        recorded_by=world.officer_a,
    )
    assert families.decision_refusals(family, older)  # heard 7 months ago: heard again
    ChildOpinion.objects.create(
        child=older, heard_on=today, subject="Nơi ở", opinion="Cháu đồng ý", recorded_by=world.officer_a
    )
    assert families.decision_refusals(family, older) == []


def test_suggestions_read_the_childs_view_once(world, site, django_assert_max_num_queries):
    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=9 * 365))
    for i in range(6):
        family = register(world, applicant_name=f"Gia đình {FEMALE_GIVEN[i][0]}")
        families.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    with django_assert_max_num_queries(6):
        assert len(families.suggestions(world.chairman_a, child)) == 6


def test_reads_of_the_register_are_audited_and_the_hotline_does_not_read_it(world, site):
    from django.test import Client
    from django.urls import reverse

    from haven.api.tests.client import ApiClient
    from haven.audit.models import AuditEvent

    family = register(world)
    assert families.families_visible(world.hotline).count() == 0
    assert families.families_visible(world.officer_a).count() == 1
    client = Client()
    client.force_login(world.officer_a)
    assert client.get(reverse("care:families")).status_code == 200
    assert client.get(reverse("care:family", args=[family.pk])).status_code == 200
    assert ApiClient(world.officer_a).get("/care/families").status_code == 200
    actions = list(AuditEvent.objects.filter(actor=world.officer_a).values_list("action", flat=True))
    assert actions.count("care.families_view") == 2 and "care.family_view" in actions
    hotline = Client()
    hotline.force_login(world.hotline)
    assert hotline.get(reverse("care:family", args=[family.pk])).status_code == 404


def test_a_family_of_another_commune_of_the_province_takes_the_child_and_its_commune_follows(world, site):
    from haven.care import services

    child = world.child(commune=world.commune_b, date_of_birth=clock.today() - dt.timedelta(days=2 * 365))
    world.involve(child, "facility_b")
    services.placement_start(
        actor=world.facility_director,
        child=child,
        form="facility_group",
        group=site.older,
        started_on=clock.today() - dt.timedelta(days=30),
        reason="Tiếp nhận",
    )
    family = register(world)  # commune A
    families.family_verify(actor=world.officer_a, family=family, eligible=True, note="Đủ điều kiện")
    families.family_decide(actor=world.chairman_a, family=family, child=child, decision_number="12/QĐ-UBND")
    placement = families.family_handover(actor=world.officer_a, family=family)
    monitoring = Obligation.objects.get(subject_id=placement.pk, rule="care.monitoring", status=Status.OPEN)
    assert monitoring.responsible == world.orgs["committee_a"]
    services.monitoring_visit(
        actor=world.officer_a,
        placement=placement,
        visited_on=clock.today(),
        living_conditions="Nhà sạch sẽ",
        health="Khỏe",
        schooling="Đi nhà trẻ",
        integration="Hòa đồng",
    )
    following = Obligation.objects.get(subject_id=placement.pk, rule="care.monitoring", status=Status.OPEN)
    assert following.responsible == world.orgs["committee_a"]


def test_a_phone_number_must_look_like_one(world):
    with pytest.raises(ValidationError) as refused:
        register(world, phone="abc-123")
    assert "phone" in refused.value.error_dict and not CareFamily.objects.exists()
    assert register(world, phone="0913 456 789").phone == "0913 456 789"
    assert register(world, applicant_name="Lê Thị Hồng", phone="+84913456789").phone == "+84913456789"


def test_a_form_12_number_with_markup_is_refused_on_the_page_and_in_the_api(world, client):
    """Walkthrough D19: "<script>x</script>" was accepted as the number of the chairman's decision."""
    from haven.api.tests.client import ApiClient

    child = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    kin = register(world, kind="kin", relative_of=child, relationship="Bà ngoại", health_certificate_on=None)
    families.family_verify(actor=world.officer_a, family=kin, eligible=True, note="Đã xác minh")
    with pytest.raises(ValidationError) as refused:
        families.family_decide(
            actor=world.chairman_a, family=kin, child=child, decision_number="<script>x</script>"
        )
    assert "decision_number" in refused.value.error_dict
    answer = ApiClient(world.chairman_a).post(
        f"/care/families/{kin.pk}/decide", {"child_id": str(child.pk), "decision_number": "<b>12</b>"}
    )
    assert answer.status_code == 422 and "decision_number" in answer.json()["fields"]
    client.force_login(world.chairman_a)
    page = client.post(
        f"/care/families/{kin.pk}/decide/", {"child": child.pk, "decision_number": "<i>1</i>"}
    ).content.decode()
    assert "Số hoặc ký hiệu chỉ gồm chữ cái, chữ số" in page
    kin.refresh_from_db()
    assert kin.state == "verified" and not kin.decision_number
    families.family_decide(actor=world.chairman_a, family=kin, child=child, decision_number="12/QĐ-UBND")
