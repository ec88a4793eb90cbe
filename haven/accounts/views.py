from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.access import markers
from haven.access.middleware import second_factor_pending
from haven.access.policy import Verb
from haven.access.scoping import second_factor_required
from haven.accounts import credentials, forms, lockout, services
from haven.accounts.forms import (
    EnrolForm,
    FactorOffForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    TokenForm,
)
from haven.accounts.holdings import held_by, held_by_person
from haven.accounts.models import Membership, Organisation, User
from haven.audit.services import record
from haven.core.errors import Refused, add_to_form
from haven.lib.ids import as_id


class SignIn(auth_views.LoginView):
    """The password; the middleware then asks for the code, or takes a person whose role requires a
    second factor and who has none to set one up (access/middleware.py)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        if form.lock is not None:
            return render(
                self.request,
                "accounts/locked_out.html",
                {"message": credentials.locked_message(form.lock)},
                status=429,
            )
        return super().form_invalid(form)


login = markers.public(SignIn.as_view())
logout = markers.second_factor(auth_views.LogoutView.as_view())


@markers.second_factor
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Second step of sign-in: the code of the factor the person set up."""
    if not second_factor_pending(request.user):
        return redirect("core:home")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect("core:home")
        record(actor=request.user, action="account.otp_failed")
        form.add_error("token", credentials.BAD_CODE)
    return render(request, "accounts/otp_verify.html", {"form": form})


def _security_page(request, *, enrol: EnrolForm | None = None, off: FactorOffForm | None = None):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    qr = None
    if device is not None:
        qr = mark_safe(segno.make(device.config_url, micro=False).svg_inline(scale=4, title=_("QR code")))  # noqa: S308
    return render(
        request,
        "accounts/security.html",
        {
            "enabled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "required": second_factor_required(user),
            "device": device,
            "qr": qr,
            "form": enrol or EnrolForm(),
            "off": off or FactorOffForm(),
        },
    )


@markers.enrolment
@require_http_methods(["GET", "POST"])
def security(request):
    """Two-factor settings: set it up (scan, then confirm with a code and the password) or turn it
    off. The only page, with signing out, of a person whose role requires it and who has none yet."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if request.method == "POST" and device is not None:
        form = EnrolForm(request.POST)
        if form.is_valid():
            try:
                credentials.totp_confirm(actor=request.user, device=device, **form.cleaned_data)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                otp_login(request, device)
                messages.success(request, _("Two-factor authentication is on."))
                return redirect("core:home" if second_factor_required(request.user) else "accounts:security")
        return _security_page(request, enrol=form)
    return _security_page(request)


@markers.enrolment
@require_POST
def totp_start(request):
    try:
        credentials.totp_begin(actor=request.user)
    except Refused as error:
        messages.error(request, error.message)
    return redirect("accounts:security")


@markers.account
@require_POST
def totp_stop(request):
    form = FactorOffForm(request.POST)
    if form.is_valid():
        try:
            credentials.totp_disable(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_to_form(form, error)
        except Refused as error:
            messages.error(request, error.message)
            return redirect("accounts:security")
        else:
            messages.info(request, _("Two-factor authentication is off."))
            return redirect("accounts:security")
    return _security_page(request, off=form)


@markers.account
@require_http_methods(["GET", "POST"])
def password_change(request):
    """The person's own new password, given the current one."""
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = credentials.password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            # The other sessions of this person end with the old password; this one stays signed in.
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


# --- A one-time link from the administrator ------------------------------------------------------

RESET_SESSION_KEY = "haven_password_reset"


@markers.public
@require_GET
def reset_link(request, key: str):
    """The link the administrator handed over. Its key moves into the session and out of the address
    bar at once, so it is not left in the browser's history or sent on as a referrer."""
    if credentials.password_reset_find(key) is None:
        return render(request, "accounts/reset_invalid.html", status=404)
    request.session[RESET_SESSION_KEY] = key
    return redirect("accounts:reset")


