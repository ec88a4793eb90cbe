"""The one workflow engine. Each domain declares its pathway as a table of transitions (foundlings,
protection, prevention, care...), and every step — whoever takes it, through whatever door (a page,
the API, the sweep, the population register's answer) — goes through ``Workflow.fire``:

    lock the subject → who acts (a membership the row allows, reaching the subject) → is the step
    open from this state → lawful times and named guards (every error at once) → the domain's own
    writes → clocks stopped and started → state → timeline → audit → the next actor told.

Notice 432-TB/VPTW §2 asks for "specific, serious and synchronised procedures": one engine is how a
refused step behaves the same on every pathway and every door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from haven.access.policy import Verb
from haven.access.scoping import acting
from haven.accounts.models import Membership, Organisation, Role, User
from haven.audit.services import record
from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.services import obligation_open, obligations_close
from haven.workflow import guards as guard_registry

SYSTEM: frozenset = frozenset()  # fired by the sweep or the register's answer, never by a person


@dataclass(frozen=True)
class Tell:
    """Whom a step tells, and what: the next actor's inbox (their home page lists the task itself).
    ``to`` picks the organisation from the firing (default: the subject's responsible organisation
    after the step)."""

    title: str | Promise | Callable[[Firing], str]
    to: Callable[[Firing], Organisation | None] | None = None
    link: Callable[[Firing], str] | None = None
    # The one person of that organisation the message is for (the collaborator given a woman to
    # follow), where not the whole organisation.
    user: Callable[[Firing], User | None] | None = None


@dataclass(frozen=True)
class Transition:
    """One row of a workflow table."""

    sources: frozenset
    target: str | None  # None: the subject stays in its state (a side step, still on the timeline)
    roles: frozenset  # who may fire it; SYSTEM: nobody but the sweep or a register's answer
    title: str | Promise = ""
    # Named guards (haven/workflow/guards.py and each domain's guards), checked in order; every
    # ValidationError they raise is shown at once.
    guards: tuple[str, ...] = ()
    closes: tuple[str, ...] = ()  # clocks this step meets
    cancels: tuple[str, ...] = ()  # clocks made moot by this step (not "met")
    opens: tuple[str, ...] = ()  # clocks this step starts
    # Entered times (field names) that the lawful-time guards check against the subject's timeline,
    # and the earlier actions each must not precede.
    times: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    # Legal waits measured from an entered time: {clock: entered time field}. A backdated time does
    # not shorten the wait: the clock runs from the time Haven recorded the step until a supervisor
    # confirms the earlier time with a reason (Workflow.confirm_time).
    waits: tuple[tuple[str, str], ...] = ()
    tells: tuple[Tell, ...] = ()
    # An irreversible step says what will happen; the step page asks the person to confirm it.
    confirm: str | Promise = ""
    # The policy verb the actor needs besides the role (default: the workflow's verb).
    verb: Verb | None = None
    # What to tell a person who asks for the step from a state it does not leave, by state, where the
    # domain can say more than the state's name ("This placement has already ended.").
    refused: Mapping[str, str | Promise] = field(default_factory=dict, hash=False)


@dataclass
class Firing:
    """One step being taken: what the guards and the domain's writes read and add to."""

    workflow: Workflow
    subject: models.Model
    action: str
    rule: Transition
    actor: User | None
    membership: Membership | None
    now: dt.datetime
    inputs: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # Why the person did what a rule would have refused (a director's override, named), for the
    # audit event's reason.
    reason: str = ""
    starts: dict[str, dt.datetime] = field(default_factory=dict)
    # Clocks due on a date or a moment the step names (a visit due on day D, a separation's own end).
    dues: dict[str, dt.date | dt.datetime] = field(default_factory=dict)
    # The organisation answering for a clock this step opens, where not the workflow's default.
    responsible: dict[str, Organisation] = field(default_factory=dict)
    # Set by a step that runs a second step of its own (a handover accepted by the decider).
    then: list[Callable[[], Any]] = field(default_factory=list)
    # The clocks this step really starts and stops, where the domain chooses among the row's own from
    # what was entered (a weekly or a monthly contact; the newborn's papers only once all three are
    # recorded). Always a subset of the row's, so the table lists every clock a step may touch.
    # None: the row's.
    opens: tuple[str, ...] | None = None
    closes: tuple[str, ...] | None = None
    # Clocks this firing starts besides its row's, which only the step's own data can name (a case
    # reopened after a closure in error: the clocks that closure stopped).
    also_opens: list[str] = field(default_factory=list)

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None


