"""The one step page. Each workflow app lists its pages (a form and the service that fires the step);
this view offers, validates, confirms and reports every step the same way: a refused step keeps what
was typed and shows every error at once, and an irreversible step asks the person to confirm first."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core.errors import Refused, add_to_form
from haven.workflow.engine import Workflow


@dataclass(frozen=True)
class StepPage:
    """A step as a page: its form (None: nothing to fill in) and the service that fires it with the
    form's cleaned data. ``fires``: the rows the page may fire (both answers to a handover), for the
    title and the confirmation; default, the row named like the page."""

    form: Any
    run: Callable[[Any, Any, dict], Any]
    title: Any = None
    initial: Callable[[Any], dict] | None = None
    form_kwargs: Callable[[Any], dict] | None = None
    fires: tuple[str, ...] = field(default=())
    # Which of ``fires`` a submission takes, from the subject and the cleaned answers (None on a GET,
    # when the answers decide): only that row's confirmation is asked for. Form 02 closes the report
    # only when it concludes "unfounded", so only then does the page ask to confirm.
    chooses: Callable[[Any, dict | None], str | None] | None = None
    # What the person is told once the step is taken, from the subject as it now is (who acts next,
    # Circular 14/2020: the chairman decides after Form 11); None, or nothing to say: "Done: <title>."
    said: Callable[[Any], str | None] | None = None


class ConfirmForm(forms.Form):
    """Added to the page of an irreversible step: what will happen, and a box to tick."""

    confirm = forms.BooleanField(
        label=gettext_lazy("I have read what this step does and confirm it."),
        error_messages={"required": gettext_lazy("Tick the box to confirm this step.")},
    )


def _rows(flow: Workflow, step: str, page: StepPage) -> list:
    return [flow.transitions[a] for a in (page.fires or (step,)) if a in flow.transitions]


def _confirm_text(flow: Workflow, step: str, page: StepPage, subject, data: dict | None) -> str:
    """What the irreversible rows of the page will do: the chosen row's, or, before the answers say
    which row, each one's under its title."""
    chosen = page.chooses(subject, data) if page.chooses else None
    if chosen is not None:
        return str(flow.transitions[chosen].confirm)
    rows = [r for r in _rows(flow, step, page) if r.confirm]
    if page.chooses and rows:
        return " ".join(f"{r.title}: {r.confirm}" for r in rows)
    return " ".join(dict.fromkeys(str(r.confirm) for r in rows))


def title_of(flow: Workflow, step: str, page: StepPage) -> str:
    rows = _rows(flow, step, page)
    return str(page.title or (rows[0].title if rows else step))


def _still_seen(user, subject) -> bool:
    return type(subject).objects.visible_to(user).filter(pk=subject.pk).exists()


def step_page(
    request,
    *,
    flow: Workflow,
    subject,
    step: str,
    page: StepPage,
    back: str,
    done: Callable[[Any], str] | None = None,
    gone: str | None = None,
    open_steps: Iterable[str] | None = None,
    template: str = "workflow/step.html",
    context: dict | None = None,
) -> HttpResponse:
    """Show the step's form; on a valid submission fire it and go back to the subject's page (or to
    ``done(subject)``; to ``gone`` if the step took the subject out of the person's sight, as a
    transfer or a closure may). ``open_steps``: the steps this person may take now; a GET of another is told
    so on the subject's page rather than shown a form it cannot submit."""
    title = title_of(flow, step, page)
    if request.method == "GET" and open_steps is not None and step not in set(open_steps):
        messages.info(request, _("This step is not open to you now."))
        return redirect(back)
    data = request.POST if request.method == "POST" else None
    kwargs = page.form_kwargs(subject) if page.form_kwargs else {}
    initial = page.initial(subject) if page.initial else None
    form = (page.form or forms.Form)(data, initial=initial, **kwargs)
    confirm_text = _confirm_text(flow, step, page, subject, None)
    confirm = ConfirmForm(data, prefix="step") if confirm_text else None
    if request.method == "POST":
        valid = form.is_valid()
        needs_confirm = confirm is not None
        if valid and page.chooses is not None:
            # The answers say which row is fired: confirm only what that row does (the box stays on
            # the page, in case the answers change).
            chosen = page.chooses(subject, form.cleaned_data)
            needs_confirm = bool(flow.transitions[chosen].confirm)
            if needs_confirm:
                confirm_text = _confirm_text(flow, step, page, subject, form.cleaned_data)
            elif confirm is not None:
                confirm = ConfirmForm(prefix="step")  # not asked of these answers: no error beside it
        if needs_confirm and not confirm.is_valid():
            valid = False
        if valid:
            try:
                page.run(request.user, subject, dict(form.cleaned_data))
            except ValidationError as error:
                add_to_form(form, error)
            except Refused as error:
                form.add_error(None, error.message)  # kept on the page, so what was typed is not lost
            else:
                said = page.said(subject) if page.said else None
                messages.success(request, str(said or _("Done: %(step)s.") % {"step": title}))
                if gone is not None and not _still_seen(request.user, subject):
                    return redirect(gone)
                return redirect(done(subject) if done else back)
        elif needs_confirm and confirm.errors and not form.errors:
            form.add_error(None, _("Tick the box to confirm this step."))
    return render(
        request,
        template,
        {
            "subject": subject,
            "form": form,
            "confirm": confirm,
            "confirm_text": confirm_text,
            "title": title,
            "step": step,
            "back": back,
            **(context or {}),
        },
    )
