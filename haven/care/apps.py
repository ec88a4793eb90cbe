from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "haven.care"
    label = "care"

    def ready(self) -> None:
        from haven.care import tasks

        tasks.register()
