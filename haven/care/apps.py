from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "haven.care"
    label = "care"

    def ready(self) -> None:
        # The app's clocks on the one deadline engine (and what the engine must know of its subjects).
        from haven.care import clocks

        clocks.register()

        from haven.care import indicators

        indicators.register_all()

        from haven.care import selectors, tasks
        from haven.people import cases

        tasks.register()
        cases.register(selectors.cases_of_child)
