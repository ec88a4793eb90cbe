from django.apps import AppConfig


class SponsorshipConfig(AppConfig):
    name = "haven.sponsorship"
    label = "sponsorship"

    def ready(self) -> None:
        # The disbursement's confirmation clock, who answers it, and the daily signed checkpoint of the
        # public ledger as a job of each `haven sweep` pass.
        from haven.deadlines import jobs
        from haven.sponsorship import clocks, indicators, log, workflow  # noqa: F401 — the table registers itself
        from haven.sponsorship.services import publication

        clocks.register()
        indicators.register_all()
        jobs.register("public ledger publication", publication.publication_job)
        jobs.register("public ledger checkpoint", log.checkpoint_daily)
