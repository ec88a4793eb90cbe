"""The allowance procedure as one table on the workflow engine (Decree 20/2021/NĐ-CP art. 7–8 as
amended; from 1 July 2025 the commune chairman decides, Decree 147/2025/NĐ-CP art. 5):

    Haven proposes ──take up──▶ application received ──check the PIN──▶ checked ──decide──▶ decided
        │                         (the carer or the facility applies)         └──refuse──▶ refused
        └──set aside──▶ set aside

A start or a continuation is decided only once the child has been checked against the national
population database; an adjustment or a stop may be decided as soon as it is received. The chairman's
10 working days run from the day the application is received, and escalate when late.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import Membership, Role, User
from haven.accounts.selectors import authority_for
from haven.core import calendar
from haven.core.errors import Refused
from haven.entitlements.models import Application, Kind, PayrollRun, PayrollState, State
from haven.people.models import Child
from haven.workflow.engine import SYSTEM, Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard
from haven.workflow.standing_in import STAND_IN, StandingIn

R = Role
S = State
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
CHAIRMAN = frozenset({R.COMMUNE_CHAIRMAN})
FACILITY = frozenset({R.FACILITY_DIRECTOR, R.FACILITY_SOCIAL_WORKER})
# The commune officer prepares, the chairman decides; where the commune's People's Committee is not in
# Haven yet, the body standing in for it records both (docs/decisions/0014).
PREPARERS = frozenset({*OFFICER, *STAND_IN})
DECIDERS = frozenset({*CHAIRMAN, *STAND_IN})
APPLICANTS = frozenset({*PREPARERS, *FACILITY})
IN_PROGRESS = frozenset({S.RECEIVED, S.VERIFIED})
NEEDS_REGISTER_CHECK = frozenset({Kind.START, Kind.CONTINUE})


def needs_register_check(application: Application) -> bool:
    """A start or a continuation of the monthly allowance is decided on a checked PIN (Decree 147/2025
    art. 5 standardises social assistance with the population database); a pupil's support is not
    social assistance, and a pupil is enrolled without papers."""
    return not application.for_school and application.kind in NEEDS_REGISTER_CHECK


STANDING_IN = StandingIn(
    "entitlement.stands_in",
    commune_of=lambda application: application.commune,
    committee_joined=gettext_lazy(
        "The commune's People's Committee is in Haven: %(authority)s takes this step (Decree 147/2025 "
        "art. 5)."
    ),
    elsewhere=gettext_lazy("%(authority)s stands in for this commune and takes this step."),
)


@guard(
    "entitlement.checked_in_register",
    "A start or a continuation: the child has been checked against the national population database "
    "(Decree 147/2025 art. 5).",
)
def checked_in_register(firing: Firing) -> None:
    application = firing.subject
    if needs_register_check(application) and application.state != S.VERIFIED:
        raise Refused(
            _(
                "Check the child against the national population database first: the chairman decides a "
                "start only on a checked personal identification number (Decree 147/2025 art. 5)."
            ),
            code="not_checked",
        )


@guard("entitlement.decision_given", "The decision's number and date.")
def decision_given(firing: Firing) -> None:
    from django.core.exceptions import ValidationError

    from haven.people.rules import reference_problem

    errors = {}
    number = (firing.inputs.get("decision_number") or "").strip()
    if not number:
        errors["decision_number"] = ValidationError(_("Give the number of the decision."), code="required")
    elif problem := reference_problem(number):
        errors["decision_number"] = ValidationError(problem, code="bad_reference")
    if firing.inputs.get("decided_on") is None:
        errors["decided_on"] = ValidationError(_("Give the date of the decision."), code="required")
    if errors:
        raise ValidationError(errors)


@guard("entitlement.reasons_given", "A refusal is written, with its reasons.")
def reasons_given(firing: Firing) -> None:
    from haven.core.errors import invalid

    if not (firing.inputs.get("reasons") or "").strip():
        raise invalid(
            "reasons", _("Write the reasons for the refusal: the applicant receives them."), "required"
        )
    if firing.inputs.get("decided_on") is None:
        raise invalid("decided_on", _("Give the date of the written reply."), "required")


def _reaches(m: Membership, application: Application, user: User) -> bool:
    """The commune whose chairman decides: its officer and chairman; the body standing in for it (its
    province's department, or the Ministry); a facility for a child it cares for."""
    area = m.organisation.area
    if m.role in OFFICER | CHAIRMAN:
        return area.pk == application.commune_id
    if m.role == R.PROVINCIAL_OFFICER:
        return area.pk == application.commune.parent_id
    if m.role == R.MINISTRY_OFFICER:
        return True
    if m.role in FACILITY:
        from haven.access.scoping import reach

        return application.applicant_organisation_id == m.organisation_id or (
            Child.objects.filter(reach([m]), pk=application.child_id).exists()
        )
    return False


def _commune(firing: Firing):
    return authority_for(firing.subject.commune)


def _chairman_now(firing: Firing):
    """The commune, where the chairman decides next; None where the register check comes first."""
    return None if needs_register_check(firing.subject) else _commune(firing)


def _applicant(firing: Firing):
    return firing.subject.applicant_organisation


TRANSITIONS: dict[str, Transition] = {
    # Haven never pays by itself: a proposal waits for the commune to take it up, and the chairman to
    # decide (Notice 432-TB/VPTW §4.2: children fully enjoy the policies, without having to chase them).
    "propose": Transition(
        frozenset(),
        S.PROPOSED,
        SYSTEM,
        gettext_lazy("Haven proposes"),
        opens=("entitlement.proposal",),
        tells=(
            Tell(
                gettext_lazy(
                    "Haven proposes an allowance or a pupil's support for a child: take it up or set it aside"
                ),
                to=_commune,
            ),
        ),
    ),
    # Decree 20/2021 art. 7–8 as amended: the carer (or the facility) applies to the commune chairman,
    # in person, by post or online; the officer records it, or the facility applies in Haven.
    "apply": Transition(
        frozenset(),
        S.RECEIVED,
        APPLICANTS,
        gettext_lazy("Record an application"),
        guards=("entitlement.stands_in",),
        opens=("entitlement.decide",),
        times=("received_on",),
        tells=(
            Tell(
                gettext_lazy("An allowance application was received: it is decided within 10 working days"),
                to=_commune,
            ),
        ),
    ),
    "take_up": Transition(
        frozenset({S.PROPOSED}),
        S.RECEIVED,
        PREPARERS,
        gettext_lazy("Take up Haven's proposal"),
        guards=("entitlement.stands_in",),
        closes=("entitlement.proposal",),
        opens=("entitlement.decide",),
        times=("received_on",),
        # A start waits for the register check, which tells the chairman; a pupil's support, an
        # adjustment or a stop goes to the chairman at once.
        tells=(
            Tell(
                gettext_lazy(
                    "Haven's proposal was taken up as an application: decide it within 10 working days"
                ),
                to=_chairman_now,
            ),
        ),
    ),
    "dismiss": Transition(
        frozenset({S.PROPOSED}),
        S.DISMISSED,
        PREPARERS,
        gettext_lazy("Set the proposal aside"),
        guards=("entitlement.stands_in",),
        cancels=("entitlement.proposal",),
        confirm=gettext_lazy(
            "Haven will not propose this again for the same reason. The reason you give is kept with the "
            "child's file."
        ),
    ),
    # From 1 July 2025: the commune standardises the child's information with the national population
    # database before deciding (Decree 147/2025 art. 5; the administrative procedure).
    "verify": Transition(
        frozenset({S.RECEIVED}),
        S.VERIFIED,
        PREPARERS,
        gettext_lazy("Check against the population register"),
        guards=("entitlement.stands_in",),
        tells=(
            Tell(
                gettext_lazy(
                    "An allowance application is checked against the population register: decide it"
                ),
                to=_commune,
            ),
        ),
    ),
    # The chairman's decision: its number and date; a start is paid from the month of the decision.
    "decide": Transition(
        IN_PROGRESS,
        S.DECIDED,
        DECIDERS,
        gettext_lazy("Decide the allowance"),
        guards=("entitlement.stands_in", "entitlement.checked_in_register", "entitlement.decision_given"),
        closes=("entitlement.decide",),
        times=("decided_on",),
        after=("verify",),
        confirm=gettext_lazy(
            "The decision is recorded under this number: the allowance is paid, adjusted or stopped from the "
            "month it names, a pupil's support for the months of the enrolment. It cannot be undone: a later "
            "change is a new decision."
        ),
        tells=(
            Tell(gettext_lazy("The chairman decided an allowance application"), to=_commune),
            Tell(gettext_lazy("The allowance you applied for was decided"), to=_applicant),
        ),
    ),
    # A refusal is a written reply stating the reasons (the administrative procedure).
    "refuse": Transition(
        IN_PROGRESS,
        S.REFUSED,
        DECIDERS,
        gettext_lazy("Refuse in writing"),
        guards=("entitlement.stands_in", "entitlement.reasons_given"),
        closes=("entitlement.decide",),
        times=("decided_on",),
        after=("verify",),
        confirm=gettext_lazy("The applicant receives the written refusal with its reasons."),
        tells=(
            Tell(gettext_lazy("An allowance application was refused in writing"), to=_commune),
            Tell(gettext_lazy("The allowance you applied for was refused in writing"), to=_applicant),
        ),
    ),
}


def _begins(application: Application):
    """An application's timeline starts the day it was received; a proposal's, when Haven made it."""
    if application.received_on is not None:
        return calendar.day_start(application.received_on), _("the application was received")
    if application.created_at is not None:
        return application.created_at, _("Haven proposed it")
    return None


FLOW = Workflow(
    "entitlement",
    model=Application,
    states=State,
    transitions=TRANSITIONS,
    responsible=lambda application, code: authority_for(application.commune),
    reaches=_reaches,
    visible=lambda user, application: Application.objects.visible_to(user).filter(pk=application.pk).exists(),
    begins=_begins,
    link=lambda application: f"/entitlements/applications/{application.pk}/",
    audit_prefix="entitlement",
    title=gettext_lazy("Monthly social allowance"),
)


# --- The monthly payroll -------------------------------------------------------------------------


def _payroll_reaches(m: Membership, run, user: User) -> bool:
    """The commune that pays prepares and approves its payroll; the body standing in for it may."""
    area = m.organisation.area
    if m.role in OFFICER | CHAIRMAN:
        return area.pk == run.commune_id
    if m.role == R.PROVINCIAL_OFFICER:
        return area.pk == run.commune.parent_id
    return m.role == R.MINISTRY_OFFICER


def _month(firing: Firing) -> dict:
    return {"month": firing.subject.month.strftime("%m/%Y")}


PAYROLL_TRANSITIONS: dict[str, Transition] = {
    # Decree 20/2021 art. 34: before the 25th of each month the commune sends the provider the payment
    # list of the next month. From the first day of that month Haven opens the commune's payroll, so
    # the clock runs even before anyone prepares it.
    "payroll_open": Transition(
        frozenset(),
        PayrollState.DUE,
        SYSTEM,
        gettext_lazy("Haven opens next month's payroll"),
        opens=("entitlement.provider_list",),
    ),
    "payroll_prepare": Transition(
        frozenset({PayrollState.DUE}),
        PayrollState.PREPARED,
        PREPARERS,
        gettext_lazy("Prepare the month's payroll"),
        guards=("entitlement.stands_in",),
        opens=("entitlement.provider_list",),
        tells=(Tell(lambda firing: _("The payroll of %(month)s is prepared: approve it") % _month(firing)),),
    ),
    # Decisions taken since are added; what is already on the list stays as it is.
    "payroll_update": Transition(
        frozenset({PayrollState.PREPARED}),
        None,
        PREPARERS,
        gettext_lazy("Add the decisions taken since"),
        guards=("entitlement.stands_in",),
        refused={
            PayrollState.APPROVED: gettext_lazy(
                "This month's payroll is approved and closed: a correction goes into a later month's payroll."
            ),
            PayrollState.SENT: gettext_lazy(
                "This month's payroll is approved and closed: a correction goes into a later month's payroll."
            ),
        },
    ),
    "payroll_approve": Transition(
        frozenset({PayrollState.PREPARED}),
        PayrollState.APPROVED,
        DECIDERS,
        gettext_lazy("Approve and close the payroll"),
        guards=("entitlement.stands_in",),
        confirm=gettext_lazy(
            "The payroll is closed: it never changes again. A payment found wrong later is corrected in a "
            "later month's payroll, referring to this one."
        ),
        tells=(
            Tell(
                lambda firing: (
                    _("The payroll of %(month)s is approved: send the provider's list before the 25th")
                    % _month(firing)
                )
            ),
        ),
    ),
    "payroll_send": Transition(
        frozenset({PayrollState.APPROVED}),
        PayrollState.SENT,
        PREPARERS,
        gettext_lazy("Record the list as sent to the provider"),
        guards=("entitlement.stands_in",),
        closes=("entitlement.provider_list",),
        times=("sent_on",),
        after=("payroll_approve",),
    ),
    # The provider's return file: each line paid, failed or returned; imported whole or not at all.
    "payroll_return": Transition(
        frozenset({PayrollState.SENT}),
        None,
        PREPARERS,
        gettext_lazy("Import the provider's return file"),
        guards=("entitlement.stands_in",),
        refused={
            PayrollState.DUE: gettext_lazy("The list has not been sent to the provider yet."),
            PayrollState.PREPARED: gettext_lazy("The list has not been sent to the provider yet."),
            PayrollState.APPROVED: gettext_lazy("The list has not been sent to the provider yet."),
        },
    ),
}

PAYROLL = Workflow(
    "entitlement_payroll",
    model=PayrollRun,
    states=PayrollState,
    transitions=PAYROLL_TRANSITIONS,
    responsible=lambda run, code: authority_for(run.commune),
    reaches=_payroll_reaches,
    visible=lambda user, run: PayrollRun.objects.visible_to(user).filter(pk=run.pk).exists(),
    link=lambda run: f"/entitlements/payroll/{run.pk}/",
    audit_prefix="entitlement",
    title=gettext_lazy("Monthly allowance payroll"),
)


def acting_for(user: User, child: Child, commune, roles) -> Membership | None:
    """The membership through which ``user`` acts in one of ``roles`` for ``child``'s allowance in
    ``commune`` (the commune's officer, the body standing in for it, the facility caring for the
    child), or None."""
    probe = Application(child=child, commune=commune)
    for m in memberships_of(user):
        if m.role in roles and _reaches(m, probe, user):
            try:
                STANDING_IN.require(m, probe)
            except Refused:
                continue
            return m
    return None


def memberships_of(user: User) -> list[Membership]:
    from haven.access.scoping import memberships

    return memberships(user)
