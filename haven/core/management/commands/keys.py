"""`haven keys`: make a new key, and rotate to it (docs/runbooks/keys.md).

haven keys new field --write /etc/haven/field-keys    # the new key first, the old ones after it
(restart Haven with it)
haven keys rotate field                                # every value re-encrypted under the new key
"""

import base64
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from haven.core import keys
from haven.lib.files import create_private

KINDS = ["field", "index", "audit", "ledger"]


def new_value(kind: str) -> str:
    """What the secret becomes: the field keyring with a new key first; the audit keyring with a new
    version first; a new index key."""
    if kind == "field":
        return ",".join([Fernet.generate_key().decode(), *settings.HAVEN_FIELD_KEYS])
    if kind == "ledger":
        # Ed25519 private keys (32 bytes, base64); the old versions stay so their checkpoints verify.
        ring = settings.HAVEN_LEDGER_KEYS
        fresh = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        return ",".join(f"{v}:{k}" for v, k in sorted({**ring, max(ring) + 1: fresh}.items(), reverse=True))
    if kind == "audit":
        ring = settings.HAVEN_AUDIT_KEYS
        newest = max(ring) + 1
        return ",".join(
            f"{v}:{k}" for v, k in sorted({**ring, newest: secrets.token_urlsafe(48)}.items(), reverse=True)
        )
    return secrets.token_urlsafe(48)


class Command(BaseCommand):
    help = (
        "Key rotation. `new KIND` prints (or --write writes, 0600) the secret with a new key; once Haven "
        "runs with it, `rotate KIND` moves the data to it: field keys re-encrypt every value in place, "
        "the index key recomputes the PIN index, a new audit key version is marked in the chain."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["new", "rotate"])
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument(
            "--write", metavar="FILE", help="with `new`: write the secret to FILE (mode 0600)"
        )

    def handle(self, *args, action: str, kind: str, write: str | None = None, **options) -> None:
        if action == "new":
            self._new(kind, write)
            return
        try:
            if kind == "field":
                done = keys.field_keys_rotate()
                self.stdout.write(
                    f"{done.rewritten} of {done.values} encrypted values re-encrypted under the newest field "
                    f"key ({done.columns} columns): the older keys can now be removed from HAVEN_FIELD_KEYS"
                )
            elif kind == "ledger":
                from haven.sponsorship import log

                head = log.checkpoint_publish()
                self.stdout.write(
                    f"ledger key version {head.key_version} signed checkpoint {head.tree_size}: "
                    "keep the older versions in HAVEN_LEDGER_KEY, their public halves stay at /ledger/keys"
                )
            elif kind == "index":
                self.stdout.write(
                    f"{keys.index_key_rotate()} PIN index entries recomputed under HAVEN_INDEX_KEY"
                )
            else:
                done = keys.audit_key_rotate()
                self.stdout.write(
                    f"audit key version {done.version} now signs the chain; {done.checked} earlier events "
                    f"verified under their own versions (keep version {done.previous} in HAVEN_AUDIT_KEY)"
                )
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error

    def _new(self, kind: str, write: str | None) -> None:
        value = new_value(kind)
        if not write:
            self.stdout.write(value)
            return
        target = Path(write)
        fresh = target.with_name(f".{target.name}.new")
        fresh.unlink(missing_ok=True)
        create_private(fresh, value + "\n")
        os.replace(fresh, target)
        self.stdout.write(
            f"written to {target} (0600): restart Haven with it, then `haven keys rotate {kind}`"
        )
