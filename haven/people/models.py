"""Children and what is known about them.

Names are kept in Vietnamese order (family, middle, given). The PIN is stored encrypted with a key of
its own and looked up through an HMAC blind index (haven/lib/crypto.py); ``search_name`` is the
diacritic-folded name ("nguyen van an") that makes search work the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from haven.access.policy import Verb
from haven.core import clock
from haven.core.dated import DatedFields, DatedQuerySet
from haven.core.fields import EncryptedTextField
from haven.core.models import TimeStamped
from haven.lib import crypto
from haven.lib.vietnamese import full_name
from haven.lib.vnnames import ETHNIC_GROUPS


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


ETHNICITY_CHOICES = [(code, name) for code, name in ETHNIC_GROUPS]


class ChildDataQuerySet(models.QuerySet):
    """Every selector on a child's data starts from ``visible_to(user)`` (haven/access/scoping.py)."""

    def visible_to(self, user, verb: Verb = Verb.CHILD_VIEW):
        from haven.access.scoping import child_filter

        q = child_filter(user, verb, self.model.child_prefix)
        if q is None:
            return self.none()
        return self.filter(q, **{self.model.child_prefix + "merged_into__isnull": True})


class Child(TimeStamped):
    child_prefix = ""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family_name = models.CharField(_("family name"), max_length=50, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=50, blank=True)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Foundlings: Decree 123/2015 art. 14 — birth year estimated from the child's physique.
    date_of_birth_estimated = models.BooleanField(_("date of birth estimated"), default=False)
    place_of_birth = models.CharField(_("place of birth"), max_length=200, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITY_CHOICES, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, default="VN")
    current_commune = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("current commune")
    )
    pin_encrypted = models.TextField(blank=True, editable=False)
    pin_index = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    search_name = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # A record opened by a report and later confirmed by a person to be a child Haven already knew:
    # kept (it is in the audit trail), but pointing to the record that continues; never listed.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    objects = ChildDataQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_name", "updated_at"])

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["current_commune", "family_name"])]

    def __str__(self) -> str:
        return self.full_name or str(_("(not yet named)"))

    @property
    def full_name(self) -> str:
        return full_name(self.family_name, self.middle_name, self.given_name)

    @property
    def pin(self) -> str:
        return (
            crypto.decrypt(self.pin_encrypted, keys=settings.HAVEN_FIELD_KEYS) if self.pin_encrypted else ""
        )

    @staticmethod
    def pin_lookup_key(pin: str) -> str:
        return crypto.blind_index(pin, key=settings.HAVEN_INDEX_KEY, purpose="pin")

    @property
    def pin_masked(self) -> str:
        pin = self.pin
        return f"{pin[:3]}******{pin[-3:]}" if pin else ""

    def age_years(self, on=None) -> int | None:
        if self.date_of_birth is None:
            return None
        on = on or clock.today()
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


class CircumstanceGroup(models.TextChoices):
    """The 14 groups of children in special circumstances, Law on Children 2016 art. 10(1)(a)–(o)."""

    HCDB_A = "HCDB_A", _("Orphaned of both parents (art. 10 a)")
    HCDB_B = "HCDB_B", _("Abandoned (art. 10 b)")
    HCDB_C = "HCDB_C", _("Without support or shelter (art. 10 c)")
    HCDB_D = "HCDB_D", _("With disabilities (art. 10 d)")
    HCDB_DD = "HCDB_DD", _("Living with HIV/AIDS (art. 10 đ)")
    HCDB_E = "HCDB_E", _("In conflict with the law (art. 10 e)")
    HCDB_G = "HCDB_G", _("Drug-addicted (art. 10 g)")
    HCDB_H = "HCDB_H", _("Left school to earn a living before completing lower secondary (art. 10 h)")
    HCDB_I = "HCDB_I", _("Seriously harmed by violence (art. 10 i)")
    HCDB_K = "HCDB_K", _("Exploited (art. 10 k)")
    HCDB_L = "HCDB_L", _("Sexually abused (art. 10 l)")
    HCDB_M = "HCDB_M", _("Trafficked (art. 10 m)")
    HCDB_N = "HCDB_N", _("Serious or long-term illness in a poor or near-poor household (art. 10 n)")
    HCDB_O = "HCDB_O", _("Migrant or refugee without identified parents or caregiver (art. 10 o)")


