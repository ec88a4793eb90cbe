"""Attendance, marked by the school, a day at a time or a file at a time; and the absences that
become help.

A day not marked is unknown, never present. A file is checked whole before anything is saved: every
line's problems are reported with its line number, and nothing is written unless the person asks to
save the good lines anyway (``partial``). After the marks are saved, a run of consecutive days absent
without leave reaching the dated threshold (risk.absence_rule) reports the child to the commune on
Form 01 of Decree 56/2017 through the protection pathway's own service (a concern for support), and
the commune owes a home visit on the deadline engine.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, granting
from haven.accounts.models import Membership, Role, User
from haven.accounts.selectors import authority_for
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.services import obligation_open, obligations_close
from haven.education import clocks, risk
from haven.education.models import AbsenceAlert, Attendance, Enrolment, Mark, School, State
from haven.education.workflow import SCHOOL
from haven.protection.models import CLOSED_STATES, ProtectionCase

# How a school writes a mark in its register: the Vietnamese letters, the words, or Haven's codes.
MARK_ALIASES = {
    "c": Mark.PRESENT,
    "co mat": Mark.PRESENT,
    "present": Mark.PRESENT,
    "m": Mark.LATE,
    "muon": Mark.LATE,
    "di muon": Mark.LATE,
    "late": Mark.LATE,
    "p": Mark.EXCUSED,
    "co phep": Mark.EXCUSED,
    "vang co phep": Mark.EXCUSED,
    "excused": Mark.EXCUSED,
    "k": Mark.UNEXCUSED,
    "kp": Mark.UNEXCUSED,
    "khong phep": Mark.UNEXCUSED,
    "vang khong phep": Mark.UNEXCUSED,
    "unexcused": Mark.UNEXCUSED,
}
MAX_LINES = 20000


def mark_of(text: str) -> str | None:
    from haven.lib.vietnamese import fold

    return MARK_ALIASES.get(" ".join(fold(text or "").replace("_", " ").split()))


def school_membership(actor: User, school: School) -> Membership:
    """Only the school marks its pupils' attendance; anyone else: not found."""
    for m in granting(actor, Verb.EDUCATION_RECORD):
        if m.role in SCHOOL and m.organisation_id == school.organisation_id:
            return m
    raise NotVisible


@dataclass(frozen=True)
class Line:
    """One mark to record: the line of the file it came from (1 for a single mark)."""

    number: int
    enrolment_id: str
    day: dt.date | None
    mark: str


def _problems(school: School, lines: list[Line]) -> tuple[dict[int, list[str]], list[tuple[Line, Enrolment]]]:
    """Every line's problems, by line number, and the lines that can be saved."""
    today = clock.today()
    ids = set()
    for line in lines:
        try:
            ids.add(uuid.UUID(str(line.enrolment_id)))
        except ValueError:
            pass
    enrolments = {
        str(e.pk): e for e in Enrolment.objects.filter(pk__in=ids, school=school).select_related("child")
    }
    problems: dict[int, list[str]] = {}
    good: list[tuple[Line, Enrolment]] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for line in lines:
        found: list[str] = []
        enrolment = enrolments.get(str(line.enrolment_id).strip().lower())
        if enrolment is None:
            found.append(_("No pupil of this school has this enrolment number."))
        if line.day is None:
            found.append(_("The date is missing or not a date (dd/mm/yyyy)."))
        elif line.day > today:
            found.append(_("Attendance cannot be marked for a day in the future."))
        if line.mark not in Mark.values:
            found.append(_("The mark is not one of C, M, P or K."))
        if enrolment is not None and line.day is not None:
            if enrolment.state not in (State.ENROLLED, State.ENDED) or enrolment.started_on is None:
                found.append(_("The child is not enrolled at this school."))
            elif line.day < enrolment.started_on or (enrolment.ended_on and line.day >= enrolment.ended_on):
                found.append(_("The child was not enrolled at this school on that day."))
            key = (str(enrolment.pk), line.day)
            if key in seen:
                found.append(_("The same pupil and day are on line %(line)s too.") % {"line": seen[key]})
            else:
                seen[key] = line.number
        if found:
            problems[line.number] = found
        else:
            good.append((line, enrolment))
    return problems, good


class LinesRefused(ValidationError):
    """A file with problems: every line's, by line number; nothing was saved."""

    def __init__(self, problems: dict[int, list[str]]) -> None:
        self.lines = problems
        super().__init__(
            {
                "lines": [
                    ValidationError(
                        _("Line %(line)s: %(problem)s") % {"line": n, "problem": " ".join(p)}, code="bad_line"
                    )
                    for n, p in sorted(problems.items())
                ]
            }
        )


@dataclass
class Outcome:
    saved: int
    problems: dict[int, list[str]]
    alerts: list[AbsenceAlert]


