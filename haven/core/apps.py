from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haven.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from haven.core import storage

        storage.close_folders()
        connection_created.connect(storage.close_sqlite_files, dispatch_uid="haven.core.storage")
