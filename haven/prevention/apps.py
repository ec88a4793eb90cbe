from django.apps import AppConfig


class PreventionConfig(AppConfig):
    name = "haven.prevention"
    label = "prevention"

    def ready(self) -> None:
        # The app's clocks on the one deadline engine (and what the engine must know of its subjects).
        from haven.prevention import clocks

        clocks.register()

        from haven.prevention import indicators

        indicators.register_all()

        from haven.prevention import tasks

        tasks.register()
