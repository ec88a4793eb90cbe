"""Dated rows: one convention for "in force on a date".

A dated row holds from its start, included, to its end, excluded: the half-open interval
``[valid_from, valid_to)``. An empty end is open-ended. So a row is in force on ``valid_from`` and no
longer on ``valid_to``; a row that follows another starts on the day the other ends, with neither gap
nor overlap; and "ended on D" means "no longer in force from D" (a caregiver who leaves on the 10th is
not on the roster on the 10th). Rows whose end was kept as an included last day were moved to this
convention by a data migration (docs/decisions/0012-dated-rules-and-clocks.md).

New dated data (an allowance amount, a coefficient, a ratio from a dated decree) inherit ``Dated``.
Models whose fields have older names keep them and declare them with ``DatedFields``::

    class Coverage(DatedFields, TimeStamped):
        dated_fields = ("since", "until")
        objects = DatedQuerySet.as_manager()

Every "in force on" query goes through ``in_force`` (or ``Model.in_force_q`` across a relation), and
every end through ``end``.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core import clock
from haven.core.errors import Refused, invalid

When = dt.date | dt.datetime


def in_force_q(on: When, *, start: str = "valid_from", end: str = "valid_to", prefix: str = "") -> Q:
    """The rows in force on ``on``: started on or before it, and not ended on or before it."""
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gt": on})
    )


def overlapping_q(
    begin: When,
    until: When | None = None,
    *,
    start: str = "valid_from",
    end: str = "valid_to",
    prefix: str = "",
) -> Q:
    """The rows that share at least one day with ``[begin, until)`` (``until`` None: open-ended)."""
    q = Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gt": begin})
    if until is not None:
        q &= Q(**{f"{prefix}{start}__lt": until})
    return q


def _today_or_now(model: type[models.Model], start: str) -> When:
    """Today for date fields, now for moments (an organisation's involvement with a child)."""
    return clock.now() if isinstance(model._meta.get_field(start), models.DateTimeField) else clock.today()


class DatedFields:
    """Declares which two fields of a model hold its validity, ``[start, end)``."""

    dated_fields: ClassVar[tuple[str, str]] = ("valid_from", "valid_to")

    @classmethod
    def in_force_q(cls, on: When | None = None, prefix: str = "") -> Q:
        """The Q for rows of this model in force on ``on`` (today), reached through ``prefix``
        (``"circumstances__"`` from a child)."""
        start, end = cls.dated_fields
        return in_force_q(on or _today_or_now(cls, start), start=start, end=end, prefix=prefix)

    @classmethod
    def overlapping_q(cls, begin: When, until: When | None = None, prefix: str = "") -> Q:
        start, end = cls.dated_fields
        return overlapping_q(begin, until, start=start, end=end, prefix=prefix)

    def in_force_on(self, on: When | None = None) -> bool:
        start, end = self.dated_fields
        on = on or _today_or_now(type(self), start)
        ends = getattr(self, end)
        return getattr(self, start) <= on and (ends is None or on < ends)


class DatedQuerySet(models.QuerySet):
    def in_force(self, on: When | None = None) -> DatedQuerySet:
        """The rows in force on ``on`` (today when not given)."""
        return self.filter(self.model.in_force_q(on))

    def overlapping(self, begin: When, until: When | None = None) -> DatedQuerySet:
        """The rows that share a day with ``[begin, until)``: a new row there would overlap them."""
        return self.filter(self.model.overlapping_q(begin, until))


class Dated(DatedFields, models.Model):
    """A row in force from ``valid_from`` (included) until ``valid_to`` (excluded; empty: until
    further notice)."""

    valid_from = models.DateField(gettext_lazy("valid from"), default=clock.today)
    valid_to = models.DateField(
        gettext_lazy("valid to"),
        null=True,
        blank=True,
        help_text=gettext_lazy("The first day it no longer applies; empty while it still does."),
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True


M = TypeVar("M", bound=models.Model)


def end(obj: M, on: When, *, already: str = "", code: str = "already_ended") -> M:
    """End a dated row from ``on`` (it is no longer in force on ``on``). Refused when it has already
    ended, or when ``on`` is before its start. The caller locks the row and audits the change."""
    start, stop = obj.dated_fields
    if getattr(obj, stop) is not None:
        raise Refused(already or _("This has already ended."), code=code)
    if on < getattr(obj, start):
        raise invalid(stop, _("The end cannot be before the start."), "before_start")
    setattr(obj, stop, on)
    fields = [stop]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    obj.save(update_fields=fields)
    return obj
