from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "haven.protection"
    label = "protection"

    def ready(self) -> None:
        from haven.people import cases
        from haven.protection import selectors, tasks

        tasks.register()
        cases.register(selectors.cases_of_child)
