"""Demo family-like care, made through the real services by the demo users: two facilities of the
province with homes, small groups, rosters and principal caregivers; children placed over the last two
years (some reviews overdue, one group with an unstable caregiver history), children in kin and foster
care, and two children just admitted to the first facility and not yet placed in a group."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Q

from haven.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from haven.accounts.synth import DEMO_PASSWORD, DemoWorld, enrol_demo_factor
from haven.care import families, ratios, services
from haven.care.models import CareForm, Facility, Placement, SmallGroup
from haven.core import clock
from haven.core.errors import Refused
from haven.lib import vnnames
from haven.people.models import Child, ChildOpinion, Involvement, InvolvementBasis

# (home, group, places, day caregivers, night caregivers, age band in months)
LAYOUT = [
    ("Nhà Hoa Sen", "Nhóm Sơ sinh", 4, 3, 3, (0, 18)),
    ("Nhà Hoa Sen", "Nhóm Mầm non", 6, 2, 2, (18, 72)),
    ("Nhà Hoa Mai", "Nhóm Thiếu nhi", 10, 1, 1, (72, 132)),
    ("Nhà Hoa Mai", "Nhóm Thiếu niên", 8, 1, 1, (132, 192)),
]
# How many children each group holds in the demo (the Mầm non group has one place left).
FILL = {"Nhóm Sơ sinh": 2, "Nhóm Mầm non": 5, "Nhóm Thiếu nhi": 7, "Nhóm Thiếu niên": 5}
SOS_LAYOUT = [
    ("Nhà số 1", "Gia đình SOS 1", 8, 1, 1, (18, 192)),
    ("Nhà số 2", "Gia đình SOS 2", 8, 1, 1, (18, 192)),
]
SOS_FILL = {"Gia đình SOS 1": 7, "Gia đình SOS 2": 4}
ADMITTED_GROUP = "Nhóm Mầm non"
KIN_NAME = "Hoàng Thị Tâm"  # the registered grandmother of the e2e journey


def _second_facility(world: DemoWorld) -> tuple[Organisation, User]:
    org, _ = Organisation.objects.get_or_create(
        name="Làng trẻ em SOS Hà Nội"
        if world.province.code == "01"
        else f"Làng trẻ em SOS {world.province.name}",
        defaults={"kind": OrganisationKind.SOCIAL_PROTECTION_FACILITY, "area": world.commune_a},
    )
    user, created = User.objects.get_or_create(
        username="facility.sos", defaults={"full_name": "Cao Thị Thanh"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, organisation=org, role=Role.FACILITY_DIRECTOR)
    world.users["facility.sos"] = (user, f"{Role.FACILITY_DIRECTOR.label} — {org.name}")
    if enrol_demo_factor(user):
        world.second_factor.add("facility.sos")
    return org, user


def _build(rng, director: User, org: Organisation, *, ownership: str, layout, start: dt.date) -> Facility:
    facility = services.facility_register(
        actor=director,
        organisation=org,
        ownership=ownership,
        licence_number=f"{rng.randint(10, 99)}/GP-SYT",
        licence_issued_on=start - dt.timedelta(days=rng.randint(400, 3000)),
        address=f"Số {rng.randint(1, 200)} đường Lạc Long Quân, {org.area.label}",
        management_level="province",
    )
    homes = {}
    for home_name, group_name, places, day, night, band in layout:
        if home_name not in homes:
            homes[home_name] = services.home_add(actor=director, facility=facility, name=home_name)
        group = services.group_add(
            actor=director,
            home=homes[home_name],
            name=group_name,
            places=places,
            age_band=_age_band(band),
        )
        caregivers = []
        for shift, count in (("day", day), ("night", night)):
            for _ in range(count):
                name = vnnames.person_name(rng, sex="female", born_year=rng.randint(1970, 1995)).full
                staff = services.staff_add(
                    actor=director, facility=facility, full_name=name, kind="caregiver"
                )
                services.shift_assign(actor=director, staff=staff, group=group, shift=shift, started_on=start)
                caregivers.append(staff)
        services.principal_set(actor=director, group=group, staff=caregivers[0], started_on=start, reason="")
        # One bedroom per group, with as many beds as the group has places.
        services.room_add(
            actor=director, home=homes[home_name], name=f"Phòng {group_name}", places=places, group=group
        )
    for kind in ("sw_principal", "sw_officer"):
        name = vnnames.person_name(
            rng, sex=rng.choice(["male", "female"]), born_year=rng.randint(1975, 1992)
        ).full
        services.staff_add(actor=director, facility=facility, full_name=name, kind=kind)
    return facility


def _age_band(months: tuple[int, int]) -> str:
    """The ratio band a layout's ages fall in, or "" (mixed ages) when they span more than one."""
    low, high = (
        next(b for b in ratios.BANDS if b.from_months <= m and (b.to_months is None or m < b.to_months))
        for m in (months[0], months[1] - 1)
    )
    return low.code if low == high else ""


