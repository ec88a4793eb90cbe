from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "haven.reports"
    label = "reports"

    def ready(self) -> None:
        # The sweep keeps the open periods' figures fresh (reports/store.py), generates the periodic
        # reports of the periods that have ended, and opens the reminders a commune is owed.
        from haven.deadlines import jobs
        from haven.reports import clocks, indicators, services, tasks, urging, workflow  # noqa: F401
        from haven.reports.store import refresh_due

        jobs.register("indicator periods recounted", refresh_due)
        jobs.register("periodic reports generated", services.generate_due)
        jobs.register("reminders opened", urging.urge_due)
        clocks.register()
        tasks.register()
        indicators.register_all()
