"""The alternative-care family as a table (Decree 56/2017 art. 41; Circular 14/2020 Forms 08, 11, 12;
Law on Children art. 64): registered → verified or not eligible → chosen for a child (Form 12) →
handed the child → its care ended; confirmed or removed at the quarterly update of the register."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import Membership, Role, User
from haven.accounts.selectors import authority_for
from haven.care import families as register
from haven.care.models import CareFamily, FamilyStatus, Placement
from haven.care.workflow.roles import CHAIRMAN, COMMUNE, DECIDERS, OFFICER
from haven.core.errors import Refused
from haven.workflow.engine import SYSTEM, Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard

F = FamilyStatus
R = Role
ON_REGISTER = frozenset(register.ON_REGISTER)
# A family that has taken a child may be chosen again, for a sibling (siblings stay together), and one
# whose care has ended may be chosen again.
CHOOSABLE = frozenset({F.VERIFIED, F.HANDED_OVER, F.ENDED})
NOT_CHOSEN = gettext_lazy("Only a verified family can be chosen.")
NOT_ON_REGISTER = gettext_lazy("This family is not on the register.")
NO_DECISION = gettext_lazy("No decision (Form 12) of this family awaits the handover.")
# Who withdraws a Form 12 decision before the handover: the commune chairman who took it, or the
# province (the provincial Department of Health) above the commune.
WITHDRAWERS = frozenset({R.COMMUNE_CHAIRMAN, R.PROVINCIAL_OFFICER})
# The state a family chosen by Form 12 goes back to when the decision is withdrawn, by row: it was
# verified, it still cares for a sibling, or its care had ended.
WITHDRAWN_BACK_TO = {
    "family_withdraw": F.VERIFIED,
    "family_withdraw_caring": F.HANDED_OVER,
    "family_withdraw_ended": F.ENDED,
}
IN_CARE = gettext_lazy(
    "This family has been chosen for a child or cares for one: end the care by decision (Form 16) first."
)


@guard(
    "care.family_conditions",
    "The family meets the conditions of Law on Children art. 64 and Decree 56/2017 art. 41.",
)
def family_conditions(firing: Firing) -> None:
    from django.core.exceptions import ValidationError

    i = firing.inputs
    failed = register.conditions(
        kind=i["kind"],
        applicant_born_on=i.get("applicant_born_on"),
        health_certificate_on=i.get("health_certificate_on"),
        consent=i.get("household_consent", False),
        clean=i.get("no_abuse_record", False),
    )
    if failed:
        raise ValidationError(
            {name: ValidationError(message, code="condition_failed") for name, message in failed}
        )


@guard("care.one_family_per_child", "No other family has been chosen for the child or has taken it.")
def one_family_per_child(firing: Firing) -> None:
    child, family = firing.inputs["child"], firing.subject
    if (
        CareFamily.objects.filter(decided_child=child, state=F.CHOSEN).exclude(pk=family.pk).exists()
        or Placement.objects.filter(child=child, ended_on__isnull=True, family__isnull=False).exists()
    ):
        raise Refused(
            _("Another family has already been chosen for this child or has taken the child."),
            code="already_chosen",
        )


@guard(
    "care.family_fits_child",
    "A caregiver who is not a relative is at least 20 years older than the child; relatives are the "
    "child's (or a sibling's) (Law on Children art. 64).",
)
def family_fits_child(firing: Firing) -> None:
    reasons = register.family_refusals(firing.subject, firing.inputs["child"])
    if reasons:
        raise Refused(" ".join(reasons), code="condition_failed")


@guard(
    "care.child_not_with_another_family",
    "The child has not meanwhile been given to another family (Law on Children art. 69; Form 16).",
)
def child_not_with_another_family(firing: Firing) -> None:
    family = firing.subject
    if (
        Placement.objects.filter(child=family.decided_child_id, ended_on__isnull=True, family__isnull=False)
        .exclude(family=family)
        .exists()
    ):
        raise Refused(
            _("Another family has already been chosen for this child or has taken the child."),
            code="already_chosen",
        )


@guard("care.not_reviewed_this_quarter", "The family has not been reviewed in this quarter's update yet.")
def not_reviewed_this_quarter(firing: Firing) -> None:
    from haven.care.models import RegisterUpdate

    family = firing.subject
    update = RegisterUpdate.objects.filter(commune=family.commune_id, completed_on__isnull=True).first()
    if update is not None and family.confirmed_in_id == update.pk:
        raise Refused(_("This family has already been reviewed this quarter."), code="unchanged")


def _commune_of(firing: Firing):
    return authority_for(firing.subject.commune)


def _withdrawn(firing: Firing) -> str:
    return _(
        "The decision (Form 12) to hand a child to family %(name)s was withdrawn: the child is not handed "
        "over. Tell the family in writing."
    ) % {"name": firing.subject.applicant_name}


def _facility_holding(firing: Firing):
    """The facility where the child chosen by Form 12 now lives: it prepares the handover."""
    current = (
        Placement.objects.filter(child=firing.inputs["child"], ended_on__isnull=True, group__isnull=False)
        .select_related("group__home__facility__organisation")
        .first()
    )
    return current.group.home.facility.organisation if current else None


FAMILY_TRANSITIONS: dict[str, Transition] = {
    # Decree 56/2017 art. 41, Form 08; a relative notifies the commune (Law on Children art. 65(4)).
    "family_register": Transition(
        frozenset(),
        F.REGISTERED,
        OFFICER,
        gettext_lazy("Register a family (Form 08 or a relative's notification)"),
        guards=("care.family_conditions",),
    ),
    # Form 11: the commune's child-protection officer verifies the conditions at the home; the
    # chairman decides next (Form 12).
    "family_verify": Transition(
        frozenset({F.REGISTERED}),
        F.VERIFIED,
        OFFICER,
        gettext_lazy("Verify the family (Form 11)"),
        # The chairman decides a verified relative's Form 12 within 5 working days (the family's
        # service sets no clock for a family with no child waiting).
        opens=("care.family_decision",),
        refused={s: gettext_lazy("This family has already been verified.") for s in F if s != F.REGISTERED},
        tells=(
            Tell(
                lambda f: (
                    _("Form 11 done for %(family)s: the commune chairman decides the handover (Form 12)")
                    % {"family": f.subject.applicant_name}
                ),
                to=_commune_of,
            ),
        ),
    ),
    "family_not_eligible": Transition(
        frozenset({F.REGISTERED}),
        F.NOT_ELIGIBLE,
        OFFICER,
        gettext_lazy("Find the family not eligible (Form 11)"),
        refused={s: gettext_lazy("This family has already been verified.") for s in F if s != F.REGISTERED},
    ),
    # Form 12: the chairman of the commune where the family lives decides; the handover is due within
    # 15 working days; the officer arranges it and the facility holding the child prepares it.
    "family_decide": Transition(
        CHOOSABLE,
        F.CHOSEN,
        CHAIRMAN,
        gettext_lazy("Decide to hand a child to this family (Form 12)"),
        guards=("care.one_family_per_child", "care.family_fits_child", "child_heard"),
        closes=("care.family_decision",),
        opens=("care.handover",),
        refused={s: NOT_CHOSEN for s in F if s not in CHOOSABLE},
        tells=(
            Tell(
                lambda f: (
                    _(
                        "The chairman chose family %(name)s for a child (Form 12): hand the child over "
                        "within 15 working days"
                    )
                    % {"name": f.subject.applicant_name}
                ),
                to=_commune_of,
            ),
            Tell(
                gettext_lazy(
                    "A family was chosen for a child of your facility (Form 12): prepare the handover"
                ),
                to=_facility_holding,
            ),
        ),
    ),
    "family_handover": Transition(
        frozenset({F.CHOSEN}),
        F.HANDED_OVER,
        COMMUNE,
        gettext_lazy("Hand the child over"),
        guards=("care.child_not_with_another_family",),
        closes=("care.handover",),
        refused={s: gettext_lazy("The chairman has not chosen this family for a child.") for s in F},
        confirm=gettext_lazy(
            "The child's current care ends today and the family's begins; the commune visits the family "
            "at least every 6 months."
        ),
    ),
    # A Form 12 decision not yet carried out may be withdrawn by the body that took it (the commune
    # chairman) or the province above it (the provincial Department of Health), in writing with the
    # reason (services.family_withdraw). Haven's reading: the rule book sets the handover within 15
    # working days of the decision and names no procedure for a decision that cannot or should not be
    # carried out; Form 16 (Law on Children art. 69; Decree 56/2017 art. 48(2)) ends care that has
    # begun, and before the handover there is none. The handover clock stops as no longer needed
    # (never as met), and the child may be given another family or another decision. The family goes
    # back to where it was before it was chosen: verified, still caring for a sibling, or its care
    # ended — one row for each, the service picks it from the family's placements.
    **{
        action: Transition(
            frozenset({F.CHOSEN}),
            back_to,
            WITHDRAWERS,
            gettext_lazy("Withdraw the decision (Form 12)"),
            cancels=("care.handover",),
            refused={
                F.HANDED_OVER: gettext_lazy(
                    "The child has been handed over to this family: only a decision ending or changing "
                    "the care (Form 16) ends it now."
                ),
                **{s: NO_DECISION for s in F if s not in (F.CHOSEN, F.HANDED_OVER)},
            },
            confirm=gettext_lazy(
                "The decision is withdrawn: the child is not handed to this family, the handover deadline "
                "stops, and the child may be given another family or another decision. The commune tells "
                "the family in writing."
            ),
            tells=(
                Tell(_withdrawn, to=_commune_of),
                Tell(
                    gettext_lazy(
                        "The decision (Form 12) to hand a child of your facility to a family was withdrawn: "
                        "prepare no handover"
                    ),
                    to=_facility_holding,
                ),
            ),
        )
        for action, back_to in WITHDRAWN_BACK_TO.items()
    },
    # Form 16 gives the child to a family directly (Law on Children art. 69).
    "family_give": Transition(
        CHOOSABLE,
        F.HANDED_OVER,
        DECIDERS,
        gettext_lazy("The child is given to the family by decision (Form 16)"),
        guards=("care.family_fits_child",),
        closes=("care.family_decision",),
        refused={s: NOT_CHOSEN for s in F if s not in CHOOSABLE},
    ),
    # The last child the family cared for has left it (Form 16, or the child turned 16).
    "family_care_ended": Transition(
        frozenset({F.HANDED_OVER}), F.ENDED, SYSTEM, gettext_lazy("The family no longer cares for a child")
    ),
    # Decree 56/2017 art. 41: the commune updates its register every quarter.
    "family_confirm": Transition(
        ON_REGISTER,
        None,
        COMMUNE,
        gettext_lazy("Confirm the family on the register"),
        guards=("care.not_reviewed_this_quarter",),
        refused={s: NOT_ON_REGISTER for s in F},
    ),
    "family_remove": Transition(
        frozenset({F.REGISTERED, F.VERIFIED, F.ENDED}),
        F.REMOVED,
        COMMUNE,
        gettext_lazy("Remove the family from the register"),
        guards=("care.not_reviewed_this_quarter",),
        cancels=("care.family_decision",),
        refused={
            F.CHOSEN: IN_CARE,
            F.HANDED_OVER: IN_CARE,
            F.NOT_ELIGIBLE: NOT_ON_REGISTER,
            F.REMOVED: NOT_ON_REGISTER,
        },
    ),
}


def _family_reaches(m: Membership, family: CareFamily, user: User) -> bool:
    """The commune where the family lives registers, verifies and decides (Decree 56/2017 art. 41); the
    province above it (its provincial officer) may withdraw a decision not yet carried out."""
    if m.role == R.PROVINCIAL_OFFICER:
        return m.organisation.area_id == family.commune.parent_id
    return m.organisation.area_id == family.commune_id


FAMILIES = Workflow(
    "care_family",
    model=CareFamily,
    states=FamilyStatus,
    transitions=FAMILY_TRANSITIONS,
    responsible=lambda family, code: authority_for(family.commune),
    reaches=_family_reaches,
    visible=lambda user, family: register.families_visible(user).filter(pk=family.pk).exists(),
    link=lambda family: f"/care/families/{family.pk}/",
    audit_prefix="care",
    title=gettext_lazy("Alternative-care family"),
)
