from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from haven.accounts import signals  # noqa: F401

        # Each domain declares what an organisation holds (accounts/holdings.py) in its holdings.py.
        autodiscover_modules("holdings")
