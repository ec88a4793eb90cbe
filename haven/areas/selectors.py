from __future__ import annotations

from django.db.models import Count, QuerySet

from haven.areas.models import Area


def provinces() -> QuerySet[Area]:
    return Area.objects.current().provinces().annotate(n_communes=Count("children")).order_by("name")


def communes_of(province_id) -> QuerySet[Area]:
    return Area.objects.current().communes().filter(parent_id=province_id).order_by("name")
