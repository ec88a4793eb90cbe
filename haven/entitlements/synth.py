"""Demo allowances, made through the real services by the demo users, each step recorded on the day it
happened: children paid since last summer (one whose 4th birthday is next month, one who turns 16),
an application late for the chairman's decision, a written refusal, a move to the other commune with
its continuation proposed there, and a found child whose birth was just registered, proposed by Haven.
The sweep then proposes and escalates what it must."""

from __future__ import annotations

import datetime as dt
import random

from haven.accounts.synth import DemoWorld
from haven.core import calendar, clock
from haven.deadlines.sweep import sweep
from haven.entitlements import proposals, services
from haven.entitlements.amounts import month_of, next_month
from haven.entitlements.models import Application, Method
from haven.lib.pin import century_sex_digit
from haven.people import services as people
from haven.people.models import CircumstanceGroup

CARERS = ["Nguyễn Thị Hạnh", "Trần Văn Phúc", "Lê Thị Thu", "Phạm Thị Huyền", "Vũ Văn Toàn", "Đỗ Thị Liên"]


def _at(day: dt.date, hour: int = 9):
    return clock.at(calendar.day_start(day) + dt.timedelta(hours=hour))


def demo(world: DemoWorld, *, seed: int = 2026) -> int:
    """The demo's allowances; returns how many children have one or a procedure. Idempotent: a second
    run finds the demo children and adds nothing."""
    if Application.objects.filter(child__given_name="Trợ Cấp").exists():
        return 0
    rng = random.Random(seed)
    u = {name: user for name, (user, _label) in world.users.items()}
    officer, chairman = u["commune.officer"], u["chairman"]
    today = clock.today()
    serial = iter(range(rng.randrange(100_000, 800_000), 999_999))

    def child(family: str, middle: str, sex: str, born: dt.date, group=CircumstanceGroup.HCDB_B):
        pin = f"0{world.province.code}{century_sex_digit(birth_year=born.year, sex=sex)}{born.year % 100:02d}"
        made = people.child_create(
            actor=officer,
            family_name=family,
            middle_name=middle,
            # A given name no synthetic child has, so that a second run finds the demo's own.
            given_name="Trợ Cấp",
            sex=sex,
            date_of_birth=born,
            current_commune=world.commune_a,
            pin=f"{pin}{next(serial):06d}",
        )
        people.circumstance_add(
            actor=officer,
            child=made,
            group=group,
            started_on=born,
            evidence="Biên bản xác minh của UBND xã; giấy khai sinh",
        )
        return made

    def decided(made, on: dt.date, number: str):
        with _at(on):
            application = services.application_apply(
                actor=officer,
                child=made,
                received_on=on,
                ground="orphan"
                if made.circumstances.filter(group=CircumstanceGroup.HCDB_A).exists()
                else "abandoned",
                care_situation="community",
                applicant_name=rng.choice(CARERS),
            )
            services.application_verify(actor=officer, application=application)
        with _at(on + dt.timedelta(days=2), hour=15):
            services.application_decide(
                actor=chairman,
                application=application,
                decision_number=number,
                decided_on=on + dt.timedelta(days=2),
            )
        return application

    start = max(month_of(today).replace(year=today.year - 1) + dt.timedelta(days=11), dt.date(2025, 7, 15))
    coming = next_month(month_of(today))
    made = []
    # Paid since a year ago (under 4: 1,250,000 đồng a month).
    toddler = child("Nguyễn", "Minh", "male", today.replace(year=today.year - 2, day=1))
    decided(toddler, start, "112/QĐ-UBND")
    # Turns 4 next month: Haven proposes the adjustment (750,000 đồng from then).
    four = child("Trần", "Thị", "female", coming.replace(year=coming.year - 4) - dt.timedelta(days=5))
    decided(four, start, "113/QĐ-UBND")
    # Turns 16 next month without studies: Haven proposes the stop.
    sixteen = child(
        "Lê",
        "Văn",
        "male",
        coming.replace(year=coming.year - 16) - dt.timedelta(days=5),
        CircumstanceGroup.HCDB_A,
    )
    decided(sixteen, start, "114/QĐ-UBND")
    # A move to the other commune: stopped here, the continuation proposed there.
    moving = child("Phạm", "Gia", "female", today.replace(year=today.year - 6, day=3))
    decided(moving, start, "115/QĐ-UBND")
    period = services.running(moving)
    moved_on = today - dt.timedelta(days=20)
    with _at(moved_on + dt.timedelta(days=1)):
        stop = services.entitlement_move(
            actor=officer,
            entitlement=period,
            moved_to=world.commune_b,
            moved_on=moved_on,
            received_on=moved_on + dt.timedelta(days=1),
        )
    with _at(moved_on + dt.timedelta(days=2)):
        services.application_decide(
            actor=chairman,
            application=stop,
            decision_number="131/QĐ-UBND",
            decided_on=moved_on + dt.timedelta(days=2),
        )
    # Received 18 days ago and not yet decided: late, escalated.
    late = child("Hoàng", "Thu", "female", today.replace(year=today.year - 9, day=14))
    received = today - dt.timedelta(days=18)
    with _at(received):
        waiting = services.application_apply(
            actor=officer,
            child=late,
            received_on=received,
            ground="abandoned",
            care_situation="community",
            applicant_name=rng.choice(CARERS),
        )
        services.application_verify(actor=officer, application=waiting)
    # Refused in writing: the child lives with an uncle who supports him.
    refused = child(
        "Vũ", "Đức", "male", today.replace(year=today.year - 11, day=20), CircumstanceGroup.HCDB_A
    )
    with _at(today - dt.timedelta(days=9)):
        application = services.application_apply(
            actor=officer,
            child=refused,
            received_on=today - dt.timedelta(days=9),
            ground="orphan",
            care_situation="community",
            applicant_name="Vũ Văn Toàn",
        )
    with _at(today - dt.timedelta(days=4)):
        services.application_refuse(
            actor=chairman,
            application=application,
            decided_on=today - dt.timedelta(days=4),
            reasons=(
                "Trẻ đang được bác ruột nuôi dưỡng và có nguồn nuôi dưỡng ổn định (không thuộc Điều 5 "
                "khoản 1 Nghị định 20/2021/NĐ-CP)."
            ),
        )
    # Entitled, without an allowance or a procedure: on the officer's list.
    child("Đặng", "Ngọc", "female", today.replace(year=today.year - 3, day=8))
    made += [toddler, four, sixteen, moving, late, refused]
    _paid_how(officer, start, toddler, four, sixteen, moving)
    _cards(officer, today, toddler=toddler, four=four, sixteen=sixteen, late=late)
    _payrolls(world, officer, chairman, today)
    _found_child(world, u)
    sweep(now=clock.now())
    proposals.proposals_sweep()
    services.payroll_open_due()
    return len(made) + 2


