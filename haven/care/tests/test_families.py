"""Alternative-care families: the conditions of Law on Children art. 64 and Decree 56 art. 41, Forms
08, 11 and 12, the 15-working-day handover clock, and matching that explains itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.care import families, selectors
from haven.care.models import CareFamily, FamilyStatus
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
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
    assert any("60(4)" in r for r in suggested[0].reasons)
    # The non-kin applicant is only 19 years older; and the child, 9, has not been heard yet.
    assert len(suggested[1].blocked) == 2
    with pytest.raises(Refused) as refused:
        families.family_decide(actor=world.chairman_a, family=kin, child=child, decision_number="12/QĐ-UBND")
    assert refused.value.code == "condition_failed"
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
    assert kin.status == FamilyStatus.HANDED_OVER
    path = selectors.care_path(world.officer_a, child)
    assert [p.form for p in path.placements] == ["facility_group", "kin"]
    assert path.current_carer == "Nguyễn Thị Tâm"
    assert Obligation.objects.get(subject_id=kin.pk, rule="care.handover").status == Status.MET
    open_rules = set(
        Obligation.objects.filter(child=child, status=Status.OPEN).values_list("rule", flat=True)
    )
    assert open_rules == {"care.monitoring"}
