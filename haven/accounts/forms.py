import ipaddress

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haven.accounts import lockout
from haven.accounts.credentials import locked_message
from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.areas.models import Area


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The username or password is not correct. After 5 failed attempts the account is "
            "locked for 30 minutes."
        ),
        "inactive": _("This account is not active."),
    }

    lock: lockout.Lock | None = None

    def clean(self):
        # A locked account or address is refused before the password is even checked, so the right
        # password does not get through a lock either (accounts/lockout.py).
        username = self.cleaned_data.get("username")
        if username is not None:
            self.lock = lockout.lock_on(username, lockout.client_address())
            if self.lock is not None:
                lockout.note_refused(username=username, lock=self.lock)
                raise ValidationError(locked_message(self.lock), code="locked")
        return super().clean()


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )


def _password_field(label, autocomplete: str = "current-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": autocomplete}),
    )


class TokenForm(forms.Form):
    """The second step of sign-in: the page has nothing else to do, so its field has the focus."""

    token = _code_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs["autofocus"] = True


class EnrolForm(forms.Form):
    """Setting up the phone: the code it shows, and the password again."""

    token = _code_field()
    password = _password_field(_("Your password"))


class FactorOffForm(forms.Form):
    """Turning the second factor off: the password and a current code."""

    password = _password_field(_("Your password"))
    token = _code_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="off", **kwargs)


class NewPasswordForm(forms.Form):
    new_password1 = _password_field(_("New password"), "new-password")
    new_password2 = _password_field(_("New password again"), "new-password")

    def clean(self):
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords are not the same."))
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = _password_field(_("Current password"))

    field_order = ["old_password", "new_password1", "new_password2"]


class ResetLinkForm(forms.Form):
    remove_factor = forms.BooleanField(
        label=_("They lost their phone too: remove their second factor"),
        required=False,
        help_text=_("If their role requires one, they set up a new one at their next sign-in."),
    )


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[("account", _("Account")), ("address", _("Network address"))])
    key = forms.CharField(max_length=150)

    def clean(self):
        # Failures are kept per address in an address column: a key that is no address matches none,
        # and PostgreSQL refuses to compare it at all.
        data = super().clean()
        if data.get("kind") == "address":
            try:
                ipaddress.ip_address(data.get("key", ""))
            except ValueError:
                self.add_error("key", _("This is not a network address."))
        return data


# --- The system administrator's pages: organisations and their people ------------------------------


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=OrganisationKind.choices)
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.all(),
        help_text=_("The commune for a commune body, the province for a provincial department."),
        error_messages={"invalid_choice": _("Choose an area from the list.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.current().select_related("parent").order_by("code")
        self.fields["area"].label_from_instance = lambda area: area.label


def _others(organisation: Organisation):
    """The active organisations of the same kind that may take over from ``organisation``."""
    return Organisation.objects.filter(is_active=True, kind=organisation.kind).exclude(pk=organisation.pk)


class DeactivateOrganisationForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Organisation that takes over its work"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Required while it holds open cases, running deadlines or handovers."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, prefix="deactivate", **kwargs)
        self.fields["successor"].queryset = _others(organisation)


class MergeOrganisationForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, prefix="merge", **kwargs)
        self.fields["into"].queryset = _others(organisation)


class UserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(
        label=_("First password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        max_length=128,
    )


class DeactivateUserForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Person who takes over their work"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Required while they are assigned cases or follow people at risk."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Colleagues: active people with a role in one of the organisations the person works in.
        organisations = Membership.objects.active().filter(user=user).values("organisation_id")
        colleagues = Membership.objects.active().filter(organisation_id__in=organisations).values("user_id")
        self.fields["successor"].queryset = (
            User.objects.filter(is_active=True, pk__in=colleagues).exclude(pk=user.pk).order_by("username")
        )
