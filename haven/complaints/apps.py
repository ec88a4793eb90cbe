from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "haven.complaints"
    label = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        # The procedure's clocks on the one deadline engine and who takes them, the registry's figure,
        # the child's page's link and the protection case's link back to the complaint that opened it.
        from haven.complaints import clocks, indicators, selectors, tasks
        from haven.notifications import selectors as inbox
        from haven.people import cases
        from haven.protection import origins

        clocks.register()
        tasks.register()
        indicators.register_all()
        cases.register(selectors.complaints_of_child)
        origins.register(selectors.complaints_of_case)
        inbox.hide(selectors.messages_hidden_from)
