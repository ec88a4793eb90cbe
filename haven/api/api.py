"""The root of /api/v1: every operation needs a bearer token unless it says otherwise."""

from ninja import NinjaAPI

from haven.api import errors
from haven.api.auth import TokenAuth

api = NinjaAPI(
    title="Haven API",
    version="1",
    description="Haven (Mái Ấm): children in special circumstances. Same services and rules as the UI.",
    auth=TokenAuth(),
    urls_namespace="api",
)
errors.install(api)

from haven.areas.api import router as areas_router  # noqa: E402
from haven.care.api import router as care_router  # noqa: E402
from haven.foundlings.api import router as foundlings_router  # noqa: E402
from haven.linkage.api import router as linkage_router  # noqa: E402
from haven.people.api import router as people_router  # noqa: E402
from haven.prevention.api import router as prevention_router  # noqa: E402
from haven.protection.api import router as protection_router  # noqa: E402

api.add_router("/areas", areas_router)
api.add_router("/children", people_router)
api.add_router("/foundlings", foundlings_router)
api.add_router("/protection", protection_router)
api.add_router("/prevention", prevention_router)
api.add_router("/care", care_router)
api.add_router("/linkage", linkage_router)
