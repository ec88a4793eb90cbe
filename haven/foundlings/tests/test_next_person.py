"""The next person is told and can act (walkthrough D6, D7; issue 12 item 4).

Refused: an organisation neither asked to accept the child nor its reporter (another hospital, commune
B's officer) reads nothing of the case; a caregiver of the receiving facility, who does not answer for
it, is told the director answers and is shown nothing of the child; the reporter takes no step and
never sees the child's record.
"""

from __future__ import annotations

import datetime as dt

import pytest

from haven.accounts.models import Role
from haven.api.tests.client import ApiClient
from haven.audit.models import AuditEvent
from haven.core import clock
from haven.core.testing import OrganisationFactory, member
from haven.deadlines.rules import RULES
from haven.deadlines.selectors import tasks_for
from haven.foundlings import services
from haven.foundlings.models import FoundlingCase, HandoverStatus, State
from haven.foundlings.tests.test_pathway import RECORD, VITALS, report
from haven.notifications.models import Notification


@pytest.fixture
def handed(world, frozen):
    """A child reported by the hospital, screened, recorded, and handed to the facility of commune B,
    which has not answered yet."""
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    case.refresh_from_db()
    assert case.state == State.HANDOVER_PENDING
    case.handover = handover
    return case


def inbox_link(world, case) -> str:
    return Notification.objects.get(
        organisation=world.orgs["facility_b"], kind="foundling.decide_temporary_care"
    ).link


# D7: the facility asked to accept the child decides on what it needs to know.


