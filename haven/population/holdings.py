"""The population register's answers still owed to an organisation (accounts/holdings.py): a birth
waiting for its PIN, or one the register refused that a person must correct. The organisation that
takes over its work is told of the answer and resolves it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.accounts.holdings import Holding, declare
from haven.population.models import RegisterRequest, RequestStatus


def _open(organisation):
    # A refused request that was corrected and sent again is settled by the one replacing it.
    return RegisterRequest.objects.filter(organisation=organisation, replaced_by__isnull=True).exclude(
        status=RequestStatus.DONE
    )


declare(
    Holding(
        "population.requests",
        _("requests to the population register not yet settled"),
        count=lambda o: _open(o).count(),
        move=lambda o, t: _open(o).update(organisation=t.successor),
    ),
)
