"""Linkage inside Haven: automatic links need an agreeing PIN, people decide the rest, decisions are
kept, undone with history, audited, and seen only by those who may see the child."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.core.exceptions import ValidationError

from haven.audit.models import AuditEvent
from haven.core.errors import Refused
from haven.lib import pin as pins
from haven.linkage import run, selectors, services
from haven.linkage.models import Candidate, Label, PairStatus, Reason, RegisterLink, RunKind
from haven.people.models import Child, Involvement
from haven.people.services import _set_pin
from haven.population.generate import population

TODAY = dt.date(2026, 6, 1)


def make_pin(sex: str, born: dt.date, tail: int) -> str:
    digit = pins.century_sex_digit(birth_year=born.year, sex=sex)
    return f"001{digit}{born.year % 100:02d}{tail:06d}"


def person_row(child: Child, *, id: str, pin: str, **changes) -> dict:
    row = {
        "id": id,
        "family_name": child.family_name,
        "middle_name": child.middle_name,
        "given_name": child.given_name,
        "sex": {"male": "M", "female": "F"}[child.sex],
        "date_of_birth": child.date_of_birth.isoformat(),
        "dob_estimated": "0",
        "pin": pin,
        "commune_code": child.current_commune.code,
        "province_code": child.current_commune.parent.code,
        "mother_name": "",
        "father_name": "",
    }
    row.update(changes)
    return row


def named(world, family, middle, given, sex, born, *, pin="", commune=None) -> Child:
    child = world.child(
        family_name=family,
        middle_name=middle,
        given_name=given,
        sex=sex,
        date_of_birth=born,
        commune=commune,
        search_name=f" {family} {middle} {given} ".lower(),
    )
    if pin:
        _set_pin(child, pin)
        child.save()
    return child


@pytest.fixture(scope="module")
def noise():
    """People of the register who are none of the children."""
    return population(400, seed=41, today=TODAY)[run.records_frame(Child.objects.none()).columns]


@pytest.fixture
def case(world, noise):
    """Three children and the register: one with an agreeing PIN, one without a PIN, one whose PIN in
    Haven differs from the register's."""
    born = dt.date(2016, 3, 14)
    pinned = named(world, "Trần", "Minh", "Khôi", "male", born, pin=make_pin("male", born, 111))
    unpinned = named(world, "Lê", "Thị", "Ngọc Ánh", "female", dt.date(2015, 7, 2))
    mismatched = named(
        world,
        "Phạm",
        "Gia",
        "Bảo",
        "male",
        dt.date(2014, 1, 20),
        pin=make_pin("male", dt.date(2014, 1, 20), 222),
    )
    register = pd.DataFrame(
        [
            person_row(pinned, id="R1", pin=make_pin("male", born, 111)),
            person_row(unpinned, id="R2", pin=make_pin("female", dt.date(2015, 7, 2), 333)),
            person_row(mismatched, id="R3", pin=make_pin("male", dt.date(2014, 1, 20), 444)),
        ]
    )
    frame = pd.concat([register, noise], ignore_index=True)
    return world, pinned, unpinned, mismatched, frame


def link(frame: pd.DataFrame):
    linked, _problems = run.link_register(register_frame=frame)
    return linked


def pair_of(child: Child) -> Candidate:
    return Candidate.objects.get(child=child, kind=RunKind.REGISTER, status__in=["proposed", "undone"])


@pytest.mark.django_db
def test_a_link_is_automatic_only_with_the_same_valid_pin(case):
    _world, pinned, unpinned, mismatched, frame = case
    done = link(frame)
    auto = RegisterLink.objects.get(child=pinned)
    assert auto.how == "automatic" and auto.person_id == "R1" and auto.undone_at is None
    assert not RegisterLink.objects.filter(child__in=[unpinned, mismatched]).exists()
    assert pair_of(unpinned).reason in (Reason.PIN_MISSING, Reason.BELOW_UPPER)
    assert pair_of(mismatched).reason in (Reason.PIN_DISAGREES, Reason.BELOW_UPPER)
    assert done.links == 1 and done.review_items >= 2 and done.records == 3
    assert done.candidate_pairs >= 3
    # The comparisons' contributions and levels are kept for the review screen and the labels.
    pair = pair_of(unpinned)
    assert {"given_name", "date_of_birth", "pin"} <= set(pair.contributions)
    assert pair.gammas["pin"] == -1 and pair.contributions["given_name"] > 0
    assert pair.person["given_name"] == "Ngọc Ánh" and pair.person_pin.endswith("333")
    assert "333" not in pair.person_pin_encrypted  # encrypted like a child's PIN
    assert AuditEvent.objects.filter(action="linkage.link", child_id=pinned.pk).exists()
    assert AuditEvent.objects.filter(action="linkage.run").count() == 1


