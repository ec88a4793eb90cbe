"""What an organisation holds in sponsorship (accounts/holdings.py): the programmes it runs that accept
sponsors or carry running sponsorships, and the campaigns it is still receiving money for. A Women's
Union or a police unit that merges or closes hands them to the organisation that takes over, so a
sponsored child keeps a coordinator and a donor's money an accountable organiser. The ledger's entries
are never moved: they are published facts of who did what."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from haven.accounts.holdings import Holding, declare
from haven.accounts.models import Organisation
from haven.core import clock
from haven.sponsorship.models import Campaign, Programme, Sponsorship, SponsorshipState

RUNNING = (SponsorshipState.OFFERED, SponsorshipState.ACTIVE)


def _programmes(organisation: Organisation):
    running = Sponsorship.objects.filter(programme=OuterRef("pk"), state__in=RUNNING)
    return Programme.objects.filter(Q(is_active=True) | Exists(running), organiser=organisation)


def _campaigns(organisation: Organisation):
    return Campaign.objects.filter(organiser=organisation, receives_until__gte=clock.localdate())


declare(
    Holding(
        "sponsorship.programmes",
        _("sponsorship programmes accepting sponsors or with running sponsorships"),
        count=lambda o: _programmes(o).count(),
        move=lambda o, t: Programme.objects.filter(pk__in=_programmes(o).values("pk")).update(
            organiser=t.successor
        ),
    ),
    Holding(
        "sponsorship.campaigns",
        _("campaigns still receiving contributions"),
        count=lambda o: _campaigns(o).count(),
        move=lambda o, t: _campaigns(o).update(organiser=t.successor),
    ),
)
