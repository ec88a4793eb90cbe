from django.urls import path

from haven.education import views

app_name = "education"
urlpatterns = [
    path("", views.index, name="index"),
    path("schools/new/", views.school_new, name="school_new"),
    path("schools/<int:school_id>/", views.school, name="school"),
    path("schools/<int:school_id>/upload/", views.school_upload, name="school_upload"),
    path("schools/<int:school_id>/class-list.csv", views.class_list, name="class_list"),
    path("communes/<str:code>/", views.commune_roster, name="roster"),
    path("children/<uuid:child_id>/", views.child, name="child"),
    path("children/<uuid:child_id>/request/", views.child_request, name="request"),
    path("children/<uuid:child_id>/enrol/", views.child_record, name="record"),
    path("enrolments/<uuid:enrolment_id>/", views.enrolment, name="enrolment"),
    path("enrolments/<uuid:enrolment_id>/plan/", views.plan, name="plan"),
    path("enrolments/<uuid:enrolment_id>/<slug:step>/", views.step, name="step"),
    path("absences/<uuid:alert_id>/visit/", views.visit, name="visit"),
]
