"""What a copy of the database shows: ciphertext wherever Haven keeps a child's abuse, a child's own
words, a finder's identity or a woman's pregnancy (security review, finding 7). The pages and the API
read the values as before; the database cannot be searched on them."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection

from haven.foundlings import services as foundlings
from haven.foundlings.models import FoundlingCase
from haven.people.models import ChildOpinion
from haven.people.services import opinion_record
from haven.prevention import services as prevention
from haven.prevention.models import AtRiskPerson, Village
from haven.protection import services as protection
from haven.protection.models import Assessment, ProtectionCase
from haven.protection.tests.factories import LOW, report

pytestmark = pytest.mark.django_db

ABUSE = "Bé bị cha dượng đánh bằng roi, vết bầm ở lưng"


def stored(model, pk, *columns: str) -> list:
    """The columns as they are on disk, read past the model."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s",
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        return list(cursor.fetchone())


def is_ciphertext(value) -> bool:
    return isinstance(value, str) and value.startswith("gAAAA")


def test_the_abuse_description_is_not_readable_in_the_raw_database_row(world):
    case = report(
        world,
        condition=ABUSE,
        parents="Mẹ: Lò Thị Sua, 30 tuổi, làm nương",
        caregiver="Bà ngoại",
        actions_taken="Đưa bé đến trạm y tế xã",
    )
    row = stored(ProtectionCase, case.pk, "condition", "likely_harm", "parents", "caregiver", "actions_taken")
    assert all(is_ciphertext(value) for value in row)
    assert not any("đánh" in value or "Lò Thị Sua" in value for value in row)
    assert ProtectionCase.objects.get(pk=case.pk).condition == ABUSE


def test_the_assessment_forms_and_the_flags_are_not_readable_in_the_raw_rows(world):
    case = report(world, sex="female", date_of_birth=dt.date(2011, 2, 1), pregnant=True)
    protection.protection_accept(actor=world.officer_a, case=case)
    protection.protection_assess_initial(
        actor=world.officer_a, case=case, data={**LOW, "verification": "Gặp bé tại nhà bà ngoại"}
    )
    [flags] = stored(ProtectionCase, case.pk, "flags")
    assert is_ciphertext(flags) and "pregnant" not in flags
    assert ProtectionCase.objects.get(pk=case.pk).flags == ["pregnant_under_16"]
    assessment = case.assessments.get()
    [data] = stored(Assessment, assessment.pk, "data")
    assert is_ciphertext(data) and "bà ngoại" not in data
    assert Assessment.objects.get(pk=assessment.pk).data["verification"] == "Gặp bé tại nhà bà ngoại"


def test_the_childs_own_words_are_not_readable_in_the_row_nor_in_its_history(world):
    case = report(world)
    entry = opinion_record(
        actor=world.officer_a,
        child=case.child,
        heard_on=dt.date(2026, 3, 2),
        subject="Nơi ở",
        opinion="Cháu muốn về ở với bà",
    )
    assert is_ciphertext(stored(ChildOpinion, entry.pk, "opinion")[0])
    history = entry.history.get()
    assert is_ciphertext(stored(ChildOpinion.history.model, history.pk, "opinion")[0])
    assert ChildOpinion.objects.get(pk=entry.pk).opinion == history.opinion == "Cháu muốn về ở với bà"


def test_the_finders_identity_document_is_not_readable_in_the_raw_row(world, frozen):
    case = foundlings.foundling_report(
        actor=None,
        found_at=frozen.at - dt.timedelta(hours=1),
        found_commune=world.commune_a,
        found_place="Cổng chùa",
        sex="female",
        condition="Trẻ sơ sinh, khỏe",
        finder_name="Phạm Văn Lực",
        finder_id_document="001190012345",
        finder_address="Số 5 ngõ 12 phố Huế",
        reporter_contact="0912345678",
    )
    identity = ("finder_name", "finder_id_document", "finder_address", "reporter_contact")
    row = stored(FoundlingCase, case.pk, *identity)
    assert all(is_ciphertext(value) for value in row)
    assert not any("001190012345" in value or "0912345678" in value for value in row)
    assert FoundlingCase.objects.get(pk=case.pk).finder_id_document == "001190012345"


