from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.areas import selectors
from haven.areas.models import Area


@markers.authenticated
@require_GET
def area_list(request):
    return render(request, "areas/list.html", {"provinces": selectors.provinces()})


@markers.authenticated
@require_GET
def province_detail(request, code: str):
    province = get_object_or_404(Area.objects.current().provinces(), code=code)
    return render(
        request, "areas/province.html", {"province": province, "communes": selectors.communes_of(province.pk)}
    )


@markers.public
@require_GET
def commune_options(request):
    """<option>s of a province's communes, swapped into the commune <select> by htmx. Public: the
    map is public reference data, and the public report pages need it without an account."""
    province = request.GET.get("province", "")
    communes = selectors.communes_of(province) if province.isdigit() else Area.objects.none()
    return render(request, "areas/_commune_options.html", {"communes": communes})
