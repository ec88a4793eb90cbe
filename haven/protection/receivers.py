"""Who a child-protection case may be handed to: the same list for the form and for the API.

The form offers these organisations and the services accept only these, so a client of the API can
name no receiver that the page would not have offered (Primero's "assigned to someone who cannot see
the case", found in Haven's API by the 2026 security review).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.access.scoping import organisations_of
from haven.accounts.models import Organisation, OrganisationKind

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.protection.models import ProtectionCase

K = OrganisationKind
# The bodies that provide the services a referral asks for (medical care, shelter, police, school,
# legal aid, the unions' follow-up); never a monitoring or administrative office.
SERVICE_KINDS = (
    K.HEALTH_FACILITY,
    K.SOCIAL_PROTECTION_FACILITY,
    K.COMMUNE_POLICE,
    K.PROVINCIAL_POLICE,
    K.SCHOOL,
    K.MASS_ORGANISATION,
    K.PROVINCIAL_JUSTICE,
)


def referral_receivers(*, user: User, case: ProtectionCase) -> QuerySet[Organisation]:
    """A service body of the province where the harm happened (the province's own bodies and those of
    its communes), active, and not one of the asker's own organisations."""
    province = case.incident_commune.parent_id
    return (
        Organisation.objects.filter(is_active=True, kind__in=SERVICE_KINDS)
        .filter(Q(area_id=province) | Q(area__parent_id=province))
        .exclude(pk__in=organisations_of(user))
        .order_by("name")
    )


def transfer_receivers(*, case: ProtectionCase) -> QuerySet[Organisation]:
    """The People's Committee of another commune, anywhere in the country: the child moved there."""
    return (
        Organisation.objects.filter(is_active=True, kind=K.COMMUNE_COMMITTEE)
        .exclude(pk=case.responsible_id)
        .select_related("area__parent")
        .order_by("area__parent__name", "name")
    )


def may_receive(receivers: QuerySet[Organisation], organisation: Organisation | None) -> bool:
    return organisation is not None and receivers.filter(pk=organisation.pk).exists()
