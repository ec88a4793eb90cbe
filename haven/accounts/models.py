"""Organisations and the people who use Haven.

A user acts through memberships: (organisation, role). The organisation's area fixes where the role
reaches (see haven/access/policy.py); a user with no active membership can do and see nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.dated import Dated, DatedQuerySet
from haven.core.models import ClockStampedField, TimeStamped


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class OrganisationKind(models.TextChoices):
    COMMUNE_COMMITTEE = "commune_committee", _("Commune People's Committee")
    COMMUNE_POLICE = "commune_police", _("Commune police")
    HEALTH_FACILITY = "health_facility", _("Hospital or health station")
    SOCIAL_PROTECTION_FACILITY = "social_protection_facility", _("Social protection facility")
    SCHOOL = "school", _("School")
    MASS_ORGANISATION = "mass_organisation", _("Women's Union / Youth Union chapter")
    PROVINCIAL_HEALTH = "provincial_health", _("Provincial Department of Health")
    PROVINCIAL_JUSTICE = "provincial_justice", _("Provincial Department of Justice")
    PROVINCIAL_POLICE = "provincial_police", _("Provincial police")
    HOTLINE_111 = "hotline_111", _("Child protection hotline 111")
    MINISTRY_OF_HEALTH = "ministry_of_health", _("Ministry of Health")
    CENTRAL_MONITORING = "central_monitoring", _("Central monitoring office")
    SYSTEM_OPERATOR = "system_operator", _("System operator")


class Organisation(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=OrganisationKind.choices)
    # Where the organisation sits; its roles reach the children of this area (a commune for
    # commune-level bodies, a province for provincial departments, any area for national bodies).
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="organisations", verbose_name=_("area")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "area"])]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SOCIAL_COLLABORATOR = "social_collaborator", _("Social collaborator")
    COMMUNE_CHILD_PROTECTION_OFFICER = "commune_officer", _("Commune child-protection officer")
    COMMUNE_CHAIRMAN = "commune_chairman", _("Commune chairman")
    CIVIL_STATUS_OFFICER = "civil_status_officer", _("Civil-status officer")
    COMMUNE_POLICE_OFFICER = "commune_police_officer", _("Commune police officer")
    HOSPITAL_SOCIAL_WORKER = "hospital_social_worker", _("Hospital social worker")
    FACILITY_DIRECTOR = "facility_director", _("Facility director")
    FACILITY_SOCIAL_WORKER = "facility_social_worker", _("Facility social worker")
    CAREGIVER = "caregiver", _("Caregiver")
    SCHOOL_OFFICER = "school_officer", _("School officer")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline 111 operator")
    MINISTRY_OFFICER = "ministry_officer", _("Ministry of Health officer")
    CENTRAL_ANALYST = "central_analyst", _("Central analyst")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("System administrator")


class MembershipQuerySet(DatedQuerySet):
    def active(self, on: dt.date | None = None) -> MembershipQuerySet:
        """In force on ``on`` (today), ``[valid_from, valid_to)``, of an active user and organisation."""
        return self.in_force(on).filter(organisation__is_active=True, user__is_active=True)


class Membership(Dated, TimeStamped):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.organisation}"


class ApiToken(models.Model):
    """A bearer token for machine clients of /api/v1. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = ClockStampedField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        key = "hvn_" + secrets.token_urlsafe(32)
        while key[4] == "-":  # a prefix starting with "-" would read as an option on the command line
            key = "hvn_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash(key), prefix=key[4:12])
        return token, key
