from django import template

from haven.core.durations import spoken

register = template.Library()


@register.filter
def duration(length):
    """``{{ late_by|duration }}``: a length of time in the reader's language."""
    return spoken(length)
