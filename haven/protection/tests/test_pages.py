"""The child-protection pages. Each test first states who is refused."""

from __future__ import annotations

import re

from django.core.cache import cache

from haven.audit.models import AuditEvent
from haven.protection import services
from haven.protection.models import ProtectionCase, Referral, State
from haven.protection.tests.factories import LOW, SPECIFIC, on_page, plan, report

INFORMANT = {"name": "Nguyễn Văn Bình", "phone": "0912345678", "address": "Tổ 3"}
FORM_01 = {
    "incident_place": "Nhà số 12, tổ 4",
    "family_name": "Lò",
    "given_name": "Mai",
    "sex": "female",
    "estimated_age_years": "9",
    "condition": "Có vết bầm ở tay",
    "likely_harm": "Tiếp tục bị đánh",
    "caregiver": "Bố dượng",
}


def checked(page: str, name: str) -> str | None:
    found = re.search(rf'<input type="radio" name="{name}" value="(\w+)"[^>]* checked>', page)
    return found.group(1) if found else None


def assessed(world, **extra) -> ProtectionCase:
    case = report(world, **extra)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    return case


def test_the_case_is_not_found_for_another_commune(world, client, frozen):
    case = report(world)
    client.force_login(world.officer_b)
    assert client.get(f"/protection/{case.pk}/").status_code == 404
    assert str(case.child) not in client.get("/protection/").content.decode()
    client.force_login(world.officer_a)
    page = client.get(f"/protection/{case.pk}/").content.decode()
    assert f"/protection/{case.pk}/accept/" in page and str(case.child) in page


def test_the_informant_is_shown_only_to_the_roles_that_handle_the_report(world, client, frozen):
    case = report(world, informant=INFORMANT, informant_consent=True)
    services.protection_accept(actor=world.officer_a, case=case)
    referral = services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám vết thương",
        consent=True,
    )
    client.force_login(world.provincial)  # sees the case, not who reported it
    page = client.get(f"/protection/{case.pk}/").content.decode()
    assert str(case.child) in page and INFORMANT["name"] not in page and 'id="informant"' not in page
    client.force_login(world.hospital_sw)  # the referral's receiver
    assert INFORMANT["name"] not in client.get(f"/protection/referrals/{referral.pk}/").content.decode()
    client.force_login(world.facility_director)
    assert client.get(f"/protection/{case.pk}/").status_code == 404
    client.force_login(world.officer_a)
    page = client.get(f"/protection/{case.pk}/").content.decode()
    assert INFORMANT["name"] in page and INFORMANT["phone"] in page
    assert AuditEvent.objects.filter(action="protection.informant_view", actor=world.officer_a).exists()


def test_the_public_reports_without_an_account_to_the_commune_of_the_incident(world, client, frozen):
    cache.clear()  # the public pages share one per-address limit (haven/core/throttle.py)
    # A bot filling the hidden field creates nothing.
    client.post(
        "/report/child-at-risk/",
        {**FORM_01, "province": world.hanoi.pk, "incident_commune": world.commune_b.pk, "website": "x"},
    )
    assert not ProtectionCase.objects.exists()
    # The informant's identity without consent is refused, and nothing is saved.
    response = client.post(
        "/report/child-at-risk/",
        {
            **FORM_01,
            "province": world.hanoi.pk,
            "incident_commune": world.commune_b.pk,
            "informant_name": INFORMANT["name"],
        },
    )
    assert "errorlist" in response.content.decode() and not ProtectionCase.objects.exists()
    response = client.post(
        "/report/child-at-risk/",
        {
            **FORM_01,
            "province": world.hanoi.pk,
            "incident_commune": world.commune_b.pk,
            "informant_consent": "on",
            "informant_phone": INFORMANT["phone"],
            "pregnant": "on",
            "estimated_age_years": "13",
        },
    )
    assert response.status_code == 200
    case = ProtectionCase.objects.get()
    assert case.channel == "public" and case.responsible == world.orgs["committee_b"]
    assert case.received_by is None and services.informant_of(case) == {"phone": INFORMANT["phone"]}
    assert case.child.date_of_birth_estimated and case.flags == ["pregnant_under_16"]
    options = client.get(f"/areas/communes/?province={world.hanoi.pk}")  # public: no account needed
    assert world.commune_b.name in options.content.decode()


