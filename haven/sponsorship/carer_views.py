"""The carer's own page, without an account: she types the reference and the code of her SMS and reads
"received, thank you". What it answers names neither the child nor the amount
(services/confirmation.py says why each answer reveals nothing to a person who guesses)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.access import markers
from haven.core import throttle
from haven.sponsorship import services
from haven.sponsorship.forms import CarerConfirmForm
from haven.sponsorship.services.confirmation import MAX_ATTEMPTS, Outcome

# Twenty tries an hour from one address: a carer needs one or two; the carriers' shared addresses
# leave room for several carers of a commune on the same evening, and none for a guesser.
LIMIT = 20


def _answers() -> dict[Outcome, str]:
    return {
        Outcome.WRONG: _(
            "The reference or the code is not right. Check the message and type them again. After "
            "%(n)s wrong tries the code is locked."
        )
        % {"n": MAX_ATTEMPTS},
        Outcome.LOCKED: _(
            "This code is locked after %(n)s wrong tries. The coordinator has been told and will send "
            "you a new code."
        )
        % {"n": MAX_ATTEMPTS},
        Outcome.EXPIRED: _(
            "This code has expired. The coordinator has been told and will send you a new code."
        ),
        Outcome.CLOSED: _(
            "This payment no longer waits for your confirmation. The coordinator will call you."
        ),
    }


@markers.public
@require_http_methods(["GET", "POST"])
def confirm(request):
    form = CarerConfirmForm(request.POST if request.method == "POST" else None)
    answer = ""
    if request.method == "POST":
        if not throttle.allow(request, "carer_confirm", limit=LIMIT):
            answer = _(
                "Too many tries from this connection. Wait an hour and try again, or read the code to "
                "the coordinator."
            )
        elif form.is_valid():
            outcome = services.carer_confirm(
                reference=form.cleaned_data["reference"], code=form.cleaned_data["code"]
            )
            if outcome in (Outcome.CONFIRMED, Outcome.ALREADY):
                return render(request, "sponsorship/carer_thanks.html", {"outcome": outcome, "public": True})
            # The reference stays as typed; the code is typed again.
            form = CarerConfirmForm(initial={"reference": form.cleaned_data["reference"]})
            answer = _answers()[outcome]
    return render(request, "sponsorship/carer_confirm.html", {"form": form, "answer": answer, "public": True})
