from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "haven.protection"
    label = "protection"

    def ready(self) -> None:
        from haven.protection import tasks

        tasks.register()
