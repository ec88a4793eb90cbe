"""Canonical form and HMAC of an audit event."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64


def canonical(event) -> str:
    return json.dumps(
        [
            event.seq,
            event.at.isoformat(),
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
