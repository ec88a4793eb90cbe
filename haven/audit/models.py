"""The audit trail: append-only, hash-chained events for every write, view and export.

Each event's ``hash`` is HMAC-SHA256(audit key, previous hash + canonical event), so altering,
removing or reordering a row breaks the chain at that row (`haven audit verify`). The key is the
version of HAVEN_AUDIT_KEY the event names (``key_version``), so the key can be rotated. The database
refuses UPDATE and DELETE on this table (triggers in migration 0002), on SQLite and PostgreSQL. Events
cut from the end are caught against the signed checkpoints kept outside the database
(haven/audit/checkpoints.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("who")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The child whose data was touched, for the record's access log; no FK so the trail outlives it.
    child_id = models.UUIDField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Which version of HAVEN_AUDIT_KEY signed ``hash``; events before versioning were all version 1.
    key_version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("audit event")
        ordering = ["seq"]
        indexes = [models.Index(fields=["child_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class ChainHead(models.Model):
    """One row: the last sequence number and hash. Locking it serialises appends to the chain."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
