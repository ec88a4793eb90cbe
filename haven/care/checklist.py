"""The inspection checklist of a social protection facility, as data with its legal basis
(vietnam-process.md §5; per-person floor area and land minima were not retrieved, [U])."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    code: str
    text: str | Promise
    legal_basis: str


DECREE_103 = "Decree 103/2017/NĐ-CP (site and building standards) [S]"

ITEMS: tuple[Item, ...] = (
    Item("location", _("Accessible location"), DECREE_103),
    Item("environment", _("Trees and clean air"), DECREE_103),
    Item("drainage", _("Drainage and waste handling"), DECREE_103),
    Item("sign", _("Gate sign with the facility's name and address"), DECREE_103),
    Item("fence_light", _("Fence and lighting"), DECREE_103),
    Item("buildings", _("Solid, storm-proof buildings"), DECREE_103),
    Item("records", _("An admission record for every child"), "Decree 103/2017/NĐ-CP art. 40 [S]"),
    Item(
        "ratios",
        _("Caregivers on every shift within the ratios; social-work caseloads within the limits"),
        "Circular 09/2024/TT-BLĐTBXH art. 6 [V]",
    ),
    Item(
        "small_groups",
        _("Children live in small groups, each with a stable principal caregiver"),
        "Notice 432-TB/VPTW §3 [S]",
    ),
    Item("reviews", _("Every child reviewed within 6 months"), "Law on Children art. 68(1) [V]"),
)

RESULTS = [("met", _("Met")), ("not_met", _("Not met")), ("na", _("Not applicable"))]
