from django.urls import path

from haven.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("figures/", views.figures, name="figures"),
]
