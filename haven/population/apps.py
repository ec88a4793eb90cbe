from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "haven.population"
    label = "population"

    def ready(self) -> None:
        # Each pass of `haven sweep` retries the requests waiting for the register.
        from haven.deadlines import jobs
        from haven.population import checks  # noqa: F401 (registers the system check)
        from haven.population.services import requests_process

        jobs.register("PINs received", requests_process)
