from django import template
from django.template.defaultfilters import date

from haven.core.calendar import as_shown
from haven.core.durations import spoken

register = template.Library()


@register.filter
def duration(length):
    """``{{ late_by|duration }}``: a length of time in the reader's language."""
    return spoken(length)


@register.filter
def due(moment, fmt="d/m/Y H:i"):
    """``{{ o.due_at|due:"d/m/Y" }}``: a deadline on the day it falls (haven.core.calendar.as_shown)."""
    if not moment:
        return ""
    return date(as_shown(moment), fmt)