@pytest.mark.django_db
def test_a_reviewed_link_gives_a_child_without_a_pin_the_registers_pin(case):
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    services.decide(actor=world.ministry, candidate=pair, same=True, note="Cùng cha mẹ, cùng ngày sinh")
    unpinned.refresh_from_db()
    assert unpinned.pin == make_pin("female", dt.date(2015, 7, 2), 333)
    made = RegisterLink.objects.get(child=unpinned)
    assert made.how == "reviewed" and made.linked_by == world.ministry and made.pin_stored
    assert AuditEvent.objects.filter(action="child.pin_from_register", child_id=unpinned.pk).exists()
    label = Label.objects.get(candidate=pair)
    assert label.decision == "same" and label.note == "Cùng cha mẹ, cùng ngày sinh"


@pytest.mark.django_db
def test_a_different_pin_in_haven_is_never_overwritten(case):
    world, _pinned, _unpinned, mismatched, frame = case
    before = mismatched.pin
    link(frame)
    services.decide(actor=world.ministry, candidate=pair_of(mismatched), same=True)
    mismatched.refresh_from_db()
    assert mismatched.pin == before
    assert RegisterLink.objects.get(child=mismatched).pin_conflict


@pytest.mark.django_db
def test_a_rejected_pair_is_never_proposed_again_and_a_link_not_re_proposed(case):
    world, pinned, unpinned, _mismatched, frame = case
    link(frame)
    services.decide(actor=world.provincial, candidate=pair_of(unpinned), same=False, note="Khác mẹ")
    link(frame)
    assert not Candidate.objects.filter(child=unpinned, person_id="R2", status="proposed").exists()
    assert Candidate.objects.filter(child=unpinned, person_id="R2").count() == 1
    assert Candidate.objects.filter(child=pinned, person_id="R1").count() == 1
    assert RegisterLink.objects.filter(child=pinned).count() == 1


@pytest.mark.django_db
def test_undo_keeps_the_history_takes_back_the_pin_and_needs_a_reason(case):
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    services.decide(actor=world.ministry, candidate=pair, same=True)
    with pytest.raises(ValidationError):
        services.undo(actor=world.ministry, candidate=pair, reason="  ")
    services.undo(actor=world.ministry, candidate=pair, reason="Nhầm với chị gái")
    unpinned.refresh_from_db()
    assert unpinned.pin == ""
    old = RegisterLink.objects.get(child=unpinned)
    assert old.undone_by == world.ministry and old.undo_reason == "Nhầm với chị gái"
    pair.refresh_from_db()
    assert pair.status == PairStatus.UNDONE
    assert [label.decision for label in pair.labels.all()] == ["same", "undone"]
    status = selectors.register_status(unpinned)
    assert status.state == "review" and status.history == [old]
    assert AuditEvent.objects.filter(
        action="linkage.undo", child_id=unpinned.pk, reason="Nhầm với chị gái"
    ).exists()
    with pytest.raises(Refused):
        services.undo(actor=world.ministry, candidate=pair, reason="again")


@pytest.mark.django_db
def test_a_decided_pair_cannot_be_decided_twice(case):
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    services.decide(actor=world.ministry, candidate=pair, same=False)
    with pytest.raises(Refused):
        services.decide(actor=world.ministry, candidate=pair, same=True)


@pytest.mark.django_db
def test_reviewers_see_only_pairs_of_children_they_may_see(case):
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    assert pair in selectors.reviewable(world.ministry)
    assert pair in selectors.reviewable(world.provincial)
    assert pair not in selectors.reviewable(world.provincial_other)
    for persona in ("officer_a", "analyst", "admin", "hospital_sw"):
        assert not selectors.reviewable(getattr(world, persona)).exists()
        with pytest.raises(Exception):  # noqa: B017 - NotVisible is the 404 of the access layer
            services.decide(actor=getattr(world, persona), candidate=pair, same=True)
    with pytest.raises(Exception):  # noqa: B017
        services.decide(actor=world.provincial_other, candidate=pair, same=True)
    selectors.pair_for_review(user=world.provincial, pair_id=pair.pk)
    assert AuditEvent.objects.filter(
        action="linkage.pair_view", child_id=unpinned.pk, actor=world.provincial
    ).exists()


