"""Every write of entitlements, by sub-domain: the rules as dated data (rules.py) and the procedure
that starts, adjusts, stops and continues an allowance (applications.py). Each service is
keyword-only, typed, takes the acting user, and is atomic and audited; the procedure's steps fire the
table of workflow.py on the one workflow engine."""

from haven.entitlements.services.applications import (
    application_apply,
    application_decide,
    application_dismiss,
    application_refuse,
    application_take_up,
    application_verify,
    entitlement_change,
    entitlement_move,
    facts_of,
    running,
)
from haven.entitlements.services.health import health_card_record, under_six_card_end
from haven.entitlements.services.payees import payment_method_set
from haven.entitlements.services.payroll import (
    payroll_approve,
    payroll_open_due,
    payroll_prepare,
    payroll_send,
)
from haven.entitlements.services.provider import provider_return_import
from haven.entitlements.services.rules import (
    may_change,
    parameter_add,
    parameter_change,
    rule_add,
    rule_change,
    rules_membership,
)

__all__ = [
    "application_apply",
    "application_decide",
    "application_dismiss",
    "application_refuse",
    "application_take_up",
    "application_verify",
    "entitlement_change",
    "entitlement_move",
    "facts_of",
    "health_card_record",
    "may_change",
    "parameter_add",
    "parameter_change",
    "payment_method_set",
    "payroll_approve",
    "payroll_open_due",
    "payroll_prepare",
    "payroll_send",
    "provider_return_import",
    "rule_add",
    "rule_change",
    "rules_membership",
    "running",
    "under_six_card_end",
]
