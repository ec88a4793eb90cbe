from django.urls import path

from haven.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.receive, name="receive"),
    path("<uuid:complaint_id>/", views.detail, name="detail"),
    path("<uuid:complaint_id>/<slug:step>/", views.step, name="step"),
]
