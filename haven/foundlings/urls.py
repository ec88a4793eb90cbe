from django.urls import path

from haven.foundlings import document_views, views

app_name = "foundlings"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("report/", views.report, name="report"),
    path("reconciliation/", views.reconciliation_view, name="reconciliation"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/timeline/", views.timeline, name="timeline"),
    path("<uuid:case_id>/record.pdf", views.record_pdf, name="record_pdf"),
    path("<uuid:case_id>/notice/", views.notice, name="notice"),
    path("<uuid:case_id>/notice.pdf", document_views.notice_pdf, name="notice_pdf"),
    path(
        "<uuid:case_id>/temporary-care-decision.pdf",
        document_views.temporary_care_pdf,
        name="temporary_care_pdf",
    ),
    path("<uuid:case_id>/photo/", views.photo, name="photo"),
    path("<uuid:case_id>/duplicates/<int:pair_id>/", views.duplicate_decide, name="duplicate_decide"),
    path("<uuid:case_id>/<slug:step>/", views.case_step, name="step"),
]
