"""What an organisation holds on the deadline engine (accounts/holdings.py): the clocks still running
that it answers for. They follow the organisation that takes over its work."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.accounts.holdings import Holding, declare
from haven.deadlines.models import Obligation, Status


def _running(organisation):
    return Obligation.objects.filter(responsible=organisation, status=Status.OPEN)


declare(
    Holding(
        "deadlines.obligations",
        _("steps with a running deadline"),
        count=lambda o: _running(o).count(),
        move=lambda o, t: _running(o).update(responsible=t.successor),
    ),
)
