from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "haven.care"
    label = "care"

    def ready(self) -> None:
        # The app's clocks on the one deadline engine (and what the engine must know of its subjects).
        from haven.care import clocks

        clocks.register()
