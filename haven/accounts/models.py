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

from haven.core import clock
from haven.core.dated import Dated, DatedQuerySet
from haven.core.models import ClockStampedField, TimeStamped


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        """The person's name as Haven records it (``full_name``), not Django's first and last names,
        which Haven leaves empty: a page that asks for the name never falls back to the username."""
        return self.full_name or super().get_full_name()


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
    # Sponsorship (Notice 432-TB/VPTW §4.3): the Women's Union or Fatherland Front officer who runs a
    # programme and matches children; and a sponsor's own account (an individual or a unit).
    SPONSORSHIP_COORDINATOR = "sponsorship_coordinator", _("Sponsorship coordinator")
    SPONSOR = "sponsor", _("Sponsor")


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


class TokenScope(models.TextChoices):
    """What a machine client may do with a token: read only (GET), or also write. Within that, the
    token acts with its owner's roles and reach, as the owner would on the pages."""

    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A bearer token for machine clients of /api/v1. Only its SHA-256 is stored. It expires, carries a
    scope, and is rate-limited (haven/api/auth.py; security review, finding 15)."""

    DEFAULT_DAYS = 90
    MAX_DAYS = 365

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    scope = models.CharField(_("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = ClockStampedField(auto_now_add=True)
    # The machine's time (clock.real_now), like a session's: a demo that moves Haven's clock neither
    # expires nor prolongs a token.
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(
        cls, *, user: User, name: str, scope: str = TokenScope.READ, days: int = DEFAULT_DAYS
    ) -> tuple[ApiToken, str]:
        key = "hvn_" + secrets.token_urlsafe(32)
        while key[4] == "-":  # a prefix starting with "-" would read as an option on the command line
            key = "hvn_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=cls.hash(key),
            prefix=key[4:12],
            scope=scope,
            expires_at=clock.real_now() + dt.timedelta(days=days),
        )
        return token, key


class SignInFailure(models.Model):
    """One wrong password, at sign-in or when a signed-in person confirms who they are, counted per
    account and per address for the lockout (accounts/lockout.py). The audit trail keeps every failure
    for good; these rows only count, and an administrator's unlock deletes them."""

    # The username as typed, folded (case and surrounding spaces), so variants count as one account.
    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)  # the machine's time

    def __str__(self) -> str:
        return f"{self.username} {self.address} {self.at:%Y-%m-%d %H:%M}"


class PasswordReset(models.Model):
    """A one-time link an administrator issues and hands over (in person or by telephone: Haven needs
    no e-mail) so that a person who forgot their password chooses a new one. Only its SHA-256 is
    stored; it expires, and it works once."""

    HOURS = 24

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_resets")
    key_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()  # the machine's time, like the expiry
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.issued_at:%Y-%m-%d %H:%M}"