def test_the_facility_asked_to_accept_reads_the_childs_essentials_next_to_its_answer(world, client, handed):
    client.force_login(world.facility_director)
    response = client.get(f"/foundlings/{handed.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    essentials = response.context["essentials"]
    assert essentials.sex == handed.child.get_sex_display() and essentials.age == "3 ngày"
    for fact in (
        VITALS["findings"],  # the health screening
        "2900",  # its weight, in grams
        handed.condition,  # the discovery: condition, place, belongings
        handed.found_place,
        handed.belongings,
        world.orgs["hospital_a"].name,  # who sends the child
        handed.found_at.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y %H:%M"),
    ):
        assert fact in page, fact
    # The answer is on the same page, and nothing of the child's record is offered.
    assert f'action="/foundlings/{handed.pk}/answer_handover/"' in page and 'name="accept"' in page
    assert f"/children/{handed.child_id}/" not in page and "/timeline/" not in page
    seen = AuditEvent.objects.filter(
        action="child.view", child_id=handed.child_id, actor=world.facility_director
    )
    assert list(seen.values_list("reason", flat=True)) == ["asked_to_accept"]


def test_the_pending_handover_is_the_directors_task_with_its_12_hour_deadline(world, client, handed):
    due = handed.handover.requested_at + dt.timedelta(hours=RULES["foundling.handover_answer"].amount)
    tasks = tasks_for(user=world.facility_director)
    [task] = tasks.shown
    assert (task.rule, task.subject_id, task.due_at) == ("foundling.handover_answer", handed.pk, due)
    client.force_login(world.facility_director)
    home = client.get("/").content.decode()
    assert f'data-task="{task.pk}" href="/foundlings/{handed.pk}/"' in home
    assert f'data-task="{task.pk}"' in client.get("/foundlings/").content.decode()
    # The caregiver of the same facility does not answer for it: not her task.
    assert tasks_for(user=world.caregiver_b).empty


def test_once_accepted_the_facility_keeps_the_case_and_the_inbox_link_leads_to_it(world, client, handed):
    client.force_login(world.facility_director)
    link = inbox_link(world, handed)
    client.post(link, {"accept": "1"})
    handed.refresh_from_db()
    assert handed.state == State.TEMPORARY_CARE
    assert client.get(f"/foundlings/{handed.pk}/").context["seen"].whole
    followed = client.get(link, follow=True)
    assert followed.redirect_chain[-1][0] == f"/foundlings/{handed.pk}/" and followed.status_code == 200


def test_once_refused_the_inbox_link_says_the_handover_was_answered(world, client, handed):
    client.force_login(world.facility_director)
    link = inbox_link(world, handed)
    client.post(link, {"accept": "0", "reason": "Hết chỗ cho trẻ sơ sinh"})
    handed.handover.refresh_from_db()
    assert handed.handover.status == HandoverStatus.REFUSED
    assert client.get(f"/foundlings/{handed.pk}/").status_code == 404  # no longer the facility's to read
    answered = client.get(link)
    assert answered.status_code == 200 and answered.context["handover"].status == HandoverStatus.REFUSED
    page = answered.content.decode()
    assert "Hết chỗ cho trẻ sơ sinh" in page and handed.condition not in page


def test_a_caregiver_of_the_facility_is_told_who_answers_and_sees_nothing_of_the_child(world, client, handed):
    client.force_login(world.caregiver_b)
    assert client.get(f"/foundlings/{handed.pk}/").status_code == 404
    told = client.get(inbox_link(world, handed))
    assert told.status_code == 200 and told.context["handover"].status == HandoverStatus.PENDING
    assert handed.condition not in told.content.decode()


def test_a_province_following_the_answer_link_lands_on_the_case(world, client, handed):
    client.force_login(world.provincial)
    assert client.get(f"/foundlings/{handed.pk}/answer_handover/").url == f"/foundlings/{handed.pk}/"


def test_the_api_gives_the_receiver_what_it_needs_to_decide(world, handed):
    asked = ApiClient(world.facility_director).get(f"/foundlings/{handed.pk}")
    assert asked.status_code == 200
    body = asked.json()
    assert body["seen_as"] == "asked_to_accept" and body["sex"] == "male"
    assert body["estimated_age_days"] == 3 and body["health_screening"]["findings"] == VITALS["findings"]
    assert body["pending_handover"]["from_organisation"]["id"] == world.orgs["hospital_a"].pk
    assert [o["rule"] for o in body["obligations"]] == ["foundling.handover_answer"]
    assert body["steps"] == [] and body["pin_request"] is None


# D6: the organisation that reported a child found in another commune keeps following its report.


REPORT_FORM = {
    "province": None,
    "found_commune": None,
    "found_place": "Trước cổng chợ Ngọc Hà",
    "sex": "female",
    "condition": "Trẻ khoảng 1 tháng, quấn khăn",
    "belongings": "Một túi quần áo",
}


def test_a_hospital_that_reports_a_child_found_in_another_commune_keeps_seeing_its_report(
    world, client, frozen
):
    client.force_login(world.hospital_sw)
    form = {
        **REPORT_FORM,
        "found_at": (frozen.at - dt.timedelta(hours=1)).strftime("%d/%m/%Y %H:%M"),
        "province": world.hanoi.pk,
        "found_commune": world.commune_b.pk,
    }
    submitted = client.post("/foundlings/report/", form, follow=True)
    case = FoundlingCase.objects.get()
    assert case.responsible == world.orgs["committee_b"]  # commune B answers for the child
    # The submit ends on the confirmation page of its case, not on "not found".
    assert submitted.redirect_chain == [(f"/foundlings/{case.pk}/", 302)] and submitted.status_code == 200
    assert submitted.context["seen"].relation == "reported"
    page = submitted.content.decode()
    assert REPORT_FORM["found_place"] in page and world.orgs["committee_b"].name in page
    assert submitted.context["actions"] == [] and f"/children/{case.child_id}/" not in page
    assert f"/foundlings/{case.pk}/" in client.get("/foundlings/").content.decode()
    # Following the report is not reading the child's record.
    assert client.get(f"/children/{case.child_id}/").status_code == 404
    reasons = AuditEvent.objects.filter(action="child.view", child_id=case.child_id, actor=world.hospital_sw)
    assert list(reasons.values_list("reason", flat=True)) == ["reported"]


def test_the_api_reporter_gets_its_case_back_and_in_its_list(world, frozen):
    hospital = ApiClient(world.hospital_sw)
    created = hospital.post(
        "/foundlings",
        {
            "found_at": (frozen.at - dt.timedelta(hours=1)).isoformat(),
            "found_commune_code": world.commune_b.code,
            "found_place": "Trước cổng chợ",
            "sex": "female",
            "condition": "Trẻ khoảng 1 tháng",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["seen_as"] == "reported" and body["actions"] == [] and body["steps"] == []
    assert body["responsible"]["id"] == world.orgs["committee_b"].pk
    assert hospital.get(f"/foundlings/{body['id']}").status_code == 200
    assert [c["id"] for c in hospital.get("/foundlings").json()["items"]] == [body["id"]]


def test_another_hospital_reads_nothing_of_the_report(world, client, frozen):
    case = services.foundling_report(
        actor=world.hospital_sw,
        found_at=frozen.at - dt.timedelta(hours=1),
        found_commune=world.commune_b,
        found_place="Chợ",
        sex="female",
        condition="Khỏe",
    )
    other = OrganisationFactory(name="Bệnh viện khác", kind="health_facility", area=world.commune_a)
    stranger = member("hospital_other", other, Role.HOSPITAL_SOCIAL_WORKER)
    client.force_login(stranger)
    assert client.get(f"/foundlings/{case.pk}/").status_code == 404
    assert ApiClient(stranger).get(f"/foundlings/{case.pk}").status_code == 404
    assert f"/foundlings/{case.pk}/" not in client.get("/foundlings/").content.decode()


# D13: a page offers only the steps its reader may take.


def test_the_hospital_is_not_offered_to_close_a_second_report(world, client, frozen):
    first, second = report(world, frozen), report(world, frozen)
    assert second.possible_duplicates.filter(other=first).exists()
    client.force_login(world.hospital_sw)
    page = client.get(f"/foundlings/{second.pk}/").content.decode()
    assert "/duplicates/" not in page and 'name="same_child"' not in page
    assert "/acknowledge/" not in page  # the commune's step, not the hospital's
    client.force_login(world.officer_a)
    page = client.get(f"/foundlings/{second.pk}/").content.decode()
    assert f"/foundlings/{second.pk}/duplicates/" in page  # the commune decides


# D26: the child's record leads to the child's cases, and a found child is in the group "abandoned".


def test_a_found_child_is_recorded_as_abandoned_when_the_case_opens(world, frozen):
    case = report(world, frozen)
    [group] = case.child.circumstances.all()
    assert (group.group, group.started_on, group.ended_on) == ("HCDB_B", clock.localdate(case.found_at), None)
    assert group.recorded_by == world.hospital_sw and case.found_place in group.evidence
    assert AuditEvent.objects.filter(action="child.circumstance_add", object_id=str(group.pk)).exists()
    public = services.foundling_report(
        actor=None,
        found_at=frozen.at,
        found_commune=world.commune_b,
        found_place="Trước cổng chợ",
        sex="female",
        condition="Khỏe",
    )
    assert public.child.circumstances.get().group == "HCDB_B"  # a report from the public too


def test_a_child_returned_to_the_family_is_no_longer_abandoned(world, frozen):
    case = report(world, frozen)
    services.foundling_acknowledge(actor=world.officer_a, case=case)
    services.foundling_screen(actor=world.hospital_sw, case=case, screened_at=frozen.at, **VITALS)
    services.foundling_record(actor=world.officer_a, case=case, **RECORD)
    handover = services.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    services.foundling_handover_answer(actor=world.facility_director, handover=handover, accept=True)
    services.foundling_post_notice(actor=world.officer_a, case=case)
    services.foundling_claim(actor=world.officer_a, case=case, claimant="Nguyễn Thị Hạnh, mẹ đẻ")
    services.foundling_claim_decide(actor=world.officer_a, case=case, reunify=True, reason="Đã xác minh")
    assert case.child.circumstances.get().ended_on == clock.localdate()


def test_the_childs_page_leads_to_the_cases_the_reader_may_see(world, client, frozen):
    from haven.care.tests.conftest import hand_over
    from haven.protection.tests.test_case import report as protection_report

    case = report(world, frozen)
    risk = protection_report(world, child=case.child)
    hand_over(world, case.child)
    client.force_login(world.officer_a)
    page = client.get(f"/children/{case.child_id}/").content.decode()
    for link in (f"/foundlings/{case.pk}/", f"/protection/{risk.pk}/", f"/care/children/{case.child_id}/"):
        assert f'href="{link}"' in page, link
    # Each link opens.
    for link in (f"/foundlings/{case.pk}/", f"/protection/{risk.pk}/", f"/care/children/{case.child_id}/"):
        assert client.get(link).status_code == 200, link
    # Another commune sees none of it.
    client.force_login(world.officer_b)
    assert client.get(f"/children/{case.child_id}/").status_code == 404
