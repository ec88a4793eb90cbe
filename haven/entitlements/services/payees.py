"""How a child's allowance is paid (Decree 20/2021/NĐ-CP art. 34: into a bank account, at the
provider's counter, or in cash at home for those who cannot come). A change is a new method from a
date; the one it replaces ends that day, so a payroll line keeps the method it was sent with."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.scoping import NotVisible
from haven.accounts.models import User
from haven.audit.services import record
from haven.core import clock, dated
from haven.core.errors import Problems
from haven.entitlements import workflow
from haven.entitlements.models import Entitlement, Method, PaymentMethod
from haven.people.models import Child
from haven.people.rules import name_problem

ACCOUNT = re.compile(r"^[0-9]{6,20}$")


def paying_commune(child: Child):
    """The commune that pays the child's allowance (its running period), else the child's own."""
    current = Entitlement.objects.filter(child=child, until_month=None).select_related("commune").first()
    return current.commune if current is not None else child.current_commune


@transaction.atomic
def payment_method_set(
    *,
    actor: User,
    child: Child,
    method: str,
    receiver_name: str,
    valid_from: dt.date,
    institution: str = "",
    account_number: str = "",
    address: str = "",
    reason: str = "",
) -> PaymentMethod:
    """Record how the child's allowance is paid from ``valid_from``: the commune that pays (its
    officer, or the body standing in for it) records it. The account number is kept encrypted and
    never written into the audit trail."""
    membership = workflow.acting_for(actor, child, paying_commune(child), workflow.PREPARERS)
    if membership is None:
        raise NotVisible
    receiver_name, institution = (receiver_name or "").strip(), (institution or "").strip()
    account_number = re.sub(r"[\s.-]", "", account_number or "")
    address, reason = (address or "").strip(), (reason or "").strip()
    problems = Problems()
    if method not in Method.values:
        problems.add("method", _("Choose how the allowance is paid."), "required")
    if not receiver_name:
        problems.add("receiver_name", _("Give the name of the person who receives the money."), "required")
    elif problem := name_problem(receiver_name):
        problems.add("receiver_name", problem[0], problem[1])
    if method == Method.BANK:
        if not institution:
            problems.add("institution", _("Give the bank and its branch."), "required")
        if not ACCOUNT.match(account_number):
            problems.add("account_number", _("An account number has 6 to 20 digits."), "bad_account")
    elif method == Method.POST and not institution:
        problems.add("institution", _("Give the post office where the money is collected."), "required")
    elif method == Method.HOME:
        if not address:
            problems.add("address", _("Give the address where the money is brought."), "required")
        if not reason:
            # Decree 20/2021 art. 34: the provider pays at home for those who cannot come.
            problems.add(
                "reason",
                _("Say why the money is brought home (old age, illness, disability...)."),
                "required",
            )
    today = clock.today()
    if valid_from is None:
        problems.add("valid_from", _("Give the day it applies from."), "required")
    elif valid_from > today + dt.timedelta(days=366):
        problems.add("valid_from", _("This date is too far in the future."), "date_too_far")
    current = PaymentMethod.objects.select_for_update().filter(child=child, valid_to__isnull=True).first()
    if current is not None and valid_from is not None and valid_from <= current.valid_from:
        problems.add(
            "valid_from",
            _("The method in force applies from %(day)s: a change applies from a later day.")
            % {"day": current.valid_from.strftime("%d/%m/%Y")},
            "before_current",
        )
    problems.raise_any()
    if current is not None:
        dated.end(current, valid_from)
    found = PaymentMethod.objects.create(
        child=child,
        method=method,
        receiver_name=receiver_name,
        institution=institution if method != Method.HOME else "",
        account_number=account_number if method == Method.BANK else "",
        address=address if method == Method.HOME else "",
        reason=reason if method == Method.HOME else "",
        valid_from=valid_from,
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="entitlement.payee_set",
        obj=found,
        child=child,
        organisation=membership.organisation,
        data={
            "method": method,
            "from": valid_from.isoformat(),
            "replaces": str(current.pk) if current else "",
        },
    )
    return found
