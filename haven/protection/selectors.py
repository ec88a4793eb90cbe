"""Reads on child-protection cases and referrals; each starts from visible_to(user) or, for a
referral's receiver, from the referrals addressed to the user's organisations — and is audited."""

from __future__ import annotations

from django.db.models import Case, QuerySet, When

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, can, granting, memberships, reaching, require
from haven.accounts.models import User
from haven.audit.services import record
from haven.deadlines.models import Obligation
from haven.protection import services, workflow
from haven.protection.models import ProtectionCase, Referral, ReferralStatus, Transfer, TransferStatus


def cases_visible(user: User) -> QuerySet[ProtectionCase]:
    return ProtectionCase.objects.visible_to(user).select_related(
        "child", "incident_commune__parent", "responsible"
    )


def case_for_action(*, user: User, case_id) -> ProtectionCase:
    case = cases_visible(user).filter(pk=case_id).first()
    if case is None:
        raise NotVisible
    return case


def case_for_viewing(*, user: User, case_id) -> ProtectionCase:
    case = case_for_action(user=user, case_id=case_id)
    membership = require(user, Verb.CHILD_VIEW, case.child)
    record(
        actor=user,
        action="child.view",
        obj=case.child,
        organisation=membership.organisation,
        reason="protection_case",
    )
    return case


def informant(*, user: User, case: ProtectionCase) -> dict | None:
    """The informant's identity for the roles that handle reports; None for everyone else."""
    if not can(user, Verb.INFORMANT_VIEW):
        return None
    try:
        membership = require(user, Verb.INFORMANT_VIEW, case.child)
    except NotVisible:
        return None
    found = services.informant_of(case)
    if found:
        record(actor=user, action="protection.informant_view", obj=case, organisation=membership.organisation)
    return found


# The page (and API endpoint) of each row a person takes on the case: Form 02 is one page whatever it
# concludes, the emergency measures one with or without a separation, reopening one either way.
PAGE_OF = {
    **{action: "assess_initial" for action in workflow.FORM_02},
    **{action: "emergency_measures" for action in workflow.EMERGENCY_STEPS},
    **{action: "reopen" for action in workflow.REOPEN},
    "transfer_request": "transfer",
    "transfer_withdraw": "withdraw_transfer",
}
# Rows taken elsewhere than on the case: by a referral's receiver, by the commune a case is offered
# to, or from the known-child box of the case page.
NOT_A_PAGE = {"report", "answer_referral", "transfer_accept", "transfer_refuse", "decide_known_child"}


def actions_for(user: User, case: ProtectionCase) -> list[str]:
    """The steps ``user`` may take on ``case`` now, as the names of their pages, in the table's order:
    the rows open from the case's state to the user's roles, less those with nothing to act on."""
    # Only roles held through a membership that reaches this child (walkthrough D13).
    through = reaching(user, Verb.CHILD_VIEW, case.child)
    # A provincial or Ministry officer takes the commune's steps only where their body stands in for it.
    steps = workflow.STANDING_IN.open_steps(workflow.FLOW, case.state, through, case)
    actions = [a for a in steps if a not in NOT_A_PAGE]
    if not case.separations.filter(ended_at__isnull=True).exists():
        actions = [a for a in actions if a not in ("end_separation", "extend_separation")]
    if "withdraw_referral" in actions and not running_referrals(case).exists():
        actions.remove("withdraw_referral")
    pending = pending_transfer(case) is not None
    if "transfer_request" in actions and pending:
        actions.remove("transfer_request")
    if "transfer_withdraw" in actions and not pending:
        actions.remove("transfer_withdraw")
    # Only the organisation leading the case offers it to another commune, or takes the offer back.
    if not any(m.organisation_id == case.responsible_id for m in through):
        actions = [a for a in actions if a not in ("transfer_request", "transfer_withdraw")]
    return list(dict.fromkeys(PAGE_OF.get(a, a) for a in actions))


def pending_transfer(case: ProtectionCase) -> Transfer | None:
    """The offer of the case to another commune that waits for its answer (at most one)."""
    return case.transfers.filter(status=TransferStatus.PENDING).select_related("to_organisation").first()


def offer_of(*, user: User, case_id) -> Transfer | None:
    """The latest offer of a case to one of the user's communes (the one still waiting first), for the
    link of its answer's deadline: the receiver reaches the offer, never the case, through it."""
    mine = [m.organisation_id for m in granting(user, Verb.CHILD_VIEW) if m.role in workflow.COMMUNE]
    return (
        Transfer.objects.filter(case_id=case_id, to_organisation_id__in=mine)
        .order_by(Case(When(status=TransferStatus.PENDING, then=0), default=1), "-requested_at", "-pk")
        .first()
    )


def running_referrals(case: ProtectionCase) -> QuerySet[Referral]:
    """The services asked of other bodies and not yet done, rejected or withdrawn."""
    return case.referrals.filter(status__in=(ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED))


def obligations_of(case: ProtectionCase) -> QuerySet[Obligation]:
    return (
        Obligation.objects.filter(subject_type=case._meta.label_lower, subject_id=case.pk)
        .select_related("responsible")
        .order_by("status", "due_at")
    )


def receiving(user: User) -> list:
    """The memberships through which ``user`` answers referrals: a role that may see a child, or a
    school's officer (who answers for school support without seeing the case)."""
    return [m for m in memberships(user) if m.role in workflow.REFERRAL_RECEIVERS]


def referrals_received(*, user: User) -> QuerySet[Referral]:
    """Referrals addressed to the user's organisations: the receiver's whole view of those children.
    Only through a role that may see a child (an analyst's or an administrator's membership never)."""
    mine = [m.organisation_id for m in receiving(user)]
    return (
        Referral.objects.filter(to_organisation_id__in=mine)
        .select_related("case__child", "from_organisation")
        .order_by("-requested_at")
    )


def referral_for_receiver(*, user: User, referral_id) -> Referral:
    referral = referrals_received(user=user).filter(pk=referral_id).first()
    if referral is None:
        raise NotVisible
    membership = next(m for m in receiving(user) if m.organisation_id == referral.to_organisation_id)
    record(
        actor=user,
        action="child.view",
        obj=referral.case.child,
        organisation=membership.organisation,
        reason="referral",
    )
    return referral


def transfer_to_answer(*, user: User, transfer_id) -> Transfer:
    """A case offered to one of the user's communes. The receiving commune answers before it may see
    the case, so this starts from the transfers addressed to it; the showing is audited."""
    mine = [m.organisation_id for m in granting(user, Verb.CHILD_VIEW) if m.role in workflow.COMMUNE]
    transfer = (
        Transfer.objects.filter(pk=transfer_id, to_organisation_id__in=mine)
        .select_related("case__child", "case__incident_commune", "from_organisation")
        .first()
    )
    if transfer is None:
        raise NotVisible
    membership = next(m for m in memberships(user) if m.organisation_id == transfer.to_organisation_id)
    record(
        actor=user,
        action="child.view",
        obj=transfer.case.child,
        organisation=membership.organisation,
        reason="transfer",
    )
    return transfer


def cases_of_child(user: User, child) -> list:
    """The child's protection cases, for the child's page, those the user sees (people/cases.py)."""
    from django.utils.translation import gettext as _

    from haven.core import clock
    from haven.people.cases import CaseLink

    return [
        CaseLink(
            _("Child protection"),
            f"/protection/{case.pk}/",
            case.get_state_display(),
            clock.localdate(case.received_at),
        )
        for case in ProtectionCase.objects.visible_to(user).filter(child=child).order_by("-received_at")
    ]
