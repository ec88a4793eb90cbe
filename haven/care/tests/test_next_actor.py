"""After the commune verifies a family (Form 11), the decision (Form 12) is the chairman's: he is told
and, for a relative of a known child, it is on his task list; the officer is told what comes next
(walkthrough D14; Circular 14/2020; vietnam-process.md §3.4 A3–A4). Refused: the officer is not given
the chairman's decision, and nothing is asked of the chairman for a family found not eligible."""

from __future__ import annotations

import datetime as dt

from haven.care import families
from haven.care.tests.test_families import register
from haven.deadlines.models import Obligation, Status
from haven.deadlines.selectors import tasks_for
from haven.notifications.models import Notification


def form12_tasks(user):
    return [o for o in tasks_for(user=user).shown if o.rule == "care.family_decision"]


def test_after_form_11_the_chairman_is_told_form_12_is_his(world, client):
    child = world.child(date_of_birth=dt.date(2021, 6, 1))
    grandmother = register(world, kind="kin", relative_of=child, relationship="Bà nội")
    client.force_login(world.officer_a)
    done = client.post(
        f"/care/families/{grandmother.pk}/verify/",
        {"eligible": "on", "note": "Nhà ở ổn định, bà khỏe"},
        follow=True,
    )
    grandmother.refresh_from_db()
    assert grandmother.state == "verified"
    # The officer is told what comes next, and who does it.
    told_officer = [str(m) for m in done.context["messages"]]
    assert any("Chủ tịch UBND cấp xã quyết định giao trẻ (Mẫu 12)" in m for m in told_officer), told_officer

    [task] = form12_tasks(world.chairman_a)
    assert (task.subject_id, task.child_id) == (grandmother.pk, child.pk)
    assert form12_tasks(world.officer_a) == []
    told = Notification.objects.get(kind="care_family.family_verify")
    assert told.organisation == world.orgs["committee_a"] and told.link == f"/care/families/{grandmother.pk}/"
    client.force_login(world.chairman_a)
    assert (
        f'data-task="{task.pk}" href="/care/families/{grandmother.pk}/"' in client.get("/").content.decode()
    )

    # His decision meets the step.
    families.family_decide(actor=world.chairman_a, family=grandmother, child=child, decision_number="12/QĐ")
    task.refresh_from_db()
    assert task.status == Status.MET and form12_tasks(world.chairman_a) == []


def test_a_family_found_not_eligible_asks_nothing_of_the_chairman(world):
    child = world.child()
    relative = register(world, kind="kin", relative_of=child, relationship="Bác")
    families.family_verify(actor=world.officer_a, family=relative, eligible=False, note="Không đủ điều kiện")
    assert not Obligation.objects.filter(rule="care.family_decision").exists()
    assert not Notification.objects.filter(kind="care_family.family_verify").exists()


def test_a_verified_family_taken_off_the_register_is_no_longer_his_to_decide(world):
    child = world.child()
    relative = register(world, kind="kin", relative_of=child, relationship="Cô ruột")
    families.family_verify(actor=world.officer_a, family=relative, eligible=True, note="Đủ điều kiện")
    families.family_review(actor=world.officer_a, family=relative, keep=False, reason="Chuyển đi nơi khác")
    assert form12_tasks(world.chairman_a) == []
    assert Obligation.objects.get(rule="care.family_decision").status == Status.CANCELLED
