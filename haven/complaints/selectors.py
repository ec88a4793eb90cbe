"""Who sees a complaint, and how its deadlines stand.

- A complaint is the file of the commune that handles it: its officer and chairman read it, and the
  province's department reads its communes' complaints (it settles the second time and is the next rung
  of the deadline ladder). Another commune or province never does; nor does the Ministry, except where
  it stands in for the commune or the province.
- **The person a complaint is about never sees it** — not the complaint, not its deadlines, not who
  complained — whatever role they hold: an officer complained about must not be able to find out who
  complained, nor press them (Law on Denunciations 2018 art. 47–48 protects a denouncer's identity; the
  Law on Complaints is silent, and Haven gives a complaint about an officer's conduct the same care).
- The complainant's name, address and telephone are shown only at the level that settles it: the
  commune; the province once a second-time complaint reaches it (data minimisation). Each time they are
  shown, the audit event says so.

A deadline is **on track**, **at risk** (due within the week) or **breached** (passed while open, or a
step taken after its deadline: a complaint settled late stays breached).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.access.scoping import granting
from haven.accounts.models import Role, User
from haven.complaints import clocks
from haven.complaints.models import Complaint
from haven.core import clock
from haven.deadlines.duties import actors
from haven.deadlines.models import Obligation, Status
from haven.deadlines.selectors import HORIZON

SUBJECT = Complaint._meta.label_lower
R = Role
COMMUNE_ROLES = {R.COMMUNE_CHILD_PROTECTION_OFFICER, R.COMMUNE_CHAIRMAN}
# The steps that have a duty (the timer of the second-time window is nobody's step).
DUTY_CLOCKS = [clocks.ACCEPT, *clocks.FIRST, clocks.APPEAL_ACCEPT, *clocks.SECOND, clocks.ANSWER]

ON_TRACK, AT_RISK, BREACHED, DONE = "on_track", "at_risk", "breached", "on_time"
STATUS_LABELS = {
    ON_TRACK: gettext_lazy("On track"),
    AT_RISK: gettext_lazy("At risk: due within the week"),
    BREACHED: gettext_lazy("Breached: a deadline was missed"),
    DONE: gettext_lazy("Every step on time"),
}
STATUS_BADGES = {ON_TRACK: "badge-ok", AT_RISK: "badge-warn", BREACHED: "badge-danger", DONE: "badge-muted"}


def complaint_filter(user: User) -> Q | None:
    """A Q over Complaint for ``user``, or None for nothing (see the module's docstring)."""
    clauses: list[Q] = []
    for m in granting(user, Verb.COMPLAINT_HANDLE):
        area = m.organisation.area
        if m.role in COMMUNE_ROLES:
            clauses.append(Q(commune_id=area.pk))
        elif m.role == R.PROVINCIAL_OFFICER:
            clauses.append(Q(commune__parent_id=area.pk))
        clauses.append(Q(responsible_id=m.organisation_id) | Q(appeal_responsible_id=m.organisation_id))
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined & ~Q(about_officer_id=user.pk)


def complaints(user: User) -> QuerySet:
    return Complaint.objects.visible_to(user)


def messages_hidden_from(user: User) -> Q:
    """The inbox messages about complaints against ``user``: the officer a complaint is about is not
    told of it, as they do not see it (docs/decisions/0027)."""
    about = Complaint.objects.filter(about_officer_id=user.pk).values_list("pk", flat=True)
    hidden = Q(pk__in=[])
    for pk in about:
        hidden |= Q(link__startswith=f"/complaints/{pk}/")
    return hidden


def may_see_complainant(user: User, complaint: Complaint) -> bool:
    """The level that settles it: the commune's own roles, the body standing in for the commune, and
    the province once the complaint is its own (never the person it is about: they do not see it)."""
    if complaint.about_officer_id == user.pk:
        return False
    for m in granting(user, Verb.COMPLAINT_HANDLE):
        if m.role in COMMUNE_ROLES and m.organisation.area_id == complaint.commune_id:
            return True
        if m.organisation_id in (complaint.responsible_id, complaint.appeal_responsible_id):
            return True
    return False


def _clocks(complaint_pk=None) -> QuerySet:
    rows = Obligation.objects.filter(subject_type=SUBJECT, rule__in=DUTY_CLOCKS)
    return (
        rows.filter(subject_id=OuterRef("pk"))
        if complaint_pk is None
        else rows.filter(subject_id=complaint_pk)
    )


def with_deadlines(rows: QuerySet, now: dt.datetime | None = None) -> QuerySet:
    """Each complaint with its open step's deadline and who answers for it, and whether a step was ever
    late: one query for a whole list."""
    now = now or clock.now()
    open_clock = _clocks().filter(status=Status.OPEN).order_by("due_at")
    late = _clocks().filter(
        Q(status=Status.OPEN, due_at__lt=now)
        | Q(status__in=[Status.MET, Status.CANCELLED], closed_at__gt=F("due_at"))
    )
    return rows.annotate(
        due_at=Subquery(open_clock.values("due_at")[:1]),
        due_rule=Subquery(open_clock.values("rule")[:1]),
        due_responsible=Subquery(open_clock.values("responsible__name")[:1]),
        due_responsible_kind=Subquery(open_clock.values("responsible__kind")[:1]),
        due_level=Subquery(open_clock.values("escalation_level")[:1]),
        ever_late=Exists(late),
    )


# The late first, then the nearest deadline; those with nothing running last (on both databases).
LATE_FIRST = (F("ever_late").desc(), F("due_at").asc(nulls_last=True), F("received_on").desc())


def status_of(complaint: Complaint, now: dt.datetime | None = None) -> str:
    """On track, at risk or breached (of a complaint annotated by ``with_deadlines``)."""
    now = now or clock.now()
    if complaint.ever_late:
        return BREACHED
    if complaint.due_at is None:
        return DONE
    if complaint.due_at < now + HORIZON:
        return AT_RISK
    return ON_TRACK


@dataclass(frozen=True)
class Due:
    """The step waiting now: what, by when, who answers for it and which roles take it."""

    title: str
    due_at: dt.datetime
    # The last day to take the step (a deadline at midnight ends the day before), in Vietnam.
    last_day: dt.date
    responsible: str
    roles: str
    escalation_level: int
    basis: str


def due_of(complaint: Complaint) -> Due | None:
    from haven.deadlines.rules import RULES

    if getattr(complaint, "due_rule", None) is None:
        return None
    from haven.accounts.models import OrganisationKind
    from haven.workflow.standing_in import STAND_IN

    rule = RULES[complaint.due_rule]
    roles = actors(complaint.due_rule)
    if complaint.due_responsible_kind == OrganisationKind.COMMUNE_COMMITTEE:
        # The commune's own roles take it; the officers who stand in for a commune not in Haven do not.
        roles = roles - STAND_IN
    return Due(
        title=str(rule.title),
        due_at=complaint.due_at,
        last_day=last_day(complaint.due_at),
        responsible=complaint.due_responsible,
        roles=", ".join(str(Role(r).label) for r in sorted(roles)),
        escalation_level=complaint.due_level or 0,
        basis=str(rule.legal_basis),
    )


def last_day(due_at: dt.datetime) -> dt.date:
    from haven.core import calendar

    return calendar.local_day(due_at - dt.timedelta(microseconds=1))


def clocks_of(complaint: Complaint) -> list[Obligation]:
    """Every clock the complaint ran, with how each ended (the page's deadlines table)."""
    found = list(
        Obligation.objects.filter(subject_type=SUBJECT, subject_id=complaint.pk)
        .select_related("responsible")
        .order_by("opened_at", "due_at")
    )
    for o in found:
        o.last_day = last_day(o.due_at)
    return found


# --- Links from a child's page and from a protection case -------------------------------------------


def complaints_of_child(user: User, child):
    from haven.people.cases import CaseLink

    return [
        CaseLink(
            kind=_("Complaint"),
            url=reverse("complaints:detail", args=[c.pk]),
            state=c.get_state_display(),
            since=c.received_on,
        )
        for c in complaints(user).filter(about_child=child).order_by("-received_on")[:10]
    ]


def complaints_of_case(user: User, case):
    """The complaint a protection case was opened from (or linked to), if the reader sees it."""
    from haven.people.cases import CaseLink

    return [
        CaseLink(
            kind=_("Opened from the complaint"),
            url=reverse("complaints:detail", args=[c.pk]),
            state=f"{c.reference} — {c.category}",
            since=c.received_on,
        )
        for c in complaints(user).filter(protection_case=case).select_related("category")
    ]
