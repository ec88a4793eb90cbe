"""Writes on a child's record: validated, scoped, audited in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from haven.access.scoping import NotVisible
from haven.audit.models import AuditEvent
from haven.people import services
from haven.people.models import Child, Involvement


def create(world, actor=None, **fields):
    defaults = {
        "family_name": "Trần",
        "middle_name": "Minh",
        "given_name": "Khoa",
        "sex": "male",
        "date_of_birth": dt.date(2018, 5, 1),
        "current_commune": world.commune_a,
    }
    return services.child_create(actor=actor or world.officer_a, **{**defaults, **fields})


def test_creating_a_child_writes_an_audit_event(world):
    child = create(world)
    event = AuditEvent.objects.get(action="child.create", object_id=str(child.pk))
    assert event.actor == world.officer_a
    assert event.organisation == world.orgs["committee_a"]
    assert event.child_id == child.pk


def test_the_pin_is_stored_encrypted_with_a_blind_index(world):
    child = create(world, pin="001218000123")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pin_encrypted, pin_index FROM people_child WHERE id = %s",
            [child.pk.hex if connection.vendor == "sqlite" else child.pk],
        )
        encrypted, index = cursor.fetchone()
    assert "001218000123" not in encrypted and "001218000123" not in index
    assert Child.objects.get(pk=child.pk).pin == "001218000123"
    assert child.pin_masked == "001******123"


@pytest.mark.parametrize(
    ("pin", "code"),
    [
        ("12345", "pin_length"),
        ("999218000123", "pin_province"),
        ("001318000123", "pin_sex"),
        ("001217000123", "pin_year"),
    ],
)
def test_an_invalid_pin_is_refused_and_nothing_is_saved(world, pin, code):
    before = (Child.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        create(world, pin=pin)
    assert refused.value.error_dict["pin"][0].code == code
    assert (Child.objects.count(), AuditEvent.objects.count()) == before


def test_two_children_cannot_share_a_pin(world):
    create(world, pin="001218000123")
    with pytest.raises(ValidationError) as refused:
        create(world, pin="001218000123", given_name="Khôi")
    assert refused.value.error_dict["pin"][0].code == "pin_taken"


@pytest.mark.parametrize("born", [dt.date.today() + dt.timedelta(days=1), dt.date(1990, 1, 1)])
def test_an_impossible_date_of_birth_is_refused(world, born):
    with pytest.raises(ValidationError) as refused:
        create(world, date_of_birth=born)
    assert "date_of_birth" in refused.value.error_dict
    assert not Child.objects.exists()


def test_an_area_role_cannot_register_a_child_outside_its_area(world):
    with pytest.raises(ValidationError) as refused:
        create(world, current_commune=world.commune_b)
    assert refused.value.error_dict["current_commune"][0].code == "outside_area"


def test_a_province_is_not_a_commune(world):
    with pytest.raises(ValidationError, match="commune"):
        create(world, current_commune=world.hanoi)


def test_an_organisation_that_registers_a_child_becomes_involved_and_can_see_it(world):
    child = create(world, actor=world.hospital_sw, current_commune=world.commune_b)
    assert Involvement.objects.filter(child=child, organisation=world.orgs["hospital_a"]).exists()
    assert Child.objects.visible_to(world.hospital_sw).filter(pk=child.pk).exists()


def test_a_role_without_create_cannot_register(world):
    with pytest.raises(NotVisible):
        create(world, actor=world.chairman_a)


def test_an_update_records_which_fields_changed_not_their_values(world):
    child = create(world)
    services.child_update(actor=world.officer_a, child=child, given_name="Khoa Học", reason="spelling")
    event = AuditEvent.objects.filter(action="child.update").get()
    assert event.data == {"changed": ["given_name"]}
    assert event.reason == "spelling"
    assert child.history.count() == 2


def test_changing_the_sex_must_keep_agreeing_with_the_pin(world):
    child = create(world, pin="001218000123")
    with pytest.raises(ValidationError):
        services.child_update(actor=world.officer_a, child=child, sex="female")
    assert Child.objects.get(pk=child.pk).sex == "male"


def test_an_officer_of_another_commune_cannot_update(world):
    child = create(world)
    with pytest.raises(NotVisible):
        services.child_update(actor=world.officer_b, child=child, given_name="X")


def test_a_child_may_belong_to_several_groups_each_dated_with_evidence(world):
    child = create(world)
    services.circumstance_add(
        actor=world.officer_a,
        child=child,
        group="HCDB_A",
        started_on=dt.date(2024, 1, 1),
        evidence="Trích lục khai tử",
    )
    services.circumstance_add(
        actor=world.officer_a,
        child=child,
        group="HCDB_D",
        started_on=dt.date(2024, 6, 1),
        evidence="Giấy xác nhận khuyết tật",
    )
    assert sorted(child.circumstances.values_list("group", flat=True)) == ["HCDB_A", "HCDB_D"]
    with pytest.raises(ValidationError):
        services.circumstance_add(
            actor=world.officer_a,
            child=child,
            group="HCDB_B",
            started_on=dt.date(2024, 1, 1),
            ended_on=dt.date(2023, 1, 1),
            evidence="x",
        )
    with pytest.raises(ValidationError):
        services.circumstance_add(
            actor=world.officer_a, child=child, group="HCDB_B", started_on=dt.date(2024, 1, 1), evidence="  "
        )


def test_siblings_are_linked_both_ways(world):
    a, b = create(world), create(world, given_name="Khang")
    services.sibling_link(actor=world.officer_a, child=a, sibling=b, kind="full")
    assert [s.sibling for s in a.sibling_links.all()] == [b]
    assert [s.sibling for s in b.sibling_links.all()] == [a]
    with pytest.raises(ValidationError):
        services.sibling_link(actor=world.officer_a, child=a, sibling=a)


def test_the_childs_view_cannot_be_dated_in_the_future(world):
    child = create(world)
    services.opinion_record(
        actor=world.officer_a,
        child=child,
        heard_on=dt.date.today(),
        subject="Nơi ở",
        opinion="Con muốn ở với bà ngoại.",
    )
    with pytest.raises(ValidationError):
        services.opinion_record(
            actor=world.officer_a,
            child=child,
            heard_on=dt.date.today() + dt.timedelta(days=2),
            subject="x",
            opinion="y",
        )
    assert child.opinions.count() == 1


def test_moving_a_child_out_of_the_officers_area_is_refused_as_a_handover(world):
    child = create(world)
    with pytest.raises(ValidationError) as refused:
        services.child_update(actor=world.officer_a, child=child, current_commune=world.commune_b)
    assert refused.value.error_dict["current_commune"][0].code == "outside_area"
    assert Child.objects.get(pk=child.pk).current_commune == world.commune_a
    # Within the province the provincial officer may move the child.
    services.child_update(actor=world.provincial, child=child, current_commune=world.commune_b)
    assert Child.objects.get(pk=child.pk).current_commune == world.commune_b


def test_the_oldest_birth_date_is_computed_on_29_february_too():
    from haven.people.rules import years_before

    assert years_before(dt.date(2028, 2, 29), 23) == dt.date(2005, 2, 28)
    assert years_before(dt.date(2028, 2, 29), 4) == dt.date(2024, 2, 29)


class TestMerge:
    """One merge of two records of one child (people.services.child_merge), and its undoing."""

    def test_what_was_recorded_on_the_merged_record_continues_on_the_kept_one_and_goes_back(self, world):
        import datetime as dt

        from haven.people.models import ChildOpinion, SiblingLink, SpecialCircumstance

        kept, merged, sister = world.child(), world.child(commune=world.commune_b), world.child()
        SpecialCircumstance.objects.create(
            child=merged,
            group="HCDB_D",
            started_on=dt.date(2024, 1, 1),
            evidence="x",
            recorded_by=world.officer_b,
        )
        ChildOpinion.objects.create(
            child=merged, heard_on=dt.date(2025, 1, 1), subject="s", opinion="o", recorded_by=world.officer_b
        )
        SiblingLink.objects.create(child=merged, sibling=sister, recorded_by=world.officer_b)
        SiblingLink.objects.create(child=merged, sibling=kept, recorded_by=world.officer_b)
        moved = services.child_merge(actor=world.officer_a, kept=kept, merged=merged, action="test")
        merged.refresh_from_db()
        assert merged.merged_into == kept
        assert kept.circumstances.count() == 1 and kept.opinions.count() == 1
        assert SiblingLink.objects.filter(child=kept, sibling=sister).exists()
        assert not SiblingLink.objects.filter(child=kept, sibling=kept).exists()
        assert not Child.objects.visible_to(world.ministry).filter(pk=merged.pk).exists()
        services.child_unmerge(
            actor=world.officer_a, kept=kept, merged=merged, moved=moved, action="test", reason="nhầm"
        )
        merged.refresh_from_db()
        assert merged.merged_into is None
        assert merged.circumstances.count() == 1 and kept.circumstances.count() == 0
        assert SiblingLink.objects.filter(child=merged, sibling=sister).exists()
        assert SiblingLink.objects.filter(child=merged, sibling=kept).exists()
        actions = set(AuditEvent.objects.filter(child_id=merged.pk).values_list("action", flat=True))
        assert {"child.merge", "child.unmerge"} <= actions

    def test_a_record_is_not_merged_into_itself(self, world):
        child = world.child()
        with pytest.raises(ValidationError):
            services.child_merge(actor=world.officer_a, kept=child, merged=child, action="test")

    def test_a_merge_is_not_undone_while_the_kept_record_is_merged_into_a_third(self, world):
        """Undoing the first of two chained merges would leave what it moved on the third record."""
        kept, merged, third = world.child(), world.child(commune=world.commune_b), world.child()
        world.involve(merged, "facility_b")
        moved = services.child_merge(actor=world.officer_a, kept=kept, merged=merged, action="test")
        kept.refresh_from_db()
        services.child_merge(actor=world.officer_a, kept=third, merged=kept, action="test")
        kept.refresh_from_db()
        merged.refresh_from_db()
        with pytest.raises(ValidationError):
            services.child_unmerge(
                actor=world.officer_a, kept=kept, merged=merged, moved=moved, action="test", reason="nhầm"
            )
        merged.refresh_from_db()
        assert merged.merged_into == kept
        assert third.involvements.filter(organisation=world.orgs["facility_b"]).exists()

    def test_a_found_childs_case_follows_the_child_into_a_merge_and_back(self, world):
        """The foundlings pathway of a record merged into another continues on the kept record; two
        found children's cases cannot be one (the merge is refused, nothing moves)."""
        import datetime as dt

        from haven.core import clock
        from haven.foundlings import services as foundlings
        from haven.foundlings.models import FoundlingCase

        def report():
            return foundlings.foundling_report(
                actor=world.hospital_sw,
                found_at=clock.now() - dt.timedelta(hours=1),
                found_commune=world.commune_a,
                found_place="Cổng bệnh viện",
                sex="male",
                estimated_age_days=3,
                condition="Trẻ sơ sinh",
            )

        found, kept = report(), world.child()
        merged = found.child
        moved = services.child_merge(actor=world.officer_a, kept=kept, merged=merged, action="test")
        assert FoundlingCase.objects.get(pk=found.pk).child == kept
        kept.refresh_from_db()
        merged.refresh_from_db()
        services.child_unmerge(
            actor=world.officer_a, kept=kept, merged=merged, moved=moved, action="test", reason="nhầm"
        )
        assert FoundlingCase.objects.get(pk=found.pk).child == merged
        other = report()
        with pytest.raises(ValidationError):
            services.child_merge(actor=world.officer_a, kept=merged, merged=other.child, action="test")
        assert FoundlingCase.objects.get(pk=other.pk).child == other.child
