"""The steps of an alternative-care family (Decree 56/2017 art. 41; Circular 14/2020 Forms 08, 11, 12):
registration, verification, the chairman's decision, the handover within 15 working days, and the
quarterly update of the register. Each is a row of the family table (care/workflow/) fired on the
one engine; this module adds each step's own writes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import NotVisible, require
from haven.accounts.models import Organisation, User
from haven.areas.models import Area
from haven.audit.services import record
from haven.care import families as register
from haven.care import workflow
from haven.care.models import CareFamily, CareForm, FamilyKind, Placement, RegisterUpdate
from haven.care.services.common import required
from haven.care.services.placements import placement_from_decision
from haven.core import clock
from haven.deadlines.services import obligation_open, obligations_close
from haven.people import rules as names
from haven.people.models import Child
from haven.workflow.engine import Firing

FLOW = workflow.FAMILIES


@transaction.atomic
def family_register(
    *,
    actor: User,
    commune: Area,
    kind: str,
    applicant_name: str,
    applicant_born_on: dt.date,
    address: str,
    household: str,
    economic_conditions: str,
    housing: str,
    household_consent: bool,
    no_abuse_record: bool,
    phone: str = "",
    health_certificate_on: dt.date | None = None,
    relative_of: Child | None = None,
    relationship: str = "",
) -> CareFamily:
    """Form 08 (non-kin) or the relative's notification (Law on Children art. 65(4)) at the commune."""
    kin = kind == FamilyKind.KIN
    family = CareFamily(
        commune=commune,
        kind=kind,
        applicant_name=(applicant_name or "").strip(),
        applicant_born_on=applicant_born_on,
        address=(address or "").strip(),
        household=household.strip(),
        economic_conditions=economic_conditions.strip(),
        housing=housing.strip(),
        health_certificate_on=health_certificate_on,
        household_consent=household_consent,
        no_abuse_record=no_abuse_record,
        relative_of=relative_of if kin else None,
        relationship=relationship.strip() if kin else "",
        registered_by=actor,
    )

    def effect(firing: Firing) -> CareFamily:
        wanted = {
            "applicant_name": (family.applicant_name, _("Give the applicant's name.")),
            "address": (family.address, _("Give the address.")),
        }
        if kin:
            wanted["relationship"] = (family.relationship, _("Say how they are related."))
        errors = {
            name: ValidationError(message, code="required")
            for name, (value, message) in wanted.items()
            if not value
        }
        if kin and relative_of is None:
            errors["relative_of"] = ValidationError(
                _("Choose the child whose relative this is."), code="required"
            )
        try:
            family.phone = names.clean_phone(phone, field="phone")
        except ValidationError as error:
            errors.update(error.error_dict)
        try:
            names.check_names(applicant_name=family.applicant_name)  # an empty one is said above
        except ValidationError as error:
            errors.update(error.error_dict)
        if errors:
            raise ValidationError(errors)
        if kin:
            require(actor, Verb.CHILD_VIEW, relative_of)
        family.save(force_insert=True)
        register_update_open(commune)
        return family

    return FLOW.fire(
        family,
        "family_register",
        actor=actor,
        created=True,
        inputs={
            "kind": kind,
            "applicant_born_on": applicant_born_on,
            "health_certificate_on": health_certificate_on,
            "household_consent": household_consent,
            "no_abuse_record": no_abuse_record,
        },
        effect=effect,
    )


@transaction.atomic
def family_verify(*, actor: User, family: CareFamily, eligible: bool, note: str) -> CareFamily:
    """Form 11: the commune's child-protection officer verifies the conditions at the home. The chairman
    is told Form 12 is his; a family found not eligible leaves the register."""

    def effect(firing: Firing) -> CareFamily:
        family.verification_note = required("note", note, _("Summarise the verification."))
        family.verified_on, family.verified_by = clock.today(), actor
        family.save(update_fields=["verification_note", "verified_on", "verified_by", "updated_at"])
        firing.note = family.verification_note
        firing.data["eligible"] = eligible
        if eligible and family.relative_of_id is None:
            # Form 12 waits on the chairman's task list only for a relative of a known child: the
            # child waits for that decision alone (walkthrough D14).
            firing.opens = ()
        if not eligible:
            # The open quarterly update may have nothing left to review.
            firing.then.append(lambda: _settle_open_update(actor, firing.organisation, family.commune_id))
        return family

    return FLOW.fire(
        family, "family_verify" if eligible else "family_not_eligible", actor=actor, effect=effect
    )


