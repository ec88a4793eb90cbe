from django.apps import AppConfig


class FoundlingsConfig(AppConfig):
    name = "haven.foundlings"
    label = "foundlings"

    def ready(self) -> None:
        # The app's clocks on the one deadline engine (and what the engine must know of its subjects).
        from haven.foundlings import clocks

        clocks.register()

        from haven.foundlings import indicators

        indicators.register_all()

        from haven.foundlings import selectors, tasks
        from haven.people import cases

        tasks.register()
        cases.register(selectors.cases_of_child)
