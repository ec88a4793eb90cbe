"""What the pages of entitlements share."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

from haven.core.errors import Refused, add_to_form


def saved(form, action: Callable) -> bool:
    """Run a service on a valid form; its refusal lands on the form, every message next to its field,
    and nothing is saved."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        add_to_form(form, error)
        return False
    except Refused as error:
        form.add_error(None, error.message)
        return False
    return True
