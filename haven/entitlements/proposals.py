"""Haven proposes, people decide. When a child's papers, age or care change, Haven proposes a start,
an adjustment, a stop or a continuation to the commune that must act; the officer takes it up (it
becomes an application received that day) or sets it aside with a reason; only the chairman's decision
opens or ends a period. A proposal never pays by itself.

Each proposal answers one event (its ``trigger``), and Haven proposes once for each event: a proposal
set aside is not made again for the same reason.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from haven.areas.models import Area
from haven.core import clock
from haven.entitlements import workflow
from haven.entitlements.amounts import Facts, RuleBook, month_of, next_month
from haven.entitlements.models import (
    OPEN_STATES,
    Application,
    AppliedBy,
    CareSituation,
    Entitlement,
    Ground,
    Kind,
    Programme,
)
from haven.people.models import Child
from haven.workflow.engine import Firing


def propose(
    *,
    child: Child,
    kind: str,
    commune: Area,
    trigger: str,
    ground: str,
    care_situation: str,
    studying: bool = False,
    effective_month: dt.date | None = None,
    entitlement: Entitlement | None = None,
    now: dt.datetime | None = None,
    programme: str = Programme.MONTHLY_ALLOWANCE,
    enrolment=None,
) -> Application | None:
    """Propose once for ``trigger``; None when it was proposed before, or while another procedure of
    the child is open (the next pass proposes it once that one is over)."""
    if Application.objects.filter(child=child, trigger=trigger).exists():
        return None
    if Application.objects.filter(child=child, programme=programme, state__in=OPEN_STATES).exists():
        return None
    application = Application(
        child=child,
        programme=programme,
        kind=kind,
        commune=commune,
        applied_by=AppliedBy.HAVEN,
        ground=ground,
        care_situation=care_situation,
        studying=studying,
        effective_month=effective_month,
        trigger=trigger,
        entitlement=entitlement,
        enrolment=enrolment,
    )

    def effect(firing: Firing) -> Application:
        application.save(force_insert=True)
        firing.data["trigger"] = trigger
        return application

    try:
        with transaction.atomic():
            return workflow.FLOW.fire(
                application, "propose", actor=None, created=True, effect=effect, now=now
            )
    except IntegrityError:  # proposed meanwhile by another pass
        return None


def propose_continuation(stopped: Entitlement, moved_to: Area) -> Application | None:
    """After a move: the new commune continues the allowance from the month the old one stopped it."""
    return propose(
        child=stopped.child,
        kind=Kind.CONTINUE,
        commune=moved_to,
        trigger=f"move:{stopped.pk}",
        ground=stopped.ground,
        care_situation=stopped.care_situation,
        studying=stopped.studying,
        effective_month=stopped.until_month,
        entitlement=stopped,
        programme=stopped.programme,
    )


def why(application: Application) -> str:
    """Why Haven proposed, in the reader's words (from the event the proposal answers)."""
    event = application.trigger.split(":", 1)[0]
    month = application.effective_month.strftime("%m/%Y") if application.effective_month else ""
    said = {
        "birth": _("The found child's birth is registered: the child may receive the monthly allowance."),
        "eligible": _("The child belongs to a group entitled to the monthly allowance and receives none."),
        "band": _(
            "The rules give another amount from %(month)s (the child's age changes): adjust the decision."
        ),
        "ends": _(
            "No rule pays this child from %(month)s (age 16 without studies, or 22): stop the allowance."
        ),
        "adopted": _("The child was adopted: the allowance of an abandoned child stops from %(month)s."),
        "move": _(
            "The child moved here: the allowance continues from %(month)s, the month after the last one the "
            "previous commune paid, with no gap and no month paid twice."
        ),
        "learning": _(
            "The child is enrolled at %(school)s for the school year %(year)s and belongs to a group of the "
            "learning-cost support (%(group)s): it is paid by the semester for the months studied."
        ),
        "tuition": _(
            "The child is enrolled at a private school, %(school)s, for the school year %(year)s: the state "
            "supports the tuition at the rate the province sets, at most the school's fee."
        ),
    }.get(event, "")
    if event in ("learning", "tuition") and application.enrolment_id:
        enrolment = application.enrolment
        return said % {
            "school": enrolment.school,
            "year": enrolment.year_label,
            "group": application.get_ground_display(),
        }
    return said % {"month": month} if "%(month)s" in said else said


