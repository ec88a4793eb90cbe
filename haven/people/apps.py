from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "haven.people"
    label = "people"

    def ready(self) -> None:
        # The register's indicator on the one registry (reports/registry.py).
        from haven.people import indicators

        indicators.register_all()
