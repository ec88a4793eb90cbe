"""The pages: who is refused first, then the counter, the list with its deadlines and who is late, the
steps, a protection case opened from a complaint and linked both ways, and the public form."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.complaints import services
from haven.complaints.models import Complaint, State, Track
from haven.complaints.tests.conftest import D, accepted, at, category, received
from haven.protection.models import ProtectionCase


def test_who_is_refused_the_pages(world, client):
    complaint = received(world, on=D(2026, 3, 2))
    for user in (world.school_a, world.caregiver_b, world.analyst, world.nobody, world.hospital_sw):
        client.force_login(user)
        for path in ("/complaints/", "/complaints/new/", f"/complaints/{complaint.pk}/"):
            assert client.get(path).status_code in (302, 403, 404), (user, path)


def test_the_officer_receives_a_complaint_at_the_counter(world, client):
    client.force_login(world.officer_a)
    page = client.get("/complaints/new/")
    assert page.status_code == 200 and "Tiếp nhận khiếu nại" in page.content.decode()
    with at(D(2026, 3, 2)):
        response = client.post(
            "/complaints/new/",
            {
                "category": category("wrong_amount").pk,
                "content": "Tháng 3 chỉ nhận 750.000 đồng, trong khi cháu chưa đủ 4 tuổi.",
                "received_on": "02/03/2026",
                "channel": "counter",
                "complainant_name": "Đỗ Thị Liên",
                "complainant_phone": "0901234567",
            },
        )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == f"/complaints/{complaint.pk}/"
    assert complaint.track == Track.COMPLAINT and complaint.received_by == world.officer_a


def test_bad_input_is_refused_in_vietnamese_with_nothing_saved(world, client):
    client.force_login(world.officer_a)
    with at(D(2026, 3, 2)):
        response = client.post(
            "/complaints/new/",
            {
                "category": "999999",
                "content": "",
                "received_on": "31/02/2026",
                "channel": "counter",
                "complainant_name": "Nguyễn Văn 123",
                "complainant_phone": "abc",
            },
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Chọn nội dung khiếu nại trong danh sách." in body
    assert Complaint.objects.count() == 0
    with at(D(2026, 3, 2)):
        response = client.post(
            "/complaints/new/",
            {
                "category": category().pk,
                "content": "Chưa nhận trợ cấp.",
                "received_on": "02/03/2026",
                "channel": "counter",
                "complainant_name": "Đỗ Thị Liên",
            },
        )
    assert "Nhập điện thoại hoặc địa chỉ của người khiếu nại" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_the_list_shows_the_state_the_deadline_and_who_is_late(world, client):
    late = accepted(world, on=D(2026, 1, 5))
    fresh = received(world, on=D(2026, 3, 2))
    client.force_login(world.chairman_a)
    with at(D(2026, 3, 3)):
        with CaptureQueriesContext(connection) as few:
            page = client.get("/complaints/")
        received(world, on=D(2026, 3, 2))
        received(world, on=D(2026, 3, 2))
        with CaptureQueriesContext(connection) as more:
            client.get("/complaints/")
    body = page.content.decode()
    assert late.reference in body and fresh.reference in body
    assert "Trễ hạn" in body and "Trong hạn" in body
    # Who must act: the body that answers for the step, and the roles that take it.
    assert world.orgs["committee_a"].name in body and "Chủ tịch Ủy ban nhân dân xã" in body
    # The late first.
    assert body.index(late.reference) < body.index(fresh.reference)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_steps_are_offered_to_whoever_takes_them(world, client):
    complaint = received(world, on=D(2026, 3, 2))
    client.force_login(world.officer_a)
    with at(D(2026, 3, 3)):
        page = client.get(f"/complaints/{complaint.pk}/").content.decode()
        assert 'id="step-accept"' in page and 'id="step-settle"' not in page
        response = client.post(f"/complaints/{complaint.pk}/accept/", {"accepted_on": "03/03/2026"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.ACCEPTED
    client.force_login(world.chairman_a)
    with at(D(2026, 3, 10)):
        page = client.get(f"/complaints/{complaint.pk}/").content.decode()
        assert 'id="step-settle"' in page
        response = client.post(
            f"/complaints/{complaint.pk}/settle/",
            {
                "decision_number": "31/QĐ-UBND",
                "decided_on": "10/03/2026",
                "outcome": "upheld",
                "reasons": "Chi trả bổ sung 500.000 đồng tháng 3.",
                "step-confirm": "on",
            },
        )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.SETTLED and complaint.outcome == "upheld"


def test_harm_opens_a_protection_case_linked_both_ways(world, client):
    child = world.child(sex="female")
    complaint = received(world, on=D(2026, 3, 2), about_child=child, reveals_harm=True)
    client.force_login(world.officer_a)
    with at(D(2026, 3, 2), hour=14):
        response = client.post(
            f"/complaints/{complaint.pk}/open_protection/",
            {
                "incident_place": "Nhà người chăm sóc, tổ dân phố 4",
                "condition": "Người khiếu nại kể cháu bị đánh, có vết bầm ở tay.",
                "likely_harm": "Bạo lực tiếp diễn nếu không can thiệp.",
            },
        )
    assert response.status_code == 302
    complaint.refresh_from_db()
    case = complaint.protection_case
    assert case is not None and case.child == child
    assert list(case.complaints.all()) == [complaint]
    # The complainant is not passed on as the informant.
    assert not case.informant_consent and case.informant_encrypted == ""
    case_page = client.get(f"/protection/{case.pk}/").content.decode()
    assert f"/complaints/{complaint.pk}/" in case_page
    assert f"/protection/{case.pk}/" in client.get(f"/complaints/{complaint.pk}/").content.decode()
    # Another commune sees neither, and the case page does not lead it to the complaint.
    client.force_login(world.officer_b)
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 404


def test_a_protection_case_already_open_is_linked_not_duplicated(world, client):
    from haven.protection.services import protection_report

    child = world.child(sex="male")
    with at(D(2026, 3, 1)):
        case = protection_report(
            actor=world.officer_a,
            incident_commune=world.commune_a,
            incident_place="Trường tiểu học",
            condition="Bị bạn bắt nạt.",
            likely_harm="Bỏ học.",
            sex="male",
            child=child,
        )
    complaint = received(world, on=D(2026, 3, 2), about_child=child, reveals_harm=True)
    client.force_login(world.officer_a)
    with at(D(2026, 3, 3)):
        response = client.post(f"/complaints/{complaint.pk}/link_protection/", {"case": str(case.pk)})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.protection_case == case
    assert ProtectionCase.objects.filter(child=child).count() == 1


@pytest.fixture
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_the_public_form_takes_a_named_complaint_and_an_anonymous_feedback(world, fresh_throttle):
    public = Client()
    page = public.get("/report/complaint/")
    assert page.status_code == 200 and "Gửi khiếu nại, phản ánh" in page.content.decode()
    base = {
        "province": world.hanoi.pk,
        "commune": world.commune_a.pk,
        "category": category("health_insurance").pk,
        "content": "Cháu chưa được cấp thẻ bảo hiểm y tế.",
    }
    with at(D(2026, 3, 2)):
        named = public.post(
            "/report/complaint/",
            {**base, "complainant_name": "Bùi Văn Tư", "complainant_phone": "0934567890"},
        )
        anonymous = public.post("/report/complaint/", base)
    assert named.status_code == 200 and anonymous.status_code == 200
    complaint, feedback = Complaint.objects.order_by("created_at")
    assert (
        complaint.track == Track.COMPLAINT and complaint.channel == "online" and complaint.received_by is None
    )
    assert feedback.track == Track.FEEDBACK and feedback.anonymous
    assert complaint.reference in named.content.decode()


def test_the_public_form_is_rate_limited_like_the_other_public_pages(world, fresh_throttle):
    public = Client()
    data = {
        "commune": world.commune_a.pk,
        "category": category("other").pk,
        "content": "Góp ý về giờ tiếp dân.",
    }
    with at(D(2026, 3, 2)):
        for _ in range(10):
            public.post("/report/complaint/", data)
        refused = public.post("/report/complaint/", data)
    assert Complaint.objects.count() == 10
    assert "Có quá nhiều thông tin gửi từ kết nối này" in refused.content.decode()


def test_a_complaint_about_an_allowance_application_is_received_from_its_page(world, client):
    from haven.entitlements.tests.conftest import applied, with_pin

    with at(D(2026, 3, 1)):
        application = applied(world, with_pin(world, born=D(2020, 5, 1)), received_on=D(2026, 3, 1))
    client.force_login(world.officer_a)
    page = client.get(f"/entitlements/applications/{application.pk}/").content.decode()
    assert f"/complaints/new/?application={application.pk}" in page
    with at(D(2026, 3, 20)):
        response = client.post(
            f"/complaints/new/?application={application.pk}",
            {
                "application": str(application.pk),
                "category": category("application_refused").pk,
                "content": "Quá 10 ngày làm việc chưa có quyết định.",
                "received_on": "20/03/2026",
                "channel": "counter",
                "complainant_name": "Nguyễn Thị Hoa",
                "complainant_phone": "0912345678",
            },
        )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.application == application and complaint.about_child == application.child
    assert complaint.commune == application.commune
    # Another commune's officer cannot attach it to a complaint: the application is missing for them.
    client.force_login(world.officer_b)
    assert client.get(f"/complaints/new/?application={application.pk}").status_code == 404


def test_a_figures_late_link_lists_only_the_complaints_of_its_commune(world, client):
    ours = received(world, on=D(2026, 3, 2))
    with at(D(2026, 3, 2)):
        theirs = services.complaint_receive(
            actor=world.officer_b,
            category=category(),
            content="Cháu chưa được cấp thẻ bảo hiểm y tế.",
            complainant_name="Lê Văn Bình",
            complainant_phone="0911111111",
            received_on=D(2026, 3, 2),
        )
    client.force_login(world.provincial)
    whole = client.get("/complaints/").content.decode()
    assert ours.reference in whole and theirs.reference in whole
    only_b = client.get(f"/complaints/?area={world.commune_b.code}").content.decode()
    assert theirs.reference in only_b and ours.reference not in only_b
    assert f"area={world.commune_b.code}" in only_b  # the filters keep the commune
    assert ours.reference in client.get(f"/complaints/?area={world.hanoi.code}").content.decode()
    assert client.get("/complaints/?area=nowhere").status_code == 404
