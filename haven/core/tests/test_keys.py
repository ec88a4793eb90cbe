"""Key rotation keeps every value readable and every audit event verifiable (security review,
finding 18): `haven keys rotate field` re-encrypts in place under the newest key, `rotate index`
recomputes the PIN index, `rotate audit` marks a new audit key version in the chain."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import stat

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from haven.audit.checkpoints import newest
from haven.audit.models import AuditEvent
from haven.audit.services import record, verify
from haven.core import keys
from haven.core.tests.test_at_rest import ABUSE, stored
from haven.people import services as people
from haven.people.models import Child, ChildOpinion
from haven.people.selectors import children_matching
from haven.protection.models import ProtectionCase
from haven.protection.services import informant_of
from haven.protection.tests.factories import report

pytestmark = pytest.mark.django_db

PIN = "001218000123"


def records(world) -> tuple[ProtectionCase, Child, ChildOpinion]:
    """A case with its narrative and informant, a child with a PIN, and the child's own words."""
    case = report(
        world,
        condition=ABUSE,
        parents="Mẹ: Lò Thị Sua",
        informant_consent=True,
        informant={"name": "Hà Văn Tâm", "phone": "0987654321"},
    )
    child = people.child_create(
        actor=world.officer_a,
        family_name="Lê",
        given_name="Minh",
        sex="male",
        date_of_birth=dt.date(2018, 3, 4),
        current_commune=world.commune_a,
        pin=PIN,
    )
    opinion = people.opinion_record(
        actor=world.officer_a,
        child=child,
        heard_on=dt.date(2026, 3, 2),
        subject="Nơi ở",
        opinion="Muốn ở với bà",
    )
    return case, child, opinion


def read_back(case, child, opinion) -> tuple:
    case = ProtectionCase.objects.get(pk=case.pk)
    return (
        case.condition,
        case.parents,
        informant_of(case)["name"],
        Child.objects.get(pk=child.pk).pin,
        ChildOpinion.objects.get(pk=opinion.pk).opinion,
        opinion.history.get().opinion,
    )


def test_rotating_the_field_key_keeps_every_value_readable_and_frees_the_old_key(world, settings):
    old, new = settings.HAVEN_FIELD_KEYS[0], Fernet.generate_key().decode()
    written = records(world)
    before = read_back(*written)

    settings.HAVEN_FIELD_KEYS = [new, old]  # step 1: the new key first, the old one still opens
    call_command("keys", "rotate", "field")
    settings.HAVEN_FIELD_KEYS = [new]  # step 2: the old key removed

    assert read_back(*written) == before
    assert Fernet(new.encode()).decrypt(stored(ProtectionCase, written[0].pk, "condition")[0].encode())
    assert AuditEvent.objects.filter(action="keys.field_rotate").exists()


def test_without_the_rotation_removing_the_old_key_would_lose_the_values(world, settings):
    case, _child, _opinion = records(world)
    settings.HAVEN_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        ProtectionCase.objects.get(pk=case.pk)


def test_a_rotation_run_again_rewrites_nothing(world, settings):
    records(world)
    settings.HAVEN_FIELD_KEYS = [Fernet.generate_key().decode(), *settings.HAVEN_FIELD_KEYS]
    first = keys.field_keys_rotate()
    again = keys.field_keys_rotate()
    assert first.rewritten == first.values > 0
    assert again.rewritten == 0 and again.values == first.values


def test_a_value_no_key_opens_stops_the_rotation_and_names_its_row(world, settings):
    records(world)
    settings.HAVEN_FIELD_KEYS = [Fernet.generate_key().decode()]  # the key it was written with is gone
    with pytest.raises(CommandError, match=r"\.\w+ of row .+: put back the key"):
        call_command("keys", "rotate", "field")


def test_every_ciphertext_column_is_rotated():
    columns = {f"{model._meta.db_table}.{field.column}" for model, field in keys.ciphertext_columns()}
    assert {
        "protection_protectioncase.condition",
        "protection_protectioncase.informant_encrypted",
        "protection_assessment.data",
        "people_child.pin_encrypted",
        "people_historicalchild.pin_encrypted",
        "people_historicalchildopinion.opinion",
        "foundlings_foundlingcase.finder_id_document",
        "prevention_atriskperson.pregnant",
        "prevention_visit.notes_encrypted",
        "linkage_candidate.person_pin_encrypted",
        "population_registerrequest.answered_pin_encrypted",
    } <= columns


def test_rotating_the_index_key_keeps_a_child_findable_by_pin(world, settings):
    _case, child, _opinion = records(world)
    settings.HAVEN_INDEX_KEY = secrets.token_urlsafe(48)
    assert list(children_matching(world.officer_a, PIN)) == []  # the index is of the old key
    assert call_command("keys", "rotate", "index") is None
    assert list(children_matching(world.officer_a, PIN)) == [child]


def test_rotating_the_audit_key_keeps_old_events_verifiable(world, settings):
    old = settings.HAVEN_AUDIT_KEYS[settings.HAVEN_AUDIT_KEY_VERSION]
    settings.HAVEN_AUDIT_KEYS, settings.HAVEN_AUDIT_KEY_VERSION = {1: old}, 1
    records(world)
    # Haven restarted with the new version first: it signs with it at once.
    settings.HAVEN_AUDIT_KEYS, settings.HAVEN_AUDIT_KEY_VERSION = {2: secrets.token_urlsafe(48), 1: old}, 2
    record(actor=None, action="child.view")

    call_command("keys", "rotate", "audit")

    versions = list(AuditEvent.objects.order_by("seq").values_list("action", "key_version"))
    assert versions[-2:] == [("child.view", 2), ("keys.audit_rotate", 2)]
    assert {v for a, v in versions[:-2]} == {1}
    assert newest().key_version == 2
    assert verify().ok
    with pytest.raises(CommandError, match="version 2 already signs the chain"):
        call_command("keys", "rotate", "audit")  # marked once


def test_the_audit_key_is_not_rotated_without_a_new_version(world, settings):
    records(world)
    with pytest.raises(CommandError, match="already signs the chain"):
        call_command("keys", "rotate", "audit")


def test_a_new_key_is_written_readable_by_its_owner_only_with_the_older_keys_after_it(settings, tmp_path):
    target = tmp_path / "field-keys"
    call_command("keys", "new", "field", "--write", str(target))
    ring = target.read_text().strip().split(",")
    assert ring[1:] == settings.HAVEN_FIELD_KEYS and Fernet(ring[0].encode())
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600

    call_command("keys", "new", "audit", "--write", str(target))
    versions = [int(item.split(":", 1)[0]) for item in target.read_text().strip().split(",")]
    assert versions[0] == max(settings.HAVEN_AUDIT_KEYS) + 1
    assert versions[1:] == sorted(settings.HAVEN_AUDIT_KEYS, reverse=True)
