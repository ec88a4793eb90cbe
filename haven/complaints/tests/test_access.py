"""Who sees a complaint: the commune that handles it and its province; never another commune or
province, never the officer it is about; the complainant's identity only at the level that settles it.
Every view and every list leaves an audit event."""

from __future__ import annotations

import pytest

from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.complaints import selectors, services
from haven.complaints.models import Complaint
from haven.complaints.tests.conftest import D, at, category, received, settled
from haven.deadlines.models import Obligation
from haven.deadlines.selectors import tasks_for


def _conduct(world, officer):
    with at(D(2026, 3, 2)):
        return services.complaint_receive(
            actor=world.officer_a,
            category=category("officer_conduct"),
            content="Cán bộ tiếp nhận hồ sơ có thái độ quát nạt, đòi bồi dưỡng.",
            complainant_name="Phạm Thị Lụa",
            complainant_phone="0987654321",
            received_on=D(2026, 3, 2),
            about_officer=officer,
        )


@pytest.mark.parametrize(
    "who", ["officer_b", "provincial_other", "facility_director", "police_a", "school_a", "analyst"]
)
def test_a_user_of_another_commune_or_province_cannot_see_it(world, client, who):
    complaint = received(world, on=D(2026, 3, 2))
    user = getattr(world, who)
    assert not Complaint.objects.visible_to(user).filter(pk=complaint.pk).exists()
    client.force_login(user)
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 404
    assert client.get(f"/complaints/{complaint.pk}/accept/").status_code == 404
    assert ApiClient(user).get(f"/complaints/{complaint.pk}").status_code == 404
    listed = client.get("/complaints/")
    assert listed.status_code in (200, 404)
    assert complaint.reference not in listed.content.decode()


def test_the_commune_and_its_province_see_it(world, client):
    complaint = received(world, on=D(2026, 3, 2))
    for user in (world.officer_a, world.chairman_a, world.provincial):
        client.force_login(user)
        page = client.get("/complaints/")
        assert page.status_code == 200 and complaint.reference in page.content.decode()
        assert client.get(f"/complaints/{complaint.pk}/").status_code == 200


def test_the_officer_complained_about_sees_neither_the_complaint_nor_its_deadlines(world, client, officer_a2):
    complaint = _conduct(world, officer_a2)
    assert not Complaint.objects.visible_to(officer_a2).filter(pk=complaint.pk).exists()
    assert not Obligation.objects.visible_to(officer_a2).filter(subject_id=complaint.pk).exists()
    with at(D(2026, 3, 3)):
        assert not [o for o in tasks_for(user=officer_a2).shown if o.subject_id == complaint.pk]
        # The colleague who receives it has it on their list.
        assert [o for o in tasks_for(user=world.officer_a).shown if o.subject_id == complaint.pk]
    client.force_login(officer_a2)
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 404
    assert complaint.reference not in client.get("/complaints/").content.decode()
    assert ApiClient(officer_a2).get(f"/complaints/{complaint.pk}").status_code == 404
    with at(D(2026, 3, 4)), pytest.raises(Exception) as refused:
        services.complaint_accept(actor=officer_a2, complaint=complaint, accepted_on=D(2026, 3, 4))
    assert refused.type.__name__ == "NotVisible"


def test_the_inbox_tells_those_who_handle_complaints_never_the_officer_complained_about(
    world, client, officer_a2
):
    from haven.notifications.selectors import inbox_for

    complaint = _conduct(world, officer_a2)
    link = f"/complaints/{complaint.pk}/"

    def told(user) -> bool:
        return inbox_for(user=user).filter(link=link).exists()

    assert told(world.officer_a) and told(world.chairman_a)
    # The officer complained about, and a colleague whose role does not handle complaints (the
    # civil-status officer), would only meet "not found" there.
    assert not told(officer_a2)
    assert not told(world.civil_status_a)
    client.force_login(officer_a2)
    assert link not in client.get("/inbox/").content.decode()


def test_a_chairman_complained_about_does_not_settle_it(world, client):
    complaint = _conduct(world, world.chairman_a)
    assert not Complaint.objects.visible_to(world.chairman_a).filter(pk=complaint.pk).exists()
    # The province's department, the next rung of the ladder, sees it and who answers for it.
    assert Complaint.objects.visible_to(world.provincial).filter(pk=complaint.pk).exists()


def test_an_officer_cannot_record_a_complaint_about_themselves(world):
    with at(D(2026, 3, 2)), pytest.raises(Exception) as refused:
        services.complaint_receive(
            actor=world.officer_a,
            category=category("officer_conduct"),
            content="Tự khiếu nại.",
            complainant_name="Phạm Thị Lụa",
            complainant_phone="0987654321",
            received_on=D(2026, 3, 2),
            about_officer=world.officer_a,
        )
    assert "about_officer" in refused.value.error_dict


def test_the_complainants_identity_is_shown_at_the_level_that_settles_it(world, client):
    complaint = settled(world, on=D(2026, 3, 2), settled_on=D(2026, 3, 20))
    assert selectors.may_see_complainant(world.officer_a, complaint)
    assert not selectors.may_see_complainant(world.provincial, complaint)
    client.force_login(world.provincial)
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "Nguyễn Thị Hoa" not in page and "0912345678" not in page
    body = ApiClient(world.provincial).get(f"/complaints/{complaint.pk}").json()
    assert body["complainant_name"] is None and body["complainant_phone"] is None
    with at(D(2026, 4, 1)):
        services.complaint_appeal(actor=world.provincial, complaint=complaint, appealed_on=D(2026, 4, 1))
    complaint.refresh_from_db()
    assert selectors.may_see_complainant(world.provincial, complaint)
    assert "Nguyễn Thị Hoa" in client.get(f"/complaints/{complaint.pk}/").content.decode()
    event = (
        AuditEvent.objects.filter(action="complaint.view", actor=world.provincial).order_by("-seq").first()
    )
    assert event.data["complainant_shown"] is True


def test_every_view_list_and_step_is_audited(world, client):
    complaint = received(world, on=D(2026, 3, 2))
    assert AuditEvent.objects.filter(action="complaint.receive", object_id=str(complaint.pk)).exists()
    client.force_login(world.chairman_a)
    client.get("/complaints/")
    client.get(f"/complaints/{complaint.pk}/")
    ApiClient(world.chairman_a).get(f"/complaints/{complaint.pk}")
    assert AuditEvent.objects.filter(action="complaint.list", actor=world.chairman_a).exists()
    assert AuditEvent.objects.filter(action="complaint.view", actor=world.chairman_a).count() == 2


def test_the_childs_page_links_the_complaint_only_for_those_who_handle_it(world, client):
    child = world.child()
    world.involve(child, "facility_b")
    complaint = received(world, on=D(2026, 3, 2), about_child=child)
    client.force_login(world.officer_a)
    assert f"/complaints/{complaint.pk}/" in client.get(f"/children/{child.pk}/").content.decode()
    client.force_login(world.facility_director)
    page = client.get(f"/children/{child.pk}/")
    assert page.status_code == 200
    assert f"/complaints/{complaint.pk}/" not in page.content.decode()