@transaction.atomic
def attendance_record(*, actor: User, school: School, lines: list[Line], partial: bool = False) -> Outcome:
    """Record marks for the school's pupils. All or nothing unless ``partial``; a mark given again for
    a day replaces it (a correction), audited with both."""
    membership = school_membership(actor, school)
    if not lines:
        raise ValidationError(
            {"lines": [ValidationError(_("The file has no attendance lines."), code="empty")]}
        )
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {
                "lines": [
                    ValidationError(_("A file has at most %(n)s lines.") % {"n": MAX_LINES}, code="too_long")
                ]
            }
        )
    problems, good = _problems(school, lines)
    if problems and not partial:
        raise LinesRefused(problems)
    now = clock.now()
    existing = {
        (a.enrolment_id, a.day): a
        for a in Attendance.objects.select_for_update().filter(
            enrolment_id__in={e.pk for _l, e in good}, day__in={line.day for line, _e in good}
        )
    }
    touched: dict[uuid.UUID, Enrolment] = {}
    changed = []
    for line, enrolment in good:
        before = existing.get((enrolment.pk, line.day))
        if before is None:
            Attendance.objects.create(
                enrolment=enrolment, day=line.day, mark=line.mark, recorded_by=actor, recorded_at=now
            )
        elif before.mark != line.mark:
            changed.append({"enrolment": str(enrolment.pk), "day": line.day.isoformat(), "was": before.mark})
            before.mark, before.recorded_by, before.recorded_at = line.mark, actor, now
            before.save(update_fields=["mark", "recorded_by", "recorded_at"])
        touched[enrolment.pk] = enrolment
    for enrolment in touched.values():
        record(
            actor=actor,
            action="education.attendance",
            obj=enrolment,
            organisation=membership.organisation,
            at=now,
            data={
                "days": sorted(line.day.isoformat() for line, e in good if e.pk == enrolment.pk)[:400],
                "corrected": [c for c in changed if c["enrolment"] == str(enrolment.pk)],
            },
        )
    alerts = [a for e in touched.values() if (a := _absences(actor, membership, e)) is not None]
    return Outcome(len(good), problems, alerts)


def _absences(actor: User, membership: Membership, enrolment: Enrolment) -> AbsenceAlert | None:
    """The run of unexcused absences the latest marks end with; at the threshold, help is asked once."""
    rule = risk.absence_rule(clock.today())
    run: list[dt.date] = []
    for day, mark in (
        Attendance.objects.filter(enrolment=enrolment).order_by("-day").values_list("day", "mark")[:60]
    ):
        if mark != Mark.UNEXCUSED:
            break
        run.append(day)
    if len(run) < rule.days:
        return None
    first = min(run)
    if AbsenceAlert.objects.filter(enrolment=enrolment, first_day=first).exists():
        alert = AbsenceAlert.objects.get(enrolment=enrolment, first_day=first)
        alert.last_day, alert.days = max(run), len(run)
        alert.save(update_fields=["last_day", "days", "updated_at"])
        return None
    return _alert(actor, membership, enrolment, first, max(run), len(run))


def _alert(
    actor: User, membership: Membership, enrolment: Enrolment, first: dt.date, last: dt.date, days: int
) -> AbsenceAlert:
    from haven.protection import services as protection

    child = enrolment.child
    open_case = (
        ProtectionCase.objects.filter(child=child)
        .exclude(state__in=CLOSED_STATES)
        .order_by("-received_at")
        .first()
    )
    case = None
    if open_case is None:
        shown = {
            "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
            "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
        }
        try:
            case = protection.protection_report(
                actor=actor,
                incident_commune=child.current_commune,
                incident_place=str(enrolment.school)[:300],
                condition=_(
                    "Absent from school without leave for %(days)s consecutive school days (%(first)s to "
                    "%(last)s)."
                )
                % {"days": days, **shown},
                likely_harm=_(
                    "Risk of dropping out of school; the school asks the commune for support (Decree "
                    "56/2017/NĐ-CP, support level)."
                ),
                sex=child.sex,
                child=child,
                actions_taken=_("The school marked the absences and informed the commune through Haven."),
            )
        except Refused:
            case = None
    alert = AbsenceAlert.objects.create(
        child=child, enrolment=enrolment, first_day=first, last_day=last, days=days, case=case
    )
    obligation_open(
        rule_code=clocks.HOME_VISIT,
        subject=alert,
        child=child,
        responsible=authority_for(child.current_commune),
    )
    record(
        actor=actor,
        action="education.absence_alert",
        obj=alert,
        organisation=membership.organisation,
        data={"days": days, "first_day": first.isoformat(), "case": str(case.pk) if case else None},
    )
    return alert


@transaction.atomic
def absence_visit(*, actor: User, alert: AbsenceAlert, visited_on: dt.date | None, note: str) -> AbsenceAlert:
    """The commune visited the child's home: the visit's clock is met."""
    from haven.access.scoping import require
    from haven.core.errors import Problems

    membership = require(actor, Verb.EDUCATION_RECORD, alert.child)
    if membership.role != Role.COMMUNE_CHILD_PROTECTION_OFFICER:
        raise Refused(_("The commune officer records the home visit."), code="not_your_step")
    alert = AbsenceAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.visited_on is not None:
        raise Refused(_("The home visit is already recorded."), code="out_of_order")
    problems = Problems()
    if visited_on is None:
        problems.add("visited_on", _("Give the day of the visit."), "required")
    elif visited_on > clock.today():
        problems.add("visited_on", _("The day cannot be in the future."), "future")
    elif visited_on < alert.first_day:
        problems.add("visited_on", _("The visit cannot be before the absences began."), "before_start")
    if not (note or "").strip():
        problems.add("note", _("Say what the visit found."), "required")
    problems.raise_any()
    alert.visited_on, alert.visit_note, alert.visited_by = visited_on, note.strip()[:500], actor
    alert.save(update_fields=["visited_on", "visit_note", "visited_by", "updated_at"])
    obligations_close(subject=alert, rules=[clocks.HOME_VISIT], actor=actor)
    record(
        actor=actor,
        action="education.home_visit",
        obj=alert,
        organisation=membership.organisation,
        data={"visited_on": visited_on.isoformat()},
    )
    return alert
