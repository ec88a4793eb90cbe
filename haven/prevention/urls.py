from django.urls import path

from haven.prevention import views

app_name = "prevention"
urlpatterns = [
    path("", views.home, name="home"),
    path("flag/", views.flag, name="flag"),
    path("coverage/", views.coverage, name="coverage"),
    path("figures/", views.figures, name="figures"),
    path("<uuid:person_id>/", views.detail, name="detail"),
    path("<uuid:person_id>/supports/<int:support_id>/", views.support_outcome, name="support_outcome"),
    path("<uuid:person_id>/assign/", views.assign, name="assign"),
    path("<uuid:person_id>/<slug:step>/", views.step, name="step"),
]
