from django.apps import AppConfig


class PreventionConfig(AppConfig):
    name = "haven.prevention"
    label = "prevention"

    def ready(self) -> None:
        from haven.prevention import tasks

        tasks.register()
