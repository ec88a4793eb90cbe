from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Haven: health and readiness, metrics, structured logs, heartbeats, backup and restore."""

    name = "haven.ops"
    label = "ops"