class Workflow:
    """A domain's pathway: its subject model, states and table, and the few facts the engine needs
    about its subject (who answers for a clock, who may reach it, the moment its timeline starts)."""

    registry: dict[str, Workflow] = {}

    def __init__(
        self,
        name: str,
        *,
        model: type[models.Model],
        states: type[models.TextChoices],
        transitions: dict[str, Transition],
        verb: Verb = Verb.CHILD_VIEW,
        responsible: Callable[[models.Model, str], Organisation] | None = None,
        reaches: Callable[[Membership, models.Model, User], bool] | None = None,
        visible: Callable[[User, models.Model], bool] | None = None,
        begins: Callable[[models.Model], tuple[dt.datetime, str] | None] | None = None,
        link: Callable[[models.Model], str] | None = None,
        audit_prefix: str | None = None,
        title: str | Promise = "",
    ) -> None:
        self.name = name
        self.model = model
        self.states = states
        self.transitions = transitions
        self.verb = verb
        self._responsible = responsible or (lambda subject, code: subject.responsible)
        self._reaches = reaches
        self._visible = visible
        self._begins = begins or (lambda subject: None)
        self._link = link or (lambda subject: "")
        self.audit_prefix = audit_prefix or name
        self.title = title
        Workflow.registry[name] = self

    def begins(self, subject: models.Model) -> tuple[dt.datetime, str] | None:
        """The moment the subject's timeline starts, and how to say it (no entered time precedes it)."""
        return self._begins(subject)

    def link(self, subject: models.Model) -> str:
        return self._link(subject)

    # --- The table --------------------------------------------------------------------------------

    def rule(self, action: str, state: str) -> Transition:
        """The row for ``action`` from ``state``, or Refused with the reason."""
        rule = self.transitions[action]
        if self.states(state) not in rule.sources:
            said = rule.refused.get(self.states(state))
            raise Refused(
                str(said)
                if said
                else _("This step cannot be taken now: the record is “%(state)s”.")
                % {"state": self.states(state).label},
                code="out_of_order",
            )
        return rule

    def actions_for(self, state: str, roles: Iterable[str]) -> list[str]:
        """The actions a person holding ``roles`` could take from ``state`` (for the page)."""
        roles = set(roles)
        return [a for a, t in self.transitions.items() if self.states(state) in t.sources and t.roles & roles]

    def next_roles(self, action: str) -> frozenset:
        """Who acts after ``action``: the roles of the steps open from the state it enters."""
        rule = self.transitions[action]
        if rule.target is None:
            return frozenset()
        return frozenset().union(
            *(t.roles for a, t in self.transitions.items() if rule.target in t.sources and a != action)
        )

    # --- Who acts ---------------------------------------------------------------------------------

    def lock(self, subject: models.Model) -> None:
        """Lock the subject's row for this transaction and re-read it, so that two people acting on
        the same stale page cannot both take the same step (the second is told it is out of order)."""
        fresh = type(subject).objects.select_for_update().get(pk=subject.pk)
        for f in subject._meta.concrete_fields:
            setattr(subject, f.attname, getattr(fresh, f.attname))

    def acting(self, actor: User, subject: models.Model, action: str) -> Membership:
        """The membership through which ``actor`` takes ``action``: a role the row allows, and a
        reach that includes the subject. Anyone who sees the subject is told why not; the rest 404."""
        rule = self.transitions[action]
        return acting(
            actor,
            rule.roles,
            subject,
            verb=rule.verb or self.verb,
            reaches=self._reaches,
            visible=self._visible,
        )

    # --- Firing -----------------------------------------------------------------------------------

    # One transaction (a savepoint inside the caller's): a refused step leaves nothing behind.
    @transaction.atomic
    def fire(
        self,
        subject: models.Model,
        action: str,
        *,
        actor: User | None,
        membership: Membership | None = None,
        inputs: dict[str, Any] | None = None,
        effect: Callable[[Firing], Any] | None = None,
        note: str = "",
        data: dict[str, Any] | None = None,
        starts: dict[str, dt.datetime] | None = None,
        now: dt.datetime | None = None,
        created: bool = False,
    ) -> Any:
        """Take ``action`` on ``subject``. ``inputs`` are what the person entered (the guards read
        them; the times named by the row are checked against the timeline); ``effect`` makes the
        domain's own writes once every check has passed. Returns what ``effect`` returns, else the
        timeline step. ``created``: the subject was just created by this step (a report), so there
        is nothing to lock and the creating service has found the membership itself."""
        rule = self.transitions[action]
        if not created:
            self.lock(subject)
        if membership is None and actor is not None and rule.roles:
            membership = self.acting(actor, subject, action)
        elif actor is not None and not rule.roles:
            raise Refused(_("Haven takes this step by itself."), code="not_your_step")
        if not created:
            self.rule(action, subject.state)
        firing = Firing(
            workflow=self,
            subject=subject,
            action=action,
            rule=rule,
            actor=actor,
            membership=membership,
            now=now or clock.now(),
            inputs=dict(inputs or {}),
            note=note,
            data=dict(data or {}),
            starts=dict(starts or {}),
        )
        self.check(firing)
        result = effect(firing) if effect is not None else None
        step = self._apply(firing, created=created)
        for then in firing.then:
            then()
        return step if effect is None else result

    def check(self, firing: Firing) -> None:
        """Lawful times, then the row's named guards; every ValidationError is gathered so the person
        sees every problem at once. A Refused (the step is not open) stops at the first."""
        errors: dict[str, list] = {}

        def gather(check: Callable[[], None]) -> None:
            try:
                check()
            except ValidationError as error:
                found = error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
                for name, messages in found.items():
                    errors.setdefault(name, []).extend(messages)

        for name in firing.rule.times:
            if firing.inputs.get(name) is not None:
                gather(lambda name=name: guard_registry.lawful_time(firing, name))
        for name in firing.rule.guards:
            gather(lambda name=name: guard_registry.GUARDS[name](firing))
        if errors:
            raise ValidationError(errors)

    def _apply(self, firing: Firing, *, created: bool) -> models.Model:
        subject, rule, now = firing.subject, firing.rule, firing.now
        subject_type = subject._meta.label_lower
        before = "" if created else subject.state
        closes = rule.closes if firing.closes is None else tuple(firing.closes)
        opens = rule.opens if firing.opens is None else tuple(firing.opens)
        if not set(closes) <= set(rule.closes) or not set(opens) <= set(rule.opens):
            raise ValueError(f"{self.name}.{firing.action}: a firing may only choose among its row's clocks")
        met = (
            Obligation.objects.filter(
                subject_type=subject_type, subject_id=subject.pk, rule__in=closes, status=Status.OPEN
            )
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        if closes:
            obligations_close(subject=subject, rules=list(closes), actor=firing.actor)
        if rule.cancels:
            obligations_close(
                subject=subject, rules=list(rule.cancels), actor=firing.actor, status=Status.CANCELLED
            )
        if rule.target is not None and subject.state != rule.target:
            subject.state = rule.target
            subject.save(update_fields=["state", "updated_at"])
        waits = dict(rule.waits)
        for code in dict.fromkeys((*opens, *firing.also_opens)):
            start = firing.starts.get(code, now)
            if code in waits and start < now:
                # A legal wait is never shortened by a backdated time (Decree 123/2015 art. 14(2): 7
                # consecutive days): it runs from now until a supervisor confirms the earlier time.
                firing.data.setdefault("claimed_start", {})[code] = start.isoformat()
                start = now
            obligation_open(
                rule_code=code,
                subject=subject,
                child=getattr(subject, "child", None),
                responsible=firing.responsible.get(code) or self._responsible(subject, code),
                start=start,
                due=firing.dues.get(code),
            )
        step = subject.steps.create(
            action=firing.action,
            from_state=before,
            to_state=subject.state,
            at=now,
            actor=firing.actor,
            organisation=firing.organisation,
            note=firing.note,
            due_at=met,
        )
        record(
            actor=firing.actor,
            action=f"{self.audit_prefix}.{firing.action}",
            obj=subject,
            organisation=firing.organisation,
            at=now,
            reason=firing.reason,
            data={"from": before, "to": subject.state, **firing.data},
        )
        self._tell(firing)
        return step

    def _tell(self, firing: Firing) -> None:
        from haven.notifications.services import notify

        for tell in firing.rule.tells:
            to = tell.to(firing) if tell.to else self._responsible(firing.subject, "")
            if to is None:
                continue
            notify(
                organisation=to,
                user=tell.user(firing) if tell.user else None,
                kind=f"{self.name}.{firing.action}",
                title=str(tell.title if isinstance(tell.title, str | Promise) else tell.title(firing)),
                child=getattr(firing.subject, "child", None),
                link=tell.link(firing) if tell.link else self.link(firing.subject),
                at=firing.now,
            )

    # --- A backdated wait confirmed -----------------------------------------------------------------

    def confirm_time(
        self,
        subject: models.Model,
        action: str,
        *,
        actor: User,
        clock_code: str,
        field_name: str,
        reason: str,
    ) -> Obligation:
        """A supervisor confirms that a legal wait really began at the earlier time the officer
        entered (``field_name`` on the subject): the clock is re-dated from it. Audited with the reason;
        the person who entered the time cannot confirm it."""
        from haven.core.errors import invalid

        def effect(firing: Firing) -> Obligation:
            if not reason.strip():
                raise invalid("reason", _("Say how the earlier time was checked."), "required")
            obligation = Obligation.objects.filter(
                subject_type=subject._meta.label_lower,
                subject_id=subject.pk,
                rule=clock_code,
                status=Status.OPEN,
            ).first()
            claimed = getattr(subject, field_name)
            if obligation is None or claimed is None or claimed >= obligation.opened_at:
                raise Refused(
                    _("There is no earlier time waiting to be confirmed."), code="nothing_to_confirm"
                )
            entered_by = (
                subject.steps.filter(at__gte=obligation.opened_at)
                .order_by("at")
                .values_list("actor", flat=True)
            ).first()
            if entered_by == actor.pk:
                raise Refused(
                    _("Someone other than the person who entered the time must confirm it."),
                    code="not_your_step",
                )
            from haven.deadlines.services import redate

            redate(obligation, start=claimed)
            firing.note = reason.strip()
            firing.data.update({"clock": clock_code, "confirmed_start": claimed.isoformat()})
            return obligation

        return self.fire(subject, action, actor=actor, effect=effect)


def workflows() -> list[Workflow]:
    """Every declared workflow, for the permission document."""
    return list(Workflow.registry.values())


def role_labels(roles: Iterable[str]) -> str:
    return ", ".join(str(Role(r).label) for r in sorted(roles)) or _("Haven itself")
