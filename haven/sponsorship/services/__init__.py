"""Every write of the sponsorship domain (split by sub-domain, as entitlements' services are)."""

from haven.sponsorship.services.confirmation import carer_confirm, code_resend, disbursement_confirm
from haven.sponsorship.services.ledger import (
    campaign_create,
    correction_record,
    entry_record,
    figures,
)
from haven.sponsorship.services.publication import publish
from haven.sponsorship.services.sponsorships import (
    candidates,
    consent_record,
    contact_approve,
    exit_plan_record,
    message_send,
    programme_create,
    sponsor_register,
    sponsorship_decline,
    sponsorship_end,
    sponsorship_match,
    sponsorship_offer,
    vetting_approve,
    vetting_record,
    visit_decide,
    visit_done,
    visit_request,
)
from haven.sponsorship.services.statements import statement_import

__all__ = [
    "campaign_create",
    "candidates",
    "carer_confirm",
    "code_resend",
    "consent_record",
    "contact_approve",
    "correction_record",
    "disbursement_confirm",
    "entry_record",
    "exit_plan_record",
    "figures",
    "message_send",
    "programme_create",
    "publish",
    "sponsor_register",
    "sponsorship_decline",
    "sponsorship_end",
    "sponsorship_match",
    "sponsorship_offer",
    "statement_import",
    "vetting_approve",
    "vetting_record",
    "visit_decide",
    "visit_done",
    "visit_request",
]
