"""Who takes the steps of family-like care, and the few facts the care tables share."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from haven.accounts.models import Role
from haven.care.models import CareForm
from haven.core.errors import invalid
from haven.workflow.engine import Firing

R = Role
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
CHAIRMAN = frozenset({R.COMMUNE_CHAIRMAN})
COMMUNE = OFFICER | CHAIRMAN
FACILITY_STAFF = frozenset({R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER})
# Form 16 (Law on Children art. 69; Decree 56/2017 art. 48(2)): the commune chairman, or a facility's
# managing authority (the provincial Department of Health for a facility of the province).
DECIDERS = frozenset({R.COMMUNE_CHAIRMAN, R.PROVINCIAL_OFFICER})
# Who ends or moves a placement: the facility holding the child or its managing authority; for a child
# in a family, whoever manages care for the child (the commune officer).
HOLDERS = FACILITY_STAFF | DECIDERS | OFFICER
# Alternative care decided by the commune chairman (Form 12, or Form 16): ended only by a Form 16
# decision while the person is a child, under 16 (Law on Children art. 1). Adoption follows the Law on
# Adoption.
DECIDED_FAMILY_FORMS = frozenset({CareForm.KIN, CareForm.FOSTER})
CHILD_UNTIL_YEARS = 16
ALL_CLOCKS = ("care.review", "care.family_plan", "care.monitoring")


def start_of(day: dt.date) -> dt.datetime:
    """A date as the first moment of that day in Vietnam time (when a clock runs from a date)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def given(firing: Firing, name: str, message: str) -> None:
    if not str(firing.inputs.get(name) or "").strip():
        raise invalid(name, message, "required")
