"""What an organisation, or a case worker, holds on the child-protection pathway
(accounts/holdings.py): the open cases it leads, the referrals and transfers addressed to it, the
cases a worker is assigned. A case changes hands by the pathway's own step (``take_over``), so its
timeline says who leads it from when, and the new lead is told."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.holdings import Holding, PersonalHolding, Takeover, declare
from haven.accounts.models import Membership, Organisation, User
from haven.core import clock
from haven.core.errors import Refused
from haven.people.models import InvolvementBasis
from haven.protection.models import (
    CLOSED_STATES,
    ProtectionCase,
    Referral,
    ReferralStatus,
    Transfer,
    TransferStatus,
)
from haven.protection.workflow import FLOW
from haven.workflow.holdings import OpenCases


def _open_cases():
    return ProtectionCase.objects.exclude(state__in=CLOSED_STATES)


def _worker_stays_only_in_a_merger(case: ProtectionCase, takeover: Takeover, fields: list[str]) -> None:
    """The case worker stays only when the worker's organisation merged into the successor (the
    worker is now one of its members)."""
    if not takeover.merge and case.assigned_to_id is not None:
        case.assigned_to = None
        fields.append("assigned_to")


# Decree 56/2017 art. 26(2): the case belongs to the People's Committee of the commune of the incident.
CASES = OpenCases(
    FLOW,
    _open_cases,
    commune_field="incident_commune",
    basis=InvolvementBasis.CASE,
    also=_worker_stays_only_in_a_merger,
)


def _referrals(organisation: Organisation):
    # Asked and not yet answered, or accepted and not yet done: the service is still owed.
    return Referral.objects.filter(
        to_organisation=organisation, status__in=(ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED)
    )


def _transfers(organisation: Organisation):
    return Transfer.objects.filter(to_organisation=organisation, status=TransferStatus.PENDING)


def _assigned(user: User):
    return _open_cases().filter(assigned_to=user)


def _reassign(user: User, successor: User, takeover: Takeover) -> int:
    """The worker's open cases go to a colleague who is a member of the organisation leading each."""
    cases = list(_assigned(user).select_related("responsible"))
    members = set(
        Membership.objects.active(clock.localdate(takeover.now))
        .filter(user=successor)
        .values_list("organisation_id", flat=True)
    )
    strangers = sorted({c.responsible.name for c in cases if c.responsible_id not in members})
    if strangers:
        raise Refused(
            _("The person who takes over must work in %(organisations)s, which lead these cases.")
            % {"organisations": ", ".join(strangers)},
            code="successor_elsewhere",
        )
    return _assigned(user).update(assigned_to=successor)


declare(
    CASES.holding("protection.cases", gettext_lazy("open child-protection cases")),
    Holding(
        "protection.referrals",
        gettext_lazy("referrals asking it for a service"),
        count=lambda o: _referrals(o).count(),
        move=lambda o, t: _referrals(o).update(to_organisation=t.successor),
    ),
    Holding(
        "protection.transfers",
        gettext_lazy("child-protection cases offered to it"),
        count=lambda o: _transfers(o).count(),
        move=lambda o, t: _transfers(o).update(to_organisation=t.successor),
    ),
    PersonalHolding(
        "protection.assigned",
        gettext_lazy("open child-protection cases assigned to them"),
        count=lambda u: _assigned(u).count(),
        move=_reassign,
    ),
)
