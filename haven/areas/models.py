"""Administrative areas: 34 provinces and 3,321 communes since the two-tier reform of 1 July 2025.

One table for both levels so that an organisation, a child or a membership points at "an area"; the
parent of a commune is its province (no district level since Resolution 202/2025/QH15). Units carry
validity dates, ``[valid_from, valid_to)`` (core/dated.py), so that pre-2025 provinces, districts and
communes can be added later with ``valid_to``.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.dated import DatedFields, DatedQuerySet

TWO_TIER_REFORM = dt.date(2025, 7, 1)


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")


class Kind(models.TextChoices):
    PROVINCE = "tinh", _("Province (tỉnh)")
    CENTRAL_CITY = "thanh_pho_tw", _("Centrally-run city")
    COMMUNE = "xa", _("Commune (xã)")
    WARD = "phuong", _("Ward (phường)")
    SPECIAL_ZONE = "dac_khu", _("Special zone (đặc khu)")


class AreaQuerySet(DatedQuerySet):
    def current(self, on: dt.date | None = None) -> AreaQuerySet:
        """The units in force on ``on`` (today)."""
        return self.in_force(on)

    def provinces(self) -> AreaQuerySet:
        return self.filter(level=Level.PROVINCE)

    def communes(self) -> AreaQuerySet:
        return self.filter(level=Level.COMMUNE)


class Area(DatedFields, models.Model):
    # Official codes: 2 digits for a province, 5 for a commune (General Statistics Office list).
    code = models.CharField(_("official code"), max_length=5)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("province"),
    )
    valid_from = models.DateField(_("valid from"), default=TWO_TIER_REFORM)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"], name="area_code_unique_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True)
                | models.Q(level="commune", parent__isnull=False),
                name="area_commune_has_province",
            ),
        ]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_province(self) -> bool:
        return self.level == Level.PROVINCE

    @property
    def province(self) -> Area:
        """The province of a commune, or the province itself."""
        return self if self.is_province else self.parent

    def communes(self) -> AreaQuerySet:
        return Area.objects.communes().filter(parent=self)

    @property
    def label(self) -> str:
        return self.name if self.is_province else f"{self.name}, {self.parent.name}"
