"""Every write of periodic reports and reminders, each a few lines of data around one ``fire()`` of the
workflow engine (reports/workflow.py): Haven generates the expected reports when a period closes and
opens a reminder when a commune misses a target twice; people review, comment, submit, return, approve,
send and set aside."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.areas.models import Area
from haven.core import calendar, clock
from haven.core.errors import Refused
from haven.reports import periods, snapshot
from haven.reports.models import PeriodicReport, ReportState, Urging, ministry, province_authority
from haven.reports.periodic import Level, ReportType, in_force, report_type
from haven.reports.periods import Period
from haven.reports.workflow import COMMUNE_REPORT, URGING, flow_of
from haven.workflow.engine import Firing

S = ReportState


# --- Haven generates ----------------------------------------------------------------------------------


def expected_areas(on: dt.date | None = None):
    """Every commune and province in force: each sends each report (DHIS2's expected reports)."""
    return Area.objects.current(on).filter(level__in=(Level.COMMUNE, Level.PROVINCE))


def generate(*, kind: ReportType, period: Period, areas=None, now: dt.datetime | None = None) -> int:
    """Generate the reports of ``kind`` for ``period`` that do not exist yet, for ``areas`` (default:
    every commune and province): the figures counted from the registry, the submission clock due on the
    type's day. Returns how many were made; generating again makes none."""
    now = now or clock.now()
    if period.end > calendar.local_day(now):
        raise Refused(_("A report is generated once its period has ended."), code="period_open")
    areas = list(areas if areas is not None else expected_areas(period.last_day))
    done = set(
        PeriodicReport.objects.filter(report_type=kind.code, period=period.key, area__in=areas).values_list(
            "area_id", flat=True
        )
    )
    missing = [a for a in areas if a.pk not in done]
    if not missing:
        return 0
    counted = snapshot.figures_for(kind, period, missing)
    authorities = _authorities(missing)
    for area in missing:
        figures, at = counted[area.pk]
        _generate_one(kind, period, area, figures, at, now, authorities.get(area.pk))
    return len(missing)


def _authorities(areas: list[Area]) -> dict[int, object]:
    """Who answers for each area's report, read in three queries whatever the number of areas: the
    commune's People's Committee, else its province's Department of Health, else the Ministry
    (``accounts.selectors.authority_for``; ``province_authority``)."""
    from haven.accounts.models import Organisation, OrganisationKind

    K = OrganisationKind
    committees, departments = {}, {}
    for org in Organisation.objects.filter(
        kind__in=(K.COMMUNE_COMMITTEE, K.PROVINCIAL_HEALTH), is_active=True
    ).order_by("-pk"):
        (committees if org.kind == K.COMMUNE_COMMITTEE else departments)[org.area_id] = org
    national = Organisation.objects.filter(kind=K.MINISTRY_OF_HEALTH, is_active=True).order_by("pk").first()
    found = {}
    for area in areas:
        if area.level == Level.COMMUNE:
            found[area.pk] = committees.get(area.pk) or departments.get(area.parent_id) or national
        else:
            found[area.pk] = departments.get(area.pk) or national
    return {pk: org for pk, org in found.items() if org is not None}


@transaction.atomic
def _generate_one(
    kind: ReportType, period: Period, area: Area, figures: dict, at: dict, now, authority
) -> None:
    report = PeriodicReport(
        report_type=kind.code,
        period=period.key,
        area=area,
        level=area.level,
        due_on=kind.due_on(period, area.level),
        figures=figures,
        digest=snapshot.digest(figures),
        counted=at,
        generated_at=now,
    )
    if authority is not None:
        report._authority = authority

    def effect(firing: Firing) -> PeriodicReport:
        report.save(force_insert=True)
        firing.dues["reports.submit"] = report.due_on
        firing.data.update(
            {"type": kind.code, "period": period.key, "area": area.code, "digest": report.digest}
        )
        return report

    flow_of(report).fire(report, "generate", actor=None, created=True, effect=effect, now=now)


def reports_from() -> dt.date | None:
    """The first day reports are expected in this deployment (``HAVEN_REPORTS_FROM``): a period that
    ended before it is not reported in Haven. Unset: the sweep generates none by itself."""
    value = getattr(settings, "HAVEN_REPORTS_FROM", "")
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def generate_due(now: dt.datetime | None = None) -> int:
    """The sweep's job: for each report type, the last period that has ended, if it ended on or after
    the day reports are expected from, is generated for every area that lacks it."""
    start = reports_from()
    if start is None:
        return 0
    now = now or clock.now()
    today = calendar.local_day(now)
    made = 0
    for kind in in_force(today):
        period = periods.containing(today, kind.kind).previous()
        if period.last_day < start or not kind.in_force_on(period.last_day):
            continue
        made += generate(kind=kind, period=period, now=now)
    return made


# --- People's steps ------------------------------------------------------------------------------------


def _take(report: PeriodicReport, action: str, *, actor: User, note: str = "", effect=None):
    flow = flow_of(report)
    return flow.fire(report, action, actor=actor, inputs={"note": note}, note=note.strip(), effect=effect)


@transaction.atomic
def report_recount(*, actor: User, report: PeriodicReport) -> PeriodicReport:
    """Count the figures again from case data (late entries): the review is done again."""

    def effect(firing: Firing) -> PeriodicReport:
        kind = report.kind
        figures, at = snapshot.figures_for(kind, report.period_obj, [report.area], recount=True)[
            report.area_id
        ]
        before = report.digest
        report.figures, report.counted, report.digest = figures, at, snapshot.digest(figures)
        report.save(update_fields=["figures", "counted", "digest", "updated_at"])
        firing.data.update(
            {"digest_before": before, "digest": report.digest, "changed": before != report.digest}
        )
        return report

    return _take(report, "recount", actor=actor, effect=effect)


@transaction.atomic
def report_review(*, actor: User, report: PeriodicReport, note: str) -> PeriodicReport:
    _take(report, "review", actor=actor, note=note)
    return report


@transaction.atomic
def report_comment(*, actor: User, report: PeriodicReport, note: str) -> PeriodicReport:
    _take(report, "comment", actor=actor, note=note)
    return report


@transaction.atomic
def report_submit(*, actor: User, report: PeriodicReport) -> PeriodicReport:
    """The chairman (or the province, for its own report) submits: the figures go up as they are."""

    def effect(firing: Firing) -> PeriodicReport:
        report.submitted_at = firing.now
        if report.first_submitted_at is None:
            report.first_submitted_at = firing.now
        report.save(update_fields=["submitted_at", "first_submitted_at", "updated_at"])
        approver = province_authority(report.area.parent) if report.level == Level.COMMUNE else ministry()
        firing.responsible["reports.approve"] = approver
        firing.data.update({"digest": report.digest, "on_time": report.on_time})
        return report

    return _take(report, "submit", actor=actor, effect=effect)


def _approve_row(report: PeriodicReport) -> str:
    if report.level == Level.COMMUNE and report.state == S.SUBMITTED:
        return "approve_province"
    return "approve_ministry"


def _level_refusal(report: PeriodicReport, actor: User, action: str) -> None:
    """An approval by the wrong level is refused with the reason, before anything else is checked."""
    from haven.access.scoping import memberships

    flow = flow_of(report)
    roles = {m.role for m in memberships(actor)}
    if roles & flow.transitions[action].roles or not flow._visible(actor, report):
        return
    if report.level == Level.COMMUNE:
        message = _(
            "A commune's report is approved by its province's Department of Health, then by the Ministry "
            "of Health; it is now with %(level)s, and your role does not approve at that level."
        )
    else:
        message = _(
            "A province's report is approved by the Ministry of Health; it is now with %(level)s, and "
            "your role does not approve at that level."
        )
    level = _("the Ministry of Health") if action.endswith("ministry") else _("the province")
    if report.state not in (S.SUBMITTED, S.PROVINCE_APPROVED):
        return  # the state's own refusal says why (not submitted, already approved)
    raise Refused(message % {"level": level}, code="wrong_level")


@transaction.atomic
def report_approve(*, actor: User, report: PeriodicReport, note: str = "") -> PeriodicReport:
    """The province approves a commune's submitted report (the figures are frozen), then the Ministry;
    the Ministry approves a province's. Whoever approves at the wrong level is told which level does."""
    action = _approve_row(report)
    _level_refusal(report, actor, action)

    def effect(firing: Firing) -> PeriodicReport:
        if action == "approve_province":
            report.province_approved_at = firing.now
            report.approved_digest = report.digest
            firing.responsible["reports.approve"] = ministry()
            report.save(update_fields=["province_approved_at", "approved_digest", "updated_at"])
        else:
            report.approved_at = firing.now
            report.approved_digest = report.digest
            report.save(update_fields=["approved_at", "approved_digest", "updated_at"])
        firing.data["digest"] = report.digest
        return report

    flow = flow_of(report)
    return flow.fire(report, action, actor=actor, inputs={"note": note}, note=note.strip(), effect=effect)


@transaction.atomic
def report_return(*, actor: User, report: PeriodicReport, note: str) -> PeriodicReport:
    """The approver sends the report back with the reason; the maker corrects and submits again."""
    action = (
        "return_province"
        if report.level == Level.COMMUNE and report.state == S.SUBMITTED
        else "return_ministry"
    )
    _level_refusal(report, actor, action)

    def effect(firing: Firing) -> PeriodicReport:
        report.submitted_at = None
        report.province_approved_at = None
        report.approved_digest = ""
        report.save(update_fields=["submitted_at", "province_approved_at", "approved_digest", "updated_at"])
        return report

    return _take(report, action, actor=actor, note=note, effect=effect)


def report_compare(report: PeriodicReport) -> tuple[str, list[snapshot.Difference]]:
    """Count the report's figures again from case data now, without changing it: the new digest and
    every cell that differs from what the report holds (none when it reproduces exactly)."""
    figures, _at = snapshot.figures_for(report.kind, report.period_obj, [report.area], recount=True)[
        report.area_id
    ]
    return snapshot.digest(figures), snapshot.differences(report.figures, figures)


# --- Reminders ---------------------------------------------------------------------------------------


@transaction.atomic
def urging_open(*, commune: Area, indicator: str, period: Period, found: dict, now=None) -> Urging:
    urging = Urging(
        commune=commune,
        indicator=indicator,
        period=period.key,
        previous=period.previous().key,
        found=found,
    )

    def effect(firing: Firing) -> Urging:
        urging.save(force_insert=True)
        firing.data.update({"indicator": indicator, "period": period.key, "commune": commune.code, **found})
        return urging

    return URGING.fire(urging, "open", actor=None, created=True, effect=effect, now=now)


@transaction.atomic
def urging_send(*, actor: User, urging: Urging, message: str) -> Urging:
    """The provincial officer sends the reminder; the commune is told in its inbox."""

    def effect(firing: Firing) -> Urging:
        urging.message = message.strip()
        urging.sent_at = firing.now
        urging.save(update_fields=["message", "sent_at", "updated_at"])
        return urging

    return URGING.fire(
        urging, "send", actor=actor, inputs={"note": message}, note=message.strip(), effect=effect
    )


@transaction.atomic
def urging_set_aside(*, actor: User, urging: Urging, reason: str) -> Urging:
    URGING.fire(urging, "set_aside", actor=actor, inputs={"note": reason}, note=reason.strip())
    return urging


__all__ = [
    "COMMUNE_REPORT",
    "generate",
    "generate_due",
    "report_approve",
    "report_comment",
    "report_compare",
    "report_recount",
    "report_return",
    "report_review",
    "report_submit",
    "report_type",
    "urging_open",
    "urging_send",
    "urging_set_aside",
]
