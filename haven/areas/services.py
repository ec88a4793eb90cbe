"""Loading the reference list of areas."""

from __future__ import annotations

import json

import vietnam_provinces
from django.db import transaction

from haven.areas.models import TWO_TIER_REFORM, Area, Kind, Level

KIND_OF = {
    "tỉnh": Kind.PROVINCE,
    "thành phố trung ương": Kind.CENTRAL_CITY,
    "xã": Kind.COMMUNE,
    "phường": Kind.WARD,
    "đặc khu": Kind.SPECIAL_ZONE,
}


@transaction.atomic
def areas_load(model: type[Area] = Area) -> tuple[int, int]:
    """Load or refresh the 34 provinces and 3,321 communes from the `vietnam-provinces` package.

    Idempotent: areas are matched on their official code and updated in place. ``model`` lets the
    data migration pass its historical model.
    """
    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    existing = {(a.level, a.code): a for a in model.objects.filter(valid_from=TWO_TIER_REFORM)}
    provinces = 0
    communes = 0
    for p in data:
        province = _upsert(
            model, existing, Level.PROVINCE, f"{p['code']:02d}", p["name"], p["division_type"], None
        )
        provinces += 1
        batch = []
        for w in p["wards"]:
            code = f"{w['code']:05d}"
            area = existing.get((Level.COMMUNE, code))
            if area is None:
                batch.append(
                    model(
                        code=code,
                        name=w["name"],
                        level=Level.COMMUNE,
                        kind=KIND_OF[w["division_type"]],
                        parent=province,
                        valid_from=TWO_TIER_REFORM,
                    )
                )
            else:
                _upsert(model, existing, Level.COMMUNE, code, w["name"], w["division_type"], province)
            communes += 1
        model.objects.bulk_create(batch)
    return provinces, communes


def _upsert(
    model: type[Area], existing: dict, level: str, code: str, name: str, division: str, parent: Area | None
) -> Area:
    area = existing.get((level, code))
    fields = {"name": name, "kind": KIND_OF[division], "parent": parent}
    if area is None:
        return model.objects.create(code=code, level=level, valid_from=TWO_TIER_REFORM, **fields)
    changed = [f for f, v in fields.items() if getattr(area, f) != v]
    if changed:
        for f in changed:
            setattr(area, f, fields[f])
        area.save(update_fields=changed)
    return area
