from django.urls import path

from haven.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("<uuid:pair_id>/", views.pair_detail, name="pair"),
    path("<uuid:pair_id>/decision/", views.pair_decide, name="decide"),
    path("<uuid:pair_id>/undo/", views.pair_undo, name="undo"),
]
