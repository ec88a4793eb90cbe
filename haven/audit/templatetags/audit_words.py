from django import template

from haven.audit.labels import action_label

register = template.Library()


@register.filter(name="action_label")
def action_label_filter(code: str) -> str:
    """``{{ event.action|action_label }}``: what was done, in the reader's language."""
    return action_label(code)
