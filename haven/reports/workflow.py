"""Periodic reports and reminders as tables on the one workflow engine.

A commune's report (DHIS2's approval levels, on Viet Nam's two tiers since 1 July 2025):

    Haven generates ──▶ generated ──review──▶ reviewed ──submit──▶ submitted ──approve──▶ approved
    (figures counted,   (officer)             (chairman)            │  (province)      by the province
     never typed)           ▲                                        │                      │ approve
                            └──recount── returned ◀──return──────────┴──────────────────────┤ (Ministry)
                                                                                            ▼ approved

A province's report is the same up to "submitted", which the Ministry approves or returns. Comments are
side steps anyone on the way may add. A report submitted twice, or approved by the wrong level, is
refused with the reason and nothing changes.

A reminder: Haven opens it when a commune missed a target two periods in a row; the provincial officer
sends it (the commune is told) or sets it aside with a reason.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.access.policy import Verb
from haven.accounts.models import Membership, Role, User
from haven.reports.models import (
    PeriodicReport,
    ReportState,
    Urging,
    UrgingState,
    ministry,
    province_authority,
)
from haven.workflow.engine import SYSTEM, Firing, Tell, Transition, Workflow
from haven.workflow.guards import guard
from haven.workflow.standing_in import STAND_IN, StandingIn

R = Role
S = ReportState
OFFICER = frozenset({R.COMMUNE_CHILD_PROTECTION_OFFICER})
CHAIRMAN = frozenset({R.COMMUNE_CHAIRMAN})
PROVINCE = frozenset({R.PROVINCIAL_OFFICER})
MINISTRY = frozenset({R.MINISTRY_OFFICER})
# The commune officer reviews, the chairman submits; where the commune's People's Committee is not in
# Haven yet, the body standing in for it does both (docs/decisions/0014).
PREPARERS = frozenset({*OFFICER, *STAND_IN})
SUBMITTERS = frozenset({*CHAIRMAN, *STAND_IN})
COMMENTERS = frozenset({*OFFICER, *CHAIRMAN, *PROVINCE, *MINISTRY})
WITH_MAKER = frozenset({S.DRAFT, S.REVIEWED, S.RETURNED})

STANDING_IN = StandingIn(
    "report.stands_in",
    commune_of=lambda report: report.area,
    committee_joined=gettext_lazy(
        "The commune's People's Committee is in Haven: %(authority)s makes and submits its report."
    ),
    elsewhere=gettext_lazy("%(authority)s stands in for this commune and makes its report."),
)

ALREADY_SUBMITTED = gettext_lazy("This report has already been submitted: it is waiting for approval.")
ALREADY_APPROVED = gettext_lazy("This report is approved: its figures are frozen and it cannot change.")
NOT_REVIEWED = gettext_lazy("Review the figures before submitting the report.")
PROVINCE_FIRST = gettext_lazy(
    "A commune's report is approved by its province first, then by the Ministry of Health."
)
NOT_SUBMITTED = gettext_lazy("This report has not been submitted: there is nothing to approve or return.")


@guard("report.note_given", "A note saying what was checked, asked or wrong.")
def note_given(firing: Firing) -> None:
    from haven.core.errors import invalid

    if not (firing.inputs.get("note") or "").strip():
        raise invalid("note", _("Write the note."), "required")


@guard("report.unchanged", "The figures are those submitted: their digest has not changed.")
def unchanged(firing: Firing) -> None:
    from haven.core.errors import Refused
    from haven.reports.snapshot import digest

    report = firing.subject
    if digest(report.figures) != report.digest:
        raise Refused(_("The figures no longer match their digest: return the report."), code="tampered")


def _reaches(m: Membership, report: PeriodicReport, user: User) -> bool:
    area = m.organisation.area
    if m.role in OFFICER | CHAIRMAN:
        return area.pk == report.area_id
    if m.role == R.PROVINCIAL_OFFICER:
        return report.area_id == area.pk or report.area.parent_id == area.pk
    return m.role == R.MINISTRY_OFFICER


def _visible(user: User, report: PeriodicReport) -> bool:
    return PeriodicReport.objects.visible_to(user).filter(pk=report.pk).exists()


def _link(report: PeriodicReport) -> str:
    return f"/reports/periodic/{report.pk}/"


def _maker(firing: Firing):
    return firing.subject.responsible


def _province(firing: Firing):
    return province_authority(firing.subject.area.parent)


def _ministry(firing: Firing):
    return ministry()


REFUSED_SUBMIT = {
    S.DRAFT: NOT_REVIEWED,
    S.SUBMITTED: ALREADY_SUBMITTED,
    S.PROVINCE_APPROVED: ALREADY_SUBMITTED,
    S.APPROVED: ALREADY_APPROVED,
}
REFUSED_CHANGE = {
    S.SUBMITTED: ALREADY_SUBMITTED,
    S.PROVINCE_APPROVED: ALREADY_SUBMITTED,
    S.APPROVED: ALREADY_APPROVED,
}
COMMENT = Transition(
    frozenset(S),
    None,
    COMMENTERS | STAND_IN,
    gettext_lazy("Add a comment"),
    guards=("report.note_given",),
)


def _common(submitters: frozenset, preparers: frozenset, stand_in: tuple[str, ...]) -> dict[str, Transition]:
    return {
        # Haven generates every expected report when its period closes: no one types a figure.
        "generate": Transition(
            frozenset(),
            S.DRAFT,
            SYSTEM,
            gettext_lazy("Haven generates the report"),
            opens=("reports.submit",),
        ),
        # The figures counted again from case data (late entries): the review is done again.
        "recount": Transition(
            WITH_MAKER,
            S.DRAFT,
            preparers,
            gettext_lazy("Count the figures again"),
            guards=stand_in,
            refused=REFUSED_CHANGE,
        ),
        "review": Transition(
            frozenset({S.DRAFT, S.RETURNED}),
            S.REVIEWED,
            preparers,
            gettext_lazy("Review the figures"),
            guards=(*stand_in, "report.note_given"),
            refused={
                **REFUSED_CHANGE,
                S.REVIEWED: gettext_lazy("The figures are already reviewed: submit them."),
            },
        ),
        "submit": Transition(
            frozenset({S.REVIEWED}),
            S.SUBMITTED,
            submitters,
            gettext_lazy("Submit the report"),
            guards=stand_in,
            closes=("reports.submit", "reports.resubmit"),
            opens=("reports.approve",),
            confirm=gettext_lazy(
                "The report goes up with these figures. They cannot change unless the report is returned."
            ),
            refused=REFUSED_SUBMIT,
        ),
        "comment": COMMENT,
    }


def _return(sources: frozenset, roles: frozenset) -> Transition:
    return Transition(
        sources,
        S.RETURNED,
        roles,
        gettext_lazy("Return the report for correction"),
        guards=("report.note_given",),
        closes=("reports.approve",),
        opens=("reports.resubmit",),
        tells=(Tell(gettext_lazy("A periodic report was returned for correction: see why"), to=_maker),),
        refused={S.APPROVED: ALREADY_APPROVED, **{s: NOT_SUBMITTED for s in WITH_MAKER}},
    )


COMMUNE_TRANSITIONS: dict[str, Transition] = {
    **_common(SUBMITTERS, PREPARERS, ("report.stands_in",)),
    "approve_province": Transition(
        frozenset({S.SUBMITTED}),
        S.PROVINCE_APPROVED,
        PROVINCE,
        gettext_lazy("Approve for the province"),
        guards=("report.unchanged",),
        closes=("reports.approve",),
        opens=("reports.approve",),
        confirm=gettext_lazy(
            "The figures are frozen as approved and the report goes to the Ministry of Health."
        ),
        tells=(Tell(gettext_lazy("The province approved your periodic report"), to=_maker),),
        refused={
            S.PROVINCE_APPROVED: gettext_lazy("The province has already approved this report."),
            S.APPROVED: ALREADY_APPROVED,
            **{s: NOT_SUBMITTED for s in WITH_MAKER},
        },
    ),
    "approve_ministry": Transition(
        frozenset({S.PROVINCE_APPROVED}),
        S.APPROVED,
        MINISTRY,
        gettext_lazy("Approve for the Ministry"),
        guards=("report.unchanged",),
        closes=("reports.approve",),
        confirm=gettext_lazy("The report is approved: its figures never change again."),
        tells=(Tell(gettext_lazy("The Ministry of Health approved your periodic report"), to=_maker),),
        refused={
            S.SUBMITTED: PROVINCE_FIRST,
            S.APPROVED: ALREADY_APPROVED,
            **{s: NOT_SUBMITTED for s in WITH_MAKER},
        },
    ),
    "return_province": _return(frozenset({S.SUBMITTED}), PROVINCE),
    "return_ministry": _return(frozenset({S.PROVINCE_APPROVED}), MINISTRY),
}

PROVINCE_TRANSITIONS: dict[str, Transition] = {
    **_common(PROVINCE, PROVINCE, ()),
    "approve_ministry": Transition(
        frozenset({S.SUBMITTED}),
        S.APPROVED,
        MINISTRY,
        gettext_lazy("Approve for the Ministry"),
        guards=("report.unchanged",),
        closes=("reports.approve",),
        confirm=gettext_lazy("The report is approved: its figures never change again."),
        tells=(Tell(gettext_lazy("The Ministry of Health approved your periodic report"), to=_maker),),
        refused={S.APPROVED: ALREADY_APPROVED, **{s: NOT_SUBMITTED for s in WITH_MAKER}},
    ),
    "return_ministry": _return(frozenset({S.SUBMITTED}), MINISTRY),
}


def _begins(report: PeriodicReport):
    from haven.core import calendar

    return calendar.day_start(report.period_obj.start), _("the period began")


COMMUNE_REPORT = Workflow(
    "commune_report",
    model=PeriodicReport,
    states=ReportState,
    transitions=COMMUNE_TRANSITIONS,
    verb=Verb.AGGREGATE_VIEW,
    responsible=lambda report, code: report.responsible,
    reaches=_reaches,
    visible=_visible,
    begins=_begins,
    link=_link,
    audit_prefix="report",
    title=gettext_lazy("Periodic report of a commune"),
)
PROVINCE_REPORT = Workflow(
    "province_report",
    model=PeriodicReport,
    states=ReportState,
    transitions=PROVINCE_TRANSITIONS,
    verb=Verb.AGGREGATE_VIEW,
    responsible=lambda report, code: report.responsible,
    reaches=_reaches,
    visible=_visible,
    begins=_begins,
    link=_link,
    audit_prefix="report",
    title=gettext_lazy("Periodic report of a province"),
)


def flow_of(report: PeriodicReport) -> Workflow:
    return COMMUNE_REPORT if report.level == "commune" else PROVINCE_REPORT


# --- Reminders ----------------------------------------------------------------------------------------


def _urging_reaches(m: Membership, urging: Urging, user: User) -> bool:
    return m.role == R.PROVINCIAL_OFFICER and urging.commune.parent_id == m.organisation.area_id


def _commune_of(firing: Firing):
    from haven.accounts.selectors import authority_for

    return authority_for(firing.subject.commune)


def _sent_title(firing: Firing) -> str:
    from haven.reports.registry import indicator

    ind = indicator(firing.subject.indicator)
    return _("Reminder from the province: %(indicator)s has missed its target two periods in a row") % {
        "indicator": ind.name if ind else firing.subject.indicator
    }


URGING_TRANSITIONS: dict[str, Transition] = {
    "open": Transition(
        frozenset(),
        UrgingState.OPEN,
        SYSTEM,
        gettext_lazy("Haven finds the target missed twice"),
        opens=("reports.urge",),
        tells=(
            Tell(
                gettext_lazy("A commune missed a target two periods in a row: send it a reminder"),
                to=lambda firing: province_authority(firing.subject.commune.parent),
            ),
        ),
    ),
    "send": Transition(
        frozenset({UrgingState.OPEN}),
        UrgingState.SENT,
        PROVINCE,
        gettext_lazy("Send the reminder"),
        guards=("report.note_given",),
        closes=("reports.urge",),
        tells=(Tell(_sent_title, to=_commune_of),),
        refused={
            UrgingState.SENT: gettext_lazy("This reminder has already been sent."),
            UrgingState.SET_ASIDE: gettext_lazy("This reminder was set aside."),
        },
    ),
    "set_aside": Transition(
        frozenset({UrgingState.OPEN}),
        UrgingState.SET_ASIDE,
        PROVINCE,
        gettext_lazy("Set the reminder aside"),
        guards=("report.note_given",),
        cancels=("reports.urge",),
        refused={
            UrgingState.SENT: gettext_lazy("This reminder has already been sent."),
            UrgingState.SET_ASIDE: gettext_lazy("This reminder was set aside."),
        },
    ),
}

URGING = Workflow(
    "urging",
    model=Urging,
    states=UrgingState,
    transitions=URGING_TRANSITIONS,
    verb=Verb.AGGREGATE_VIEW,
    responsible=lambda urging, code: urging.responsible,
    reaches=_urging_reaches,
    visible=lambda user, urging: Urging.objects.visible_to(user).filter(pk=urging.pk).exists(),
    link=lambda urging: f"/reports/reminders/{urging.pk}/",
    audit_prefix="report.urging",
    title=gettext_lazy("Reminder to a commune"),
)
