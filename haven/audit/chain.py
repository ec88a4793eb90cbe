"""Canonical form and HMAC of an audit event."""

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


def link(prev_hash: str, event) -> str:
    message = (prev_hash + canonical(event)).encode()
    return hmac.new(settings.HAVEN_AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()
