"""Factories with realistic Vietnamese data and the fixed personas of the role × area matrix."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import cache

import factory
from django.contrib.auth.hashers import make_password

from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.areas.models import TWO_TIER_REFORM, Area
from haven.lib import vnnames
from haven.lib.vietnamese import search_key
from haven.people.models import Child, Involvement, InvolvementBasis

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test accounts only
_rng = random.Random(7)


def commune(code: str) -> Area:
    return Area.objects.communes().get(code=code)


def province(code: str) -> Area:
    return Area.objects.provinces().get(code=code)


@cache
def password_hash() -> str:
    """Argon2 is slow by design: hash the test password once, not once per persona."""
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyFunction(lambda: vnnames.person_name(_rng, sex="female", born_year=1985).full)
    password = factory.LazyFunction(password_hash)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Tổ chức {n}")
    kind = OrganisationKind.COMMUNE_COMMITTEE


class ChildFactory(factory.django.DjangoModelFactory):
    """A child with a realistic name; pass ``current_commune``."""

    class Meta:
        model = Child

    sex = factory.LazyFunction(lambda: _rng.choice(["male", "female"]))
    family_name = factory.LazyAttribute(lambda o: vnnames.person_name(_rng, sex=o.sex, born_year=2018).family)
    middle_name = factory.LazyAttribute(lambda o: "Văn" if o.sex == "male" else "Thị")
    given_name = factory.LazyAttribute(lambda o: vnnames.person_name(_rng, sex=o.sex, born_year=2018).given)
    date_of_birth = factory.Faker("date_between", start_date="-15y", end_date="-1y")
    search_name = factory.LazyAttribute(lambda o: search_key(o.family_name, o.middle_name, o.given_name))


# The personas hold their roles since the communes they serve were created (the two-tier reform), so a
# test that moves or freezes the clock (visibility reads the one clock) still finds them in office.
IN_OFFICE_SINCE = TWO_TIER_REFORM


def member(username: str, organisation: Organisation, role: Role) -> User:
    user = UserFactory(username=username)
    Membership.objects.create(user=user, organisation=organisation, role=role, valid_from=IN_OFFICE_SINCE)
    return user


@dataclass
class World:
    """Two communes of Hà Nội (A and B), the Hà Nội health department, another province, national bodies."""

    commune_a: Area
    commune_b: Area
    hanoi: Area
    other_province: Area
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None

    def child(self, *, commune: Area | None = None, **kwargs) -> Child:
        return ChildFactory(current_commune=commune or self.commune_a, **kwargs)

    def involve(self, child: Child, org_key: str, basis: str = InvolvementBasis.HANDOVER) -> Involvement:
        return Involvement.objects.create(child=child, organisation=self.orgs[org_key], basis=basis)


def build_world() -> World:
    hanoi = province("01")
    a, b = list(hanoi.communes().order_by("code")[:2])
    other = Area.objects.provinces().exclude(pk=hanoi.pk).order_by("code").first()
    w = World(commune_a=a, commune_b=b, hanoi=hanoi, other_province=other)
    K = OrganisationKind
    for key, kind, area in [
        ("committee_a", K.COMMUNE_COMMITTEE, a),
        ("committee_b", K.COMMUNE_COMMITTEE, b),
        ("police_a", K.COMMUNE_POLICE, a),
        ("hospital_a", K.HEALTH_FACILITY, a),
        ("facility_b", K.SOCIAL_PROTECTION_FACILITY, b),
        ("school_a", K.SCHOOL, a),
        ("union_a", K.MASS_ORGANISATION, a),
        ("health_hanoi", K.PROVINCIAL_HEALTH, hanoi),
        ("health_other", K.PROVINCIAL_HEALTH, other),
        ("hotline", K.HOTLINE_111, hanoi),
        ("ministry", K.MINISTRY_OF_HEALTH, hanoi),
        ("monitoring", K.CENTRAL_MONITORING, hanoi),
        ("operator", K.SYSTEM_OPERATOR, hanoi),
    ]:
        w.orgs[key] = OrganisationFactory(name=f"{kind.label} {area.name} {key}", kind=kind, area=area)
    R = Role
    for username, org, role in [
        ("officer_a", "committee_a", R.COMMUNE_CHILD_PROTECTION_OFFICER),
        ("officer_b", "committee_b", R.COMMUNE_CHILD_PROTECTION_OFFICER),
        ("chairman_a", "committee_a", R.COMMUNE_CHAIRMAN),
        ("civil_status_a", "committee_a", R.CIVIL_STATUS_OFFICER),
        ("police_a", "police_a", R.COMMUNE_POLICE_OFFICER),
        ("collaborator_a", "union_a", R.SOCIAL_COLLABORATOR),
        ("hospital_sw", "hospital_a", R.HOSPITAL_SOCIAL_WORKER),
        ("facility_director", "facility_b", R.FACILITY_DIRECTOR),
        ("caregiver_b", "facility_b", R.CAREGIVER),
        ("school_a", "school_a", R.SCHOOL_OFFICER),
        ("provincial", "health_hanoi", R.PROVINCIAL_OFFICER),
        ("provincial_other", "health_other", R.PROVINCIAL_OFFICER),
        ("hotline", "hotline", R.HOTLINE_OPERATOR),
        ("ministry", "ministry", R.MINISTRY_OFFICER),
        ("analyst", "monitoring", R.CENTRAL_ANALYST),
        ("admin", "operator", R.SYSTEM_ADMINISTRATOR),
    ]:
        w.users[username] = member(username, w.orgs[org], role)
    w.users["nobody"] = UserFactory(username="nobody")
    return w


def _a_plain_hour(now: dt.datetime) -> dt.datetime:
    """``now``, or, in the hours after midnight in Vietnam (17:00 to 24:00 UTC), 10:00 of that Vietnamese
    day. A test reads "today" as the clock's date and means Vietnam's; in those hours the two differ,
    and "two hours ago" falls on yesterday's date. Always later than now, so what the test built
    before the clock stood still stays in its past."""
    if now.astimezone(dt.UTC).hour < 17:
        return now
    return (now.astimezone(dt.UTC) + dt.timedelta(days=1)).replace(hour=3, minute=0, second=0)


class FrozenClock:
    """The one clock, held still and moved by the test (the ``frozen`` fixture)."""

    def __init__(self, monkeypatch) -> None:
        from haven.core import clock

        self.at = _a_plain_hour(clock.real_now().replace(microsecond=0))
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **kwargs) -> dt.datetime:
        self.at += dt.timedelta(**kwargs)
        return self.at


def second_factor_given(client, user: User) -> None:
    """Mark ``client``'s session as having given the second factor, as ``force_login`` marks it as
    having given the password: a persona whose role requires a factor gets one set up (the root
    conftest calls this after every ``force_login``). Tests of the second factor itself sign in
    through the login page instead."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haven.access.scoping import second_factor_required

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    # A fresh copy: the check caches the person's roles on the object, which the test may still change.
    if device is None and second_factor_required(User.objects.get(pk=user.pk)):
        device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