# --- What each pass of `haven sweep` proposes ------------------------------------------------------

# The found child's case once the birth is registered (Decree 123/2015 art. 14): papers, then care.
AFTER_BIRTH = ("birth_registered", "benefits_enrolled", "care_planning", "placed")


def _in_facility(case) -> bool:
    """The found child lives in a social protection facility: held by one in temporary care, or placed
    in one of its small groups."""
    from haven.accounts.models import OrganisationKind
    from haven.care.models import Placement

    if case.responsible.kind == OrganisationKind.SOCIAL_PROTECTION_FACILITY:
        return True
    return Placement.objects.filter(
        child_id=case.child_id, ended_on__isnull=True, group__isnull=False
    ).exists()


def found_children(book: RuleBook, month: dt.date, today: dt.date, now: dt.datetime | None) -> int:
    """A found child whose birth is registered, abandoned (art. 10 b) and paid nothing: Haven proposes
    the allowance to the commune where the child lives, where the rules pay something this month."""
    from haven.foundlings.models import FoundlingCase
    from haven.people.models import CircumstanceGroup, SpecialCircumstance

    abandoned = SpecialCircumstance.objects.in_force(today).filter(
        child=OuterRef("child_id"), group=CircumstanceGroup.HCDB_B
    )
    cases = (
        FoundlingCase.objects.filter(state__in=AFTER_BIRTH, child__merged_into__isnull=True)
        .filter(Exists(abandoned))
        .exclude(Exists(Entitlement.objects.filter(child=OuterRef("child_id"), until_month=None)))
        .exclude(
            Exists(
                Application.objects.filter(
                    child=OuterRef("child_id"), programme=Programme.MONTHLY_ALLOWANCE, state__in=OPEN_STATES
                )
            )
        )
        .exclude(child__date_of_birth__isnull=True)
        .select_related("child__current_commune", "responsible")
    )
    made = 0
    for case in cases:
        child = case.child
        situation = CareSituation.FACILITY if _in_facility(case) else CareSituation.COMMUNITY
        facts = Facts(
            born=child.date_of_birth,
            ground=Ground.ABANDONED,
            care_situation=situation,
            studying=False,
            province_id=child.current_commune.parent_id,
        )
        if book.amount(facts, month).amount is None:
            continue  # no rule of Haven's pays this child (in a facility): the list shows the child
        made += bool(
            propose(
                child=child,
                kind=Kind.START,
                commune=child.current_commune,
                trigger=f"birth:{case.pk}",
                ground=Ground.ABANDONED,
                care_situation=situation,
                now=now,
            )
        )
    return made


def rule_changes(book: RuleBook, month: dt.date, now: dt.datetime | None) -> int:
    """A running allowance whose rule changes next month by the child's age alone: the 4th birthday
    (a lower coefficient, proposed as an adjustment from that month), 16 without studies or 22 (no
    rule pays: a stop)."""
    from haven.entitlements.services.applications import facts_of

    coming = next_month(month)
    made = 0
    running = Entitlement.objects.filter(until_month=None, from_month__lte=month).select_related(
        "child", "commune"
    )
    for period in running:
        facts = facts_of(period)
        now_rule, then = book.amount(facts, month), book.amount(facts, coming)
        if then.amount is not None and (
            now_rule.rule is None or then.rule.coefficient == now_rule.rule.coefficient
        ):
            continue
        kind, event = (Kind.STOP, "ends") if then.amount is None else (Kind.ADJUST, "band")
        made += bool(
            propose(
                child=period.child,
                kind=kind,
                commune=period.commune,
                trigger=f"{event}:{period.pk}:{coming:%Y-%m}",
                ground=period.ground,
                care_situation=period.care_situation,
                studying=period.studying,
                effective_month=coming,
                entitlement=period,
                now=now,
                programme=period.programme,
            )
        )
    return made


