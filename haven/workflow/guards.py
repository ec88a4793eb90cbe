"""Named guards: the checks a workflow row names, in one registry, so that a rule shared by every
pathway (lawful times, a child heard from age 7) is written once and the permission document can list
what each step requires.

A guard takes the firing (haven/workflow/engine.py) and raises ``invalid(...)`` (a field the person
can correct: every one is shown at once) or ``Refused`` (the step is not open yet: shown alone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from haven.core import clock
from haven.core.errors import invalid

if TYPE_CHECKING:
    from haven.workflow.engine import Firing

Guard = Callable[["Firing"], None]
GUARDS: dict[str, Guard] = {}
# What each guard requires, in the reader's words (the permission document lists it).
DESCRIPTIONS: dict[str, str] = {}

# A person may be a few minutes ahead of the server's clock.
CLOCK_SKEW = dt.timedelta(minutes=5)
# Haven records events in a child's life: nothing it records happened before the oldest child it
# protects was born (Law on Children 2016 art. 1: under 16; 18 leaves room for young people still in care).
OLDEST_CHILD_YEARS = 19


def guard(name: str, description: str = "") -> Callable[[Guard], Guard]:
    """Register a guard under ``name`` (a domain registers its own when its workflow module loads)."""

    def register(fn: Guard) -> Guard:
        if name in GUARDS and GUARDS[name] is not fn:
            raise ValueError(f"guard {name!r} is declared twice")
        GUARDS[name] = fn
        DESCRIPTIONS[name] = description or (fn.__doc__ or "").strip().splitlines()[0]
        return fn

    return register


def _shown(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _as_moment(value: dt.datetime | dt.date, *, end: bool) -> dt.datetime:
    """A date stands for its whole day in Vietnam time: the latest moment when checking "not in the
    future", the earliest when checking "not before"."""
    if isinstance(value, dt.datetime):
        return value
    moment = dt.datetime.combine(value, dt.time.max if end else dt.time.min)
    return timezone.make_aware(moment, timezone.get_current_timezone())


def lawful_time(firing: Firing, name: str) -> None:
    """A time a person entered is lawful on the case's own timeline: not in the future, not absurdly
    long ago, not before the case began (the child found, the report received) or the child was
    born, and not before the step it depends on."""
    value = firing.inputs[name]
    now = firing.now
    latest, earliest = _as_moment(value, end=False), _as_moment(value, end=True)
    if latest > now + CLOCK_SKEW:
        raise invalid(name, _("This time is in the future."), "time_in_future")
    today = clock.localdate(now)
    try:
        oldest = today.replace(year=today.year - OLDEST_CHILD_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - OLDEST_CHILD_YEARS, day=28)
    if earliest < _as_moment(oldest, end=False):
        raise invalid(name, _("This date is too long ago to be right: check the year."), "time_absurd")
    begins = firing.workflow.begins(firing.subject)
    if begins is not None:
        moment, what = begins
        floor = moment if isinstance(value, dt.datetime) else clock.localdate(moment)
        if value < floor:
            raise invalid(
                name,
                _("This cannot be before %(what)s (%(when)s).") % {"what": what, "when": _shown(floor)},
                "before_timeline",
            )
    child = getattr(firing.subject, "child", None)
    born = getattr(child, "date_of_birth", None)
    known = born is not None and not getattr(child, "date_of_birth_estimated", True)
    # The day in Vietnam: a visit at 06:00 on the day of the birth is 23:00 UTC the day before.
    if known and clock.localdate(earliest) < born:
        raise invalid(name, _("This cannot be before the child was born."), "before_birth")
    if firing.rule.after:
        step = firing.subject.steps.filter(action__in=firing.rule.after).order_by("-at").first()
        if step is not None:
            floor = step.at if isinstance(value, dt.datetime) else clock.localdate(step.at)
            if value < floor:
                title = firing.workflow.transitions[step.action].title or step.action
                raise invalid(
                    name,
                    _("This cannot be before the step “%(step)s” (%(when)s).")
                    % {"step": title, "when": _shown(step.at)},
                    "before_previous_step",
                )


@guard(
    "child_heard",
    "A child of 7 or over has been heard within the last 6 months (Law on Children art. 60(3)).",
)
def child_heard(firing: Firing) -> None:
    from haven.core.errors import Refused
    from haven.people.rules import child_not_heard

    # The child decided about: the subject's, or the one chosen in the step (Form 12 chooses a family,
    # the subject, for a child).
    child = firing.inputs.get("child") or firing.subject.child
    reason = child_not_heard(child, clock.localdate(firing.now))
    if reason:
        raise Refused(reason, code="child_view_missing")
