"""What an organisation holds in complaints (accounts/holdings.py): the complaints and feedback still
open that it settles, the first time or, for a province, the second. A commune committee that merges
hands them to the one that takes over, so no complaint loses its answerable body while its legal clock
runs (Law on Complaints 2011 art. 28, 37); their clocks follow through the deadline engine's own
holding."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.accounts.holdings import Holding, declare
from haven.accounts.models import Organisation
from haven.complaints.models import OPEN_STATES, Complaint, State

SECOND_TIME = (State.APPEALED, State.APPEAL_ACCEPTED)


def _first(organisation: Organisation):
    return Complaint.objects.filter(responsible=organisation, state__in=OPEN_STATES).exclude(
        state__in=SECOND_TIME
    )


def _second(organisation: Organisation):
    return Complaint.objects.filter(appeal_responsible=organisation, state__in=SECOND_TIME)


declare(
    Holding(
        "complaints.first",
        _("open complaints and feedback it settles"),
        count=lambda o: _first(o).count(),
        move=lambda o, t: _first(o).update(responsible=t.successor),
    ),
    Holding(
        "complaints.second",
        _("second-time complaints it settles"),
        count=lambda o: _second(o).count(),
        move=lambda o, t: _second(o).update(appeal_responsible=t.successor),
    ),
)