def test_staff_report_form_01_and_who_may_not(world, client, frozen):
    client.force_login(world.provincial)  # not a reporting role
    assert client.get("/protection/report/").status_code == 404
    client.force_login(world.hotline)
    response = client.post(
        "/protection/report/",
        {
            **FORM_01,
            "province": world.hanoi.pk,
            "incident_commune": world.commune_a.pk,
            "informant_consent": "on",
            "informant_name": INFORMANT["name"],
        },
    )
    case = ProtectionCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/protection/{case.pk}/"
    assert case.channel == "hotline" and services.informant_of(case) == {"name": INFORMANT["name"]}


def test_the_form_02_page_starts_from_the_previous_scores(world, client, frozen):
    first = report(world)
    services.protection_accept(actor=world.officer_a, case=first)
    services.protection_assess_initial(
        actor=world.officer_a,
        case=first,
        data={"harm": "high", "danger": "medium", "abuser_access": "high", "verification": "x"},
    )
    again = report(world, child=first.child)  # a new report about the same child
    services.protection_accept(actor=world.officer_a, case=again)
    client.force_login(world.officer_b)
    assert client.get(f"/protection/{again.pk}/assess_initial/").status_code == 404
    client.force_login(world.officer_a)
    page = client.get(f"/protection/{again.pk}/assess_initial/").content.decode()
    assert checked(page, "harm") == "high" and checked(page, "danger") == "medium"
    assert "Last assessment" in page or "Lần đánh giá trước" in page


def test_a_step_out_of_order_through_the_page_changes_nothing(world, client, frozen):
    case = report(world)
    client.force_login(world.officer_a)
    response = client.post(
        f"/protection/{case.pk}/draft_plan/",
        {
            "objectives": "x",
            "measures": "y",
            "start": on_page(plan()["start"]),
            "end": on_page(plan()["end"]),
        },
        follow=True,
    )
    assert response.status_code == 200 and "alert-error" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.steps.count() == 1 and not case.assessments.exists()


def test_only_the_chairman_approves_the_plan(world, client, frozen):
    case = assessed(world)
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(
        actor=world.officer_a,
        case=case,
        data=plan(),
    )
    client.force_login(world.officer_a)
    # Approving is irreversible: the page asks to confirm it.
    approval = {
        "decision_number": "05/QĐ-UBND",
        "participants": "Chủ tịch, cán bộ, mẹ của trẻ",
        "step-confirm": "on",
    }
    refused = client.post(f"/protection/{case.pk}/approve_plan/", approval)
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()  # told who approves
    assert client.get(f"/protection/{case.pk}/approve_plan/").status_code == 302  # the form is not offered
    case.refresh_from_db()
    assert case.state == State.PLAN_DRAFTED and not case.approvals.exists()
    client.force_login(world.chairman_a)
    assert client.post(f"/protection/{case.pk}/approve_plan/", approval).status_code == 302
    case.refresh_from_db()
    assert case.state == State.IN_INTERVENTION and case.approvals.get().decision_number == "05/QĐ-UBND"


