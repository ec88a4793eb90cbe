"""`haven check` (and every command that runs the system checks) refuses a register service Haven
would send its credentials to in clear, and warns when Haven has no credentials for it."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

HTTP_REGISTER = "haven.population.client.HttpRegister"


@register()
def register_service(app_configs, **kwargs) -> list:
    if settings.HAVEN_POPULATION_REGISTER != HTTP_REGISTER:
        return []
    from haven.population.client import DEFAULTS, url_problem

    config = {**DEFAULTS, **settings.HAVEN_POPULATION_REGISTER_HTTP}
    found = []
    problem = url_problem(config["url"].rstrip("/"), require_https=bool(config["require_https"]))
    if problem:
        found.append(Error(problem, id="population.E001"))
    if not (config["token"] or config["extract_token"]):
        found.append(
            Warning(
                "Haven has no token for the population register: births wait for their PIN until "
                "HAVEN_POPULATION_REGISTER_TOKEN (or _FILE) is set.",
                hint=(
                    "haven popreg client add haven --scopes lookup,register "
                    "(docs/runbooks/population-register.md)"
                ),
                id="population.W001",
            )
        )
    return found
