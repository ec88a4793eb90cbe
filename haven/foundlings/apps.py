from django.apps import AppConfig


class FoundlingsConfig(AppConfig):
    name = "haven.foundlings"
    label = "foundlings"