class CircumstanceQuerySet(ChildDataQuerySet, DatedQuerySet):
    pass


class SpecialCircumstance(DatedFields, TimeStamped):
    """Membership of one art. 10 group, dated and evidenced; a child may belong to several at once.
    In force from ``started_on`` until the day before ``ended_on`` (core/dated.py)."""

    dated_fields = ("started_on", "ended_on")

    child_prefix = "child__"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="circumstances")
    group = models.CharField(_("group"), max_length=8, choices=CircumstanceGroup.choices)
    # Decree 56/2017 art. 3 ff. subgroups, e.g. an orphan "living with relatives".
    subgroup = models.CharField(_("subgroup"), max_length=120, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(
        _("ended on"),
        null=True,
        blank=True,
        help_text=_("The first day it no longer applies; empty while it still does."),
    )
    # What shows the circumstance (an abuse, an abandonment): encrypted at rest.
    evidence = EncryptedTextField(_("evidence"))
    # Null when a pathway established the group from a report by the public (no account).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CircumstanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("special circumstance")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="circumstance_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.get_group_display()

    @property
    def is_current(self) -> bool:
        """Not ended by today: ``ended_on`` is the first day it no longer applies (core/dated.py)."""
        return self.ended_on is None or clock.today() < self.ended_on


class SiblingKind(models.TextChoices):
    FULL = "full", _("Full sibling")
    HALF = "half", _("Half sibling")
    UNKNOWN = "unknown", _("Sibling (kind not known)")


class SiblingLink(TimeStamped):
    """Siblings are linked so that care keeps them together (Law on Children art. 60(4))."""

    child_prefix = "child__"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="sibling_links")
    sibling = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=SiblingKind.choices, default=SiblingKind.UNKNOWN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChildDataQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "sibling"], name="sibling_link_unique"),
            models.CheckConstraint(condition=~Q(child=models.F("sibling")), name="sibling_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.child} ↔ {self.sibling}"


class ChildOpinion(TimeStamped):
    """The child's own recorded view (Law on Children art. 34; required from age 7 before a placement
    decision, art. 60(3))."""

    child_prefix = "child__"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="opinions")
    heard_on = models.DateField(_("heard on"))
    subject = models.CharField(_("about"), max_length=200)
    # The child's own words, encrypted at rest: heard in confidence (Law on Children art. 34).
    opinion = EncryptedTextField(_("what the child said"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChildDataQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("child's view")
        ordering = ["-heard_on"]

    def __str__(self) -> str:
        return self.subject


class InvolvementBasis(models.TextChoices):
    REGISTERED = "registered", _("Registered the child")
    DISCOVERY = "discovery", _("Place of discovery")
    HANDOVER = "handover", _("Child handed over")
    REFERRAL = "referral", _("Referral")
    PLACEMENT = "placement", _("Placement")
    ENROLMENT = "enrolment", _("School enrolment")
    CASE = "case", _("Leads a child-protection case")


class InvolvementQuerySet(ChildDataQuerySet, DatedQuerySet):
    def current(self):
        """In force now: ``[started_at, ended_at)``."""
        return self.in_force(clock.now())


class Involvement(DatedFields, TimeStamped):
    """An organisation's formal link to a child (handover, referral, placement...).

    It is what lets an organisation outside the child's commune — a hospital, a facility, a school —
    see that child (haven/access/scoping.py).
    """

    child_prefix = "child__"
    dated_fields = ("started_at", "ended_at")

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="involvements")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="involvements"
    )
    basis = models.CharField(_("basis"), max_length=12, choices=InvolvementBasis.choices)
    started_at = models.DateTimeField(_("from"), default=clock.stamp)
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["organisation", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_basis_display()}"
