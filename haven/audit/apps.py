from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "haven.audit"
    label = "audit"

    def ready(self) -> None:
        from haven.audit.checkpoints import sweep_job
        from haven.deadlines import jobs

        # Each pass of `haven sweep` signs the chain head into the checkpoint folder.
        jobs.register("audit checkpoints", sweep_job)