@pytest.mark.django_db
def test_a_childs_record_says_why_it_has_no_link(case):
    world, pinned, unpinned, _mismatched, frame = case
    assert selectors.register_status(unpinned).state == "never"
    link(frame)
    assert selectors.register_status(pinned).state == "linked"
    assert selectors.register_status(unpinned).state == "review"
    services.decide(actor=world.ministry, candidate=pair_of(unpinned), same=False)
    assert selectors.register_status(unpinned).state == "rejected"
    alone = named(world, "Đinh", "Thị", "Quế", "female", dt.date(2012, 5, 5))
    alone.created_at = alone.created_at - dt.timedelta(days=1)
    alone.save(update_fields=["created_at"])
    assert selectors.register_status(alone).state == "no_candidate"


@pytest.mark.django_db
def test_the_same_child_at_two_places_is_merged_only_by_a_person_keeping_the_older(world):
    born = dt.date(2017, 9, 9)
    older = named(world, "Hoàng", "Thị", "Mai", "female", born)
    newer = named(world, "Hoàng", "Thị", "Mai", "female", born, commune=world.commune_b)
    Child.objects.filter(pk=newer.pk).update(created_at=older.created_at + dt.timedelta(days=30))
    for i in range(30):
        named(world, "Nguyễn", "Văn", f"Khác{i}", "male", dt.date(2010, 1, 1) + dt.timedelta(days=97 * i))
    world.involve(newer, "facility_b")
    done = run.find_duplicates()
    assert done.links == 0
    pair = Candidate.objects.get(kind=RunKind.DUPLICATES)
    assert (pair.child, pair.other_child) == (older, newer) and pair.reason == Reason.DUPLICATE
    assert Child.objects.filter(merged_into__isnull=False).count() == 0
    services.decide(actor=world.ministry, candidate=pair, same=True)
    newer.refresh_from_db()
    assert newer.merged_into == older
    assert Involvement.objects.filter(child=older, organisation=world.orgs["facility_b"]).exists()
    assert AuditEvent.objects.filter(action="child.merge", child_id=newer.pk).exists()
    # The pair stays readable after the merge, and the merge can be undone with a reason.
    assert selectors.pair_for_review(user=world.provincial, pair_id=pair.pk) == pair
    services.undo(actor=world.provincial, candidate=pair, reason="Hai trẻ sinh đôi, không phải một")
    newer.refresh_from_db()
    assert newer.merged_into is None
    assert Involvement.objects.filter(child=newer, organisation=world.orgs["facility_b"]).exists()
    assert not Involvement.objects.filter(child=older, organisation=world.orgs["facility_b"]).exists()
    assert AuditEvent.objects.filter(action="child.unmerge", child_id=newer.pk).exists()
    pair.refresh_from_db()
    assert pair.status == PairStatus.UNDONE


@pytest.mark.django_db
def test_different_children_are_recorded_and_not_proposed_again(world):
    born = dt.date(2017, 9, 9)
    named(world, "Hoàng", "Thị", "Mai", "female", born)
    named(world, "Hoàng", "Thị", "Mai", "female", born, commune=world.commune_b)
    for i in range(30):
        named(world, "Nguyễn", "Văn", f"Khác{i}", "male", dt.date(2010, 1, 1) + dt.timedelta(days=97 * i))
    run.find_duplicates()
    pair = Candidate.objects.get(kind=RunKind.DUPLICATES)
    services.decide(actor=world.provincial, candidate=pair, same=False, note="Hai trẻ sinh đôi")
    again = run.find_duplicates()
    assert again.review_items == 0
    assert Child.objects.filter(merged_into__isnull=False).count() == 0


@pytest.mark.django_db
def test_an_undone_link_is_never_made_again_by_the_machine(case):
    world, pinned, _unpinned, _mismatched, frame = case
    link(frame)
    pair = Candidate.objects.get(child=pinned, person_id="R1")
    services.undo(actor=world.ministry, candidate=pair, reason="Cần kiểm tra lại giấy khai sinh")
    again = link(frame)
    assert again.links == 0
    pair.refresh_from_db()
    assert pair.status == PairStatus.UNDONE and pair.reason == Reason.UNDONE
    assert not RegisterLink.objects.active().filter(child=pinned).exists()


