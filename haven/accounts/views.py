from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.access import markers
from haven.accounts import services
from haven.accounts.forms import LoginForm, TokenForm

login = markers.public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
    )
)
logout = markers.second_factor(auth_views.LogoutView.as_view())


@markers.second_factor
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Second step of sign-in for users who turned on two-factor authentication."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect("core:home")
        form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@markers.authenticated
@require_http_methods(["GET", "POST"])
def security(request):
    """Two-factor settings: turn TOTP on (scan, confirm with a code) or off."""
    enabled = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and device is not None and form.is_valid():
        if services.totp_confirm(actor=request.user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:security")
        form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
    qr = None
    if device is not None:
        qr = mark_safe(segno.make(device.config_url, micro=False).svg_inline(scale=4, title=_("QR code")))  # noqa: S308
    return render(
        request, "accounts/security.html", {"enabled": enabled, "device": device, "qr": qr, "form": form}
    )


@markers.authenticated
@require_POST
def totp_start(request):
    services.totp_begin(actor=request.user)
    return redirect("accounts:security")


@markers.authenticated
@require_POST
def totp_stop(request):
    services.totp_disable(actor=request.user)
    messages.info(request, _("Two-factor authentication is off."))
    return redirect("accounts:security")
