"""What an organisation holds on the found-child pathway (accounts/holdings.py): the open cases it
answers for, and the handovers waiting for its answer. A case changes hands by the pathway's own
step (``take_over``, haven/workflow/holdings.py), so its timeline says who answers for the child from
when, and the new holder is told."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.accounts.holdings import Holding, declare
from haven.accounts.models import Organisation
from haven.foundlings.models import CLOSED_STATES, FoundlingCase, Handover, HandoverStatus
from haven.foundlings.workflow import FLOW
from haven.people.models import InvolvementBasis
from haven.workflow.holdings import OpenCases


def _open_cases():
    return FoundlingCase.objects.exclude(state__in=CLOSED_STATES)


CASES = OpenCases(FLOW, _open_cases, commune_field="found_commune", basis=InvolvementBasis.HANDOVER)


def _pending(organisation: Organisation):
    return Handover.objects.filter(to_organisation=organisation, status=HandoverStatus.PENDING)


declare(
    CASES.holding("foundling.cases", _("open found-child cases")),
    Holding(
        "foundling.handovers",
        _("found children waiting for its answer to a handover"),
        count=lambda o: _pending(o).count(),
        move=lambda o, t: _pending(o).update(to_organisation=t.successor),
    ),
)
