"""Form 16: ending or changing a child's alternative care, as data with its citation.

vietnam-process.md §3.4 E1 [V]: the commune chairman decides to end or change alternative care
(Form 16) on the monitoring results, the caregiver's request or the child's wishes (Law on Children
art. 69; Decree 56/2017 art. 48(2)). Decree 20/2021 art. 22 [S] ends care funding when the child is
treated inappropriately, care is exploited for gain, or the caregiver can no longer ensure care.
§3.4 C2 [S]/[V]: ending facility care for a family is decided by the facility's management authority
(Decree 56/2017 art. 48, Form 16). The grounds below are those of the rule book; their wording is ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FORM = "16"
BASIS = _("Law on Children art. 69; Decree 56/2017 art. 48(2), Form 16")


@dataclass(frozen=True)
class Ground:
    code: str
    label: str | Promise
    # The articles, in the reader's language (``citation``).
    cited: str | Promise
    # The ground needs the facts written out (what the monitoring found, what the child said...).
    needs_note: bool = True

    @property
    def citation(self) -> str:
        return str(self.cited)


GROUNDS: tuple[Ground, ...] = (
    Ground(
        "monitoring",
        _("The monitoring shows the care no longer meets the child's needs or safety"),
        _("Law on Children art. 69; Decree 56/2017 art. 46, 48(2); Circular 14/2020 art. 13"),
    ),
    Ground(
        "caregiver_request",
        _("The caregiver asks to end the care"),
        _("Law on Children art. 69; Decree 56/2017 art. 48(2)"),
    ),
    Ground(
        "child_wishes",
        _("The child's wishes (heard according to age and maturity)"),
        _("Law on Children art. 60(3), 69; Decree 56/2017 art. 48(2)"),
    ),
    Ground(
        "caregiver_unable",
        _("The caregiver no longer meets the conditions or can no longer ensure care"),
        _("Law on Children art. 64, 69; Decree 20/2021 art. 22"),
    ),
    Ground(
        "mistreatment",
        _("The child is treated inappropriately, or the care is exploited for gain"),
        _("Law on Children art. 69; Decree 20/2021 art. 22"),
    ),
    Ground(
        "family_found",
        _("A family-based form of care is found for a child in a facility"),
        _("Law on Children art. 47(4), 60(4); Decree 56/2017 art. 48; Circular 14/2020 art. 3"),
    ),
    Ground(
        "reunification",
        _("The child returns to the parents or family (reunification is safe and in the child's interest)"),
        _("Law on Children art. 60(5), 69; Decree 56/2017 art. 48(2)"),
    ),
)

BY_CODE = {g.code: g for g in GROUNDS}


def choices() -> list[tuple[str, str]]:
    return [(g.code, g.label) for g in GROUNDS]
