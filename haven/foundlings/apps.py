from django.apps import AppConfig


class FoundlingsConfig(AppConfig):
    name = "haven.foundlings"
    label = "foundlings"

    def ready(self) -> None:
        from haven.foundlings import tasks

        tasks.register()
