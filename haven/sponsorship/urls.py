from django.urls import path

from haven.sponsorship import campaign_views, views

app_name = "sponsorship"
urlpatterns = [
    path("", views.index, name="index"),
    path("offer/", views.offer, name="offer"),
    path("sponsors/", views.sponsors, name="sponsors"),
    path("sponsors/<uuid:sponsor_id>/", views.sponsor, name="sponsor"),
    path("campaigns/", campaign_views.campaigns, name="campaigns"),
    path("campaigns/<uuid:campaign_id>/", campaign_views.campaign, name="campaign"),
    path("entries/<uuid:entry_id>/", campaign_views.entry, name="entry"),
    path("visits/<int:visit_id>/", views.visit, name="visit"),
    path("<uuid:sponsorship_id>/", views.sponsorship, name="sponsorship"),
    path("<uuid:sponsorship_id>/<slug:step>/", views.sponsorship, name="step"),
]
