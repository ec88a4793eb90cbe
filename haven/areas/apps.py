from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "haven.areas"
    label = "areas"
