"""The sweep: an overdue step climbs the ladder (issue #3) — the head of the responsible organisation,
then the provincial Department of Health, then the Ministry of Health — once per rung, however often
the sweep runs; a timer is fired instead."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from haven.audit.models import AuditEvent
from haven.audit.services import verify
from haven.core.calendar import VIETNAM
from haven.deadlines.models import MAX_LEVEL, Escalation, Obligation, Status
from haven.deadlines.rules import RULES
from haven.deadlines.sweep import sweep
from haven.foundlings import services as foundlings
from haven.foundlings.models import FoundlingCase, State
from haven.notifications.models import Channel, Notification, OutboxMessage

HANDOVER = "foundling.handover_answer"  # due in 12 hours, then a rung every 6 hours
CHAIRMAN_EMAIL = "chutich@phuong-a.hanoi.gov.vn"


def give_contacts(world) -> None:
    for user, email, phone in [
        (world.chairman_a, CHAIRMAN_EMAIL, "0912000111"),
        (world.provincial, "", "0913000222"),
        (world.ministry, "canhbao@moh.gov.vn", ""),
        (world.officer_a, "canbo@phuong-a.hanoi.gov.vn", "0914000333"),  # not a head: never written to
    ]:
        user.email, user.phone = email, phone
        user.save(update_fields=["email", "phone"])


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Escalation, Notification, OutboxMessage, AuditEvent))


def test_an_overdue_step_climbs_the_ladder_once_per_rung(world, step, frozen):
    give_contacts(world)
    late = step(HANDOVER, responsible="committee_a")
    assert sweep(now=late.due_at - dt.timedelta(seconds=1)).escalated == 0

    ladder = [
        (0, 1, "committee_a", [(Channel.EMAIL, CHAIRMAN_EMAIL), (Channel.SMS, "0912000111")]),
        (6, 2, "health_hanoi", [(Channel.SMS, "0913000222")]),
        (12, 3, "ministry", [(Channel.EMAIL, "canhbao@moh.gov.vn")]),
    ]
    for hours_late, level, org, messages in ladder:
        now = late.due_at + dt.timedelta(hours=hours_late)
        assert sweep(now=now).escalated == 1
        late.refresh_from_db()
        assert late.escalation_level == level
        escalation = Escalation.objects.get(obligation=late, level=level)
        assert escalation.to_organisation == world.orgs[org] and escalation.at == now

        notice = Notification.objects.get(organisation=world.orgs[org])
        assert notice.kind == "escalation" and notice.child_id == late.child_id
        sent = OutboxMessage.objects.filter(created_at=now).order_by("channel")
        assert [(m.channel, m.to) for m in sent] == messages
        # The message gives the due time in Hà Nội: 09:00 + 12 hours.
        assert all("02/03/2026 21:00" in m.body for m in sent)

        event = AuditEvent.objects.get(action="obligation.escalate", data__level=level)
        assert event.object_id == str(late.pk) and event.organisation == world.orgs[org]
        assert event.data["late_seconds"] == hours_late * 3600

        before = counts()
        assert sweep(now=now).escalated == 0  # the same pass again changes nothing
        assert counts() == before

    assert late.escalation_level == MAX_LEVEL and late.next_escalation_at is None
    assert sweep(now=late.due_at + dt.timedelta(days=30)).escalated == 0
    assert verify().ok


def test_an_organisation_without_a_reachable_head_still_gets_the_inbox_entry(world, step):
    late = step(HANDOVER, responsible="hospital_a")
    assert sweep(now=late.due_at).escalated == 1
    assert Notification.objects.get().organisation == world.orgs["hospital_a"]
    assert not OutboxMessage.objects.exists()


def test_a_hospital_in_a_commune_escalates_to_the_department_of_health_of_its_province(world, step):
    late = step(HANDOVER, responsible="hospital_a")
    sweep(now=late.due_at)
    sweep(now=late.due_at + dt.timedelta(hours=6))
    assert Escalation.objects.get(level=2).to_organisation == world.orgs["health_hanoi"]


def test_a_sweep_works_through_every_batch(world, step):
    late = [step(HANDOVER) for _ in range(5)]
    assert sweep(now=late[0].due_at + dt.timedelta(minutes=1), batch_size=2).escalated == 5
    assert set(Escalation.objects.values_list("obligation_id", "level")) == {(o.pk, 1) for o in late}


def test_the_time_of_a_sweep_may_be_given_in_vietnam_time(world, step):
    late = step(HANDOVER)
    assert sweep(now=late.due_at.astimezone(VIETNAM)).escalated == 1
    assert verify().ok


def post_notice(world, frozen) -> FoundlingCase:
    case = foundlings.foundling_report(
        actor=world.hospital_sw,
        found_at=frozen.at - dt.timedelta(minutes=30),
        found_commune=world.commune_a,
        found_place="Cổng bệnh viện",
        sex="female",
        estimated_age_days=2,
        condition="Trẻ sơ sinh, khỏe",
    )
    case.state = State.TEMPORARY_CARE  # the steps before the notice are test_pathway's concern
    case.save(update_fields=["state"])
    return foundlings.foundling_post_notice(actor=world.officer_a, case=case)


def test_a_timer_is_fired_not_escalated(world, frozen):
    case = post_notice(world, frozen)
    notice = Obligation.objects.get(subject_id=case.pk, rule="foundling.notice_period")
    assert notice.due_at == frozen.at + dt.timedelta(days=7)

    assert sweep(now=notice.due_at).fired == 1
    case.refresh_from_db()
    notice.refresh_from_db()
    assert case.state == State.NOTICE_EXPIRED
    assert notice.status == Status.MET and notice.escalation_level == 0
    assert not Escalation.objects.filter(obligation=notice).exists()
    assert Notification.objects.get(kind="foundling.notice_expire").organisation == world.orgs["committee_a"]
    assert sweep(now=notice.due_at + dt.timedelta(days=1)).fired == 0


def explode(obligation, now) -> None:
    raise RuntimeError("the handler of this timer is broken")


def test_a_failing_timer_does_not_hold_up_the_escalations(world, frozen, step, monkeypatch, caplog):
    timer = RULES["foundling.notice_period"]
    monkeypatch.setitem(RULES, timer.code, dataclasses.replace(timer, on_due=f"{__name__}.explode"))
    case = post_notice(world, frozen)
    late = step(HANDOVER)
    result = sweep(now=frozen.at + dt.timedelta(days=8))
    assert result.fired == 0 and "the handler of this timer is broken" in caplog.text
    assert Obligation.objects.get(subject_id=case.pk, rule=timer.code).status == Status.OPEN
    assert Escalation.objects.filter(obligation=late, level=1).exists()
    assert verify().ok


def test_the_database_refuses_a_level_above_the_top_of_the_ladder(step):
    late = step(HANDOVER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Obligation.objects.filter(pk=late.pk).update(escalation_level=MAX_LEVEL + 1)
