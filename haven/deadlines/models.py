"""Stored obligations: a deadline is an indexed column, swept by `haven sweep`, never recomputed
on every request."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.access.policy import Verb
from haven.core.models import TimeStamped
from haven.deadlines.rules import OVERRIDE_UNITS, RULES, Unit, period, title_of

# The deadlines engine imports no domain app. The child register is the one exception: a child is the
# subject of nearly every obligation, and is how an obligation is seen (docs/decisions/0012).
from haven.people.models import ChildDataQuerySet

UNIT_CHOICES = [(u.value, u.value) for u in OVERRIDE_UNITS]


def rule_choices() -> list[tuple[str, str]]:
    """The steps a province may set a stricter deadline for. A function: the apps register their
    rules when Django starts, after this module is imported."""
    return [(code, rule.title) for code, rule in RULES.items() if rule.overridable]


# The ladder (issue #3): the head of the responsible organisation, then the provincial Department of
# Health, then the Ministry of Health.
MAX_LEVEL = 3


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Done")
    CANCELLED = "cancelled", _("No longer needed")


class ObligationQuerySet(ChildDataQuerySet):
    def visible_to(self, user, verb: Verb = Verb.CHILD_VIEW):
        """A child's obligations as the child is seen, and the deadlines of a case read through a named
        relation that makes them the reader's (the answer to a handover: access/relations.py). An
        obligation with no child (a person followed by the prevention work) only by those whose roles
        grant its subject's own verb: through the organisation that answers for it, or through the
        subject itself where its model scopes its own reads (access/scoping.py, deadlines/subjects.py)."""
        from django.apps import apps

        from haven.access.policy import POLICY
        from haven.access.relations import obligations_related
        from haven.access.scoping import can, child_filter, granting, organisation_filter, reach
        from haven.accounts.models import Role
        from haven.deadlines.subjects import not_children, own_sight, readers

        about_child = child_filter(user, verb, "child__")
        q = Q(pk__in=[])
        if about_child is not None:
            # child__isnull=False: for a national role the child clause is empty, and an obligation
            # without a child would otherwise pass it.
            q |= Q(about_child, child__isnull=False, child__merged_into__isnull=True)
        if verb is Verb.CHILD_VIEW:
            related = obligations_related(user)
            if related is not None:
                q |= related
            for subject_type, reader in readers().items():
                # A role that sees the child only under the subject's own verb (a school, its pupils'
                # school facts) sees the steps of that subject, and nothing else of the child's.
                through = [
                    m for m in granting(user, reader) if Verb.CHILD_VIEW not in POLICY[Role(m.role)].verbs
                ]
                seen = reach(through, "child__")
                if seen is not None:
                    q |= Q(seen, subject_type=subject_type, child__merged_into__isnull=True)
        only_own = own_sight()
        for subject_type, subject_verb in not_children().items():
            about_other = organisation_filter(user, subject_verb, "responsible__")
            if about_other is not None and subject_type not in only_own:
                q |= Q(about_other, child__isnull=True, subject_type=subject_type)
            subjects = apps.get_model(subject_type).objects
            if hasattr(subjects, "visible_to") and can(user, subject_verb):
                # A collaborator follows the women she is given, whichever body answers for them.
                seen = subjects.visible_to(user, subject_verb).values("pk")
                q |= Q(child__isnull=True, subject_type=subject_type, subject_id__in=seen)
        return self.filter(q)


class Obligation(TimeStamped):
    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rule = models.CharField(_("step"), max_length=60)
    # Null for a duty about someone who is not a child in Haven (a pregnant woman followed by the
    # prevention work): such obligations are seen through their responsible organisation instead.
    child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="obligations"
    )
    # What the obligation is about (a foundling case, a protection case...), by label and id.
    subject_type = models.CharField(max_length=60)
    subject_id = models.UUIDField()
    # No index of its own: obligation_tasks_idx (responsible, status, due_at) leads with it, and a
    # second, smaller one would draw the planner away from the task list's range scan.
    responsible = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="obligations",
        verbose_name=_("responsible organisation"),
        db_index=False,
    )
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("due"))
    # The day it is due, for a step due on a date (rules.Unit.ON_DATE) or an occurrence of a schedule
    # (rules.Every), before any move to a working day: the next occurrence is counted from it.
    due_on = models.DateField(null=True, blank=True)
    # The occurrence of a schedule this one follows; one successor each, so the sweep and a closing
    # step racing to open the next occurrence open it once.
    follows = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successor"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # When the sweep next acts on it: the due time, then each further escalation; null when closed or
    # at the top of the ladder.
    next_escalation_at = models.DateTimeField(null=True, blank=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(
                fields=["next_escalation_at"], condition=Q(status="open"), name="obligation_sweep_idx"
            ),
            models.Index(fields=["responsible", "status", "due_at"], name="obligation_tasks_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="obligation_subject_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_level__lte=MAX_LEVEL), name="obligation_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def title(self) -> str:
        return title_of(self.rule)

    @property
    def legal_basis(self) -> str:
        found = RULES.get(self.rule)
        return found.legal_basis if found is not None else ""

    @property
    def page(self) -> str:
        """Where the step is taken, as its domain declared it (deadlines/subjects.py)."""
        from haven.deadlines.subjects import subject_page

        return subject_page(self.subject_type, self.subject_id, self.child_id, self.rule)

    @property
    def subject_name(self) -> str:
        """What a task list names: the child, or what the step is about when it has no child."""
        from haven.deadlines.subjects import subject_label

        return str(self.child) if self.child_id else subject_label(self.subject_type)


class Escalation(models.Model):
    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["obligation", "level"], name="escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id} level {self.level}"


class DeadlineOverride(TimeStamped):
    """A province's stricter internal deadline for a step (vietnam-process.md, warning 3): it may only
    shorten the legal or recommended one."""

    # No choices on the column: adding a rule to the table must not need a migration.
    rule = models.CharField(_("step"), max_length=60)
    province = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=15, choices=UNIT_CHOICES)
    legal_basis = models.CharField(_("local decision"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "province"], name="override_once_per_province")
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.province}: {self.deadline}"

    @property
    def title(self) -> str:
        return title_of(self.rule)

    @property
    def deadline(self) -> str:
        """The stricter deadline in words, in the reader's language ("8 giờ"), never its unit's code."""
        return period(self.amount, Unit(self.unit))