def test_whether_she_is_pregnant_cannot_be_told_from_the_raw_row(world):
    village = Village.objects.create(commune=world.commune_a, name="Thôn Đông")
    common = {"family_name": "Nguyễn", "given_name": "Hoa", "commune": world.commune_a, "village": village}
    pregnant = prevention.person_flag(
        actor=world.officer_a,
        **common,
        pregnant=True,
        consent=True,
        expected_delivery=dt.date.today() + dt.timedelta(days=90),
        risk_factors=["single_mother", "unintended_pregnancy"],
    )
    not_pregnant = prevention.person_flag(actor=world.officer_a, **common, pregnant=False)
    columns = ("pregnant", "suspected_violence", "expected_delivery", "risk_factors", "needs")
    one, other = stored(AtRiskPerson, pregnant.pk, *columns), stored(AtRiskPerson, not_pregnant.pk, *columns)
    assert all(is_ciphertext(value) for value in one + other)
    # A yes and a no are the same length on disk: nothing to tell them apart without the key.
    assert len(one[0]) == len(other[0])
    assert "single_mother" not in one[3]
    read = AtRiskPerson.objects.get(pk=pregnant.pk)
    assert read.pregnant is True and read.risk_factors == ["single_mother", "unintended_pregnancy"]
    assert AtRiskPerson.objects.get(pk=not_pregnant.pk).pregnant is False


def test_an_encrypted_field_cannot_be_searched_rather_than_silently_matching_nothing(world):
    report(world, condition=ABUSE)
    with pytest.raises(FieldError, match="stored encrypted"):
        ProtectionCase.objects.filter(condition=ABUSE).exists()
    with pytest.raises(FieldError, match="stored encrypted"):
        AtRiskPerson.objects.filter(pregnant=True).exists()
    assert ProtectionCase.objects.filter(parents__isnull=False).count() == 1


def _write_clear(model, pk, **values) -> None:
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(c)} = %s" for c in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s",
            [*values.values(), model._meta.pk.get_db_prep_value(pk, connection)],
        )


def _migration(app: str, name: str):
    return importlib.import_module(f"haven.{app}.migrations.{name}").Migration.operations[-1]


def test_the_migration_encrypts_rows_kept_in_clear_and_its_reverse_restores_them(world):
    case = report(world)
    village = Village.objects.create(commune=world.commune_a, name="Thôn Đông")
    person = prevention.person_flag(
        actor=world.officer_a, family_name="Lê", given_name="Lan", commune=world.commune_a, village=village
    )
    # As an older Haven kept them: in clear (a yes/no as SQLite's 1, a list as JSON text).
    _write_clear(ProtectionCase, case.pk, condition=ABUSE, flags='["inside_facility"]')
    _write_clear(
        AtRiskPerson, person.pk, pregnant="1", expected_delivery="2027-02-01", risk_factors='["poverty"]'
    )
    encrypt_cases = _migration("protection", "0007_abuse_narrative_encrypted")
    encrypt_people = _migration("prevention", "0002_pregnancy_and_risks_encrypted")

    # The data step uses only the editor's connection (the column types were altered just before it).
    editor = SimpleNamespace(connection=connection)
    encrypt_cases.code(apps, editor)
    encrypt_people.code(apps, editor)
    assert all(is_ciphertext(v) for v in stored(ProtectionCase, case.pk, "condition", "likely_harm", "flags"))
    assert all(is_ciphertext(v) for v in stored(AtRiskPerson, person.pk, "pregnant", "expected_delivery"))
    case, person = ProtectionCase.objects.get(pk=case.pk), AtRiskPerson.objects.get(pk=person.pk)
    assert (case.condition, case.flags) == (ABUSE, ["inside_facility"])
    assert (person.pregnant, person.expected_delivery, person.risk_factors) == (
        True,
        dt.date(2027, 2, 1),
        ["poverty"],
    )

    encrypt_cases.reverse_code(apps, editor)
    encrypt_people.reverse_code(apps, editor)
    assert stored(ProtectionCase, case.pk, "condition", "flags") == [ABUSE, '["inside_facility"]']
    assert stored(AtRiskPerson, person.pk, "pregnant", "expected_delivery", "risk_factors") == [
        "1",
        "2027-02-01",
        '["poverty"]',
    ]
