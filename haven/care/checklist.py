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
    # Shown on the inspection form, in the reader's language (the printed record has its own, care/pdf.py).
    legal_basis: str | Promise


# Decree 103/2017/NĐ-CP's site and building standards ([S]); art. 40 the admission record ([S]); Circular
# 09/2024 art. 6 ([V]); Notice 432-TB/VPTW §3 ([S]); Law on Children art. 68(1) ([V]).
SITE = _("Decree 103/2017: standards of the site and its surroundings")
BUILDINGS = _("Decree 103/2017: standards of housing and buildings")

ITEMS: tuple[Item, ...] = (
    Item("location", _("Accessible location"), SITE),
    Item("environment", _("Trees and clean air"), SITE),
    Item("drainage", _("Drainage and waste handling"), SITE),
    Item("sign", _("Gate sign with the facility's name and address"), SITE),
    Item("fence_light", _("Fence and lighting"), SITE),
    Item("buildings", _("Solid, storm-proof buildings"), BUILDINGS),
    Item("records", _("An admission record for every child"), _("Decree 103/2017 art. 40")),
    Item(
        "ratios",
        _("Caregivers on every shift within the ratios; social-work caseloads within the limits"),
        _("Circular 09/2024/TT-BLĐTBXH art. 6"),
    ),
    Item(
        "small_groups",
        _("Children live in small groups, each with a stable principal caregiver"),
        _("Notice 432-TB/VPTW, part 3"),
    ),
    Item("reviews", _("Every child reviewed within 6 months"), _("Law on Children art. 68(1)")),
)

RESULTS = [("met", _("Met")), ("not_met", _("Not met")), ("na", _("Not applicable"))]
