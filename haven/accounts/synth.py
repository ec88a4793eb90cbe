"""Synthetic organisations and one demo user per role, for a demo province (never real people)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.access.scoping import second_factor_required
from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.areas.models import TWO_TIER_REFORM, Area

DEMO_PASSWORD = "Haven@2026demo"  # noqa: S105 - synthetic demo accounts only, printed by `make demo`
# The demo's second factor: one key for every demo login whose role requires one, printed with the
# logins so that a demo adds it to an authenticator app once. Public like the password, so synth never
# runs in production (core/management/commands/synth.py).
DEMO_TOTP_SECRET = b"Haven demo 2FA 2026!"  # 20 bytes, the size django-otp makes
DEMO_TOTP_KEY = DEMO_TOTP_SECRET.hex()  # as TOTPDevice stores it
DEMO_TOTP_BASE32 = base64.b32encode(DEMO_TOTP_SECRET).decode()  # as an authenticator app takes it


def enrol_demo_factor(user: User) -> bool:
    """A demo login whose role requires a second factor gets the demo's key, ready to use; whether it
    needs one."""
    if not second_factor_required(user):
        return False
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Haven demo", key=DEMO_TOTP_KEY, confirmed=True)
    return True


@dataclass
class DemoWorld:
    province: Area
    commune_a: Area
    commune_b: Area
    organisations: dict[str, Organisation]
    users: dict[str, tuple[User, str]]  # username -> (user, description)
    second_factor: set[str]  # the usernames that sign in with the demo's code too


K = OrganisationKind
R = Role


@transaction.atomic
def demo_world(*, province_code: str = "01") -> DemoWorld:
    """Organisations of one province, two of its communes, and national bodies; one user per role.

    Idempotent: running it again finds what exists.
    """
    province = Area.objects.provinces().get(code=province_code)
    commune_a, commune_b = list(province.communes().order_by("code")[:2])
    capital = Area.objects.provinces().get(code="01")

    def org(key: str, name: str, kind: str, area: Area) -> Organisation:
        found, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "area": area})
        orgs[key] = found
        return found

    orgs: dict[str, Organisation] = {}
    org("committee_a", f"UBND {commune_a.name}", K.COMMUNE_COMMITTEE, commune_a)
    org("committee_b", f"UBND {commune_b.name}", K.COMMUNE_COMMITTEE, commune_b)
    org("police_a", f"Công an {commune_a.name}", K.COMMUNE_POLICE, commune_a)
    org(
        "hospital_a",
        f"Bệnh viện Đa khoa {province.name.removeprefix('Thành phố ').removeprefix('Tỉnh ')}",
        K.HEALTH_FACILITY,
        commune_a,
    )
    org(
        "facility_b",
        f"Trung tâm Bảo trợ xã hội {commune_b.name.removeprefix('Phường ').removeprefix('Xã ')}",
        K.SOCIAL_PROTECTION_FACILITY,
        commune_b,
    )
    org(
        "school_a",
        f"Trường Tiểu học {commune_a.name.removeprefix('Phường ').removeprefix('Xã ')}",
        K.SCHOOL,
        commune_a,
    )
    org("womens_union_a", f"Hội Liên hiệp Phụ nữ {commune_a.name}", K.MASS_ORGANISATION, commune_a)
    org("health_dept", f"Sở Y tế {province.name}", K.PROVINCIAL_HEALTH, province)
    org("justice_dept", f"Sở Tư pháp {province.name}", K.PROVINCIAL_JUSTICE, province)
    org("provincial_police", f"Công an {province.name}", K.PROVINCIAL_POLICE, province)
    org("hotline", "Tổng đài quốc gia bảo vệ trẻ em 111", K.HOTLINE_111, capital)
    org("ministry", "Cục Bà mẹ và Trẻ em, Bộ Y tế", K.MINISTRY_OF_HEALTH, capital)
    org("monitoring", "Văn phòng giám sát trung ương", K.CENTRAL_MONITORING, capital)
    org("operator", "Haven — vận hành hệ thống", K.SYSTEM_OPERATOR, capital)

    people = [
        ("collaborator", "Lê Thị Hoa", "womens_union_a", R.SOCIAL_COLLABORATOR),
        ("commune.officer", "Nguyễn Thị Lan", "committee_a", R.COMMUNE_CHILD_PROTECTION_OFFICER),
        ("commune.officer.b", "Trần Văn Bình", "committee_b", R.COMMUNE_CHILD_PROTECTION_OFFICER),
        ("chairman", "Phạm Văn Hùng", "committee_a", R.COMMUNE_CHAIRMAN),
        ("civil.status", "Hoàng Thị Mai", "committee_a", R.CIVIL_STATUS_OFFICER),
        ("police", "Vũ Đức Thắng", "police_a", R.COMMUNE_POLICE_OFFICER),
        ("hospital.sw", "Đặng Thu Trang", "hospital_a", R.HOSPITAL_SOCIAL_WORKER),
        ("facility.director", "Bùi Văn Nam", "facility_b", R.FACILITY_DIRECTOR),
        ("facility.sw", "Đỗ Thị Hương", "facility_b", R.FACILITY_SOCIAL_WORKER),
        ("caregiver", "Ngô Thị Yến", "facility_b", R.CAREGIVER),
        ("school", "Dương Minh Tuấn", "school_a", R.SCHOOL_OFFICER),
        ("province", "Phan Thanh Sơn", "health_dept", R.PROVINCIAL_OFFICER),
        ("hotline", "Lý Thị Ngọc", "hotline", R.HOTLINE_OPERATOR),
        ("ministry", "Trương Quang Minh", "ministry", R.MINISTRY_OFFICER),
        ("analyst", "Đinh Thị Thảo", "monitoring", R.CENTRAL_ANALYST),
        ("admin", "Mai Văn Long", "operator", R.SYSTEM_ADMINISTRATOR),
        # Sponsorship: two coordinators of the Women's Union (one records a sponsor's vetting, the other
        # approves it) and an individual sponsor's own account.
        ("coordinator", "Nguyễn Thị Thu Hà", "womens_union_a", R.SPONSORSHIP_COORDINATOR),
        ("coordinator.2", "Lê Thị Phương", "womens_union_a", R.SPONSORSHIP_COORDINATOR),
        ("sponsor", "Trần Minh Quân", "womens_union_a", R.SPONSOR),
    ]
    users: dict[str, tuple[User, str]] = {}
    second_factor: set[str] = set()
    for username, full_name, org_key, role in people:
        user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        # In office since the two-tier communes began, so the demo's history (cases built step by step at
        # past moments) finds each person already in post.
        Membership.objects.get_or_create(
            user=user, organisation=orgs[org_key], role=role, defaults={"valid_from": TWO_TIER_REFORM}
        )
        users[username] = (user, f"{role.label} — {orgs[org_key].name}")
        if enrol_demo_factor(user):
            second_factor.add(username)
    return DemoWorld(province, commune_a, commune_b, orgs, users, second_factor)
