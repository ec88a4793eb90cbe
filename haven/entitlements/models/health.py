"""A child's health-insurance card (bảo hiểm y tế), recorded as an entitlement.

Children under 6 are insured by the state budget, and so are children receiving the monthly social
allowance (Law on Health Insurance, the state-budget group; Decree 146/2018/NĐ-CP art. 3(7), replaced
by Decree 188/2025/NĐ-CP). The card of a child under 6 runs to a date the rule gives (health.py), never
typed; the card of a child in special circumstances to the date printed on it. ``expires_on`` is the
last day printed on the card, included.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.core.models import TimeStamped


class CardBasis(models.TextChoices):
    UNDER_SIX = "under_6", _("A child under 6")
    SPECIAL = "special", _("A child in special circumstances receiving social assistance")
    OTHER = "other", _("Another basis (a pupil's card, the household's)")


class CardQuerySet(models.QuerySet):
    def visible_to(self, user):
        from haven.entitlements.models import Entitlement
        from haven.people.models import Child

        return self.filter(
            Q(child__in=Child.objects.visible_to(user).values("pk"))
            | Q(child__in=Entitlement.objects.visible_to(user).values("child")),
            child__merged_into__isnull=True,
        )

    def valid_on(self, day):
        return self.filter(valid_from__lte=day, expires_on__gte=day)


class HealthInsuranceCard(TimeStamped):
    """One card of a child: its number, from when and to which day it is valid, and on what basis."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="health_cards")
    number = models.CharField(_("card number"), max_length=15)
    basis = models.CharField(_("insured as"), max_length=10, choices=CardBasis.choices)
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("valid until (included)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = _("health-insurance card")
        ordering = ["-valid_from"]
        indexes = [models.Index(fields=["child", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("valid_from")), name="card_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.valid_from:%d/%m/%Y}–{self.expires_on:%d/%m/%Y})"
