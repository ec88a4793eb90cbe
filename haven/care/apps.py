from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "haven.care"
    label = "care"

    def ready(self) -> None:
        from haven.care import selectors, tasks
        from haven.people import cases

        tasks.register()
        cases.register(selectors.cases_of_child)
