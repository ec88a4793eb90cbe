"""A length of time as a reader says it, in the reader's language: "2 ngày 3 giờ", never Python's
"2 days, 3:00:00" (which no translation reaches)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext, ngettext


def spoken(length: dt.timedelta | None) -> str:
    """The two largest units of ``length`` (days and hours, or hours and minutes)."""
    if length is None:
        return ""
    minutes = max(int(length.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts[:2]) or gettext("less than a minute")