def _paid_how(officer, start: dt.date, toddler, four, sixteen, moving) -> None:
    """Into a bank account, at the post office, and in cash at home for a grandmother who cannot walk."""
    with _at(start):
        for made, account in ((toddler, "0451000123456"), (sixteen, "1903456789012")):
            services.payment_method_set(
                actor=officer,
                child=made,
                method="bank",
                receiver_name=CARERS[0] if made is toddler else CARERS[1],
                institution="Vietcombank chi nhánh Ba Đình",
                account_number=account,
                valid_from=start,
            )
        services.payment_method_set(
            actor=officer,
            child=four,
            method="post",
            receiver_name=CARERS[2],
            institution="Bưu điện phường Ba Đình",
            valid_from=start,
        )
        services.payment_method_set(
            actor=officer,
            child=moving,
            method="home",
            receiver_name=CARERS[3],
            address="Số 12 ngõ 5 phố Quán Thánh",
            reason="Bà ngoại bị liệt, không đi lại được",
            valid_from=start,
        )


def _cards(officer, today: dt.date, *, toddler, four, sixteen, late) -> None:
    """Cards for the youngest (their end computed by the rule) and one for a child in special
    circumstances; the girl of 9 has a card that lapsed, and others none: on the commune's list."""
    with _at(today - dt.timedelta(days=30)):
        for made, number in ((toddler, "TE1010100001234"), (four, "TE1010100005678")):
            services.health_card_record(
                actor=officer,
                child=made,
                number=number,
                basis="under_6",
                valid_from=made.date_of_birth + dt.timedelta(days=20),
            )
        services.health_card_record(
            actor=officer,
            child=sixteen,
            number="TE2010100009012",
            basis="special",
            valid_from=today.replace(month=1, day=1),
            expires_on=today.replace(month=12, day=31),
        )
        services.health_card_record(
            actor=officer,
            child=late,
            number="TE2010100003456",
            basis="special",
            valid_from=today.replace(year=today.year - 1, month=1, day=1),
            expires_on=today.replace(year=today.year - 1, month=12, day=31),
        )


