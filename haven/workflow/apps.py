from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "haven.workflow"
    label = "workflow"
    verbose_name = "Workflow"
