"""A report of a child at risk carried to closure by the right people on Decree 56's clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from haven.access.scoping import NotVisible
from haven.audit.services import verify
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep
from haven.people import services as people
from haven.protection import services
from haven.protection.models import State
from haven.protection.tests.factories import LOW, REVIEW_LOW, SPECIFIC, plan, report


def open_rules(case) -> set[str]:
    return set(
        Obligation.objects.filter(subject_id=case.pk, status=Status.OPEN).values_list("rule", flat=True)
    )


def test_report_to_closure(world, frozen):
    case = report(world)
    assert case.responsible == world.orgs["committee_a"] and case.channel == "hotline"
    # The report starts the 12 hours and the initial assessment that serves them (Decree 56 art. 26).
    assert open_rules(case) == {
        "protection.transfer",
        "protection.initial_assessment",
        "protection.emergency",
    }
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "Đã gặp trường", "emergency": True}
    )
    assert case.state == State.EMERGENCY
    services.protection_emergency(
        actor=world.chairman_a,
        case=case,
        measures="Đưa trẻ đến nhà bà ngoại",
        separate=True,
        shelter="Nhà bà ngoại, tổ 2",
    )
    assert "protection.emergency" not in open_rules(case) and "protection.separation_review" in open_rules(
        case
    )
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(
        actor=world.officer_a,
        case=case,
        data=plan(objectives="Trẻ an toàn"),
    )
    with pytest.raises(Refused) as refused:  # only the chairman approves, and the officer is told so
        services.protection_approve_plan(
            actor=world.officer_a, case=case, decision_number="1", participants="x"
        )
    assert refused.value.code == "not_your_step"
    services.protection_approve_plan(
        actor=world.chairman_a,
        case=case,
        decision_number="05/QĐ-UBND",
        participants="Chủ tịch, cán bộ BVTE, tổ trưởng dân phố, mẹ của trẻ",
    )
    assert case.state == State.IN_INTERVENTION and "protection.review" in open_rules(case)
    services.protection_review(actor=world.officer_a, case=case, data=REVIEW_LOW)
    # Decree 56/2017 art. 32: the separation ends by a decision before the case can close.
    services.protection_end_separation(actor=world.chairman_a, case=case, reason="Mẹ được đánh giá an toàn")
    services.protection_close(actor=world.chairman_a, case=case, reason="An toàn, ổn định")
    assert case.state == State.CLOSED and verify().ok


def test_the_12_hour_clock_escalates_when_missed(world, frozen):
    case = report(world)
    frozen.advance(hours=12, minutes=1)
    sweep(now=frozen.at)
    late = Obligation.objects.get(subject_id=case.pk, rule="protection.emergency")
    assert late.escalation_level == 1 and late.responsible == world.orgs["committee_a"]


def test_a_plan_for_a_child_of_7_or_more_needs_the_childs_view(world, frozen):
    case = report(world, date_of_birth=dt.date(2015, 1, 1))
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(
        actor=world.officer_a,
        case=case,
        data=plan(days=31),
    )
    with pytest.raises(Refused) as refused:
        services.protection_approve_plan(
            actor=world.chairman_a, case=case, decision_number="1", participants="x"
        )
    assert refused.value.code == "child_view_missing"
    people.opinion_record(
        actor=world.officer_a,
        child=case.child,
        heard_on=dt.date.today(),
        subject="Kế hoạch",
        opinion="Con muốn ở với bà",
    )
    services.protection_approve_plan(actor=world.chairman_a, case=case, decision_number="1", participants="x")


def test_a_step_out_of_order_is_refused_and_changes_nothing(world, frozen):
    case = report(world)
    with pytest.raises(Refused) as refused:
        services.protection_draft_plan(actor=world.officer_a, case=case, data={})
    assert refused.value.code == "out_of_order"
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.steps.count() == 1


def test_a_case_cannot_close_while_a_risk_remains(world, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(
        actor=world.officer_a,
        case=case,
        data=plan(days=31),
    )
    services.protection_approve_plan(actor=world.chairman_a, case=case, decision_number="1", participants="x")
    services.protection_review(actor=world.officer_a, case=case, data={**REVIEW_LOW, "harm": "medium"})
    with pytest.raises(Refused) as refused:
        services.protection_close(actor=world.chairman_a, case=case, reason="")
    assert refused.value.code == "risk_remains"
    services.protection_replan(actor=world.officer_a, case=case, reason="Còn nguy cơ")
    assert case.state == State.ASSESSING and "protection.plan" in open_rules(case)
    assert services.previous_scores(case, "06")["harm"] == "medium"


def test_the_informant_is_kept_only_with_consent(world, frozen):
    with pytest.raises(ValidationError):
        report(world, informant={"name": "Nguyễn Văn Bình", "phone": "0912345678"}, informant_consent=False)
    case = report(world, informant={"name": "Nguyễn Văn Bình", "phone": "0912345678"}, informant_consent=True)
    assert "Bình" not in case.informant_encrypted
    assert services.informant_of(case)["name"] == "Nguyễn Văn Bình"


def test_a_separation_lasts_at_most_15_days_unless_extended(world, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "x", "emergency": True}
    )
    with pytest.raises(ValidationError):
        services.protection_emergency(
            actor=world.chairman_a,
            case=case,
            measures="m",
            separate=True,
            shelter="Nhà tạm lánh",
            separation_days=20,
        )
    services.protection_emergency(
        actor=world.chairman_a,
        case=case,
        measures="m",
        separate=True,
        shelter="Nhà tạm lánh",
        separation_days=20,
        extension_decision="12/QĐ-UBND",
    )


def test_a_new_report_about_a_child_with_a_closed_case_is_linked_to_it(world, frozen):
    first = report(world)
    second = report(world, child=first.child)
    assert second.previous == first and second.child == first.child


def test_a_referral_is_answered_only_by_the_receiving_organisation(world, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    referral = services.referral_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám vết thương",
        consent=True,
    )
    with pytest.raises(NotVisible):
        services.referral_answer(actor=world.facility_director, referral=referral, status="accepted")
    services.referral_answer(actor=world.hospital_sw, referral=referral, status="accepted")
    services.referral_answer(
        actor=world.hospital_sw, referral=referral, status="done", outcome="Đã khám, băng bó"
    )
    assert referral.status == "done"
    # Accepting a referral does not open the case to the hospital.
    from haven.people.models import Child

    assert not Child.objects.visible_to(world.hospital_sw).filter(pk=case.child_id).exists()


def test_another_commune_cannot_act_on_the_case(world, frozen):
    case = report(world)
    with pytest.raises(NotVisible):
        services.protection_accept(actor=world.officer_b, case=case)


def test_a_child_not_yet_able_to_protect_themself_keeps_the_case_open(world, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(actor=world.officer_a, case=case, data={**LOW, "verification": "x"})
    services.protection_assess_specific(actor=world.officer_a, case=case, data=SPECIFIC)
    services.protection_draft_plan(
        actor=world.officer_a,
        case=case,
        data=plan(days=31),
    )
    services.protection_approve_plan(actor=world.chairman_a, case=case, decision_number="1", participants="x")
    services.protection_review(actor=world.officer_a, case=case, data={**REVIEW_LOW, "resilience": "low"})
    with pytest.raises(Refused) as refused:
        services.protection_close(actor=world.chairman_a, case=case, reason="")
    assert refused.value.code == "risk_remains"


def test_the_commune_of_the_incident_sees_a_child_who_lives_elsewhere_while_the_case_is_open(world, frozen):
    from haven.people.models import Child

    child = world.child(commune=world.commune_b)
    case = report(world, child=child)  # the incident happened in commune A
    assert Child.objects.visible_to(world.officer_a).filter(pk=child.pk).exists()
    services.protection_accept(actor=world.officer_a, case=case)
    services.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "Không có căn cứ", "unfounded": True}
    )
    assert not Child.objects.visible_to(world.officer_a).filter(pk=child.pk).exists()


def test_a_report_that_reveals_abandonment_opens_the_found_child_pathway_for_the_same_child(world, frozen):
    case = report(world, abandoned=True, date_of_birth=None)
    assert "abandoned" in case.flags
    assert case.child.foundling_case.state == "reported"
    assert case.child.foundling_case.responsible == world.orgs["committee_a"]


def test_the_lead_moves_to_another_commune_only_when_it_accepts(world, frozen):
    from haven.people.models import Child
    from haven.protection.models import Transfer

    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    with pytest.raises(ValidationError):
        services.transfer_request(
            actor=world.officer_a, case=case, to_organisation=world.orgs["facility_b"], reason="x"
        )
    transfer = services.transfer_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["committee_b"],
        reason="Gia đình chuyển nhà",
    )
    case.refresh_from_db()
    assert case.responsible == world.orgs["committee_a"]  # nothing moves before the answer
    with pytest.raises(NotVisible):
        services.transfer_answer(actor=world.officer_a, transfer=transfer, accept=True)
    services.transfer_answer(actor=world.officer_b, transfer=transfer, accept=True)
    case.refresh_from_db()
    assert case.responsible == world.orgs["committee_b"]
    assert set(
        Obligation.objects.filter(subject_id=case.pk, status=Status.OPEN).values_list(
            "responsible", flat=True
        )
    ) == {world.orgs["committee_b"].pk}
    assert Child.objects.visible_to(world.officer_b).filter(pk=case.child_id).exists()
    assert Transfer.objects.get().status == "accepted"


def test_a_refused_transfer_leaves_the_case_with_the_sender(world, frozen):
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    transfer = services.transfer_request(
        actor=world.officer_a, case=case, to_organisation=world.orgs["committee_b"], reason="Chuyển nhà"
    )
    with pytest.raises(ValidationError):
        services.transfer_answer(actor=world.officer_b, transfer=transfer, accept=False)
    services.transfer_answer(
        actor=world.officer_b, transfer=transfer, accept=False, reason="Gia đình chưa chuyển"
    )
    case.refresh_from_db()
    assert case.responsible == world.orgs["committee_a"]


def test_a_report_about_a_child_already_known_is_offered_as_a_match_never_duplicated_silently(world, frozen):
    from haven.people import services as people_services
    from haven.people.models import Child
    from haven.protection.models import KnownChildMatch

    known = people_services.child_create(
        actor=world.officer_a,
        family_name="Lò",
        given_name="Mai",
        sex="female",
        date_of_birth=dt.date(2020, 5, 1),
        current_commune=world.commune_a,
    )
    case = report(world)  # the hotline did not pick the child: same name, sex, age, commune
    match = KnownChildMatch.objects.get(case=case)
    assert match.candidate == known and "possible_known_child" in case.flags
    opened = case.child
    assert opened != known
    services.known_child_decide(actor=world.officer_a, match=match, same_child=True)
    case.refresh_from_db()
    assert case.child == known
    opened.refresh_from_db()
    assert opened.merged_into == known
    assert not Child.objects.visible_to(world.officer_a).filter(pk=opened.pk).exists()
    assert Obligation.objects.filter(subject_id=case.pk, child=known).exists()


def test_a_child_with_another_name_is_not_offered(world, frozen):
    from haven.people import services as people_services
    from haven.protection.models import KnownChildMatch

    people_services.child_create(
        actor=world.officer_a,
        family_name="Lò",
        given_name="Lan",
        sex="female",
        date_of_birth=dt.date(2020, 5, 1),
        current_commune=world.commune_a,
    )
    report(world)
    assert not KnownChildMatch.objects.exists()


def test_a_case_transferred_to_the_commune_the_child_moved_to_is_closed_there_and_stays_in_sight(
    world, client, frozen
):
    """The child moved (the reason for a transfer): once the new commune accepts, the child lives
    there, so closing the case there neither loses the child nor ends on "not found"."""
    from haven.accounts.models import Role
    from haven.core.testing import member

    chairman_b = member("chairman_b", world.orgs["committee_b"], Role.COMMUNE_CHAIRMAN)
    case = report(world)
    services.protection_accept(actor=world.officer_a, case=case)
    transfer = services.transfer_request(
        actor=world.officer_a,
        case=case,
        to_organisation=world.orgs["committee_b"],
        reason="Gia đình chuyển nhà",
    )
    services.transfer_answer(actor=world.officer_b, transfer=transfer, accept=True)
    case.child.refresh_from_db()
    assert case.child.current_commune == world.commune_b
    services.protection_assess_initial(
        actor=world.officer_b, case=case, data={**LOW, "verification": "Đã gặp"}
    )
    services.protection_assess_specific(actor=world.officer_b, case=case, data=SPECIFIC)
    services.protection_draft_plan(actor=world.officer_b, case=case, data=plan(objectives="Trẻ an toàn"))
    services.protection_approve_plan(
        actor=chairman_b, case=case, decision_number="07/QĐ-UBND", participants="Chủ tịch, cán bộ, mẹ"
    )
    services.protection_review(actor=world.officer_b, case=case, data=REVIEW_LOW)
    client.force_login(chairman_b)
    response = client.post(
        f"/protection/{case.pk}/close/", {"reason": "An toàn, ổn định", "step-confirm": "on"}, follow=True
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert client.get(f"/protection/{case.pk}/").status_code == 200