@pytest.mark.django_db
def test_a_waiting_pair_is_linked_once_the_record_has_the_same_valid_pin(case):
    _world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    _set_pin(unpinned, make_pin("female", dt.date(2015, 7, 2), 333))
    unpinned.save()
    link(frame)
    pair.refresh_from_db()
    assert pair.status == PairStatus.LINKED
    assert RegisterLink.objects.active().get(child=unpinned).how == "automatic"


def test_a_sibling_like_pair_above_the_threshold_is_explained_as_such():
    """decide() sends a pair to a person when a parent's name agrees but the given name does not
    (a brother, sister or twin); the reviewer is told so, not that another candidate competes."""
    from haven.linkage import model
    from haven.linkage.services import _reason

    thresholds = model.Thresholds()
    twin = {
        "pin": -1,
        "sex": 1,
        "given_name": model.GIVEN_NAME_DISAGREES,
        "mother_name": 3,
        "father_name": -1,
    }
    row = {"decision": "review", "match_probability": 0.999}
    assert _reason(row, twin, thresholds) == Reason.SIBLING_LIKE
    no_parents = {**twin, "mother_name": -1}
    assert _reason(row, no_parents, thresholds) == Reason.CONTESTED


@pytest.mark.django_db
def test_one_person_of_the_register_is_never_linked_to_two_children(case):
    """A second record proposed to a person already linked is the same child registered twice: it is
    merged as a duplicate, never given a second link in force (one person, one child)."""
    world, _pinned, _unpinned, mismatched, frame = case
    link(frame)
    services.decide(actor=world.ministry, candidate=pair_of(mismatched), same=True)  # PIN kept apart
    again = named(world, "Phạm", "Gia", "Bảo", "male", dt.date(2014, 1, 20), commune=world.commune_b)
    link(frame)
    with pytest.raises(Refused) as refused:
        services.decide(actor=world.ministry, candidate=pair_of(again), same=True)
    assert refused.value.code == "person_linked"
    assert RegisterLink.objects.active().filter(person_id="R3").count() == 1
    again.refresh_from_db()
    assert again.pin == ""


@pytest.mark.django_db
def test_a_person_linked_to_a_child_is_not_linked_automatically_to_another(case):
    world, pinned, _unpinned, _mismatched, frame = case
    link(frame)
    # The register's R1 is linked to `pinned`; an extract in which R1 carries another child's PIN
    # (a register correction) does not give R1 a second child automatically.
    other = named(
        world,
        "Trần",
        "Minh",
        "Khôi",
        "male",
        dt.date(2016, 3, 14),
        pin=make_pin("male", dt.date(2016, 3, 14), 555),
    )
    moved = frame.copy()
    moved.loc[moved["id"] == "R1", "pin"] = make_pin("male", dt.date(2016, 3, 14), 555)
    done = link(moved)
    assert done.links == 0
    assert RegisterLink.objects.active().filter(person_id="R1").get().child == pinned
    assert Candidate.objects.get(child=other, person_id="R1").reason == Reason.PERSON_LINKED


def duplicates_pair(kept: Child, merged: Child) -> Candidate:
    """A pair of two Haven records as `haven link duplicates` records it (the older first)."""
    from haven.core import clock
    from haven.linkage.models import LinkRun

    now = clock.now()
    made = LinkRun.objects.create(kind="duplicates", upper=0.99, lower=0.5, started_at=now, finished_at=now)
    return Candidate.objects.create(
        run=made,
        kind=RunKind.DUPLICATES,
        child=kept,
        other_child=merged,
        match_weight=9.0,
        match_probability=0.9,
        model_decision="review",
        reason=Reason.DUPLICATE,
        created_at=now,
    )


@pytest.mark.django_db
def test_two_records_linked_to_two_persons_of_the_register_are_not_merged(case):
    world, pinned, unpinned, _mismatched, frame = case
    link(frame)
    services.decide(actor=world.ministry, candidate=pair_of(unpinned), same=True)
    pair = duplicates_pair(pinned, unpinned)
    with pytest.raises(ValidationError):
        services.decide(actor=world.ministry, candidate=pair, same=True)
    unpinned.refresh_from_db()
    assert unpinned.merged_into is None
    assert RegisterLink.objects.active().get(child=unpinned).person_id == "R2"
    assert RegisterLink.objects.active().get(child=pinned).person_id == "R1"
    pair.refresh_from_db()
    assert pair.pending


