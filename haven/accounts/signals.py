"""Sign-in and sign-out are audit events too (Django raises these signals; we record them), a wrong
password counts towards the lockout (accounts/lockout.py), and a session notes when it was signed in,
for its absolute lifetime (accounts/middleware.py)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from haven.accounts import lockout
from haven.accounts.middleware import SIGNED_IN_KEY
from haven.audit.services import record
from haven.core import clock


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_KEY] = clock.real_now().timestamp()
    lockout.forget_failures(user.username)
    record(actor=user, action="account.login")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(actor=user, action="account.logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    lockout.note_failure(username=str(credentials.get("username", "")), address=lockout.client_address())