def _payrolls(world: DemoWorld, officer, chairman, today: dt.date) -> None:
    """Last month's payroll sent before the 25th and returned by the provider, one payment failed
    (paid again in the next payroll); this month's sent and not yet confirmed. The sweep then opens
    next month's, due by the 24th."""
    from haven.entitlements.services import provider

    this = month_of(today)
    last = calendar.add_months(this, -1)
    for month in (last, this):
        before = calendar.add_months(month, -1)
        with _at(before.replace(day=10)):
            run = services.payroll_prepare(actor=officer, commune=world.commune_a, month=month)
        with _at(before.replace(day=15), hour=15):
            services.payroll_approve(actor=chairman, run=run)
        with _at(before.replace(day=20)):
            services.payroll_send(
                actor=officer, run=run, sent_on=before.replace(day=20), provider="Bưu điện Hà Nội"
            )
        if month != last:
            continue
        rows = provider.list_rows(run, provider.list_lines(run))
        for row in rows[1:]:
            failed = row[4] == str(Method.BANK.label) and "1903" in row[6]
            row[13:17] = (
                ["Không thành công", f"05/{month:%m/%Y}", "", "Tài khoản bị khóa"]
                if failed
                else ["Đã chi trả", f"0{3 + len(row[1]) % 5}/{month:%m/%Y}", row[10], ""]
            )
        with _at(month.replace(day=9)):
            services.provider_return_import(
                actor=officer,
                run=run,
                file_name=f"tra-ve-{month:%Y-%m}.csv",
                content=provider.as_csv(rows),
            )


def _found_child(world: DemoWorld, u: dict) -> None:
    """A girl found twelve days ago, cared for by a registered family, her notice expired and her birth
    registered two days ago: Haven proposes her allowance."""
    from haven.foundlings import services as foundlings
    from haven.foundlings.synth import VITALS, _record

    now = clock.now()
    found_at = now - dt.timedelta(days=12)
    with clock.at(found_at + dt.timedelta(minutes=20)):
        case = foundlings.foundling_report(
            actor=u["hospital.sw"],
            found_at=found_at,
            found_commune=world.commune_a,
            found_place="Trước cổng chùa Quán Thánh",
            sex="female",
            estimated_age_days=2,
            condition="Trẻ sơ sinh khỏe, quấn khăn trắng",
            belongings="Khăn trắng, một bình sữa",
            finder_name="Ngô Văn Thành",
        )
    with clock.at(found_at + dt.timedelta(hours=1)):
        foundlings.foundling_acknowledge(actor=u["commune.officer"], case=case)
        foundlings.foundling_screen(actor=u["hospital.sw"], case=case, screened_at=found_at, **VITALS)
        _record(world, case)
        foundlings.foundling_decide_temporary_care(
            actor=u["commune.officer"],
            case=case,
            kind="family",
            family="Gia đình bà Nguyễn Thị Hạnh, số 5 ngõ 12 Quán Thánh",
        )
    with clock.at(found_at + dt.timedelta(hours=3)):
        foundlings.foundling_post_notice(actor=u["commune.officer"], case=case)
    sweep(now=found_at + dt.timedelta(days=7, hours=4))
    with clock.at(now - dt.timedelta(days=2)):
        foundlings.foundling_register_birth(
            actor=u["civil.status"], case=case, family_name="Nguyễn", middle_name="Thị", given_name="An Nhiên"
        )