@pytest.mark.django_db
def test_a_register_link_follows_the_child_into_a_merge_and_back(case):
    world, pinned, _unpinned, mismatched, frame = case
    link(frame)
    pair = duplicates_pair(mismatched, pinned)  # only the merged record is linked (to R1)
    services.decide(actor=world.ministry, candidate=pair, same=True)
    status = selectors.register_status(mismatched)
    assert status.state == "linked" and status.link.person_id == "R1"
    services.undo(actor=world.ministry, candidate=pair, reason="Hai trẻ khác nhau")
    assert RegisterLink.objects.active().get(person_id="R1").child == pinned
    assert selectors.register_status(mismatched).state != "linked"


@pytest.mark.django_db
def test_a_rejection_on_a_merged_record_holds_for_the_record_it_was_merged_into(case):
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    services.decide(actor=world.ministry, candidate=pair_of(unpinned), same=False, note="Khác mẹ")
    kept = named(world, "Lê", "Thị", "Ngọc Ánh", "female", dt.date(2015, 7, 2), commune=world.commune_b)
    services.decide(actor=world.ministry, candidate=duplicates_pair(kept, unpinned), same=True)
    link(frame)
    assert not Candidate.objects.filter(child=kept, person_id="R2").exists()


@pytest.mark.django_db
def test_an_unknown_status_in_the_queue_filter_shows_the_pairs_waiting(case):
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    services.decide(actor=world.ministry, candidate=pair_of(unpinned), same=False)
    shown = selectors.queue(user=world.ministry, status="<script>")
    assert shown.object_list and all(pair.pending for pair in shown.object_list)


@pytest.mark.django_db
def test_a_run_never_writes_over_a_decision_taken_while_it_records(case, monkeypatch):
    """A later run refreshes a waiting pair's scores only: a reviewer's decision landing while the run
    records (PostgreSQL: the run locks the waiting pairs first) is never turned back into a proposal."""
    world, _pinned, unpinned, _mismatched, frame = case
    link(frame)
    pair = pair_of(unpinned)
    features = services._features

    def decided_meanwhile(row):
        if row["record_id"] == str(unpinned.pk):  # the reviewer's decision lands as the run reaches it
            Candidate.objects.filter(pk=pair.pk).update(status=PairStatus.REJECTED, decided_by=world.ministry)
        return features(row)

    monkeypatch.setattr(services, "_features", decided_meanwhile)
    link(frame)
    pair.refresh_from_db()
    assert pair.status == PairStatus.REJECTED and pair.decided_by == world.ministry


@pytest.mark.django_db
def test_the_rules_hold_when_a_national_run_is_read_in_batches(case, monkeypatch):
    """A national run has more children than SQLite takes variables in one statement: the waiting,
    rejected and linked pairs are read in batches, and none is missed between batches."""
    monkeypatch.setattr(services, "BATCH", 1)
    world, pinned, unpinned, _mismatched, frame = case
    link(frame)
    services.decide(actor=world.provincial, candidate=pair_of(unpinned), same=False, note="Khác mẹ")
    link(frame)
    assert Candidate.objects.filter(child=unpinned, person_id="R2").count() == 1
    assert Candidate.objects.filter(child=pinned, person_id="R1").count() == 1
    assert RegisterLink.objects.active().filter(child=pinned).count() == 1


@pytest.mark.django_db
def test_a_found_childs_likely_persons_wait_for_a_person_with_the_reason(world, noise):
    """A found child in Haven: the date of birth estimated, no PIN, no parents. Its true person and
    a namesake born a year apart are both put in front of a person, the reason saying why; no link."""
    found = named(world, "Đinh", "Quang", "Trí", "male", dt.date(2022, 1, 1))
    found.date_of_birth_estimated = True
    found.save()
    true = person_row(
        found, id="R9", pin=make_pin("male", dt.date(2022, 8, 9), 555), date_of_birth="2022-08-09"
    )
    namesake = person_row(
        found, id="R8", pin=make_pin("male", dt.date(2021, 3, 5), 556), date_of_birth="2021-03-05"
    )
    done = link(pd.concat([pd.DataFrame([true, namesake]), noise], ignore_index=True))
    pairs = Candidate.objects.filter(child=found, kind=RunKind.REGISTER)
    assert {p.person_id for p in pairs} == {"R8", "R9"}
    assert {p.reason for p in pairs} == {Reason.FOUND_CHILD}
    assert not RegisterLink.objects.filter(child=found).exists() and done.links == 0
