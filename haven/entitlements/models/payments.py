"""How the allowance reaches the child, and what the payment provider says it did.

Decree 20/2021/NĐ-CP art. 34: the commune contracts a payment provider able to pay into a bank account,
at its counters (the post office) or in cash at home for those who cannot come; before the 25th of each
month it sends the provider the payment list of the next month, and the provider accounts for every
payment. A child's ``PaymentMethod`` says who receives the money and how; a change is a new row from a
date, never an edit, so a payroll line keeps the method it was sent with. The provider's return file
(``ProviderReturn``) confirms each line: paid, failed, or returned uncollected (``Confirmation``, one per
line, never changed once recorded).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.core.dated import Dated, DatedQuerySet
from haven.core.fields import EncryptedTextField
from haven.core.models import TimeStamped


class Method(models.TextChoices):
    BANK = "bank", _("Into a bank account")
    POST = "post", _("At the post office")
    HOME = "home", _("In cash at home")


class PaymentMethodQuerySet(DatedQuerySet):
    """A child's payment method is the child's data: whoever sees the child, and the commune whose
    allowance files hold the child (after a move too)."""

    def visible_to(self, user):
        from haven.entitlements.models import Entitlement
        from haven.people.models import Child

        return self.filter(
            Q(child__in=Child.objects.visible_to(user).values("pk"))
            | Q(child__in=Entitlement.objects.visible_to(user).values("child"))
        )


class PaymentMethod(Dated, TimeStamped):
    """Who receives a child's allowance and how, from ``valid_from`` (a change is a new row)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="payment_methods")
    method = models.CharField(_("how it is paid"), max_length=8, choices=Method.choices)
    receiver_name = models.CharField(
        _("who receives it"),
        max_length=150,
        help_text=_("The carer who receives the allowance for the child, as on the identity card."),
    )
    institution = models.CharField(
        _("bank or post office"),
        max_length=150,
        blank=True,
        help_text=_("The bank and branch, or the post office where it is collected."),
    )
    # A bank account number is kept encrypted, as the PIN is: a copy of the database does not show it.
    account_number = EncryptedTextField(_("account number"), max_length=30, blank=True)
    address = EncryptedTextField(
        _("address where the cash is brought"),
        max_length=300,
        blank=True,
        help_text=_("For a payment at home: the carer's address, as the provider's staff will find it."),
    )
    reason = models.CharField(_("why at home"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = PaymentMethodQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment method")
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(valid_to__isnull=True), name="one_payment_method_in_force"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="payment_method_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} — {self.receiver_name}"

    @property
    def account_masked(self) -> str:
        number = self.account_number or ""
        return f"…{number[-4:]}" if len(number) > 4 else number

    @property
    def where(self) -> str:
        """The account, the counter or the address, as a list shows it (the account masked)."""
        if self.method == Method.BANK:
            return " ".join(x for x in (self.institution, self.account_masked) if x)
        if self.method == Method.POST:
            return self.institution
        return self.address


class Outcome(models.TextChoices):
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Not paid: the payment failed")
    RETURNED = "returned", _("Returned: not collected")


class ReturnQuerySet(models.QuerySet):
    def visible_to(self, user):
        from haven.entitlements.models import PayrollRun

        return self.filter(run__in=PayrollRun.objects.visible_to(user).values("pk"))


class ProviderReturn(TimeStamped):
    """One return file of the payment provider for one payroll, imported whole or not at all."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey("entitlements.PayrollRun", on_delete=models.PROTECT, related_name="returns")
    file_name = models.CharField(_("file"), max_length=200)
    # The file's SHA-256: the same file imported again is recognised.
    digest = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    recorded = models.PositiveIntegerField(_("lines confirmed"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ReturnQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider's return file")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class Confirmation(models.Model):
    """What the provider says of one line: paid (on a day, an amount), failed or returned (with the
    provider's reason). One per line, never changed: a payment paid again is a new line (a reissue)."""

    line = models.OneToOneField(
        "entitlements.PaymentLine", on_delete=models.PROTECT, related_name="confirmation"
    )
    provider_return = models.ForeignKey(
        ProviderReturn, on_delete=models.PROTECT, related_name="confirmations"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    on = models.DateField(_("on"))
    amount = models.IntegerField(_("amount paid (đồng)"))
    reason = models.CharField(_("provider's note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("provider's confirmation")

    def __str__(self) -> str:
        return f"{self.line_id} {self.outcome}"
