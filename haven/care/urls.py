from django.urls import path

from haven.care import document_views, views

app_name = "care"
urlpatterns = [
    path("", views.index, name="index"),
    path("province/", views.province, name="province"),
    path("families/", views.families, name="families"),
    path("families/<uuid:family_id>/", views.family, name="family"),
    path(
        "families/<uuid:family_id>/form-12.pdf",
        document_views.family_decision_pdf,
        name="family_decision_pdf",
    ),
    path("families/<uuid:family_id>/<slug:step>/", views.family_step, name="family_step"),
    path("facilities/<int:facility_id>/", views.board, name="board"),
    path("facilities/<int:facility_id>/manage/", views.manage, name="manage"),
    path("facilities/<int:facility_id>/form14/", views.form14, name="form14"),
    path("facilities/<int:facility_id>/inspect/", views.inspect, name="inspect"),
    path(
        "facilities/<int:facility_id>/inspections/<int:inspection_id>.pdf",
        document_views.inspection_pdf,
        name="inspection_pdf",
    ),
    path("groups/<int:group_id>/place/", views.place, name="place"),
    path("children/<uuid:child_id>/", views.child, name="child"),
    path("children/<uuid:child_id>/place/", views.start, name="start"),
    path("children/<uuid:child_id>/incident/", views.incident, name="incident"),
    path("placements/<uuid:placement_id>/transfer/", views.transfer, name="transfer"),
    path("placements/<uuid:placement_id>/review/", views.review, name="review"),
    path("placements/<uuid:placement_id>/end/", views.end, name="end"),
    path("placements/<uuid:placement_id>/visit/", views.visit, name="visit"),
    path("placements/<uuid:placement_id>/room/", views.room, name="room"),
    path("placements/<uuid:placement_id>/decision/", views.decide, name="decide"),
    path("decisions/<uuid:decision_id>/", views.decision, name="decision"),
]