def adoptions(month: dt.date, now: dt.datetime | None) -> int:
    """A child paid the allowance who has been adopted (a care placement in adoption): the allowance
    stops from the month after (Decree 20/2021 art. 5(1)(a): abandoned and not yet adopted)."""
    from haven.care.models import CareForm, Placement

    made = 0
    adopted = Placement.objects.filter(form=CareForm.ADOPTED, started_on__lt=next_month(month)).filter(
        Exists(Entitlement.objects.filter(child=OuterRef("child_id"), until_month=None))
    )
    for placement in adopted.select_related("child"):
        period = Entitlement.objects.select_related("commune").get(child=placement.child, until_month=None)
        effective = max(next_month(month_of(placement.started_on)), next_month(period.from_month))
        made += bool(
            propose(
                child=placement.child,
                kind=Kind.STOP,
                commune=period.commune,
                trigger=f"adopted:{placement.pk}",
                ground=period.ground,
                care_situation=period.care_situation,
                studying=period.studying,
                effective_month=effective,
                entitlement=period,
                now=now,
                programme=period.programme,
            )
        )
    return made


def school_supports(book: RuleBook, today: dt.date, now: dt.datetime | None) -> int:
    """A pupil enrolled this school year: at a private school, Haven proposes the tuition support; in a
    group of the learning-cost support (an orphan, a child with a disability, of a poor household),
    that support. Proposed once for each enrolment, to the commune where the child lives."""
    from haven.education.ages import school_year_of
    from haven.education.models import Enrolment
    from haven.education.models import State as Enrolled
    from haven.entitlements import schooling
    from haven.people.models import SpecialCircumstance

    eligible = SpecialCircumstance.objects.in_force(today).filter(
        child=OuterRef("child_id"), group__in=[g.group for g in schooling.groups_on(today)]
    )

    def proposed(programme: str):
        return Exists(Application.objects.filter(enrolment=OuterRef("pk"), programme=programme))

    # Only the enrolments still owed a proposal: a pass over a settled year reads nothing more.
    enrolments = (
        Enrolment.objects.filter(
            school_year=school_year_of(today),
            state=Enrolled.ENROLLED,
            child__merged_into__isnull=True,
            child__current_commune__isnull=False,
        )
        .filter(
            (Exists(eligible) & ~proposed(Programme.LEARNING_COSTS))
            | (Q(school__public=False) & ~proposed(Programme.TUITION_SUPPORT))
        )
        .select_related("child__current_commune", "school__organisation")
        .order_by("created_at", "pk")
    )
    made = 0
    for enrolment in enrolments:
        child = enrolment.child
        due = schooling.due(enrolment, schooling.circumstances_of(child, today), today, book)
        wanted = []
        if due.tuition.supported:
            wanted.append((Programme.TUITION_SUPPORT, "tuition", Ground.PRIVATE_SCHOOL))
        if due.learning is not None:
            wanted.append((Programme.LEARNING_COSTS, "learning", due.learning.group.ground))
        situation = CareSituation.FACILITY if _lives_in_facility(child) else CareSituation.COMMUNITY
        for programme, event, ground in wanted:
            made += bool(
                propose(
                    child=child,
                    kind=Kind.START,
                    commune=child.current_commune,
                    trigger=f"{event}:{enrolment.pk}",
                    ground=ground,
                    care_situation=situation,
                    studying=True,
                    effective_month=schooling.first_month(enrolment),
                    now=now,
                    programme=programme,
                    enrolment=enrolment,
                )
            )
    return made


def _lives_in_facility(child: Child) -> bool:
    from haven.care.models import Placement

    return Placement.objects.filter(child=child, ended_on__isnull=True, group__isnull=False).exists()


def proposals_sweep(now: dt.datetime | None = None) -> int:
    """One pass: what Haven proposes now. Idempotent (each event is proposed once)."""
    today = clock.localdate(now) if now else clock.today()
    month = month_of(today)
    book = RuleBook.load()
    return (
        found_children(book, month, today, now)
        + rule_changes(book, month, now)
        + adoptions(month, now)
        + school_supports(book, today, now)
    )
