"""The people the prevention tests follow, made through the real services (architecture review C10:
one place for a domain's test factories, not imports from one test module into another)."""

from __future__ import annotations

import datetime as dt

from haven.prevention import services
from haven.prevention.models import AtRiskPerson, Village


def flag(world, village: Village | None, actor=None, **extra) -> AtRiskPerson:
    """Flag Nguyễn Thị Hoa, pregnant, with her consent, in ``village`` (by its collaborator)."""
    fields = {
        "family_name": "Nguyễn",
        "middle_name": "Thị",
        "given_name": "Hoa",
        "birth_year": 2001,
        "commune": world.commune_a,
        "village": village,
        "pregnant": True,
        "consent": True,
        "risk_factors": ["single_mother", "unintended_pregnancy"],
    }
    return services.person_flag(actor=actor or world.collaborator_a, **{**fields, **extra})


def contacted(world, person: AtRiskPerson, at: dt.datetime, **extra) -> AtRiskPerson:
    """Her first contact by the collaborator, at ``at``, with her consent."""
    fields = {"mode": "home", "wellbeing": "good", "consent": True, **extra}
    return services.person_contact(actor=world.collaborator_a, person=person, at=at, **fields)