def _candidates(world: DemoWorld, today: dt.date) -> list[Child]:
    placed = Placement.objects.values("child_id")
    return list(
        Child.objects.filter(
            Q(current_commune=world.commune_a) | Q(current_commune=world.commune_b),
            date_of_birth__isnull=False,
            merged_into__isnull=True,
        )
        .exclude(given_name="")  # found children still on their own pathway
        .exclude(pk__in=placed)
        .order_by("pk")
    )


def _in_band(pool: list[Child], band: tuple[int, int], today: dt.date) -> list[Child]:
    return [c for c in pool if band[0] <= ratios.months_between(c.date_of_birth, today) < band[1]]


REASONS = [
    "Trẻ bị bỏ rơi, tiếp nhận theo quyết định của Chủ tịch UBND phường",
    "Trẻ mồ côi cả cha và mẹ, không có người thân nhận nuôi",
    "Tạm thời cách ly khỏi môi trường gây hại (Nghị định 56/2017/NĐ-CP, Điều 26)",
]


def _place(rng, director, facility: Facility, layout, fill, pool, today) -> None:
    """Fill each group with children of its ages, as the director would: a child whose placement the
    staffing ratio refuses (a mixed-age group with too many little ones for its caregivers, as a seed
    or a small demo may draw) stays unplaced, and the next child of the group's ages is tried."""
    for _home, group_name, _places, _day, _night, band in layout:
        group = SmallGroup.objects.get(home__facility=facility, name=group_name)
        placed = 0
        for child in _in_band(pool, band, today):
            if placed == fill[group_name]:
                break
            # Placed when the child was already of the group's age band (the ratio is read at that date).
            earliest = max(0, min(700, (today - child.date_of_birth).days - int(band[0] * 30.5) - 31))
            try:
                with transaction.atomic():
                    Involvement.objects.create(
                        child=child, organisation=facility.organisation, basis=InvolvementBasis.HANDOVER
                    )
                    services.placement_start(
                        actor=director,
                        child=child,
                        form=CareForm.FACILITY_GROUP,
                        group=group,
                        room=group.rooms.first(),
                        started_on=today - dt.timedelta(days=rng.randint(earliest // 3, earliest)),
                        reason=rng.choice(REASONS),
                    )
            except Refused as refusal:
                if refusal.code != "over_capacity":
                    raise
                continue
            pool.remove(child)
            placed += 1


def demo(world: DemoWorld, seed: int = 2026) -> int:
    """Idempotent: does nothing when the first facility already has its homes. Returns placements made."""
    org = world.organisations["facility_b"]
    if Facility.objects.filter(organisation=org).exists():
        return 0
    rng = random.Random(seed)
    today = clock.today()
    start = today - dt.timedelta(days=800)
    u = {name: user for name, (user, _) in world.users.items()}
    director = u["facility.director"]
    before = Placement.objects.count()
    facility = _build(rng, director, org, ownership="public", layout=LAYOUT, start=start)
    sos_org, sos_director = _second_facility(world)
    sos = _build(rng, sos_director, sos_org, ownership="non_public", layout=SOS_LAYOUT, start=start)
    pool = _candidates(world, today)
    _place(rng, director, facility, LAYOUT, FILL, pool, today)
    _place(rng, sos_director, sos, SOS_LAYOUT, SOS_FILL, pool, today)

    # The Thiếu nhi group lost its principal caregiver three times this year: its children are flagged.
    group = SmallGroup.objects.get(home__facility=facility, name="Nhóm Thiếu nhi")
    others = list(facility.staff.filter(kind="caregiver").exclude(principal_of__group=group)[:3])
    for days, staff, why in zip(
        (300, 180, 60), others, ("Nghỉ thai sản", "Chuyển công tác", "Nghỉ hưu"), strict=False
    ):
        services.principal_set(
            actor=director, group=group, staff=staff, started_on=today - dt.timedelta(days=days), reason=why
        )

    # A review done this month for one child of each group; the others are due or overdue.
    for g in SmallGroup.objects.filter(home__facility=facility):
        first = g.placements.filter(ended_on__isnull=True).order_by("started_on").first()
        if first is not None:
            services.placement_review(
                actor=director,
                placement=first,
                note="Trẻ phát triển tốt, đi học đều; đã liên hệ họ hàng bên ngoại",
                needs_family=True,
                family_plan="Tìm gia đình nhận chăm sóc thay thế là người thân thích",
            )

    # Children of commune A in kin and foster care over two years (the share's trend), each the lawful
    # way: the family registered and verified by the officer, chosen by the chairman (Form 12), handed
    # the child; the handover is then dated back to when it happened.
    officer, chairman = u["commune.officer"], u["chairman"]
    family = [c for c in pool if c.current_commune_id == world.commune_a.pk][:16]
    for i, child in enumerate(family):
        days = min(720, max(0, (today - child.date_of_birth).days - 1), 30 + 45 * i)
        kin = i % 3 != 2
        born_year = rng.randint(1950, 1980)
        carer = vnnames.person_name(rng, sex="female", born_year=born_year)
        if child.age_years(today) >= families.HEARD_FROM_YEARS:
            ChildOpinion.objects.create(
                child=child,
                heard_on=today - dt.timedelta(days=7),
                subject="Ý kiến về người nhận chăm sóc thay thế",
                opinion="Cháu muốn về ở với bà" if kin else "Cháu đồng ý về sống với cô",
                recorded_by=officer,
            )
        applicant = services.family_register(
            actor=officer,
            commune=world.commune_a,
            kind="kin" if kin else "non_kin",
            applicant_name=carer.full,
            applicant_born_on=dt.date(born_year, 1 + i % 12, 1 + i),
            address=f"Số {10 + i} ngõ {20 + 3 * i}, {world.commune_a.name}",
            household="Chồng và một con đã trưởng thành",
            economic_conditions="Thu nhập ổn định từ lương hưu và buôn bán nhỏ",
            housing="Nhà riêng, có chỗ ở riêng cho trẻ",
            household_consent=True,
            no_abuse_record=True,
            health_certificate_on=None if kin else today - dt.timedelta(days=30),
            relative_of=child if kin else None,
            relationship="Bà ngoại" if kin else "",
        )
        services.family_verify(actor=officer, family=applicant, eligible=True, note="Đủ điều kiện (Mẫu 11)")
        services.family_decide(
            actor=chairman, family=applicant, child=child, decision_number=f"{40 + i}/QĐ-UBND"
        )
        placement = services.family_handover(actor=officer, family=applicant)
        Placement.objects.filter(pk=placement.pk).update(started_on=today - dt.timedelta(days=days))

    # A grandmother of a young child of commune A in the facility has notified the commune (registered,
    # not yet verified: the e2e journey verifies her, the chairman decides, the officer hands over).
    young = (
        Placement.objects.filter(
            group__home__facility=facility,
            ended_on__isnull=True,
            child__current_commune=world.commune_a,
            child__date_of_birth__gt=today - dt.timedelta(days=6 * 365),
        )
        .select_related("child")
        .order_by("child__family_name", "child__given_name")
        .first()
    )
    if young is not None:
        services.family_register(
            actor=officer,
            commune=world.commune_a,
            kind="kin",
            applicant_name=KIN_NAME,
            applicant_born_on=dt.date(1963, 8, 14),
            address=f"Số 18 ngõ 40, {world.commune_a.name}",
            phone="0913 456 789",
            household="Ông ngoại Hoàng Văn Sinh (1960); cậu Hoàng Văn Minh (1990)",
            economic_conditions="Lương hưu và kinh doanh nhỏ, thu nhập ổn định",
            housing="Nhà riêng hai tầng, có phòng riêng cho cháu",
            household_consent=True,
            no_abuse_record=True,
            relative_of=young.child,
            relationship="Bà ngoại",
        )

    # Two children just admitted by the first facility, waiting for a group (the e2e journey places them
    # in the Mầm non group, which is kept for children of 18 months to under 6 years).
    for child in _in_band(pool, (18, 72), today)[:2]:
        Involvement.objects.create(child=child, organisation=org, basis=InvolvementBasis.HANDOVER)
    return Placement.objects.count() - before