@transaction.atomic
def family_decide(
    *, actor: User, family: CareFamily, child: Child | None, decision_number: str
) -> CareFamily:
    """Form 12: the commune chairman (of the caregiver's residence) decides to hand the child over;
    the handover is due within 15 working days, and the officer is told to arrange it. A child the
    chairman may not give to the family (None: an id that names no child) is not found."""
    # The child's row first, then the family's (locked by the engine): two decisions for one child wait
    # for each other.
    if child is None:
        raise NotVisible
    child = Child.objects.select_for_update().get(pk=child.pk)
    if not register.decidable_children(actor, family).filter(pk=child.pk).exists():
        raise NotVisible

    def effect(firing: Firing) -> CareFamily:
        family.decision_number = names.clean_reference(
            required("decision_number", decision_number, _("Give the number of the decision.")),
            field="decision_number",
        )
        family.decided_child, family.decided_on, family.decided_by = child, clock.today(), actor
        family.handed_over_on = None
        family.withdrawn_on, family.withdrawn_by, family.withdrawal_reason = None, None, ""
        family.save(
            update_fields=[
                "decision_number",
                "decided_child",
                "decided_on",
                "decided_by",
                "handed_over_on",
                "withdrawn_on",
                "withdrawn_by",
                "withdrawal_reason",
                "updated_at",
            ]
        )
        firing.note = family.decision_number
        firing.data["decision"] = family.decision_number
        return family

    return FLOW.fire(family, "family_decide", actor=actor, inputs={"child": child}, effect=effect)


def _withdrawal_row(family: CareFamily) -> str:
    """The row that takes the family back to where it was before it was chosen: still caring for a
    child (a sibling's family), its care ended, or verified and never yet caring."""
    placements = Placement.objects.filter(family=family)
    if placements.filter(ended_on__isnull=True).exists():
        return "family_withdraw_caring"
    if placements.exists():
        return "family_withdraw_ended"
    return "family_withdraw"


@transaction.atomic
def family_withdraw(*, actor: User, family: CareFamily, reason: str) -> CareFamily:
    """The commune chairman who decided, or the province above the commune, withdraws a Form 12
    decision before the handover, with the reason in writing: the handover is no longer due (its clock
    stops as not needed), the commune (which tells the family) and the facility holding the child are
    told, and the child may be given another family or another decision. The decision stays on record,
    marked withdrawn."""
    FLOW.lock(family)
    child = family.decided_child

    def effect(firing: Firing) -> CareFamily:
        why = required("reason", reason, _("Say why the decision is withdrawn."))
        family.withdrawn_on, family.withdrawn_by, family.withdrawal_reason = clock.today(), actor, why[:300]
        family.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_reason", "updated_at"])
        firing.note = f"{family.decision_number}: {family.withdrawal_reason}"
        firing.data.update({"decision": family.decision_number, "child": str(child.pk) if child else None})
        return family

    return FLOW.fire(family, _withdrawal_row(family), actor=actor, inputs={"child": child}, effect=effect)


@transaction.atomic
def family_handover(*, actor: User, family: CareFamily) -> Placement:
    """The child is handed to the family: the family placement starts today and any facility placement
    ends (its clocks stop, the facility is told); the commune follows the family every 6 months."""

    def effect(firing: Firing) -> Placement:
        placement = placement_from_decision(
            actor=actor,
            membership=firing.membership,
            child=family.decided_child,
            form=CareForm.KIN if family.kind == FamilyKind.KIN else CareForm.FOSTER,
            carer_name=family.applicant_name,
            reason=_("Decision %(number)s (Form 12)") % {"number": family.decision_number},
            family=family,
        )
        family.handed_over_on = clock.today()
        family.save(update_fields=["handed_over_on", "updated_at"])
        firing.data["placement"] = str(placement.pk)
        return placement

    return FLOW.fire(family, "family_handover", actor=actor, effect=effect)


