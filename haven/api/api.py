"""The root of /api/v1: every operation needs a bearer token unless it says otherwise."""

from ninja import NinjaAPI

from haven.api import errors
from haven.api.auth import TokenAuth
from haven.api.docs import signed_in_only
from haven.api.parser import StorableText

api = NinjaAPI(
    title="Haven API",
    version="1",
    description="Haven (Mái Ấm): children in special circumstances. Same services and rules as the UI.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_decorator=signed_in_only,
    parser=StorableText(),
)
errors.install(api)

from haven.areas.api import router as areas_router  # noqa: E402
from haven.care.api import router as care_router  # noqa: E402
from haven.complaints.api import router as complaints_router  # noqa: E402
from haven.deadlines.api import router as tasks_router  # noqa: E402
from haven.education.api import router as education_router  # noqa: E402
from haven.entitlements.api import router as entitlements_router  # noqa: E402
from haven.entitlements.school_api import router as pupil_support_router  # noqa: E402
from haven.foundlings.api import router as foundlings_router  # noqa: E402
from haven.linkage.api import router as linkage_router  # noqa: E402
from haven.notifications.api import router as inbox_router  # noqa: E402
from haven.people.api import router as people_router  # noqa: E402
from haven.prevention.api import router as prevention_router  # noqa: E402
from haven.protection.api import router as protection_router  # noqa: E402
from haven.reports.api import router as indicators_router  # noqa: E402
from haven.reports.report_api import router as periodic_reports_router  # noqa: E402
from haven.sponsorship.api import router as sponsorship_router  # noqa: E402

api.add_router("/areas", areas_router)
api.add_router("/children", people_router)
api.add_router("/foundlings", foundlings_router)
api.add_router("/protection", protection_router)
api.add_router("/prevention", prevention_router)
api.add_router("/care", care_router)
api.add_router("/entitlements", entitlements_router)
api.add_router("/entitlements/school-support", pupil_support_router)
api.add_router("/complaints", complaints_router)
api.add_router("/sponsorship", sponsorship_router)
api.add_router("/education", education_router)
api.add_router("/linkage", linkage_router)
api.add_router("/tasks", tasks_router)
api.add_router("/inbox", inbox_router)
api.add_router("/indicators", indicators_router)
api.add_router("/reports", periodic_reports_router)
