"""The periodic reports as data: which reports a commune and a province send up the chain, for which
periods, which indicators of the registry they carry, by when, and on what legal basis — with what
Haven's team could not check against the text said so.

A report's figures are never typed: they are the registry's counts for the report's area and period
(reports/snapshot.py). What people do is review, comment, submit, return and approve
(reports/workflow.py): a commune's report goes to its province, then to the Ministry of Health; a
province's report goes to the Ministry.

Sources (shared/domain/next-capabilities.md §4.1, vietnam-process.md §6): Circular 13/2021/TT-BLĐTBXH
publishes its indicators by year [the Circular's title and dates read; the cadence of each indicator
from excerpts]; Circular 14/2020 art. 13 asks the commune for a report on children in alternative care
every 6 months [read]; the commune's register of families willing to provide alternative care is
updated every quarter (Decree 56/2017 art. 41 and its administrative procedure) [summaries only];
Decree 09/2019/NĐ-CP governs administrative reports and their periods [its scope read, its cut-off
dates not]; MOH Decision 3978/QĐ-BYT of 26/12/2025 guides the updating of the grassroots child
information system [title only]. No text read fixes the day a commune's or a province's report is
due: the days below are Haven's defaults, marked so (``due_verified``), to be replaced by the text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.core.dated import DatedFields
from haven.reports.periods import Kind, Period


class Level:
    COMMUNE = "commune"
    PROVINCE = "province"


@dataclass(frozen=True)
class ReportType(DatedFields):
    code: str
    kind: Kind
    name: str | Promise
    # The indicators the report carries, by code, in the order it shows them.
    indicators: tuple[str, ...]
    # Calendar days after the period's last day by which each level submits (DHIS2's "timely days").
    commune_days: int
    province_days: int
    legal_basis: str | Promise
    valid_from: dt.date
    valid_to: dt.date | None
    # The cadence and the basis were read in the text itself (else only in summaries).
    verified: bool
    # The days by which each level submits were read in a text (else Haven's defaults).
    due_verified: bool
    caveat: str | Promise = ""

    def due_on(self, period: Period, level: str) -> dt.date:
        """The last day a report of ``level`` for ``period`` is on time."""
        days = self.commune_days if level == Level.COMMUNE else self.province_days
        return period.last_day + dt.timedelta(days=days)


DEFAULT_DAYS = _(
    "The day each level submits by is Haven's default: no text read fixes it (Decree 09/2019/NĐ-CP "
    "leaves it to the text that requires the report). To be replaced when the text is read."
)

REPORT_TYPES: tuple[ReportType, ...] = (
    ReportType(
        code="monthly",
        kind=Kind.MONTH,
        name=_("Monthly report on children in special circumstances and child protection"),
        indicators=(
            "HV.SC",
            "HV.FOUND",
            "HV.FOUND.PIN30",
            "IV.0101",
            "HV.ABUSE.REPORTS",
            "HV.CLOCKS",
            "HV.RISK.FOLLOWED",
            "HV.RISK.VISITS",
        ),
        commune_days=5,
        province_days=10,
        legal_basis=_(
            "Decree 09/2019/NĐ-CP on the reporting regime of state administrative agencies, art. 12 "
            "(reporting periods); Decision 3978/QĐ-BYT of 26/12/2025 of the Ministry of Health on "
            "updating the grassroots child information system"
        ),
        valid_from=dt.date(2025, 7, 1),
        valid_to=None,
        verified=False,
        due_verified=False,
        caveat=_(
            "A monthly report is Haven's reading of Decision 3978/QĐ-BYT, whose text was not read; "
            "Decree 09/2019/NĐ-CP counts its own months from the 15th to the 14th, Haven counts "
            "calendar months as the indicators do."
        ),
    ),
    ReportType(
        code="quarterly",
        kind=Kind.QUARTER,
        name=_("Quarterly report on alternative care and the register of willing families"),
        indicators=(
            "HV.CARE.FAMILY",
            "HV.CARE.CHANGES",
            "HV.CARE.OCCUPANCY",
            "HV.CARE.BREACHES",
            "HV.CLOCKS",
        ),
        commune_days=10,
        province_days=20,
        legal_basis=_(
            "Decree 56/2017/NĐ-CP, art. 41 and its administrative procedure: the commune updates its "
            "register of families willing to provide alternative care every quarter"
        ),
        valid_from=dt.date(2025, 7, 1),
        valid_to=None,
        verified=False,
        due_verified=False,
        caveat=_("The quarterly cadence is read in summaries of the procedure, not in the Decree itself."),
    ),
    ReportType(
        code="half",
        kind=Kind.HALF,
        name=_("Six-monthly report on children in alternative care"),
        indicators=(
            "HV.SC",
            "HV.CARE.FAMILY",
            "HV.CARE.RESIDENTIAL",
            "HV.CARE.CHANGES",
            "HV.CARE.OCCUPANCY",
            "HV.CLOCKS",
        ),
        commune_days=15,
        province_days=30,
        legal_basis=_(
            "Circular 14/2020/TT-BLĐTBXH, art. 13: a report every 6 months on children in alternative "
            "care; Law on Children 2016, art. 68: the review of children in facilities every 6 months; "
            "Circular 14/2020, art. 15(1)(a): the provincial report on alternative care"
        ),
        valid_from=dt.date(2025, 7, 1),
        valid_to=None,
        verified=True,
        due_verified=False,
        caveat=_(
            "Article 13 was read; the provincial report's cadence (art. 15) only in summaries, and "
            "Circular 16/2025/TT-BYT, which reassigns these duties to the health sector, was not read."
        ),
    ),
    ReportType(
        code="yearly",
        kind=Kind.YEAR,
        name=_("Yearly statistical report on children and child abuse"),
        indicators=(
            "HV.SC",
            "IV.0101",
            "HV.ABUSE.RATE",
            "HV.ABUSE.REPORTS",
            "HV.FOUND",
            "HV.FOUND.PIN30",
            "HV.CARE.FAMILY",
            "HV.CARE.RESIDENTIAL",
            "HV.CLOCKS",
            "HV.RISK.FOLLOWED",
        ),
        commune_days=15,
        province_days=31,
        legal_basis=_(
            "Circular 13/2021/TT-BLĐTBXH on the statistical indicators of the situation of children and "
            "of child abuse (in force 15/11/2021): its indicators are published every year"
        ),
        valid_from=dt.date(2021, 11, 15),
        valid_to=None,
        verified=False,
        due_verified=False,
        caveat=_(
            "The Circular's title and dates were read; the yearly cadence of each indicator only in "
            "excerpts of its passports."
        ),
    ),
)

BY_CODE = {t.code: t for t in REPORT_TYPES}


def report_type(code: str) -> ReportType | None:
    return BY_CODE.get(code)


def in_force(on: dt.date) -> list[ReportType]:
    """The report types a period ending on ``on`` is reported under."""
    return [t for t in REPORT_TYPES if t.in_force_on(on)]
