"""/api/v1/complaints: every step, through the same services and access rules as the pages."""

from __future__ import annotations

from haven.api.tests.client import ApiClient
from haven.complaints.models import Complaint
from haven.complaints.tests.conftest import D, at
from haven.reports.compute import Window
from haven.reports.periods import Kind, containing


def _receive(api: ApiClient, **extra):
    body = {
        "category": "allowance_not_paid",
        "content": "Chưa nhận trợ cấp tháng 2.",
        "received_on": "2026-03-02",
        "complainant_name": "Nguyễn Thị Hoa",
        "complainant_phone": "0912345678",
        **extra,
    }
    return api.post("/complaints", body)


def test_every_step_through_the_api_to_the_province_and_back(world):
    officer, chairman, province = (
        ApiClient(world.officer_a),
        ApiClient(world.chairman_a),
        ApiClient(world.provincial),
    )
    with at(D(2026, 3, 2)):
        created = _receive(officer)
    assert created.status_code == 201, created.json()
    complaint = created.json()
    cid = complaint["id"]
    assert (
        complaint["state"] == "received"
        and "accept" in complaint["steps"]
        and "settle" not in complaint["steps"]
    )
    assert complaint["due"]["due_at"].startswith("2026-03-12")
    with at(D(2026, 3, 3)):
        accepted = officer.post(f"/complaints/{cid}/accept", {"accepted_on": "2026-03-03"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    with at(D(2026, 3, 20)):
        settled = chairman.post(
            f"/complaints/{cid}/settle",
            {
                "decision_number": "40/QĐ-UBND",
                "decided_on": "2026-03-20",
                "outcome": "rejected",
                "reasons": "Đã chi trả.",
            },
        )
    assert settled.status_code == 200 and settled.json()["appeal_until"] == "2026-04-19"
    with at(D(2026, 4, 2)):
        appealed = province.post(f"/complaints/{cid}/appeal", {"appealed_on": "2026-04-02"})
        assert appealed.status_code == 200 and appealed.json()["state"] == "appealed"
        assert (
            province.post(f"/complaints/{cid}/appeal/accept", {"accepted_on": "2026-04-02"}).json()["state"]
            == "appeal_accepted"
        )
    with at(D(2026, 4, 20)):
        final = province.post(
            f"/complaints/{cid}/appeal/settle",
            {
                "decision_number": "7/QĐ-UBND",
                "decided_on": "2026-04-20",
                "outcome": "upheld",
                "reasons": "Truy lĩnh.",
            },
        )
    assert final.status_code == 200 and final.json()["state"] == "settled_second"
    assert final.json()["status"] == "on_time"


def test_bad_input_is_422_in_vietnamese_with_nothing_saved(world):
    api = ApiClient(world.officer_a)
    with at(D(2026, 3, 2)):
        refused = _receive(
            api, category="no_such_thing", content="", complainant_phone="12", received_on="2026-03-09"
        )
    assert refused.status_code == 422
    fields = refused.json()["fields"]
    assert fields["category"] == ["Chọn nội dung khiếu nại trong danh sách."]
    assert fields["content"] == ["Nhập nội dung khiếu nại."]
    assert fields["received_on"] == ["Ngày này ở tương lai."]
    assert "complainant_phone" in fields
    assert Complaint.objects.count() == 0
    with at(D(2026, 3, 2)):
        unknown = _receive(api, child_id="00000000-0000-0000-0000-000000000001")
    assert unknown.status_code == 422 and "child_id" in unknown.json()["fields"]
    assert Complaint.objects.count() == 0


def test_anonymous_feedback_cannot_be_appealed(world):
    api = ApiClient(world.officer_a)
    with at(D(2026, 3, 2)):
        made = _receive(api, complainant_name="", complainant_phone="")
    feedback = made.json()
    assert feedback["track"] == "feedback" and feedback["anonymous"] and feedback["complainant_name"] is None
    with at(D(2026, 4, 1)):
        refused = api.post(f"/complaints/{feedback['id']}/appeal", {"appealed_on": "2026-04-01"})
    assert refused.status_code == 409
    assert refused.json()["message"].startswith(
        "Phản ánh, kiến nghị và mọi thông tin nặc danh không có khiếu nại lần hai"
    )
    assert Complaint.objects.get().state == "feedback_received"


def test_another_commune_gets_404_and_the_list_is_scoped(world):
    with at(D(2026, 3, 2)):
        cid = _receive(ApiClient(world.officer_a)).json()["id"]
    other = ApiClient(world.officer_b)
    assert other.get(f"/complaints/{cid}").status_code == 404
    assert other.post(f"/complaints/{cid}/accept", {"accepted_on": "2026-03-03"}).status_code == 404
    assert other.get("/complaints").json()["count"] == 0
    assert ApiClient(world.chairman_a).get("/complaints").json()["count"] == 1


def test_harm_opens_a_protection_case_through_the_api(world):
    api = ApiClient(world.officer_a)
    with at(D(2026, 3, 2)):
        cid = _receive(api, reveals_harm=True).json()["id"]
        opened = api.post(
            f"/complaints/{cid}/protection",
            {
                "incident_place": "Thôn Đông",
                "condition": "Cháu bị bỏ đói nhiều ngày.",
                "likely_harm": "Suy dinh dưỡng.",
                "sex": "female",
                "given_name": "Mai",
                "estimated_age_years": 6,
            },
        )
    assert opened.status_code == 200, opened.json()
    case_id = opened.json()["protection_case_id"]
    assert case_id is not None
    with at(D(2026, 3, 2)):
        again = api.post(
            f"/complaints/{cid}/protection",
            {"incident_place": "x", "condition": "x", "likely_harm": "x", "sex": "female"},
        )
    assert again.status_code == 409


def test_the_registry_counts_complaints_settled_on_time(world):
    from haven.complaints.indicators import settled_on_time
    from haven.complaints.tests.conftest import settled

    settled(world, on=D(2026, 3, 2), settled_on=D(2026, 3, 20))  # due 1 April, on time
    settled(world, on=D(2026, 3, 2), settled_on=D(2026, 4, 10))  # late
    period = containing(D(2026, 4, 1), Kind.MONTH)
    with at(D(2026, 5, 2)):
        facts = [f for f in settled_on_time(Window.of(period)) if f.dimension == ""]
    assert [(f.area_id, f.numerator, f.denominator) for f in facts] == [(world.commune_a.pk, 1, 2)]