# --- A pupil's support -----------------------------------------------------------------------------


def school_support(world: DemoWorld) -> int:
    """The demo's pupils' support, after the demo's schooling: a girl orphaned of both parents at the
    commune's public primary school and a boy with a disability at the same school, each proposed by
    Haven a few days ago; the girl's support taken up and decided by the chairman since (its first semester
    counted at once), the boy's waiting for the commune officer; a girl at a private primary school of
    the commune whose tuition support is proposed while the province has set no rate (to be set by the
    province). The sweep proposes the same for every other pupil of the demo in a group. Returns how
    many supports were proposed. Idempotent: a second run finds the demo's private school and adds
    nothing."""
    from haven.accounts.models import Organisation, OrganisationKind
    from haven.education import ages
    from haven.education import services as education
    from haven.education.models import School
    from haven.entitlements.models import Programme, State
    from haven.entitlements.services.schooling import instalments_sweep

    public = School.objects.filter(organisation=world.organisations["school_a"]).first()
    if public is None or School.objects.filter(code=f"{world.province.code}0A009").exists():
        return 0
    u = {name: user for name, (user, _label) in world.users.items()}
    officer, chairman = u["commune.officer"], u["chairman"]
    now = clock.now()
    today = clock.localdate(now)
    year = ages.school_year_of(today)
    # Proposed six days ago (not before the school year began), taken up since, decided an hour ago.
    opened = calendar.day_start(ages.year_start(year)) + dt.timedelta(hours=8)
    proposed_at = max(now - dt.timedelta(days=6), opened)
    taken_at = proposed_at + (now - proposed_at) / 2
    started = ages.year_start(year) if today < dt.date(year, 9, 5) else dt.date(year, 9, 5)
    organisation, _made = Organisation.objects.get_or_create(
        name=f"Trường Tiểu học tư thục Ánh Dương, {world.commune_a.name}",
        kind=OrganisationKind.SCHOOL,
        area=world.commune_a,
    )
    private = School.objects.create(
        organisation=organisation,
        code=f"{world.province.code}0A009",
        first_level="primary",
        last_level="primary",
        public=False,
    )

    def pupil(family, middle, given, sex, age, group, school):
        born = dt.date(year - age, 4, 12)
        with clock.at(proposed_at - dt.timedelta(hours=1)):
            made = people.child_create(
                actor=officer,
                family_name=family,
                middle_name=middle,
                given_name=given,
                sex=sex,
                date_of_birth=born,
                current_commune=world.commune_a,
            )
            if group:
                people.circumstance_add(
                    actor=officer,
                    child=made,
                    group=group,
                    started_on=born,
                    evidence="Xác nhận của UBND xã; giấy chứng tử của cha mẹ hoặc giấy xác nhận khuyết tật",
                )
            expected = ages.expected(born.year, year)
            education.enrolment_record(
                actor=officer,
                child=made,
                school=school,
                school_year=year,
                level=expected.level,
                grade=expected.grade,
                started_on=started,
                class_name=f"{expected.grade}A",
            )
        return made

    orphan = pupil("Đinh", "Thị", "Hoa", "female", 9, CircumstanceGroup.HCDB_A, public)
    pupil("Lương", "Văn", "Khánh", "male", 8, CircumstanceGroup.HCDB_D, public)
    pupil("Mai", "Ngọc", "Minh Anh", "female", 7, None, private)
    with clock.at(proposed_at):
        made = proposals.proposals_sweep(now=proposed_at)
    support = Application.objects.get(child=orphan, programme=Programme.LEARNING_COSTS, state=State.PROPOSED)
    with clock.at(taken_at):
        services.application_take_up(
            actor=officer,
            application=support,
            received_on=clock.localdate(taken_at),
            applicant_name="Đinh Văn Tùng",
        )
    decided_at = taken_at + (now - taken_at) / 2
    with clock.at(decided_at):
        services.application_decide(
            actor=chairman,
            application=support,
            decision_number="205/QĐ-UBND",
            decided_on=clock.localdate(decided_at),
        )
    instalments_sweep()
    return made
