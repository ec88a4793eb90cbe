"""Linkage inside Haven: runs, the pairs they propose, a child's links to the register, and the labels
people's decisions leave (issue #5 item 5; docs/decisions/0010-linkage-review.md).

A pair is either a Haven child and a person of the population register (`register`), or two Haven
children who may be one child registered at two places (`duplicates`). The model proposes; a link is
made automatically only on the rules of `haven.linkage.services`; everything else waits for a person.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.lib import crypto
from haven.people.models import ChildDataQuerySet


class RunKind(models.TextChoices):
    REGISTER = "register", _("Against the population register")
    DUPLICATES = "duplicates", _("Duplicates across places")


class LinkRun(models.Model):
    """One run of the model: what it was given, how it was set, and what it proposed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices)
    # A person when started from a page; the command line leaves it empty and says so in `source`.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    province_code = models.CharField(_("province"), max_length=2, blank=True)
    upper = models.FloatField(_("upper threshold"))
    lower = models.FloatField(_("lower threshold"))
    records = models.PositiveIntegerField(_("records"), default=0)
    register_people = models.PositiveIntegerField(_("people in the register extract"), default=0)
    candidate_pairs = models.PositiveIntegerField(_("candidate pairs"), default=0)
    links = models.PositiveIntegerField(_("links"), default=0)
    review_items = models.PositiveIntegerField(_("review items"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


class PairStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for review")
    LINKED = "linked", _("Linked")
    REJECTED = "rejected", _("Not the same")
    UNDONE = "undone", _("Undone, waiting for review")


class Reason(models.TextChoices):
    """Why a pair was not linked automatically (shown to the reviewer)."""

    BELOW_UPPER = "below_upper", _("The match probability is below the threshold for an automatic link.")
    PIN_MISSING = "pin_missing", _("One of the two records has no PIN, so it cannot confirm the match.")
    PIN_DISAGREES = "pin_disagrees", _("The PIN in Haven differs from the register's PIN.")
    PIN_SUSPECT = (
        "pin_suspect",
        _("The shared PIN disagrees with the sex or the year of birth (often a sibling's or a parent's)."),
    )
    SEX_DISAGREES = "sex_disagrees", _("The sex differs.")
    SIBLING_LIKE = (
        "sibling_like",
        _(
            "A parent's name agrees but the given name or the PIN differs: "
            "it may be a brother, sister or twin."
        ),
    )
    CONTESTED = "contested", _("Another candidate is almost as likely.")
    FOUND_CHILD = (
        "found_child",
        _(
            "A found child: the date of birth is an estimate and there is no PIN or parent's name "
            "to confirm the match, so every likely person with the name is shown, the most likely first."
        ),
    )
    ALREADY_LINKED = "already_linked", _("The child is already linked to another person of the register.")
    PERSON_LINKED = (
        "person_linked",
        _("This person of the register is already linked to another child in Haven."),
    )
    DUPLICATE = "duplicate", _("Two records of Haven are never merged without a person's decision.")
    UNDONE = "undone", _("A person undid an earlier decision on this pair; a person decides again.")
    AUTOMATIC = "automatic", _("Linked automatically: high probability and the same valid PIN.")


class Candidate(models.Model):
    """A pair the model proposed, with both sides and each comparison's share of the match weight."""

    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(LinkRun, on_delete=models.PROTECT, related_name="candidates")
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="link_candidates")
    # Duplicates: the other Haven record.
    other_child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Register: the person's id in the register, their PIN (encrypted like people.Child's) and the
    # fields shown side by side, as the extract gave them.
    person_id = models.CharField(max_length=64, blank=True)
    person_pin_encrypted = models.TextField(blank=True)
    person = models.JSONField(default=dict, blank=True)
    # The Haven side as the model saw it (the record may change after the run).
    record = models.JSONField(default=dict, blank=True)
    match_weight = models.FloatField(_("match weight"))
    match_probability = models.FloatField(_("match probability"))
    # {"pin": 13.2, "given_name": 4.1, ...}: each comparison's match-weight contribution (`mw_*`).
    contributions = models.JSONField(default=dict)
    # {"pin": 3, "sex": 1, ...}: each comparison's level (Splink's gamma; -1 is "not known").
    gammas = models.JSONField(default=dict)
    model_decision = models.CharField(max_length=8)
    reason = models.CharField(_("why not automatic"), max_length=16, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PairStatus.choices, default=PairStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    # Duplicates merged: what the merge moved (people.services.child_merge), so that it can be undone.
    merge = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        ordering = ["-match_probability", "created_at"]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["child", "person_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} ~ {self.person_id or self.other_child_id}"

    @property
    def person_pin(self) -> str:
        if not self.person_pin_encrypted:
            return ""
        return crypto.decrypt(self.person_pin_encrypted, keys=settings.HAVEN_FIELD_KEYS)

    @property
    def person_pin_masked(self) -> str:
        pin = self.person_pin
        return f"{pin[:3]}******{pin[-3:]}" if pin else ""

    @property
    def pending(self) -> bool:
        return self.status in (PairStatus.PROPOSED, PairStatus.UNDONE)


class LinkHow(models.TextChoices):
    AUTOMATIC = "automatic", _("automatically")
    REVIEWED = "reviewed", _("after review")


class RegisterLinkQuerySet(ChildDataQuerySet):
    def active(self):
        return self.filter(undone_at__isnull=True)


class RegisterLink(models.Model):
    """A child's link to a person of the population register, kept after it is undone (history)."""

    child_prefix = "child__"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="register_links")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="links")
    person_id = models.CharField(max_length=64)
    pin_encrypted = models.TextField(blank=True)
    how = models.CharField(_("how"), max_length=10, choices=LinkHow.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField()
    # The child had no PIN and took the register's (undone with the link).
    pin_stored = models.BooleanField(default=False)
    # The child's PIN in Haven differs from the register's: kept as it is, for a person to correct.
    pin_conflict = models.BooleanField(default=False)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    objects = RegisterLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("link to the population register")
        verbose_name_plural = _("links to the population register")
        ordering = ["-linked_at"]
        constraints = [
            # At most one link in force per child.
            models.UniqueConstraint(
                fields=["child"], condition=Q(undone_at__isnull=True), name="one_register_link_in_force"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.person_id}"

    @property
    def pin(self) -> str:
        return (
            crypto.decrypt(self.pin_encrypted, keys=settings.HAVEN_FIELD_KEYS) if self.pin_encrypted else ""
        )

    @property
    def pin_masked(self) -> str:
        pin = self.pin
        return f"{pin[:3]}******{pin[-3:]}" if pin else ""


class LabelDecision(models.TextChoices):
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Not the same")
    UNDONE = "undone", _("Decision undone")


class Label(models.Model):
    """A person's decision on a pair, with the pair's features as the model saw them: the labelled
    data the thresholds can later be tuned on (`haven link labels`)."""

    child_prefix = "candidate__child__"

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="labels")
    decision = models.CharField(_("decision"), max_length=10, choices=LabelDecision.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.decision}"
