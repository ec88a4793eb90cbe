from django.apps import AppConfig


class PreventionConfig(AppConfig):
    name = "haven.prevention"
    label = "prevention"
