"""Sign-in and sign-out are audit events too (Django raises these signals; we only record them)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from haven.audit.services import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    record(actor=user, action="account.login")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(actor=user, action="account.logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The username tried, never the password.
    record(
        actor=None,
        action="account.login_failed",
        data={"username": str(credentials.get("username", ""))[:150]},
    )
