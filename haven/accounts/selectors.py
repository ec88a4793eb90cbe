"""Reads about organisations that every domain needs."""

from __future__ import annotations

from django.utils.translation import gettext as _

from haven.accounts.models import Organisation, OrganisationKind
from haven.areas.models import Area
from haven.core.errors import Refused

K = OrganisationKind


def authority_for(commune: Area) -> Organisation:
    """The commune People's Committee that answers for what happens in ``commune`` (Decree 123/2015
    art. 14; Decree 56/2017 art. 26). Where Haven has no committee for that commune yet, the provincial
    Department of Health, then the Ministry, answer: a child is never left with nobody."""
    for kind, area in ((K.COMMUNE_COMMITTEE, commune), (K.PROVINCIAL_HEALTH, commune.parent)):
        found = Organisation.objects.filter(kind=kind, area=area, is_active=True).order_by("pk").first()
        if found is not None:
            return found
    ministry = Organisation.objects.filter(kind=K.MINISTRY_OF_HEALTH, is_active=True).order_by("pk").first()
    if ministry is None:
        raise Refused(
            _("No authority is set up to receive this report. Call the hotline 111."), code="no_authority"
        )
    return ministry


# The bodies that stand in for a commune whose People's Committee is not in Haven yet: authority_for
# gives them its cases and clocks, so they take its steps (docs/decisions/0014).
STANDS_IN_KINDS = (K.PROVINCIAL_HEALTH, K.MINISTRY_OF_HEALTH)


def stands_in(organisation: Organisation, commune: Area) -> bool:
    """``organisation`` answers for ``commune`` in place of its People's Committee, which is not in
    Haven yet: the provincial Department of Health of its province, or the Ministry where the province
    has none either (authority_for). It records there what the commune decides and does, and answers
    for the clocks, until the committee joins Haven."""
    if organisation.kind not in STANDS_IN_KINDS:
        return False
    try:
        return authority_for(commune).pk == organisation.pk
    except Refused:
        return False
