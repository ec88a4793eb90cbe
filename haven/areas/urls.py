from django.urls import path

from haven.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.area_list, name="list"),
    path("communes/", views.commune_options, name="commune_options"),
    path("<str:code>/", views.province_detail, name="province"),
]
