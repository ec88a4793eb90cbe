"""Which provider in Haven a woman's support may be referred to: the same list for the form and for
the API, so that a client of the API can tell no organisation the page would not have offered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.accounts.models import Organisation, OrganisationKind

if TYPE_CHECKING:
    from haven.prevention.models import AtRiskPerson

K = OrganisationKind
# The organisations that provide the services of Notice 432 §1: health facilities, social protection
# facilities, the unions, the legal-aid centres of the justice departments, the commune.
PROVIDER_KINDS = (
    K.HEALTH_FACILITY,
    K.SOCIAL_PROTECTION_FACILITY,
    K.MASS_ORGANISATION,
    K.PROVINCIAL_JUSTICE,
    K.COMMUNE_COMMITTEE,
)


def service_providers(person: AtRiskPerson) -> QuerySet[Organisation]:
    """The active providers of her province: the province's own bodies and those of its communes."""
    province = person.commune.parent_id
    return (
        Organisation.objects.filter(is_active=True, kind__in=PROVIDER_KINDS)
        .filter(Q(area_id=province) | Q(area__parent_id=province))
        .order_by("name")
    )
