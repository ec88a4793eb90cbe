from django.urls import path

from haven.reports import report_views, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("indicators/<str:code>/", views.indicator_page, name="indicator"),
    path("indicators/<str:code>/export.<str:fmt>", views.export, name="export"),
    path("late/", report_views.late, name="late"),
    path("periodic/", report_views.periodic, name="periodic"),
    path("periodic/<uuid:report_id>/", report_views.report_page, name="report"),
    path("periodic/<uuid:report_id>/compare/", report_views.report_compare, name="report_compare"),
    path("periodic/<uuid:report_id>/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("periodic/<uuid:report_id>/<str:step>/", report_views.report_step, name="report_step"),
    path("quality/", report_views.quality, name="quality"),
    path("reminders/", report_views.reminders, name="reminders"),
    path("reminders/<uuid:urging_id>/", report_views.reminder, name="reminder"),
    path("reminders/<uuid:urging_id>/<str:step>/", report_views.reminder_step, name="reminder_step"),
]
