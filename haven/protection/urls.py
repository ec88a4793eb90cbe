from django.urls import path

from haven.protection import document_views, views

app_name = "protection"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("report/", views.report, name="report"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/matches/<int:match_id>/", views.known_child_decide, name="known_child_decide"),
    path("<uuid:case_id>/offer/", views.offer, name="offer"),
    path("transfers/<int:transfer_id>/", views.transfer_answer, name="transfer_answer"),
    path(
        "<uuid:case_id>/assessments/<int:assessment_id>/print/",
        views.assessment_print,
        name="assessment_print",
    ),
    path(
        "<uuid:case_id>/approvals/<int:approval_id>/form-05.pdf",
        document_views.approval_pdf,
        name="approval_pdf",
    ),
    path("<uuid:case_id>/<slug:step>/", views.case_step, name="step"),
]