def family_give(
    *, actor: User, membership, family: CareFamily, child: Child, number: str, on: dt.date
) -> None:
    """A Form 16 decision gives the child to the family (care/services/decisions.py decides)."""

    def effect(firing: Firing) -> None:
        family.decided_child, family.decision_number = child, number
        family.decided_on, family.decided_by, family.handed_over_on = clock.today(), actor, on
        family.save(
            update_fields=[
                "decided_child",
                "decision_number",
                "decided_on",
                "decided_by",
                "handed_over_on",
                "updated_at",
            ]
        )
        firing.note = number

    FLOW.fire(
        family, "family_give", actor=actor, membership=membership, inputs={"child": child}, effect=effect
    )


# --- The quarterly update of the register (Decree 56/2017 art. 41; vietnam-process.md §3.4 B2) -------


def register_update_open(commune: Area) -> RegisterUpdate:
    """The commune's open quarterly update, opened (with its clock) if there is none."""
    from haven.accounts.selectors import authority_for

    # Two first registrations in a commune at once would both find no open update: the commune's row
    # is locked first, so the second waits and finds the first one's.
    Area.objects.select_for_update().filter(pk=commune.pk).first()
    update = (
        RegisterUpdate.objects.select_for_update().filter(commune=commune, completed_on__isnull=True).first()
    )
    if update is not None:
        return update
    update = RegisterUpdate.objects.create(commune=commune, opened_on=clock.today())
    obligation_open(
        rule_code="care.register_update", subject=update, child=None, responsible=authority_for(commune)
    )
    return update


@transaction.atomic
def family_review(*, actor: User, family: CareFamily, keep: bool, reason: str = "") -> CareFamily:
    """The quarterly update: the commune confirms a family is still willing and able, or removes it
    from the register with the reason (a family caring for a child, or chosen for one, is removed only
    once that care has ended by decision, Form 16). When every family of the register has been
    reviewed, the quarter's update is done (its clock met) and the next quarter's opens."""

    def effect(firing: Firing) -> CareFamily:
        update = register_update_open(family.commune)
        today = clock.today()
        if keep:
            family.confirmed_on = today
            update.confirmed += 1
            fields = ["confirmed_on"]
        else:
            why = required("reason", reason, _("Say why the family is removed."))
            family.removed_on, family.removal_reason = today, why[:300]
            update.removed += 1
            fields = ["removed_on", "removal_reason"]
            firing.note = why
        family.confirmed_in = update
        family.save(update_fields=[*fields, "confirmed_in", "updated_at"])
        update.save(update_fields=["confirmed", "removed", "updated_at"])
        firing.data["update"] = str(update.pk)
        firing.then.append(lambda: _register_settle(actor, firing.organisation, update))
        return family

    return FLOW.fire(family, "family_confirm" if keep else "family_remove", actor=actor, effect=effect)


def _settle_open_update(actor: User, organisation: Organisation, commune_id: int) -> None:
    update = (
        RegisterUpdate.objects.select_for_update()
        .filter(commune=commune_id, completed_on__isnull=True)
        .first()
    )
    if update is not None:
        _register_settle(actor, organisation, update)


def _register_settle(actor: User, organisation: Organisation, update: RegisterUpdate) -> None:
    """The quarter's update is done when no family of the register is left to review — whether the
    last one was confirmed or removed, or left the register otherwise (found not eligible, Form 11):
    its clock is met, and the next quarter's opens while the register has families."""
    if update.completed_on is not None or register.register_pending(update).exists():
        return
    update.completed_on, update.completed_by = clock.today(), actor
    update.save(update_fields=["completed_on", "completed_by", "updated_at"])
    obligations_close(subject=update, rules=["care.register_update"], actor=actor)
    record(
        actor=actor,
        action="care.register_update",
        obj=update,
        organisation=organisation,
        data={"confirmed": update.confirmed, "removed": update.removed},
    )
    if CareFamily.objects.filter(commune=update.commune_id, state__in=register.ON_REGISTER).exists():
        register_update_open(update.commune)
