"""Errors that carry a message meant for the user, in the user's language."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Refused(Exception):
    """A rule refused the action; ``message`` is translatable and shown to the user as it is."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Django's ValidationError as {field: [messages]}, the shape both the UI and the API report."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}


def add_to_form(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, each message next to its field (or above the form).

    A ValidationError raised with a plain message has no ``error_dict``, so ``message_dict`` would
    itself raise (walkthrough D3: an HTTP 500 instead of "this field is required")."""
    for field, messages in field_errors(error).items():
        form.add_error(field if form is not None and field in form.fields else None, messages)


def messages_of(error: ValidationError) -> str:
    """Every message of a ValidationError, whatever its shape, as one line for a flash message."""
    return " ".join(m for ms in field_errors(error).values() for m in ms)


def invalid(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError on one field that keeps its machine-readable ``code`` (for the API)."""
    return ValidationError({field: ValidationError(message, code=code)})


class Problems:
    """A service's problems collected, then raised together, so that a form shows all of them at once
    (walkthrough D20: the flag form needed four submits to show four problems)."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def check(self, check, *args, **kwargs):
        """Run a check that raises a ValidationError; keep its problems and return its result."""
        try:
            return check(*args, **kwargs)
        except ValidationError as error:
            shaped = error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
            for field, errors in shaped.items():
                self.errors.setdefault(field, []).extend(errors)
            return None

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
