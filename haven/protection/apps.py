from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "haven.protection"
    label = "protection"
