"""Every reference to an organisation in Haven's data is either open work that a holding hands to the
organisation that takes over (accounts/holdings.py), or a fact of the past (who reported, who decided,
who took a step) that stays with the body that did it. A new reference must be put in one of the two
here, so no domain can add open work that stays behind with a closed organisation."""

from __future__ import annotations

from django.apps import apps

from haven.accounts.holdings import HOLDINGS
from haven.accounts.models import Organisation

# (model, field) → the holding that moves it, or None: a fact of the past, kept as it was.
REFERENCES: dict[tuple[str, str], str | None] = {
    ("accounts.membership", "organisation"): None,  # ended, or moved by the merger itself
    ("audit.auditevent", "organisation"): None,
    ("people.involvement", "organisation"): "people.involvements",
    ("deadlines.obligation", "responsible"): "deadlines.obligations",
    ("deadlines.escalation", "to_organisation"): None,
    ("notifications.notification", "organisation"): "notifications.unread",
    ("foundlings.foundlingcase", "reporting_organisation"): None,
    ("foundlings.foundlingcase", "responsible"): "foundling.cases",
    ("foundlings.step", "organisation"): None,
    ("foundlings.healthscreening", "organisation"): None,
    ("foundlings.discoveryrecord", "organisation"): None,
    ("foundlings.handover", "from_organisation"): None,
    ("foundlings.handover", "to_organisation"): "foundling.handovers",
    ("foundlings.birthregistration", "organisation"): None,
    ("protection.protectioncase", "receiving_organisation"): None,
    ("protection.protectioncase", "responsible"): "protection.cases",
    ("protection.step", "organisation"): None,
    ("protection.referral", "from_organisation"): None,
    ("protection.referral", "to_organisation"): "protection.referrals",
    ("protection.transfer", "from_organisation"): None,
    ("protection.transfer", "to_organisation"): "protection.transfers",
    ("prevention.atriskperson", "reported_by_organisation"): None,
    ("prevention.atriskperson", "collaborator_organisation"): "prevention.chapter",
    ("prevention.atriskperson", "responsible"): "prevention.people",
    ("prevention.step", "organisation"): None,
    ("prevention.support", "to_organisation"): "prevention.supports",
    # A facility's profile stays with it; its children move only by a decision on each (Form 16).
    ("care.facility", "organisation"): "people.placed",
    ("care.placementstep", "organisation"): None,
    ("care.familystep", "organisation"): None,
    ("care.inspection", "organisation"): None,
    ("care.carechangedecision", "organisation"): None,
    ("care.decisionstep", "organisation"): None,
    ("entitlements.application", "applicant_organisation"): None,
    ("entitlements.step", "organisation"): None,
    ("entitlements.payrollstep", "organisation"): None,
    ("sponsorship.programme", "organiser"): "sponsorship.programmes",
    ("sponsorship.sponsor", "organisation"): None,  # who the sponsor is; the programme carries the work
    ("sponsorship.sponsorshipstep", "organisation"): None,
    ("sponsorship.campaign", "organiser"): "sponsorship.campaigns",
    ("sponsorship.entry", "organisation"): None,  # published on the ledger: never rewritten
    # A school's profile stays with it; this year's pupils go to the school that takes over.
    ("education.school", "organisation"): "education.pupils",
    ("education.enrolment", "requested_by"): None,
    ("education.enrolmentstep", "organisation"): None,
    ("population.registerrequest", "organisation"): "population.requests",
    ("complaints.complaint", "responsible"): "complaints.first",
    ("complaints.complaint", "appeal_responsible"): "complaints.second",
    ("complaints.step", "organisation"): None,
    ("reports.reportstep", "organisation"): None,
    ("reports.urgingstep", "organisation"): None,
}


def references() -> set[tuple[str, str]]:
    return {
        (model._meta.label_lower, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is Organisation
    }


def test_every_reference_to_an_organisation_is_open_work_handed_over_or_a_fact_of_the_past():
    found = references()
    assert found - set(REFERENCES) == set(), "say whether these are open work or facts of the past"
    assert set(REFERENCES) - found == set(), "these references are gone: remove them here"
    assert {code for code in REFERENCES.values() if code} <= set(HOLDINGS)
