"""Canonical form and HMAC of an audit event, under a versioned audit key."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64


def canonical(event) -> str:
    return json.dumps(
        [
            event.seq,
            # Always in UTC: the database returns UTC, so a time given in another zone would not verify.
            event.at.astimezone(dt.UTC).isoformat(),
            event.actor_id,
            event.organisation_id,
            event.action,
            event.object_type,
            event.object_id,
            str(event.child_id) if event.child_id else None,
            event.ip,
            event.reason,
            event.data,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


class UnknownKeyVersion(LookupError):
    """An event or checkpoint names an audit key version that HAVEN_AUDIT_KEY does not hold."""


def sign(message: str, *, version: int) -> str:
    """HMAC-SHA256 of ``message`` under the audit key of that version (HAVEN_AUDIT_KEY's keyring)."""
    try:
        key = settings.HAVEN_AUDIT_KEYS[version]
    except KeyError:
        raise UnknownKeyVersion(version) from None
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def link(prev_hash: str, event) -> str:
    """The event's hash, under the key version it names: a new key signs new events, and events signed
    before a rotation still verify under theirs."""
    return sign(prev_hash + canonical(event), version=event.key_version)
