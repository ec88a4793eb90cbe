"""The clocks of a complaint on the one deadline engine (haven/deadlines/rules.py), registered when the
app starts. Each is a row with its citation and how sure Haven is of it.

The Law on Complaints 02/2011/QH13 counts "ngày" (days), not "ngày làm việc" (working days): Haven
counts calendar days, each period from the day the step that starts it was taken (a complaint received,
a complaint accepted), and due when that day ends. Read in the law's quotations by legal publishers and
in the provinces' published administrative procedures (the commune's "giải quyết khiếu nại lần đầu",
the province's "giải quyết khiếu nại lần hai"), not in the official gazette: every row says so.

A complicated case is a step of its own (``extend``): the shorter clock is cancelled and the longer one
runs from the same acceptance, so the deadline moves once and the timeline says why.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from haven.deadlines.rules import WD, D, L, R, Rule

NOT_IN_GAZETTE = _("read in published quotations and provincial procedures, not yet in the official gazette")


def cited(text):
    """A basis read only in secondary sources says so on every page that shows it."""
    return format_lazy("{}; {}", text, NOT_IN_GAZETTE)


ACCEPT = "complaint.accept"
# First time: (normal, remote area) × (simple, complicated).
SETTLE = "complaint.settle"
SETTLE_REMOTE = "complaint.settle_remote"
SETTLE_COMPLICATED = "complaint.settle_complicated"
SETTLE_REMOTE_COMPLICATED = "complaint.settle_remote_complicated"
FIRST = (SETTLE, SETTLE_REMOTE, SETTLE_COMPLICATED, SETTLE_REMOTE_COMPLICATED)
SHORT_FIRST = (SETTLE, SETTLE_REMOTE)
LONG_FIRST = (SETTLE_COMPLICATED, SETTLE_REMOTE_COMPLICATED)
APPEAL_WINDOW = "complaint.appeal_window"
APPEAL_WINDOW_REMOTE = "complaint.appeal_window_remote"
WINDOWS = (APPEAL_WINDOW, APPEAL_WINDOW_REMOTE)
APPEAL_ACCEPT = "complaint.appeal_accept"
APPEAL_SETTLE = "complaint.appeal_settle"
APPEAL_SETTLE_REMOTE = "complaint.appeal_settle_remote"
APPEAL_SETTLE_COMPLICATED = "complaint.appeal_settle_complicated"
APPEAL_SETTLE_REMOTE_COMPLICATED = "complaint.appeal_settle_remote_complicated"
SECOND = (APPEAL_SETTLE, APPEAL_SETTLE_REMOTE, APPEAL_SETTLE_COMPLICATED, APPEAL_SETTLE_REMOTE_COMPLICATED)
SHORT_SECOND = (APPEAL_SETTLE, APPEAL_SETTLE_REMOTE)
LONG_SECOND = (APPEAL_SETTLE_COMPLICATED, APPEAL_SETTLE_REMOTE_COMPLICATED)
ANSWER = "complaint.feedback_answer"
# The clocks that settle a complaint or answer feedback: what "settled on time" counts.
SETTLING = (*FIRST, *SECOND, ANSWER)
# The province answers for these.
PROVINCE_CLOCKS = (APPEAL_ACCEPT, *SECOND)

# Which clock runs, by (remote area, complicated).
FIRST_OF = {
    (False, False): SETTLE,
    (True, False): SETTLE_REMOTE,
    (False, True): SETTLE_COMPLICATED,
    (True, True): SETTLE_REMOTE_COMPLICATED,
}
SECOND_OF = {
    (False, False): APPEAL_SETTLE,
    (True, False): APPEAL_SETTLE_REMOTE,
    (False, True): APPEAL_SETTLE_COMPLICATED,
    (True, True): APPEAL_SETTLE_REMOTE_COMPLICATED,
}
# How long the complainant has to take an unsatisfying or late first time to the province.
APPEAL_DAYS = {False: 30, True: 45}
WINDOW_OF = {False: APPEAL_WINDOW, True: APPEAL_WINDOW_REMOTE}


def _window_ends(obligation, now) -> None:
    """No second-time complaint within the time allowed: the first-time decision takes effect."""
    from haven.complaints.services import appeal_window_closed

    appeal_window_closed(obligation, now)


def _settle(code: str, days: int, title, basis) -> Rule:
    return Rule(code, title, days, D, basis, L, overridable=True)


FIRST_TITLE = _("Settle the complaint (first time)")
SECOND_TITLE = _("Settle the second-time complaint")

RULES = (
    Rule(
        ACCEPT,
        _("Accept the complaint or refuse it in writing"),
        10,
        D,
        cited(
            _(
                "Law on Complaints 2011 art. 27: within 10 days of receiving a complaint within its "
                "competence, the person competent to settle it accepts it and tells the complainant in "
                "writing, or says in writing why it is not accepted (art. 11)"
            )
        ),
        L,
    ),
    _settle(
        SETTLE,
        30,
        FIRST_TITLE,
        cited(
            _(
                "Law on Complaints 2011 art. 28: a first-time complaint is settled within 30 days of its "
                "acceptance"
            )
        ),
    ),
    _settle(
        SETTLE_COMPLICATED,
        45,
        FIRST_TITLE,
        cited(
            _(
                "Law on Complaints 2011 art. 28: a complicated case may take longer, at most 45 days from "
                "its acceptance"
            )
        ),
    ),
    _settle(
        SETTLE_REMOTE,
        45,
        FIRST_TITLE,
        cited(
            _(
                "Law on Complaints 2011 art. 28: in a remote area with difficult travel, at most 45 days "
                "from its acceptance"
            )
        ),
    ),
    _settle(
        SETTLE_REMOTE_COMPLICATED,
        60,
        FIRST_TITLE,
        cited(
            _(
                "Law on Complaints 2011 art. 28: a complicated case in a remote area with difficult "
                "travel, at most 60 days from its acceptance"
            )
        ),
    ),
    # A timer, not a duty: nobody acts when it falls due; the first-time decision takes effect.
    Rule(
        APPEAL_WINDOW,
        _("Time to lodge a second-time complaint"),
        30,
        D,
        cited(
            _(
                "Law on Complaints 2011 art. 33: a complainant who disagrees with the first-time decision, "
                "or whose complaint was not settled in time, may complain a second time within 30 days (45 "
                "in a remote area with difficult travel); Haven counts from the day of the decision"
            )
        ),
        L,
        on_due=_window_ends,
        overridable=False,
    ),
    Rule(
        APPEAL_WINDOW_REMOTE,
        _("Time to lodge a second-time complaint"),
        45,
        D,
        cited(
            _(
                "Law on Complaints 2011 art. 33: 45 days in a remote area with difficult travel, counted "
                "from the day of the decision"
            )
        ),
        L,
        on_due=_window_ends,
        overridable=False,
    ),
    Rule(
        APPEAL_ACCEPT,
        _("Accept the second-time complaint or refuse it in writing"),
        10,
        D,
        cited(
            _(
                "Law on Complaints 2011 art. 36: within 10 days of receiving a second-time complaint, the "
                "person competent to settle it accepts it and says so in writing, or says why not. After "
                "the 2025 reform, with no district level, Haven reads the province as the level above the "
                "commune (not yet confirmed in an amended text)"
            )
        ),
        L,
    ),
    _settle(
        APPEAL_SETTLE,
        45,
        SECOND_TITLE,
        cited(
            _(
                "Law on Complaints 2011 art. 37: a second-time complaint is settled within 45 days of its "
                "acceptance"
            )
        ),
    ),
    _settle(
        APPEAL_SETTLE_COMPLICATED,
        60,
        SECOND_TITLE,
        cited(_("Law on Complaints 2011 art. 37: a complicated case, at most 60 days from its acceptance")),
    ),
    _settle(
        APPEAL_SETTLE_REMOTE,
        60,
        SECOND_TITLE,
        cited(
            _(
                "Law on Complaints 2011 art. 37: in a remote area with difficult travel, at most 60 days "
                "from its acceptance"
            )
        ),
    ),
    _settle(
        APPEAL_SETTLE_REMOTE_COMPLICATED,
        70,
        SECOND_TITLE,
        cited(
            _(
                "Law on Complaints 2011 art. 37: a complicated case in a remote area with difficult "
                "travel, at most 70 days from its acceptance"
            )
        ),
    ),
    # Feedback has no legal time limit Haven could read: the allowance procedure's old rule for a
    # complaint about its review (Decree 20/2021 art. 8 before the 2025 reform: 10 working days) is the
    # recommended one, as the rule book advises.
    Rule(
        ANSWER,
        _("Handle the feedback and answer it"),
        10,
        WD,
        _(
            "Recommended: 10 working days, as Decree 20/2021 art. 8 (before the 2025 reform) gave for a "
            "complaint about the allowance review. Anonymous information is not a complaint or a "
            "denunciation (Law on Complaints 2011 art. 8; Law on Denunciations 2018 art. 25), but the "
            "commune still checks what it says when it names facts that can be checked"
        ),
        R,
    ),
)


def register() -> None:
    from haven.access.policy import Verb
    from haven.deadlines import rules, subjects

    rules.register("complaints", RULES)
    # A complaint is no child's record: its clocks are seen only as the complaint itself is (so never
    # by the officer it is about), not by everyone of the organisation that answers for it.
    subjects.register(
        "complaints.complaint",
        verb=Verb.COMPLAINT_HANDLE,
        page="/complaints/{id}/",
        label=_("Complaint"),
        own_sight=True,
    )
