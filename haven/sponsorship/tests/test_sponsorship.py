"""A sponsor chooses a programme or a commune, never a child; the coordinator matches; contact with
the child is vetted, approved, supervised and screened (next-capabilities §3.4, §3.6)."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.sponsorship import services
from haven.sponsorship.models import Form, Message, SponsorKind, Sponsorship, SponsorshipState, VisitState
from haven.sponsorship.tests.conftest import orphan


def test_a_police_unit_offers_to_its_commune_and_no_child_is_named(scene):
    sponsorship = scene.offer()
    assert sponsorship.state == SponsorshipState.OFFERED and sponsorship.child is None
    assert sponsorship.steps.get().action == "offer"


def test_the_programme_type_says_who_may_sponsor_and_for_how_long(scene):
    person = services.sponsor_register(
        actor=scene.coordinator, kind=SponsorKind.INDIVIDUAL, name="Trần Thị Mai", area=scene.world.commune_a
    )
    with pytest.raises(ValidationError) as refused:
        scene.offer(actor=scene.coordinator, sponsor=person)
    assert "programme" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        scene.offer(until_adult=False, months=6)
    assert "12" in refused.value.message_dict["months"][0]
    assert not Sponsorship.objects.exists()


def test_a_coordinator_elsewhere_cannot_match(scene):
    sponsorship = scene.offer()
    with pytest.raises(NotVisible):
        services.sponsorship_match(actor=scene.coordinator_b, sponsorship=sponsorship, child=scene.child)
    assert Sponsorship.objects.get().state == SponsorshipState.OFFERED


def test_only_an_eligible_child_of_the_commune_is_matched(scene):
    sponsorship = scene.offer()
    elsewhere = orphan(scene.world, commune=scene.world.commune_b, given="Lan")
    with pytest.raises(ValidationError):
        services.sponsorship_match(actor=scene.coordinator, sponsorship=sponsorship, child=elsewhere)
    assert [c.pk for c in services.candidates(actor=scene.coordinator, sponsorship=sponsorship)] == [
        scene.child.pk
    ]
    services.sponsorship_match(actor=scene.coordinator, sponsorship=sponsorship, child=scene.child)
    sponsorship.refresh_from_db()
    assert sponsorship.state == SponsorshipState.ACTIVE and sponsorship.child == scene.child


def test_until_18_opens_the_exit_plan_a_month_before_the_18th_birthday(scene):
    sponsorship = scene.matched()
    eighteen = scene.child.date_of_birth + relativedelta(years=18)
    assert sponsorship.ends_on == eighteen
    clock_ = Obligation.objects.get(rule="sponsorship.exit_plan", status=Status.OPEN)
    assert clock_.due_on == eighteen - relativedelta(months=1)
    services.exit_plan_record(
        actor=scene.coordinator,
        sponsorship=sponsorship,
        plan="Chuyển sang học bổng của Hội Khuyến học xã; gia đình nhận nuôi tiếp tục chăm sóc.",
    )
    assert Obligation.objects.get(rule="sponsorship.exit_plan").status == Status.MET


def test_living_at_the_police_post_goes_through_the_care_procedure(scene):
    sponsorship = scene.offer(form=Form.RESIDENCE)
    with pytest.raises(Refused) as refused:
        services.sponsorship_match(actor=scene.coordinator, sponsorship=sponsorship, child=scene.child)
    assert refused.value.code == "alternative_care"
    assert Sponsorship.objects.get().child is None


def test_direct_contact_needs_a_vetting_approved_by_another_coordinator(scene):
    sponsorship = scene.matched(direct_contact=True)
    with pytest.raises(Refused):
        services.contact_approve(actor=scene.coordinator, sponsorship=sponsorship)
    services.vetting_record(
        actor=scene.coordinator,
        sponsor=scene.police_sponsor,
        judicial_record_number="LLTP-2026-00123",
        judicial_record_date=clock.today() - dt.timedelta(days=10),
        referee="Đại úy Phạm Văn Hùng, Công an huyện",
        briefing_acknowledged_on=clock.today(),
    )
    with pytest.raises(Refused):
        services.vetting_approve(actor=scene.coordinator, sponsor=scene.police_sponsor)
    services.vetting_approve(actor=scene.second_coordinator, sponsor=scene.police_sponsor)
    services.contact_approve(actor=scene.coordinator, sponsorship=sponsorship)
    assert Sponsorship.objects.get().contact_approved_at is not None


def test_a_stale_judicial_record_is_refused(scene):
    with pytest.raises(ValidationError) as refused:
        services.vetting_record(
            actor=scene.coordinator,
            sponsor=scene.police_sponsor,
            judicial_record_number="LLTP-2025-1",
            judicial_record_date=clock.today() - relativedelta(months=7),
            referee="Ông Lê Văn Tám",
            briefing_acknowledged_on=clock.today(),
        )
    assert "judicial_record_date" in refused.value.message_dict


def test_a_visit_without_approval_never_takes_place(scene, frozen):
    sponsorship = scene.matched(direct_contact=True)
    with pytest.raises(Refused):
        services.visit_request(
            actor=scene.world.police_a,
            sponsorship=sponsorship,
            planned_at=frozen.at + dt.timedelta(days=7),
            place="Nhà văn hóa xã",
        )
    sponsorship.contact_approved_at = frozen.at
    sponsorship.save()
    visit = services.visit_request(
        actor=scene.world.police_a,
        sponsorship=sponsorship,
        planned_at=frozen.at + dt.timedelta(days=7),
        place="Nhà văn hóa xã",
    )
    frozen.advance(days=8)
    with pytest.raises(Refused) as refused:
        services.visit_done(actor=scene.coordinator, visit=visit)
    assert refused.value.code == "not_approved"
    with pytest.raises(ValidationError):
        services.visit_decide(actor=scene.coordinator, visit=visit, approve=True, at_home_or_school=True)
    services.visit_decide(
        actor=scene.coordinator, visit=visit, approve=True, supervisor="Chị Nguyễn Thị Hạnh"
    )
    services.visit_done(actor=scene.coordinator, visit=visit)
    visit.refresh_from_db()
    assert visit.state == VisitState.DONE


@pytest.mark.parametrize(
    "text",
    [
        "Chú gửi số chú nhé: 0912 345 678",
        "Cháu gọi cho chú +84 912345678",
        "Email chú là chu.hung@gmail.com",
        "Vào trang www.facebook.com/chuhung",
        "Kết bạn zalo với chú nhé",
        "https://bit.ly/abc",
    ],
)
def test_a_message_with_contact_details_is_refused_with_the_reason_and_not_kept(scene, text):
    sponsorship = scene.matched()
    with pytest.raises(ValidationError) as refused:
        services.message_send(actor=scene.world.police_a, sponsorship=sponsorship, text=text)
    assert (
        "cannot be sent" in refused.value.message_dict["text"][0]
        or "không" in refused.value.message_dict["text"][0]
    )
    assert not Message.objects.exists()


def test_a_plain_message_goes_through_haven(scene):
    sponsorship = scene.matched()
    services.message_send(
        actor=scene.world.police_a, sponsorship=sponsorship, text="Chúc cháu học tốt, năm học mới vui vẻ!"
    )
    assert Message.objects.get().from_sponsor
