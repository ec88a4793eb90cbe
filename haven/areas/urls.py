from django.urls import path, re_path

from haven.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.area_list, name="list"),
    path("communes/", views.commune_options, name="commune_options"),
    re_path(r"^(?P<code>[0-9]{2})/$", views.province_detail, name="province"),
]
