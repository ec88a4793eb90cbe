from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "haven.population"
    label = "population"
