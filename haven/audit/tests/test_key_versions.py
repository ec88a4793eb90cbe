"""The audit key is versioned: each event and each checkpoint names the version that signed it, so the
key can be changed and the events signed before still verify (security review, finding 18)."""

from __future__ import annotations

import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import keyring, require_distinct_strong_keys
from haven.audit.checkpoints import checkpoint_write, newest
from haven.audit.models import AuditEvent
from haven.audit.services import record, verify

pytestmark = pytest.mark.django_db

OLD, NEW = secrets.token_urlsafe(48), secrets.token_urlsafe(48)


@pytest.fixture
def version_1(settings):
    settings.HAVEN_AUDIT_KEYS, settings.HAVEN_AUDIT_KEY_VERSION = {1: OLD}, 1
    return settings


def rotate_to_version_2(settings) -> None:
    settings.HAVEN_AUDIT_KEYS, settings.HAVEN_AUDIT_KEY_VERSION = {2: NEW, 1: OLD}, 2


def test_old_events_still_verify_after_a_new_audit_key_version_signs_new_ones(version_1):
    before = [record(actor=None, action="child.view") for _ in range(3)]
    checkpoint_write()
    rotate_to_version_2(version_1)
    after = [record(actor=None, action="child.view") for _ in range(2)]
    checkpoint_write()

    assert [e.key_version for e in before + after] == [1, 1, 1, 2, 2]
    assert newest().key_version == 2
    result = verify()
    assert result.ok and result.checked == 5 and result.checkpoints == 2


def test_replacing_the_key_instead_of_adding_a_version_breaks_the_old_events(version_1):
    """Why the keyring: with the old key gone, the chain cannot be told from a forged one."""
    [record(actor=None, action="child.view") for _ in range(2)]
    version_1.HAVEN_AUDIT_KEYS = {1: NEW}
    assert "#1 was altered" in verify().problem


def test_an_event_whose_key_version_was_removed_is_named(version_1):
    record(actor=None, action="child.view")
    rotate_to_version_2(version_1)
    record(actor=None, action="child.view")
    version_1.HAVEN_AUDIT_KEYS = {2: NEW}
    result = verify()
    assert result.broken_at == 1 and "version 1" in result.problem
    assert AuditEvent.objects.get(seq=2).key_version == 2


def test_the_audit_key_is_read_as_a_versioned_keyring():
    assert keyring("just-one-key") == {1: "just-one-key"}  # the form every Haven so far was given
    assert keyring("2:newer, 1:older") == {2: "newer", 1: "older"}
    for wrong in ("2:a,2:b", "x:a", "0:a", "3:"):
        with pytest.raises(ImproperlyConfigured):
            keyring(wrong)


def test_keys_must_be_long_and_each_used_for_one_purpose_only():
    long = secrets.token_urlsafe(48)
    with pytest.raises(ImproperlyConfigured, match="too short"):
        require_distinct_strong_keys(HAVEN_INDEX_KEY="x", HAVEN_AUDIT_KEY=long)
    with pytest.raises(ImproperlyConfigured, match="same key"):
        require_distinct_strong_keys(HAVEN_INDEX_KEY=long, HAVEN_AUDIT_KEY=long)
    require_distinct_strong_keys(HAVEN_INDEX_KEY=long, HAVEN_AUDIT_KEY=secrets.token_urlsafe(48))
