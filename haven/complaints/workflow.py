"""A complaint as one table on the workflow engine (Law on Complaints 02/2011/QH13, art. 27–33 and
36–37; after the 2025 reform the commune chairman settles the first time, the province the second):

    received ──accept──▶ accepted ──settle──▶ settled ──(30 days, no second complaint)──▶ closed
       │                    │                    │
       └─refuse in writing──┴──────────┐         └──appeal──▶ appealed ──accept──▶ appeal accepted
                                       ▼                        │                      │
                                  not accepted ◀──refuse────────┘                settle │
                                                                                       ▼
                                                                               settled (second time)

    feedback received ──answer──▶ answered        (no second level: it is not a complaint)

A complaint not settled in time may also be taken to the province once its deadline has passed (art.
33). A complaint may be withdrawn at any time (art. 10). Side steps on every state: the commune opens a
child-protection case when the complaint reveals harm to a child, or links one already open.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.complaints import clocks
from haven.complaints.models import Complaint, State, Track
from haven.core import calendar
from haven.core.errors import Refused, invalid
from haven.workflow.engine import SYSTEM, Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard
from haven.workflow.standing_in import STAND_IN, StandingIn

R = Role
S = State
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
CHAIRMAN = frozenset({R.COMMUNE_CHAIRMAN})
# Law on Complaints 2011 art. 18(1): the commune chairman settles first-time complaints about the
# commune's decisions and its officers' acts; the officer receives and prepares. Where the commune's
# People's Committee is not in Haven yet, the body standing in for it records both (decision 0014).
PREPARERS = frozenset({*OFFICER, *STAND_IN})
DECIDERS = frozenset({*CHAIRMAN, *STAND_IN})
COMMUNE = frozenset({*OFFICER, *CHAIRMAN, *STAND_IN})
# The second time: the province (the provincial Department of Health records it for the provincial
# chairman; the Ministry where the province has no department in Haven).
PROVINCE = frozenset({R.PROVINCIAL_OFFICER, R.MINISTRY_OFFICER})
FIRST_OPEN = frozenset({S.RECEIVED, S.ACCEPTED})
BEING_SETTLED = frozenset({S.ACCEPTED, S.APPEAL_ACCEPTED})
STILL_OPEN = frozenset(
    {S.RECEIVED, S.ACCEPTED, S.SETTLED, S.APPEALED, S.APPEAL_ACCEPTED, S.FEEDBACK_RECEIVED}
)
EVERY_CLOCK = (
    clocks.ACCEPT,
    *clocks.FIRST,
    *clocks.WINDOWS,
    clocks.APPEAL_ACCEPT,
    *clocks.SECOND,
    clocks.ANSWER,
)

STANDING_IN = StandingIn(
    "complaint.stands_in",
    commune_of=lambda complaint: complaint.commune,
    committee_joined=gettext_lazy(
        "The commune's People's Committee is in Haven: %(authority)s settles this complaint (Law on "
        "Complaints 2011 art. 18)."
    ),
    elsewhere=gettext_lazy("%(authority)s stands in for this commune and takes this step."),
)


def province_authority(commune) -> Organisation:
    """The body that settles a second-time complaint about a commune's decision: the provincial
    Department of Health of its province (for the provincial chairman), or the Ministry where the
    province has none in Haven."""
    K = OrganisationKind
    found = (
        Organisation.objects.filter(kind=K.PROVINCIAL_HEALTH, area=commune.parent, is_active=True)
        .order_by("pk")
        .first()
    )
    if found is None:
        found = Organisation.objects.filter(kind=K.MINISTRY_OF_HEALTH, is_active=True).order_by("pk").first()
    if found is None:
        raise Refused(
            _("No provincial body is set up to settle a second-time complaint."), code="no_authority"
        )
    return found


# --- Guards ------------------------------------------------------------------------------------


def _written_on(firing: Firing, field: str) -> dt.date | None:
    value = firing.inputs.get(field)
    if value is None:
        raise invalid(field, _("Give the date."), "required")
    return value


@guard(
    "complaint.reasons_given", "A refusal to accept is written, with its reasons (Law on Complaints art. 27)."
)
def reasons_given(firing: Firing) -> None:
    errors = {}
    if not (firing.inputs.get("reasons") or "").strip():
        errors["reasons"] = ValidationError(
            _("Write why the complaint is not accepted: the complainant receives it in writing."),
            code="required",
        )
    if firing.inputs.get("decided_on") is None:
        errors["decided_on"] = ValidationError(_("Give the date of the written reply."), code="required")
    if errors:
        raise ValidationError(errors)


@guard("complaint.decision_given", "The settlement decision's number, date, outcome and reasons.")
def decision_given(firing: Firing) -> None:
    from haven.people.rules import reference_problem

    errors = {}
    number = (firing.inputs.get("decision_number") or "").strip()
    if not number:
        errors["decision_number"] = ValidationError(_("Give the number of the decision."), code="required")
    elif problem := reference_problem(number):
        errors["decision_number"] = ValidationError(problem, code="bad_reference")
    if firing.inputs.get("decided_on") is None:
        errors["decided_on"] = ValidationError(_("Give the date of the decision."), code="required")
    if not firing.inputs.get("outcome"):
        errors["outcome"] = ValidationError(
            _("Say whether the complaint is right, partly right or wrong."), code="required"
        )
    if not (firing.inputs.get("reasons") or "").strip():
        errors["reasons"] = ValidationError(
            _("Write what the decision concludes and orders: the complainant receives it."), code="required"
        )
    if errors:
        raise ValidationError(errors)


@guard("complaint.is_a_complaint", "Only a complaint, not feedback, goes to a second level.")
def is_a_complaint(firing: Firing) -> None:
    if firing.subject.track != Track.COMPLAINT:
        raise Refused(FEEDBACK_HAS_NO_APPEAL, code="feedback_no_appeal")


FEEDBACK_HAS_NO_APPEAL = gettext_lazy(
    "Feedback, and any anonymous message, has no second-time complaint: only a complaint signed by its "
    "author does (Law on Complaints 2011 art. 8, 33). The person may lodge a complaint in their own name."
)


def appeal_window(complaint: Complaint, now: dt.datetime) -> tuple[dt.date, str] | None:
    """The last day a second-time complaint may be lodged, and why it is open: the first-time decision
    (counted from its date), or a first time not settled in time (counted from the deadline that
    passed). None while neither has happened (art. 33)."""
    from haven.deadlines.models import Obligation

    days = clocks.APPEAL_DAYS[complaint.remote_area]
    if complaint.state == S.SETTLED and complaint.decided_on is not None:
        return complaint.decided_on + dt.timedelta(days=days), "disagrees"
    if complaint.state in FIRST_OPEN:
        late = (
            Obligation.objects.filter(
                subject_type=Complaint._meta.label_lower,
                subject_id=complaint.pk,
                rule__in=[clocks.ACCEPT, *clocks.FIRST],
                status="open",
                due_at__lt=now,
            )
            .order_by("due_at")
            .first()
        )
        if late is not None:
            missed = calendar.local_day(late.due_at - dt.timedelta(seconds=1))
            return missed + dt.timedelta(days=days), "not_settled"
    return None


@guard(
    "complaint.appeal_in_time",
    "Within 30 days (45 in a remote area) of the first-time decision, or of the deadline it missed.",
)
def appeal_in_time(firing: Firing) -> None:
    complaint = firing.subject
    window = appeal_window(complaint, firing.now)
    if window is None:
        raise Refused(
            _(
                "A second-time complaint is lodged once the first-time decision is given, or once the time "
                "to settle it has passed without a decision (Law on Complaints 2011 art. 33)."
            ),
            code="too_early",
        )
    last_day, grounds = window
    lodged = firing.inputs.get("appealed_on")
    if lodged is None:
        raise invalid("appealed_on", _("Give the date the second-time complaint was lodged."), "required")
    if lodged > last_day:
        raise invalid(
            "appealed_on",
            _(
                "Lodged after the time allowed: a second-time complaint must be lodged by %(day)s (Law on "
                "Complaints 2011 art. 33)."
            )
            % {"day": last_day.strftime("%d/%m/%Y")},
            "too_late",
        )
    firing.data["grounds"] = grounds


@guard("complaint.province_settles", "The province the commune belongs to settles the second time.")
def province_settles(firing: Firing) -> None:
    complaint = firing.subject
    m = firing.membership
    if m is None or m.role not in PROVINCE:
        return
    body = complaint.appeal_responsible or province_authority(complaint.commune)
    if m.organisation_id != body.pk:
        raise Refused(
            _("%(body)s settles second-time complaints about this commune.") % {"body": body.name},
            code="not_your_step",
        )


@guard(
    "complaint.level",
    "The level that holds the complaint: the commune (or the body standing in for it) the first time, "
    "the province the second.",
)
def level(firing: Firing) -> None:
    complaint, m = firing.subject, firing.membership
    if m is None:
        return
    if complaint.second_level:
        if m.role not in PROVINCE:
            raise Refused(
                _("The province holds this complaint now: it takes this step."), code="not_your_step"
            )
        province_settles(firing)
    else:
        STANDING_IN.require(m, complaint)


def level_allows(m: Membership, complaint: Complaint) -> bool:
    """Whether the level guard would let ``m`` act on ``complaint`` (for the page's buttons)."""
    if complaint.second_level:
        if m.role not in PROVINCE:
            return False
        body = complaint.appeal_responsible or province_authority(complaint.commune)
        return m.organisation_id == body.pk
    try:
        STANDING_IN.require(m, complaint)
    except Refused:
        return False
    return True


@guard("complaint.reason_written", "The reason, written.")
def reason_written(firing: Firing) -> None:
    if not (firing.inputs.get("reason") or "").strip():
        raise invalid("reason", _("Write the reason."), "required")


@guard("complaint.answer_written", "The answer given to the person, written, and its date.")
def answer_written(firing: Firing) -> None:
    errors = {}
    if not (firing.inputs.get("answer") or "").strip():
        errors["answer"] = ValidationError(_("Write the answer given to the person."), code="required")
    if firing.inputs.get("answered_on") is None:
        errors["answered_on"] = ValidationError(_("Give the date of the answer."), code="required")
    if errors:
        raise ValidationError(errors)


# --- Who acts ----------------------------------------------------------------------------------


def _reaches(m: Membership, complaint: Complaint, user: User) -> bool:
    """The commune that handles it (its officer and chairman), its province's department, the Ministry
    where it stands in or settles; never the person the complaint is about."""
    if complaint.about_officer_id is not None and complaint.about_officer_id == user.pk:
        return False
    area = m.organisation.area
    if m.role in OFFICER | CHAIRMAN:
        return area.pk == complaint.commune_id
    if m.role == R.PROVINCIAL_OFFICER:
        return area.pk == complaint.commune.parent_id
    if m.role == R.MINISTRY_OFFICER:
        return m.organisation_id in (complaint.responsible_id, complaint.appeal_responsible_id)
    return False


def _responsible(complaint: Complaint, code: str) -> Organisation:
    if code in clocks.PROVINCE_CLOCKS:
        return complaint.appeal_responsible or province_authority(complaint.commune)
    return complaint.responsible


def _commune(firing: Firing) -> Organisation:
    return firing.subject.responsible


def _province(firing: Firing) -> Organisation:
    return firing.subject.appeal_responsible


FIRST_SETTLE_ALL = tuple(clocks.FIRST)
TRANSITIONS: dict[str, Transition] = {
    # Law on Complaints 2011 art. 7–8: a complaint is lodged in writing or in person at the commune (the
    # officer records it at the reception desk), or online; 10 days to accept it or say why not.
    "receive": Transition(
        frozenset(),
        S.RECEIVED,
        COMMUNE,
        gettext_lazy("Receive a complaint"),
        guards=("complaint.stands_in",),
        opens=(clocks.ACCEPT,),
        tells=(
            Tell(
                gettext_lazy("A complaint was received: accept it or refuse it in writing within 10 days"),
                to=_commune,
            ),
        ),
    ),
    "receive_feedback": Transition(
        frozenset(),
        S.FEEDBACK_RECEIVED,
        COMMUNE,
        gettext_lazy("Receive feedback"),
        guards=("complaint.stands_in",),
        opens=(clocks.ANSWER,),
        tells=(Tell(gettext_lazy("Feedback was received: handle it and answer"), to=_commune),),
    ),
    "accept": Transition(
        frozenset({S.RECEIVED}),
        S.ACCEPTED,
        COMMUNE,
        gettext_lazy("Accept the complaint"),
        guards=("complaint.stands_in",),
        closes=(clocks.ACCEPT,),
        opens=(clocks.SETTLE, clocks.SETTLE_REMOTE),
        times=("accepted_on",),
        tells=(Tell(gettext_lazy("A complaint was accepted: the chairman settles it"), to=_commune),),
    ),
    "refuse": Transition(
        frozenset({S.RECEIVED}),
        S.NOT_ACCEPTED,
        DECIDERS,
        gettext_lazy("Refuse to accept, in writing"),
        guards=("complaint.stands_in", "complaint.reasons_given"),
        closes=(clocks.ACCEPT,),
        times=("decided_on",),
        confirm=gettext_lazy(
            "The complainant receives the written reasons why the complaint is not accepted."
        ),
    ),
    # Law on Complaints 2011 art. 28, 37: a complicated case may take longer (45 days the first time, 60
    # the second; longer in a remote area). The longer clock runs from the same acceptance.
    "extend": Transition(
        BEING_SETTLED,
        None,
        DECIDERS | PROVINCE,
        gettext_lazy("Record the case as complicated (longer time limit)"),
        guards=("complaint.level", "complaint.reason_written"),
        cancels=(*clocks.SHORT_FIRST, *clocks.SHORT_SECOND),
        opens=(*clocks.LONG_FIRST, *clocks.LONG_SECOND),
        confirm=gettext_lazy(
            "The longer time limit runs from the day the complaint was accepted. It can be set only once."
        ),
    ),
    "settle": Transition(
        frozenset({S.ACCEPTED}),
        S.SETTLED,
        DECIDERS,
        gettext_lazy("Settle the complaint (first-time decision)"),
        guards=("complaint.stands_in", "complaint.decision_given"),
        closes=FIRST_SETTLE_ALL,
        opens=clocks.WINDOWS,
        times=("decided_on",),
        after=("accept",),
        confirm=gettext_lazy(
            "The decision is sent to the complainant. If they disagree they may complain to the province "
            "within 30 days (45 in a remote area); otherwise the decision takes effect."
        ),
        tells=(Tell(gettext_lazy("The chairman settled a complaint"), to=_commune),),
    ),
    # Law on Complaints 2011 art. 33: a second time, to the province, when the complainant disagrees
    # or the first time was not settled in time. The province receives it; the commune may forward it.
    "appeal": Transition(
        frozenset({S.SETTLED, S.RECEIVED, S.ACCEPTED}),
        S.APPEALED,
        OFFICER | CHAIRMAN | PROVINCE,
        gettext_lazy("Record a second-time complaint to the province"),
        guards=("complaint.is_a_complaint", "complaint.province_settles", "complaint.appeal_in_time"),
        cancels=(clocks.ACCEPT, *clocks.FIRST, *clocks.WINDOWS),
        opens=(clocks.APPEAL_ACCEPT,),
        times=("appealed_on",),
        tells=(
            Tell(
                gettext_lazy(
                    "A second-time complaint was lodged: accept it or refuse it in writing within 10 days"
                ),
                to=_province,
            ),
            Tell(gettext_lazy("A complaint of the commune went to the province a second time"), to=_commune),
        ),
        refused={
            S.FEEDBACK_RECEIVED: FEEDBACK_HAS_NO_APPEAL,
            S.ANSWERED: FEEDBACK_HAS_NO_APPEAL,
            S.APPEALED: gettext_lazy("A second-time complaint has already been lodged."),
            S.APPEAL_ACCEPTED: gettext_lazy("A second-time complaint has already been lodged."),
            S.CLOSED: gettext_lazy(
                "The time for a second-time complaint has passed: the first-time decision has taken effect."
            ),
        },
    ),
    "appeal_accept": Transition(
        frozenset({S.APPEALED}),
        S.APPEAL_ACCEPTED,
        PROVINCE,
        gettext_lazy("Accept the second-time complaint"),
        guards=("complaint.province_settles",),
        closes=(clocks.APPEAL_ACCEPT,),
        opens=(clocks.APPEAL_SETTLE, clocks.APPEAL_SETTLE_REMOTE),
        times=("accepted_on",),
        after=("appeal",),
    ),
    "appeal_refuse": Transition(
        frozenset({S.APPEALED}),
        S.NOT_ACCEPTED,
        PROVINCE,
        gettext_lazy("Refuse to accept the second-time complaint, in writing"),
        guards=("complaint.province_settles", "complaint.reasons_given"),
        closes=(clocks.APPEAL_ACCEPT,),
        times=("decided_on",),
        after=("appeal",),
        confirm=gettext_lazy(
            "The complainant receives the written reasons why the complaint is not accepted."
        ),
    ),
    "appeal_settle": Transition(
        frozenset({S.APPEAL_ACCEPTED}),
        S.SETTLED_SECOND,
        PROVINCE,
        gettext_lazy("Settle the second-time complaint"),
        guards=("complaint.province_settles", "complaint.decision_given"),
        closes=tuple(clocks.SECOND),
        times=("decided_on",),
        after=("appeal_accept",),
        confirm=gettext_lazy(
            "The second-time decision is sent to the complainant and to the commune. A complainant who "
            "still disagrees may go to court."
        ),
        tells=(Tell(gettext_lazy("The province settled a second-time complaint"), to=_commune),),
    ),
    # Art. 33 and 44: with no second-time complaint in time, the first-time decision takes effect.
    "take_effect": Transition(
        frozenset({S.SETTLED}),
        S.CLOSED,
        SYSTEM,
        gettext_lazy("The first-time decision takes effect"),
    ),
    # Law on Complaints 2011 art. 10: a complainant may withdraw at any time.
    "withdraw": Transition(
        frozenset({S.RECEIVED, S.ACCEPTED, S.SETTLED, S.APPEALED, S.APPEAL_ACCEPTED}),
        S.WITHDRAWN,
        COMMUNE | PROVINCE,
        gettext_lazy("Record the complaint as withdrawn"),
        guards=("complaint.level", "complaint.reason_written"),
        cancels=EVERY_CLOCK,
        confirm=gettext_lazy("The complaint is closed at the complainant's request."),
    ),
    "answer": Transition(
        frozenset({S.FEEDBACK_RECEIVED}),
        S.ANSWERED,
        COMMUNE,
        gettext_lazy("Record how the feedback was handled"),
        guards=("complaint.stands_in", "complaint.answer_written"),
        closes=(clocks.ANSWER,),
        times=("answered_on",),
    ),
    # Law on Children 2016 art. 4, Decree 56/2017 art. 25: whoever learns that a child is harmed reports
    # it; the case itself is the protection domain's (Form 01, its own clocks).
    "open_protection": Transition(
        STILL_OPEN | {S.SETTLED_SECOND, S.CLOSED, S.NOT_ACCEPTED, S.ANSWERED, S.WITHDRAWN},
        None,
        OFFICER | CHAIRMAN,
        gettext_lazy("Open a child-protection case from this complaint"),
    ),
    "link_protection": Transition(
        STILL_OPEN | {S.SETTLED_SECOND, S.CLOSED, S.NOT_ACCEPTED, S.ANSWERED, S.WITHDRAWN},
        None,
        OFFICER | CHAIRMAN | PROVINCE,
        gettext_lazy("Link a child-protection case already open"),
    ),
}


def _begins(complaint: Complaint):
    return calendar.day_start(complaint.received_on), _("the complaint was received")


def _visible(user: User, complaint: Complaint) -> bool:
    return Complaint.objects.visible_to(user).filter(pk=complaint.pk).exists()


FLOW = Workflow(
    "complaint",
    model=Complaint,
    states=State,
    transitions=TRANSITIONS,
    verb=Verb.COMPLAINT_HANDLE,
    responsible=_responsible,
    reaches=_reaches,
    visible=_visible,
    begins=_begins,
    link=lambda complaint: f"/complaints/{complaint.pk}/",
    audit_prefix="complaint",
    title=gettext_lazy("Complaints and feedback"),
)
