from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema

from haven.areas import selectors
from haven.areas.models import Area

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    level: str


@router.get("/provinces", response=list[AreaOut])
def provinces(request):
    return list(selectors.provinces())


@router.get("/provinces/{code}/communes", response=list[AreaOut])
def communes(
    request, code: str = Path(..., pattern=r"^\d{2}$", description="official 2-digit province code")
):
    province = get_object_or_404(Area.objects.current().provinces(), code=code)
    return list(selectors.communes_of(province.pk))
