"""Every URL carries an access marker (haven/access/markers.py); test_urlconf.py checks it."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from haven.access import markers
from haven.api.api import api
from haven.complaints import views as complaint_views
from haven.foundlings import views as foundling_views
from haven.notifications.views import inbox
from haven.protection import views as protection_views
from haven.sponsorship import carer_views


def _api_urls():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        # django-ninja authenticates each operation itself (bearer token), see haven/api/auth.py.
        markers.api(pattern.callback)
    return patterns, app_name, namespace


urlpatterns = [
    path("", include("haven.core.urls")),
    path("", include("haven.ops.urls")),
    path("accounts/", include("haven.accounts.urls")),
    path("children/", include("haven.people.urls")),
    path("areas/", include("haven.areas.urls")),
    path("foundlings/", include("haven.foundlings.urls")),
    path("protection/", include("haven.protection.urls")),
    path("prevention/", include("haven.prevention.urls")),
    path("care/", include("haven.care.urls")),
    path("entitlements/", include("haven.entitlements.urls")),
    path("complaints/", include("haven.complaints.urls")),
    path("sponsorship/", include("haven.sponsorship.urls")),
    # The public ledger: no login (haven/sponsorship/ledger_views.py).
    path("ledger/", include("haven.sponsorship.ledger_urls")),
    path("education/", include("haven.education.urls")),
    path("linkage/", include("haven.linkage.urls")),
    path("reports/", include("haven.reports.urls")),
    path("report/", foundling_views.public_report, name="public_report"),
    path("report/child-at-risk/", protection_views.public_report, name="public_report_risk"),
    # A carer confirms the money she received, from the address in her SMS: short, in Vietnamese.
    path("xacnhan/", carer_views.confirm, name="carer_confirm"),
    path("report/complaint/", complaint_views.public_complaint, name="public_complaint"),
    path("inbox/", inbox, name="inbox"),
    path("deadlines/", include("haven.deadlines.urls")),
    path("i18n/setlang/", markers.public(set_language), name="set_language"),
    path("i18n/js/", markers.public(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("api/v1/", _api_urls()),
]