def test_the_referral_receiver_sees_the_referral_and_not_the_case(world, client, frozen):
    case = assessed(world)
    client.force_login(world.officer_b)  # another commune cannot refer this child
    assert client.get(f"/protection/{case.pk}/refer/").status_code == 404
    client.force_login(world.officer_a)
    response = client.post(
        f"/protection/{case.pk}/refer/",
        {
            "to_organisation": world.orgs["hospital_a"].pk,
            "service": "medical",
            "note": "Khám và chữa vết thương",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    client.force_login(world.facility_director)  # not the receiver
    assert client.get(f"/protection/referrals/{referral.pk}/").status_code == 404
    client.force_login(world.hospital_sw)
    assert client.get(f"/protection/{case.pk}/").status_code == 404
    assert client.get(f"/children/{case.child_id}/").status_code == 404
    page = client.get(f"/protection/referrals/{referral.pk}/").content.decode()
    assert str(case.child) in page and "Khám và chữa vết thương" in page
    assert case.condition not in page and "verification" not in page
    assert f"/protection/referrals/{referral.pk}/" in client.get("/protection/referrals/").content.decode()
    client.post(f"/protection/referrals/{referral.pk}/", {"status": "accepted"})
    client.post(f"/protection/referrals/{referral.pk}/", {"status": "done", "outcome": "Đã khám, băng bó"})
    referral.refresh_from_db()
    assert referral.status == "done" and referral.outcome == "Đã khám, băng bó"


def test_the_printed_form_is_in_vietnamese_and_audited(world, client, frozen):
    case = assessed(world)
    assessment = case.assessments.get()
    client.force_login(world.hotline)  # sees the case, may not export it
    assert client.get(f"/protection/{case.pk}/assessments/{assessment.pk}/print/").status_code == 404
    client.force_login(world.officer_a)
    page = client.get(f"/protection/{case.pk}/assessments/{assessment.pk}/print/").content.decode()
    assert 'lang="vi"' in page and "Mẫu số 02" in page and str(case.child) in page
    assert AuditEvent.objects.filter(
        action="child.export", actor=world.officer_a, child_id=case.child_id
    ).exists()


def test_a_case_is_carried_to_closure_through_the_pages(world, client, frozen):
    case = report(world)
    client.force_login(world.officer_a)
    client.post(f"/protection/{case.pk}/accept/")
    client.post(
        f"/protection/{case.pk}/assess_initial/",
        {**LOW, "verification": "Đã gặp trường", "emergency": "on"},
    )
    case.refresh_from_db()
    assert case.state == State.EMERGENCY
    client.force_login(world.chairman_a)
    client.post(
        f"/protection/{case.pk}/emergency_measures/",
        {
            "measures": "Đưa trẻ đến nhà bà ngoại",
            "separate": "on",
            "shelter": "Nhà bà ngoại",
            "separation_days": 15,
        },
    )
    assert case.separations.get().shelter == "Nhà bà ngoại"
    client.post(f"/protection/{case.pk}/end_separation/", {"reason": "Mẹ đã đón trẻ về, an toàn"})
    client.force_login(world.officer_a)
    client.post(f"/protection/{case.pk}/assess_specific/", SPECIFIC)
    client.post(
        f"/protection/{case.pk}/draft_plan/",
        {
            "objectives": "Trẻ an toàn",
            "measures": "Tư vấn tâm lý",
            "start": on_page(plan()["start"]),
            "end": on_page(plan()["end"]),
        },
    )
    assert case.assessments.get(form="04").data["end"] == plan()["end"]
    client.force_login(world.chairman_a)
    client.post(
        f"/protection/{case.pk}/approve_plan/",
        {"decision_number": "5", "participants": "Chủ tịch, mẹ", "step-confirm": "on"},
    )
    client.force_login(world.officer_a)
    page = client.get(f"/protection/{case.pk}/review/").content.decode()
    assert checked(page, "harm") == "low" and checked(page, "obstacles") is None  # Form 02's score carried
    client.post(
        f"/protection/{case.pk}/review/",
        {
            "harm": "low",
            "abuser_access": "low",
            "obstacles": "low",
            "resilience": "high",
            "summary": "Ổn định",
        },
    )
    client.force_login(world.chairman_a)
    client.post(f"/protection/{case.pk}/close/", {"reason": "An toàn, ổn định", "step-confirm": "on"})
    case.refresh_from_db()
    assert case.state == State.CLOSED
    page = client.get(f"/protection/{case.pk}/").content.decode()
    for title in ("Form 02", "Form 03", "Form 04", "Form 06", "Form 05"):
        assert title in page or title.replace("Form", "Mẫu số") in page  # vi: "(Mẫu số 02)"


def test_the_home_page_links_a_protection_task_to_its_case(world, client, frozen):
    case = report(world)
    client.force_login(world.officer_b)
    assert f"/protection/{case.pk}/" not in client.get("/").content.decode()
    client.force_login(world.officer_a)
    assert f"/protection/{case.pk}/" in client.get("/").content.decode()


def test_the_list_page_reads_a_bounded_number_of_queries(
    world, client, frozen, django_assert_max_num_queries
):
    cases = [report(world) for _ in range(20)]
    client.force_login(world.nobody)  # no role: the list is refused
    assert client.get("/protection/").status_code == 404
    client.force_login(world.officer_a)
    # Session, user, device, memberships, cases, audit event, and the user's steps on these cases.
    with django_assert_max_num_queries(14):
        page = client.get("/protection/").content.decode()
    assert all(f"/protection/{case.pk}/" in page for case in cases)


def test_the_receiving_commune_answers_a_transfer_before_it_sees_the_case(world, client, frozen):
    from haven.protection.models import Transfer

    case = services.protection_report(
        actor=world.hotline,
        incident_commune=world.commune_a,
        incident_place="Tổ 4",
        sex="female",
        condition="Bầm tím",
        likely_harm="Bị đánh tiếp",
    )
    services.protection_accept(actor=world.officer_a, case=case)
    client.force_login(world.officer_a)
    client.post(
        f"/protection/{case.pk}/transfer/",
        {"to_organisation": world.orgs["committee_b"].pk, "reason": "Gia đình chuyển nhà"},
    )
    transfer = Transfer.objects.get()
    client.force_login(world.officer_b)
    assert client.get(f"/protection/{case.pk}/").status_code == 404
    assert client.get(f"/protection/transfers/{transfer.pk}/").status_code == 200
    client.post(f"/protection/transfers/{transfer.pk}/", {"accept": "1"})
    assert client.get(f"/protection/{case.pk}/").status_code == 200
    client.force_login(world.hospital_sw)
    assert client.get(f"/protection/transfers/{transfer.pk}/").status_code == 404


# --- Contradictions refused, mistakes reversible (Decree 56/2017 art. 26, 30, 32) -------------------


def vi(message: str) -> str:
    from django.utils import translation

    with translation.override("vi"):
        return translation.gettext(message)


def test_a_contradictory_form_02_is_refused_with_every_reason_and_what_was_typed_kept(world, client, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    client.force_login(world.officer_b)  # another commune's officer does not see the case
    assert client.get(f"/protection/{case.pk}/assess_initial/").status_code == 404
    client.force_login(world.officer_a)
    typed = "Hàng xóm và cô giáo xác nhận trẻ bị đánh"
    response = client.post(
        f"/protection/{case.pk}/assess_initial/",
        {
            "harm": "high",
            "danger": "high",
            "abuser_access": "high",
            "verification": typed,
            "unfounded": "on",
            "emergency": "on",
            "step-confirm": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(vi("This risk is scored High: the report cannot be concluded unfounded.")) == 3
    assert vi(
        "Emergency measures within 12 hours were chosen: the report cannot be concluded unfounded "
        "(Decree 56/2017, Article 26(3))."
    ) in page.replace("&#x27;", "'")
    assert typed in page and checked(page, "harm") == "high" and checked(page, "abuser_access") == "high"
    case.refresh_from_db()
    assert case.state == State.WITH_COMMUNE and not case.assessments.exists()


def test_form_02_asks_to_confirm_only_a_conclusion_that_closes_the_report(world, client, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    client.force_login(world.officer_a)
    page = client.get(f"/protection/{case.pk}/assess_initial/").content.decode()
    assert 'name="step-confirm"' in page
    unfounded = {**LOW, "verification": "Không có căn cứ", "unfounded": "on"}
    response = client.post(f"/protection/{case.pk}/assess_initial/", unfounded)
    assert (
        response.status_code == 200 and vi("Tick the box to confirm this step.") in response.content.decode()
    )
    case.refresh_from_db()
    assert case.state == State.WITH_COMMUNE
    response = client.post(f"/protection/{case.pk}/assess_initial/", {**LOW, "verification": "Cần hỗ trợ"})
    assert response.status_code == 302  # support: nothing irreversible, nothing to confirm
    case.refresh_from_db()
    assert case.state == State.ASSESSING


def test_the_chairman_sees_the_plan_he_approves(world, client, frozen):
    """Law on Children art. 52: the chairman decides on the plan (Form 04) with its content before him."""
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(
        actor=world.officer_a,
        case=case,
        data=plan(objectives="Trẻ đi học lại đều đặn", measures="Tư vấn tâm lý hằng tuần — trạm y tế"),
    )
    client.force_login(world.chairman_a)
    page = client.get(f"/protection/{case.pk}/approve_plan/").content.decode()
    assert "Trẻ đi học lại đều đặn" in page and "Tư vấn tâm lý hằng tuần — trạm y tế" in page
    assert on_page(plan()["start"]) in page and 'name="step-confirm"' in page


def test_the_chairman_reopens_a_case_closed_as_unfounded_from_its_page(world, client, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "Không có căn cứ", "unfounded": True}
    )
    client.force_login(world.officer_a)  # the officer may not reopen: not offered, not open
    assert f"/protection/{case.pk}/reopen/" not in client.get(f"/protection/{case.pk}/").content.decode()
    assert client.get(f"/protection/{case.pk}/reopen/").status_code == 302
    client.force_login(world.chairman_a)
    assert f"/protection/{case.pk}/reopen/" in client.get(f"/protection/{case.pk}/").content.decode()
    page = client.get(f"/protection/{case.pk}/reopen/").content.decode()
    assert vi("Reopen the case") in page and vi("Initial assessment: unfounded") in page
    unconfirmed = client.post(f"/protection/{case.pk}/reopen/", {"reason": "Trường báo vết bầm mới"})
    assert unconfirmed.status_code == 200 and "Trường báo vết bầm mới" in unconfirmed.content.decode()
    case.refresh_from_db()
    assert case.state == State.UNFOUNDED
    done = client.post(
        f"/protection/{case.pk}/reopen/", {"reason": "Trường báo vết bầm mới", "step-confirm": "on"}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == State.WITH_COMMUNE and case.steps.last().note == "Trường báo vết bầm mới"


def test_a_referral_is_withdrawn_from_the_case_page(world, client, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    referral = services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám vết bầm",
        consent=True,
    )
    client.force_login(world.officer_b)
    assert client.get(f"/protection/{case.pk}/withdraw_referral/").status_code == 404
    client.force_login(world.officer_a)
    assert (
        f"/protection/{case.pk}/withdraw_referral/" in client.get(f"/protection/{case.pk}/").content.decode()
    )
    response = client.post(
        f"/protection/{case.pk}/withdraw_referral/", {"referral": referral.pk, "reason": "Gia đình tự đưa đi"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and referral.outcome == "Gia đình tự đưa đi"


def test_the_childs_view_is_heard_from_the_case_and_kept_on_its_timeline(world, client, frozen):
    """Law on Children art. 60(3): a child of 7 or over is heard before a separation or the plan."""
    import datetime as dt

    case = report(world, date_of_birth=dt.date(2016, 2, 1))
    client.force_login(world.chairman_a)  # the chairman decides; the officer hears the child
    assert f"/protection/{case.pk}/hear_child/" not in client.get(f"/protection/{case.pk}/").content.decode()
    client.force_login(world.officer_a)
    assert f"/protection/{case.pk}/hear_child/" in client.get(f"/protection/{case.pk}/").content.decode()
    response = client.post(
        f"/protection/{case.pk}/hear_child/",
        {"heard_on": on_page(plan()["start"]), "subject": "Nơi ở", "opinion": "Con muốn ở với bà ngoại"},
    )
    assert response.status_code == 302
    assert case.child.opinions.get().opinion == "Con muốn ở với bà ngoại"
    assert case.steps.filter(action="hear_child", note="Nơi ở").exists()
