from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "haven.protection"
    label = "protection"

    def ready(self) -> None:
        # The app's clocks on the one deadline engine (and what the engine must know of its subjects).
        from haven.protection import clocks

        clocks.register()

        from haven.protection import indicators

        indicators.register_all()

        from haven.people import cases
        from haven.protection import selectors, tasks

        tasks.register()
        cases.register(selectors.cases_of_child)