@markers.public
@require_http_methods(["GET", "POST"])
def reset(request):
    """Choosing a new password through the link."""
    key = request.session.get(RESET_SESSION_KEY, "")
    found = credentials.password_reset_find(key)
    if found is None:
        return render(request, "accounts/reset_invalid.html", status=404)
    form = NewPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            credentials.password_reset_use(key=key, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            add_to_form(form, error)
        except Refused:
            return render(request, "accounts/reset_invalid.html", status=404)
        else:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(request, _("Your new password is set. Sign in with it."))
            return redirect("accounts:login")
    return render(request, "accounts/reset.html", {"form": form, "person": found.user})


# --- The system administrator: organisations and their people --------------------------------------


def _run(form, call) -> bool:
    """Call a service with the form's answers; its refusal is shown on the form, nothing saved."""
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        add_to_form(form, error)
    except Refused as error:
        form.add_error(None, error.message)
    else:
        return True
    return False


@markers.requires(Verb.ACCOUNT_MANAGE)
@require_http_methods(["GET", "POST"])
def organisations(request):
    """Every organisation, found by name, and a new one."""
    query = request.GET.get("q", "").strip()[:100]
    found = Organisation.objects.select_related("area__parent").order_by("-is_active", "name")
    if query:
        found = found.filter(name__icontains=query)
    form = forms.OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        created = []
        if _run(form, lambda d: created.append(services.organisation_create(actor=request.user, **d))):
            messages.success(request, _("The organisation was created."))
            return redirect("accounts:organisation", created[0].pk)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/organisations.html", {"page": page, "query": query, "form": form})


@markers.requires(Verb.ACCOUNT_MANAGE)
@require_http_methods(["GET", "POST"])
def organisation(request, organisation_id: int):
    """One organisation: its people, what it holds, and closing or merging it with its work handed over."""
    org = get_object_or_404(Organisation.objects.select_related("area__parent"), pk=as_id(organisation_id))
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "") if post else ""
    deactivate = forms.DeactivateOrganisationForm(post if action == "deactivate" else None, organisation=org)
    merge = forms.MergeOrganisationForm(post if action == "merge" else None, organisation=org)
    adding = forms.UserForm(post if action == "add_user" else None)
    if action == "deactivate" and deactivate.is_valid():
        if _run(
            deactivate, lambda d: services.organisation_deactivate(actor=request.user, organisation=org, **d)
        ):
            messages.success(request, _("The organisation was deactivated and its work handed over."))
            return redirect("accounts:organisation", org.pk)
    elif action == "merge" and merge.is_valid():
        if _run(merge, lambda d: services.organisation_merge(actor=request.user, organisation=org, **d)):
            messages.success(request, _("The organisations were merged."))
            return redirect("accounts:organisation", merge.cleaned_data["into"].pk)
    elif action == "add_user" and adding.is_valid():
        created = []
        if _run(
            adding, lambda d: created.append(services.user_create(actor=request.user, organisation=org, **d))
        ):
            messages.success(request, _("The account was created."))
            return redirect("accounts:user", created[0].pk)
    members = (
        Membership.objects.filter(organisation=org)
        .select_related("user")
        .order_by("-valid_to", "user__username")
    )
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": org,
            "members": members,
            "held": held_by(org) if org.is_active else [],
            "deactivate": deactivate,
            "merge": merge,
            "adding": adding,
        },
    )


@markers.requires(Verb.ACCOUNT_MANAGE)
@require_http_methods(["GET", "POST"])
def user(request, user_id: int):
    """One person: their roles, what they hold in person, their second factor; a one-time link to
    choose a new password; deactivating the account."""
    person = get_object_or_404(User, pk=as_id(user_id))
    post = request.POST if request.method == "POST" else None
    action = post.get("action", "") if post else ""
    form = forms.DeactivateUserForm(post if post and action != "reset_link" else None, user=person)
    resetting = forms.ResetLinkForm(post if action == "reset_link" else None)
    issued = None
    if action == "reset_link" and resetting.is_valid():
        try:
            reset, key = credentials.password_reset_issue(
                actor=request.user, user=person, remove_factor=resetting.cleaned_data["remove_factor"]
            )
        except Refused as error:
            resetting.add_error(None, error.message)
        else:
            # Shown once, on this page only: the administrator hands it over; Haven keeps its hash.
            link = request.build_absolute_uri(reverse("accounts:reset_link", args=[key]))
            issued = {"url": link, "reset": reset}
            resetting = forms.ResetLinkForm()
    elif post and action != "reset_link" and form.is_valid():
        if _run(form, lambda d: services.user_deactivate(actor=request.user, user=person, **d)):
            messages.success(request, _("The account was deactivated."))
            return redirect("accounts:user", person.pk)
    roles = Membership.objects.filter(user=person).select_related("organisation").order_by("-valid_from")
    return render(
        request,
        "accounts/user.html",
        {
            "person": person,
            "roles": roles,
            "held": held_by_person(person) if person.is_active else [],
            "form": form,
            "resetting": resetting,
            "issued": issued,
            "has_factor": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
            "factor_required": second_factor_required(person),
            "locked": lockout.lock_on(person.username, None),
        },
    )


@markers.requires(Verb.ACCOUNT_MANAGE)
@require_http_methods(["GET", "POST"])
def locks(request):
    """The accounts and addresses locked after wrong passwords, and unlocking them (audited)."""
    form = forms.UnlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        lockout.lift(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Unlocked: %(what)s.") % {"what": form.cleaned_data["key"]})
        return redirect("accounts:locks")
    found = lockout.locks_in_force()
    names = dict(
        User.objects.filter(username__in=[x.key for x in found if x.kind == "account"]).values_list(
            "username", "full_name"
        )
    )
    rows = [{"lock": x, "name": names.get(x.key, "")} for x in found]
    return render(
        request,
        "accounts/locks.html",
        {
            "rows": rows,
            "form": form,
            "account_limit": settings.HAVEN_LOGIN_FAILURE_LIMIT,
            "address_limit": settings.HAVEN_ADDRESS_FAILURE_LIMIT,
            "minutes": int(settings.HAVEN_LOCKOUT_PERIOD.total_seconds() // 60),
        },
    )
