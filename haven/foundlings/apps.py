from django.apps import AppConfig


class FoundlingsConfig(AppConfig):
    name = "haven.foundlings"
    label = "foundlings"

    def ready(self) -> None:
        from haven.foundlings import selectors, tasks
        from haven.people import cases

        tasks.register()
        cases.register(selectors.cases_of_child)
