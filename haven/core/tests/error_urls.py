"""A URL that fails, for the 500 page's test only."""

from django.urls import include, path

from haven.access import markers


@markers.authenticated
def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken), path("", include("config.urls"))]
