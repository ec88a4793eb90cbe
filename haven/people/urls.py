from django.urls import path

from haven.people import views

app_name = "people"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_create, name="create"),
    path("<uuid:child_id>/", views.child_detail, name="detail"),
    path("<uuid:child_id>/edit/", views.child_edit, name="edit"),
    path("<uuid:child_id>/pin/", views.pin_reveal, name="pin_reveal"),
    path("<uuid:child_id>/export.json", views.child_export, name="export"),
    path("<uuid:child_id>/access-log/", views.access_log, name="access_log"),
    path("<uuid:child_id>/circumstances/new/", views.circumstance_add, name="circumstance_add"),
    path("<uuid:child_id>/views/new/", views.opinion_add, name="opinion_add"),
    path("<uuid:child_id>/siblings/new/", views.sibling_add, name="sibling_add"),
]
