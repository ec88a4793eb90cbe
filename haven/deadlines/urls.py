from django.urls import path

from haven.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.rules, name="rules"),
    path("province/", views.overrides, name="overrides"),
    path("team/", views.team, name="team"),
]
