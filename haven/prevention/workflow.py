"""The follow-up of a person at risk of abandoning a child as one table on the workflow engine
(vietnam-process.md §9c; Notice 432-TB/VPTW §1): for each step, the states it leaves and enters, who
takes it, what it requires, which clocks it stops, cancels and starts, the times a person enters, and
whom it tells. Its clocks are the ``prevention.*`` rules of the one deadline engine (all [R]: no statute
sets them); which contact clock runs next is schedule.py's.

Reach: she is usually an adult woman, not a child in Haven, so the step is taken through the verb
PREVENTION_RECORD and her record's own reach (models.reach): the commune of her residence, the
organisation that flagged her, and — for a social collaborator — only the people she follows and those
of the villages she covers today, never everyone her chapter follows.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.accounts.models import Membership, Organisation, Role, User
from haven.core import clock
from haven.core.errors import Refused, invalid
from haven.prevention import schedule
from haven.prevention.models import OPEN_STATES, PREGNANCY_ENDS, AtRiskPerson, Consent, Service, State, reach
from haven.workflow.engine import Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard

R = Role
S = State
# Those who follow her: the collaborator who covers her village, the commune officer, and the
# antenatal clinic that flagged her.
FOLLOWERS = frozenset({R.SOCIAL_COLLABORATOR, R.COMMUNE_CHILD_PROTECTION_OFFICER, R.HOSPITAL_SOCIAL_WORKER})
# Who flags her (the verb PREVENTION_RECORD): her followers, and hotline 111 for her commune.
FLAGGERS = frozenset({*FOLLOWERS, R.HOTLINE_OPERATOR})
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
OPEN = frozenset(OPEN_STATES)
PREGNANT = frozenset({S.CONTACTED, S.ASSESSED, S.FOLLOW_UP})
FOLLOWED = frozenset({*PREGNANT, S.POSTNATAL})
FIRST = ("prevention.first_contact", "prevention.first_contact_urgent")
CONTACT = ("prevention.contact_monthly", "prevention.contact_weekly")
# The clocks of contact with her: the "visits on time" figure counts them.
VISIT_CLOCKS = (*FIRST, *CONTACT, "prevention.postnatal_visit")
EVERY_CLOCK = (
    *FIRST,
    "prevention.assessment",
    *CONTACT,
    "prevention.postnatal_visit",
    "prevention.newborn_papers",
)
# What she entrusts only with her consent (Personal Data Protection Law 91/2025 art. 9): her needs,
# the services she is referred to and what came of them, notes, the pregnancy and its outcome.
SENSITIVE = ("needs", "service", "outcome", "born_on", "expected_delivery", "notes")
DANGER = "danger"  # Wellbeing.DANGER: a danger to the mother or the baby


# --- Guards: what a step requires ----------------------------------------------------------------


@guard(
    "prevention.consent",
    "She has consented to her sensitive data being kept (Personal Data Protection Law 2025 art. 9).",
)
def consented(firing: Firing) -> None:
    if firing.subject.consent == Consent.GIVEN:
        return
    fields = [name for name in SENSITIVE if firing.inputs.get(name)]
    if firing.inputs.get("closed_as") in PREGNANCY_ENDS:
        fields.append("closed_as")  # how a pregnancy ended is health data
    message = _(
        "She has not consented to her sensitive data being kept: record consent at the first "
        "contact before recording this."
    )
    if fields:
        raise ValidationError({name: ValidationError(message, code="consent_required") for name in fields})


def check_delivery(expected_delivery: dt.date | None, now: dt.datetime) -> None:
    """A pregnancy lasts about 40 weeks: a date more than 10 months ahead, or long past, is a typing
    error."""
    if expected_delivery is None:
        return
    today = clock.localdate(now)
    if not today - dt.timedelta(days=60) <= expected_delivery <= today + dt.timedelta(days=300):
        raise invalid(
            "expected_delivery",
            _("The expected date of delivery must be within the next 10 months."),
            "implausible",
        )


@guard("prevention.delivery", "An expected date of delivery is of a pregnancy, within the next 10 months.")
def delivery(firing: Firing) -> None:
    expected = firing.inputs.get("expected_delivery")
    if expected is None:
        return
    pregnant = firing.inputs.get("pregnant")
    if not (firing.subject.pregnant if pregnant is None else pregnant):
        raise invalid(
            "expected_delivery", _("An expected date of delivery needs “pregnant”."), "inconsistent"
        )
    check_delivery(expected, firing.now)


@guard("prevention.referred", "She is referred to at least one service (§9c SUPPORT_PLAN).")
def referred(firing: Firing) -> None:
    if not firing.subject.supports.exists():
        raise Refused(_("Refer her to at least one service before agreeing the plan."), code="no_support")


@guard(
    "prevention.papers",
    "The newborn's birth registration, residence and health insurance are recorded (Law on Civil "
    "Status 2014 art. 15).",
)
def papers_done(firing: Firing) -> None:
    if not firing.subject.papers_complete:
        raise Refused(
            _("Record the newborn's birth registration, residence and health insurance first."),
            code="papers_missing",
        )


@guard("prevention.six_months", "Six months have passed since the birth (§9c CLOSED_STABLE).")
def six_months(firing: Firing) -> None:
    stable_on = firing.subject.outcome_on + schedule.STABLE_AFTER
    if clock.localdate(firing.now) < stable_on:
        raise Refused(
            _("A family is closed as stable from 6 months after the birth (%(day)s).")
            % {"day": stable_on.strftime("%d/%m/%Y")},
            code="too_early",
        )


# --- Whom a step tells -----------------------------------------------------------------------------


def _collaborator_chapter(firing: Firing) -> Organisation | None:
    """The collaborator who now follows her, when someone else gave her to her (the flag, an
    assignment, her village learnt later): she has a first contact or a visit to make. The step's
    effect sets ``data["collaborator"]`` when it gave her one."""
    person = firing.subject
    actor = firing.actor.pk if firing.actor else None
    if not firing.data.get("collaborator") or person.collaborator_id in (None, actor):
        return None
    return person.collaborator_organisation or person.responsible


def _collaborator(firing: Firing) -> User | None:
    return firing.subject.collaborator


def _commune_if_danger(firing: Firing) -> Organisation | None:
    """A turn for the worse reaches the commune officer at once, not at the next sweep: only the
    officer escalates to child protection (Law on Children art. 49)."""
    return firing.subject.responsible if firing.inputs.get("wellbeing") == DANGER else None


def _provider(firing: Firing) -> Organisation | None:
    pk = firing.data.get("to_organisation")
    return Organisation.objects.filter(pk=pk).first() if pk else None


def _referral_title(firing: Firing) -> str:
    return _("A person at risk was referred to you: %(service)s") % {
        "service": Service(firing.inputs["service"]).label
    }


TOLD_NEW_COLLABORATOR = Tell(
    gettext_lazy("A person at risk in your village is now yours to follow"),
    to=_collaborator_chapter,
    user=_collaborator,
)
TOLD_DANGER = Tell(
    gettext_lazy("A visit found danger to a mother or her baby: act now"), to=_commune_if_danger
)


# --- The table -------------------------------------------------------------------------------------

TRANSITIONS: dict[str, Transition] = {
    # §9c IDENTIFIED: a collaborator, the health station, an antenatal clinic, the Women's Union or
    # hotline 111 flags her. The first contact is due within 3 days, 24 hours for a girl under 16 or
    # when violence is suspected (services.py chooses which).
    "flag": Transition(
        frozenset(),
        S.IDENTIFIED,
        FLAGGERS,
        gettext_lazy("Flag a person at risk"),
        opens=FIRST,
        tells=(
            Tell(
                gettext_lazy("A person at risk in your village needs a first contact"),
                to=_collaborator_chapter,
                user=_collaborator,
            ),
        ),
    ),
    # §9c CONTACTED: outreach done, consent asked. The contact clock starts with the first contact:
    # monthly, weekly in the last month of a pregnancy.
    "contact": Transition(
        frozenset({S.IDENTIFIED}),
        S.CONTACTED,
        FOLLOWERS,
        gettext_lazy("Record the first contact and her consent"),
        guards=("prevention.delivery",),
        closes=FIRST,
        opens=("prevention.assessment", *CONTACT),
        times=("at",),
        tells=(TOLD_DANGER,),
    ),
    # PDP Law 2025 art. 9: silence is not consent; she may refuse, and only the minimum is kept. She
    # may withdraw her consent at any time (art. 4, 9). Her clocks are moot, not met.
    "decline": Transition(
        OPEN,
        S.DECLINED,
        FOLLOWERS,
        gettext_lazy("She declines follow-up"),
        cancels=EVERY_CLOCK,
        times=("at",),
        confirm=gettext_lazy(
            "Her risk factors, needs, notes and referrals are erased and only her name and where she "
            "lives are kept. This cannot be undone."
        ),
    ),
    # §9c ASSESSED: within 7 days of consent.
    "assess": Transition(
        frozenset({S.CONTACTED}),
        S.ASSESSED,
        FOLLOWERS,
        gettext_lazy("Assess her needs"),
        guards=("prevention.consent",),
        closes=("prevention.assessment",),
    ),
    # §9c SUPPORT_PLAN → FOLLOW_UP: the services are linked; regular contact follows.
    "plan": Transition(
        frozenset({S.ASSESSED}),
        S.FOLLOW_UP,
        FOLLOWERS,
        gettext_lazy("Agree the support plan"),
        guards=("prevention.referred",),
    ),
    # A contact in pregnancy or after the birth meets the running contact clock and starts the next:
    # monthly, weekly in the last month, or the next postnatal visit of the schedule.
    "visit": Transition(
        FOLLOWED,
        None,
        FOLLOWERS,
        gettext_lazy("Record a visit"),
        guards=("prevention.consent",),
        closes=("prevention.postnatal_visit", *CONTACT),
        opens=(*CONTACT, "prevention.postnatal_visit"),
        times=("at",),
        tells=(TOLD_DANGER,),
    ),
    # Notice 432 §1: counselling, antenatal care and delivery, legal aid, social assistance (Decree
    # 20/2021 art. 5(4)), sponsorship, livelihood. A provider in Haven is told at once.
    "refer": Transition(
        FOLLOWED,
        None,
        FOLLOWERS,
        gettext_lazy("Refer her to a service"),
        guards=("prevention.consent",),
        tells=(Tell(_referral_title, to=_provider, link=lambda f: ""),),
    ),
    "support_outcome": Transition(
        FOLLOWED,
        None,
        FOLLOWERS,
        gettext_lazy("Record the outcome of a referral"),
        guards=("prevention.consent",),
    ),
    # §9c BIRTH → POSTNATAL: the newborn gets a record; the 60-day clock of the papers (Law on Civil
    # Status 2014 art. 15) and the postnatal visits start; the pregnancy's clocks are moot. A birth with
    # danger reaches the commune officer, who alone escalates (Law on Children art. 49).
    "birth": Transition(
        PREGNANT,
        S.POSTNATAL,
        FOLLOWERS,
        gettext_lazy("Record the birth"),
        guards=("prevention.consent",),
        cancels=(*CONTACT, "prevention.assessment"),
        opens=("prevention.newborn_papers", "prevention.postnatal_visit"),
        times=("born_on",),
        tells=(
            Tell(
                gettext_lazy(
                    "A birth was recorded with danger to the mother or the baby: decide whether to "
                    "escalate to child protection"
                ),
                to=_commune_if_danger,
            ),
        ),
    ),
    # The newborn's birth registration, residence and health-insurance card: the clock stops when
    # all three are recorded (services.py).
    "papers": Transition(
        frozenset({S.POSTNATAL, S.ESCALATED}),
        None,
        FOLLOWERS,
        gettext_lazy("Record the newborn's papers"),
        closes=("prevention.newborn_papers",),
        times=("birth_registered_on", "residence_registered_on", "insurance_issued_on"),
    ),
    # Her village, the pregnancy, the expected date of delivery, learnt after the flag. A new village
    # may give her a new collaborator, who is told.
    "update": Transition(
        OPEN,
        None,
        FOLLOWERS,
        gettext_lazy("Update her village or pregnancy"),
        guards=("prevention.consent", "prevention.delivery"),
        tells=(TOLD_NEW_COLLABORATOR,),
    ),
    # The commune gives her to a collaborator who covers her village (by hand, or when a collaborator
    # takes on a village where nobody followed her); the collaborator is told.
    "assign": Transition(
        OPEN,
        None,
        OFFICER,
        gettext_lazy("Assign a collaborator to follow her"),
        tells=(TOLD_NEW_COLLABORATOR,),
        verb=Verb.PREVENTION_MANAGE,
    ),
    # Law on Children art. 49; Decree 56/2017 art. 28: a risk of abandonment becomes a child-protection
    # case at support level, on the 9b clocks. Only the commune officer opens it.
    "escalate": Transition(
        frozenset({S.POSTNATAL}),
        S.ESCALATED,
        OFFICER,
        gettext_lazy("Escalate to child protection"),
        cancels=EVERY_CLOCK,
        confirm=gettext_lazy(
            "A child-protection case is opened for the baby and taken up by the commune at once; the "
            "follow-up's clocks stop."
        ),
    ),
    # Actual abandonment opens the found-child pathway (§9a; Decree 123/2015 art. 14) for the newborn;
    # the commune is told.
    "abandoned": Transition(
        frozenset({S.POSTNATAL, S.ESCALATED}),
        S.CLOSED,
        OFFICER,
        gettext_lazy("The baby was abandoned"),
        cancels=EVERY_CLOCK,
        times=("found_at",),
        tells=(
            Tell(
                gettext_lazy(
                    "The baby of a woman followed to prevent abandonment was abandoned: the found-child "
                    "case is open"
                ),
                to=lambda f: f.subject.responsible,
                link=lambda f: f"/foundlings/{f.subject.foundling_case_id}/",
            ),
        ),
        confirm=gettext_lazy(
            "A found-child case is opened for the baby and this follow-up closes. This cannot be undone."
        ),
    ),
    # §9c CLOSED_STABLE: the family is stable, from 6 months after the birth, papers complete.
    "close_stable": Transition(
        frozenset({S.POSTNATAL, S.ESCALATED}),
        S.CLOSED_STABLE,
        OFFICER,
        gettext_lazy("Close: the family is stable"),
        guards=("prevention.papers", "prevention.six_months"),
        cancels=EVERY_CLOCK,
        confirm=gettext_lazy("The follow-up closes and every clock stops."),
    ),
    # The pregnancy ended otherwise, she moved away, or the risk is gone.
    "close": Transition(
        OPEN,
        S.CLOSED,
        OFFICER,
        gettext_lazy("Close for another reason"),
        guards=("prevention.consent",),
        cancels=EVERY_CLOCK,
        confirm=gettext_lazy("The follow-up closes and every clock stops."),
    ),
}


def reaches(membership: Membership, person: AtRiskPerson, user: User) -> bool:
    """Whether ``membership`` reaches her (models.reach): a collaborator only the people she follows
    and the villages she covers today."""
    q = reach([membership], user)
    return q is not None and AtRiskPerson.objects.filter(q, pk=person.pk).exists()


def visible(user: User, person: AtRiskPerson) -> bool:
    """Whoever sees her record is told why a step is not theirs; the rest get 404."""
    return AtRiskPerson.objects.visible_to(user).filter(pk=person.pk).exists()


def begins(person: AtRiskPerson) -> tuple[dt.datetime, str]:
    """Her follow-up begins when she was flagged. Forms give times to the minute: a contact in the
    minute she was flagged is not "before" it."""
    return person.flagged_at.replace(second=0, microsecond=0), _("she was flagged at risk")


FLOW = Workflow(
    "prevention",
    model=AtRiskPerson,
    states=State,
    transitions=TRANSITIONS,
    verb=Verb.PREVENTION_RECORD,
    reaches=reaches,
    visible=visible,
    begins=begins,
    link=lambda person: f"/prevention/{person.pk}/",
    title=gettext_lazy("Person at risk"),
)
