"""Continuity across placements: when a school-age child's placement moves them to another commune, an
obligation to enrol them there opens at once (``education.enrol_after_move``), answered for by whoever
now cares for the child — the facility, or the commune of the family. The days out of school are
counted from the move (or from the end of the last enrolment, if later) to the first day at school
again, within the teaching months (ages.term_days), per child and per province.

Registered with care (care/moves.py) when the app starts: care imports nothing of education.
"""

from __future__ import annotations

import datetime as dt

from haven.accounts.selectors import authority_for
from haven.audit.services import record
from haven.care.moves import commune_of
from haven.core import clock
from haven.deadlines.services import obligation_open
from haven.education import ages, clocks
from haven.education.models import Enrolment, SchoolMove, State


def placement_began(placement, actor) -> SchoolMove | None:
    """A placement was written: a school-age child who changes commune gets a school move."""
    child = placement.child
    previous = (
        type(placement)
        .objects.filter(child=child, started_on__lte=placement.started_on)
        .exclude(pk=placement.pk)
        .order_by("-started_on", "-created_at")
        .select_related(
            "group__home__facility__organisation__area", "family__commune", "child__current_commune"
        )
        .first()
    )
    to_commune = commune_of(placement)
    from_commune = commune_of(previous) if previous is not None else child.current_commune
    if to_commune.pk == from_commune.pk:
        return None
    born = child.date_of_birth
    if born is None or not ages.school_age(born.year, ages.school_year_of(placement.started_on)):
        return None
    move = SchoolMove.objects.create(
        child=child,
        placement=placement,
        from_commune=from_commune,
        to_commune=to_commune,
        moved_on=placement.started_on,
    )
    if placement.group_id is not None:
        responsible = placement.group.home.facility.organisation
    else:
        responsible = authority_for(to_commune if to_commune.level == "commune" else child.current_commune)
    obligation_open(rule_code=clocks.ENROL_AFTER_MOVE, subject=move, child=child, responsible=responsible)
    record(
        actor=actor,
        action="education.school_move",
        obj=move,
        data={"from": from_commune.code, "to": to_commune.code, "moved_on": move.moved_on.isoformat()},
    )
    return move


def days_out(move: SchoolMove, on: dt.date | None = None) -> int:
    """Teaching days the child spent out of school after ``move``: from the move, or from the end of
    the enrolment before it when that came later, to the day school resumed (or ``on``, today, while
    it has not). A child whose enrolment went on past the move lost no day until it ended."""
    on = on or clock.today()
    before = (
        Enrolment.objects.filter(
            child_id=move.child_id, started_on__lte=move.moved_on, state__in=(State.ENROLLED, State.ENDED)
        )
        .order_by("-started_on")
        .first()
    )
    out_from = move.moved_on
    if before is not None:
        if before.state == State.ENROLLED and before.ended_on is None:
            return 0
        if before.ended_on is not None and before.ended_on > out_from:
            out_from = before.ended_on
    until = move.resumed_on or on
    return ages.term_days(out_from, until)
