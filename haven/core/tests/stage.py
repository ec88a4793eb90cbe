"""One object of every kind a URL or an API path names, in the persona world: children, found-child and
protection cases at two stages, a woman at risk, a facility with its groups and a placement, a family,
a Form 16 decision, a linkage pair... The garbage tests post to every URL with these real ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from haven.core import clock
from haven.lib.pin import century_sex_digit


@dataclass
class Stage:
    """Each URL and API parameter, by the path prefix it appears under, to a real id."""

    ids: dict[tuple[str, str], str] = field(default_factory=dict)

    def value(self, path: str, name: str) -> str | None:
        """The id for parameter ``name`` in ``path``: the longest prefix of the path that names one."""
        found = [(len(prefix), v) for (prefix, n), v in self.ids.items() if n == name and prefix in path]
        return max(found)[1] if found else None


def build_stage(world) -> Stage:
    from haven.care import decisions, families
    from haven.care import services as care
    from haven.care.tests.conftest import build_site, hand_over
    from haven.foundlings import services as foundlings
    from haven.linkage.models import Candidate, LinkRun, Reason, RunKind
    from haven.people import services as people
    from haven.prevention import services as prevention
    from haven.prevention.models import Village
    from haven.protection import services as protection
    from haven.protection.models import KnownChildMatch

    stage = Stage()
    now = clock.now()
    born = dt.date(2017, 9, 2)
    child = world.child(
        family_name="Lê", middle_name="Thị", given_name="Hoa", sex="female", date_of_birth=born
    )
    pin = f"001{century_sex_digit(birth_year=born.year, sex='female')}{born.year % 100:02d}445566"
    people.child_update(actor=world.officer_a, child=child, pin=pin)
    stage.ids[("/children/", "child_id")] = str(child.pk)

    # Found children: one just reported, one with its handover to a facility waiting.
    report = {
        "actor": world.hospital_sw,
        "found_at": now - dt.timedelta(hours=1),
        "found_commune": world.commune_a,
        "found_place": "Cổng bệnh viện",
        "sex": "female",
        "estimated_age_days": 3,
        "condition": "Trẻ sơ sinh",
        "finder_name": "Trần Văn Hậu",
        "finder_id_document": "CCCD 001089012345",
        "finder_address": "Phường Ba Đình",
        "belongings": "Một chiếc chăn xanh",
    }
    fresh = foundlings.foundling_report(**report)
    case = foundlings.foundling_report(**report)
    foundlings.foundling_acknowledge(actor=world.officer_a, case=case)
    foundlings.foundling_screen(
        actor=world.hospital_sw,
        case=case,
        screened_at=clock.now(),
        temperature_c=Decimal("36.8"),
        heart_rate=140,
        respiratory_rate=45,
        weight_grams=2900,
        estimated_age_days=3,
        findings="Khỏe",
    )
    foundlings.foundling_record(
        actor=world.officer_a,
        case=case,
        drafter_title="Chủ tịch UBND phường",
        drawn_up_place="Trụ sở UBND phường",
        physique="Bé gái",
        health="Bình thường",
        belongings="",
        finder_name="Trần Văn Hậu",
        finder_id_document="CCCD 001089012345",
        finder_address="Phường Ba Đình",
    )
    foundlings.foundling_decide_temporary_care(
        actor=world.officer_a, case=case, kind="facility", to_organisation=world.orgs["facility_b"]
    )
    pair = case.possible_duplicates.first() or fresh.possible_duplicates.first()
    stage.ids[("/foundlings/", "case_id")] = str(case.pk)
    stage.ids[("/api/v1/foundlings/", "case_id")] = str(case.pk)
    stage.ids[("/foundlings/", "pair_id")] = str(pair.pk)
    stage.ids[("/api/v1/foundlings/", "pair_id")] = str(pair.pk)
    stage.ids[("/api/v1/foundlings/", "handover_id")] = str(case.handovers.get().pk)

    # Child protection: a case with the child separated and Form 03 recorded, a referral from commune B
    # to the hospital of commune A, a transfer to commune A's committee waiting, a possible known child.
    report = {
        "actor": world.hotline,
        "incident_place": "Tổ dân phố 4",
        "sex": "female",
        "family_name": "Lò",
        "given_name": "Mai",
        "date_of_birth": dt.date(2021, 3, 15),
        "condition": "Có vết bầm ở tay",
        "likely_harm": "Tiếp tục bị đánh",
    }
    known = world.child(
        family_name="Lò", middle_name="", given_name="Mai", sex="female", date_of_birth=dt.date(2021, 3, 15)
    )
    pcase = protection.protection_report(incident_commune=world.commune_a, **report)
    protection.protection_accept(actor=world.officer_a, case=pcase)
    levels = {"harm": "high", "danger": "high", "abuser_access": "high"}
    assessment = protection.protection_assess_initial(
        actor=world.officer_a, case=pcase, data={**levels, "verification": "Đã gặp trường", "emergency": True}
    )
    protection.protection_emergency(
        actor=world.chairman_a, case=pcase, measures="Đưa trẻ đến nhà bà", separate=True, shelter="Nhà bà"
    )
    specific = {"physical": "low", "psychological": "high", "family": "high", "education": "low"}
    protection.protection_assess_specific(
        actor=world.officer_a, case=pcase, data={**specific, "needs": "Tư vấn", "meeting": "Họp ngày 3/3"}
    )
    other = protection.protection_report(incident_commune=world.commune_b, **{**report, "given_name": "Lan"})
    protection.protection_accept(actor=world.officer_b, case=other)
    referral = protection.referral_request(
        actor=world.officer_b,
        case=other,
        to_organisation=world.orgs["hospital_a"],
        service="medical",
        note="Khám sức khỏe cho trẻ",
        consent=True,
    )
    transfer = protection.transfer_request(
        actor=world.officer_b, case=other, to_organisation=world.orgs["committee_a"], reason="Trẻ chuyển nhà"
    )
    # The report names a child of commune A with the same name, sex and birth: a possible known child.
    match = KnownChildMatch.objects.get(case=pcase, candidate=known)
    # A Form 05 approval on record (its printed decision is a page of its own).
    from haven.protection.models import Approval

    approval = Approval.objects.create(
        case=pcase,
        plan=pcase.assessments.order_by("-pk").first(),
        decision_number="05/QĐ-UBND",
        approved_at=clock.now(),
        approved_by=world.chairman_a,
        participants="Chủ tịch UBND, công chức văn hóa - xã hội",
    )
    for prefix in ("/protection/", "/api/v1/protection/"):
        stage.ids[(prefix, "approval_id")] = str(approval.pk)
        stage.ids[(prefix, "case_id")] = str(pcase.pk)
        stage.ids[(prefix, "referral_id")] = str(referral.pk)
        stage.ids[(prefix, "transfer_id")] = str(transfer.pk)
        stage.ids[(prefix, "match_id")] = str(match.pk)
        stage.ids[(prefix, "assessment_id")] = str(assessment.pk)

    # Prevention: a village covered by the collaborator, a woman flagged and contacted, a referral.
    village = Village.objects.create(commune=world.commune_a, name="Thôn Đông")
    coverage = prevention.coverage_assign(
        actor=world.officer_a, collaborator=world.collaborator_a, village=village
    )
    person = prevention.person_flag(
        actor=world.collaborator_a,
        family_name="Nguyễn",
        middle_name="Thị",
        given_name="Hoa",
        birth_year=2001,
        commune=world.commune_a,
        village=village,
        pregnant=True,
        consent=True,
        risk_factors=["single_mother", "unintended_pregnancy"],
        expected_delivery=clock.today() + dt.timedelta(days=90),
        notes="Sống một mình",
    )
    prevention.person_contact(
        actor=world.collaborator_a, person=person, at=clock.now(), mode="home", wellbeing="good", consent=True
    )
    support = prevention.support_refer(
        actor=world.collaborator_a, person=person, service="counselling", provider="Trạm y tế phường"
    )
    for prefix in ("/prevention/", "/api/v1/prevention/"):
        stage.ids[(prefix, "person_id")] = str(person.pk)
        stage.ids[(prefix, "support_id")] = str(support.pk)
        stage.ids[(prefix, "coverage_id")] = str(coverage.pk)
        stage.ids[(prefix, "village_id")] = str(village.pk)

    # Care: facility B with its homes, groups and staff; a child placed there; a kin family that took a
    # child; a Form 16 decision.
    site = build_site(world)
    placed = world.child(date_of_birth=clock.today() - dt.timedelta(days=8 * 365))
    world.involve(placed, "facility_b")
    placement = care.placement_start(
        actor=world.facility_director,
        child=placed,
        form="facility_group",
        group=site.older,
        started_on=clock.today(),
        reason="Tiếp nhận từ Ủy ban nhân dân xã",
    )
    room = care.room_add(
        actor=world.facility_director, home=site.home, name="Phòng 1", places=4, group=site.older
    )
    kin_child = world.child(date_of_birth=clock.today() - dt.timedelta(days=4 * 365))
    kin = hand_over(world, kin_child)
    moved = world.child(date_of_birth=clock.today() - dt.timedelta(days=3 * 365))
    first = hand_over(world, moved, name="Phạm Thị Nga")
    decision = decisions.care_change_decide(
        actor=world.chairman_a,
        placement=first,
        ground="caregiver_request",
        decision_number="16/QĐ-UBND",
        on=clock.today(),
        note="Bà xin thôi chăm sóc",
        form="facility_group",
        group=site.older,
    )
    waiting = families.family_register(
        actor=world.officer_a,
        commune=world.commune_a,
        kind="kin",
        applicant_name="Đỗ Thị Liên",
        applicant_born_on=dt.date(1965, 1, 9),
        address="Số 5 ngõ 2 Đội Cấn",
        household="",
        economic_conditions="Ổn định",
        housing="Nhà riêng",
        household_consent=True,
        no_abuse_record=True,
        health_certificate_on=None,
        relative_of=child,
        relationship="Bà nội",
    )
    # An inspection on record (its printed record is a page of its own).
    from haven.care import checklist

    inspection = care.inspection_record(
        actor=world.provincial,
        facility=site.facility,
        inspected_on=clock.localdate(),
        results={item.code: "met" for item in checklist.ITEMS},
        findings="Đạt yêu cầu",
    )
    for prefix in ("/care/", "/api/v1/care/"):
        stage.ids[(prefix, "inspection_id")] = str(inspection.pk)
        stage.ids[(prefix, "facility_id")] = str(site.facility.pk)
        stage.ids[(prefix, "home_id")] = str(site.home.pk)
        stage.ids[(prefix, "group_id")] = str(site.older.pk)
        stage.ids[(prefix, "room_id")] = str(room.pk)
        stage.ids[(prefix, "staff_id")] = str(site.caregivers[0].pk)
        stage.ids[(prefix, "assignment_id")] = str(site.older.shifts.first().pk)
        stage.ids[(prefix, "principal_id")] = str(site.older.principals.first().pk)
        stage.ids[(prefix, "placement_id")] = str(placement.pk)
        stage.ids[(prefix, "family_id")] = str(waiting.pk)
        stage.ids[(prefix, "decision_id")] = str(decision.pk)
        stage.ids[(prefix, "child_id")] = str(placed.pk)
    stage.ids[("/care/families/", "family_id")] = str(kin.family_id)
    stage.ids[("/api/v1/care/families/", "family_id")] = str(waiting.pk)

    # Linkage: two records of commune A that may be the same child.
    twin = world.child(
        family_name="Lê", middle_name="Thị", given_name="Hoa", sex="female", date_of_birth=born
    )
    run = LinkRun.objects.create(kind="duplicates", upper=0.99, lower=0.5, started_at=now, finished_at=now)
    candidate = Candidate.objects.create(
        run=run,
        kind=RunKind.DUPLICATES,
        child=child,
        other_child=twin,
        match_weight=9.0,
        match_probability=0.9,
        model_decision="review",
        reason=Reason.DUPLICATE,
        created_at=now,
    )
    for prefix in ("/linkage/", "/api/v1/linkage/"):
        stage.ids[(prefix, "pair_id")] = str(candidate.pk)
    # Entitlements: the national level in force and a coefficient, as seeded from the law; an abandoned
    # child of commune A paid the allowance, and an application waiting for the register check.
    from haven.entitlements.models import BenefitRule, Parameter
    from haven.entitlements.tests.conftest import applied, decided, with_pin

    paid = with_pin(world, born=clock.today().replace(year=clock.today().year - 2, day=1))
    decided(world, paid)
    waiting = applied(world, with_pin(world, born=clock.today().replace(year=clock.today().year - 5, day=1)))
    level = Parameter.objects.get(key="standard_level", province=None, valid_to=None)
    for prefix in ("/entitlements/", "/api/v1/entitlements/"):
        stage.ids[(prefix, "parameter_id")] = str(level.pk)
        stage.ids[(prefix, "pk")] = stage.ids[(prefix, "parameter_id")]
        stage.ids[(prefix, "rule_id")] = str(BenefitRule.objects.order_by("pk").first().pk)
        stage.ids[(prefix, "application_id")] = str(waiting.pk)
        stage.ids[(prefix, "child_id")] = str(paid.pk)
    stage.ids[("/entitlements/", "kind")] = "adjust"
    from haven.entitlements.services import payroll_prepare

    run = payroll_prepare(actor=world.officer_a, commune=world.commune_a, month=clock.today())
    for prefix in ("/entitlements/", "/api/v1/entitlements/"):
        stage.ids[(prefix, "run_id")] = str(run.pk)
    stage.ids[("/entitlements/", "action")] = "approve"
    stage.ids[("/entitlements/", "fmt")] = "csv"
    # A complaint of commune A about the paid child's allowance, waiting to be accepted.
    from haven.complaints.models import Category
    from haven.complaints.services import complaint_receive

    complaint = complaint_receive(
        actor=world.officer_a,
        category=Category.objects.get(code="allowance_not_paid"),
        content="Chưa nhận được trợ cấp tháng này.",
        complainant_name="Nguyễn Thị Hoa",
        complainant_phone="0912345678",
        about_child=paid,
    )
    for prefix in ("/complaints/", "/api/v1/complaints/"):
        stage.ids[(prefix, "complaint_id")] = str(complaint.pk)
    stage.ids[("/complaints/", "step")] = "accept"
    # How the paid child is paid, and its health-insurance card (its end computed by the rule).
    from haven.entitlements.services import health_card_record, payment_method_set

    payment_method_set(
        actor=world.officer_a,
        child=paid,
        method="bank",
        receiver_name="Nguyễn Thị Hoa",
        institution="Vietcombank",
        account_number="0011004455667",
        valid_from=clock.today(),
    )
    health_card_record(
        actor=world.officer_a, child=paid, number="TE1010123456789", basis="under_6", valid_from=clock.today()
    )
    # Sponsorship: a programme of the commune police, an offer matched to an orphan of commune A with a
    # visit asked for, a campaign with a receipt and a disbursement waiting for the carer's code.
    from haven.sponsorship.tests.conftest import build_scene

    scene = build_scene(world)
    matched = scene.matched(direct_contact=True)
    offered = scene.offer()
    scene.receive(2_000_000, "FT-STAGE-1")
    from haven.sponsorship import services as sponsorship
    from haven.sponsorship.models import Visit

    disbursement = sponsorship.entry_record(
        actor=scene.coordinator,
        campaign=scene.campaign,
        kind="disbursement",
        amount=1_000_000,
        occurred_on=clock.today(),
        document="Phiếu chi 01",
        sponsorship=matched,
        recipient="carer",
        carer_phone="0912345678",
    )
    visit = Visit.objects.create(
        sponsorship=matched, planned_at=now + dt.timedelta(days=3), place="Nhà văn hóa"
    )
    for prefix in ("/sponsorship/", "/api/v1/sponsorship/"):
        stage.ids[(prefix, "sponsorship_id")] = str(matched.pk)
        stage.ids[(prefix, "campaign_id")] = str(scene.campaign.pk)
        stage.ids[(prefix, "entry_id")] = str(disbursement.pk)
        stage.ids[(prefix, "sponsor_id")] = str(scene.police_sponsor.pk)
        stage.ids[(prefix, "visit_id")] = str(visit.pk)
    stage.ids[("/sponsorship/", "step")] = "match"
    stage.ids[("/sponsorship/offered/", "sponsorship_id")] = str(offered.pk)
    stage.ids[("/ledger/", "fmt")] = "csv"
    stage.ids[("/areas/", "code")] = world.hanoi.code
    stage.ids[("/reports/indicators/", "code")] = "HV.SC"
    stage.ids[("/reports/indicators/", "fmt")] = "csv"
    stage.ids[("/api/v1/indicators/", "code")] = "HV.CLOCKS"
    # Periodic reports: commune A's monthly report of last month, generated; a reminder it is owed.
    from haven.reports import services as reports
    from haven.reports.models import PeriodicReport
    from haven.reports.periodic import report_type
    from haven.reports.periods import Kind, containing

    last = containing(clock.today(), Kind.MONTH).previous()
    reports.generate(kind=report_type("monthly"), period=last, areas=[world.commune_a])
    periodic = PeriodicReport.objects.get(area=world.commune_a, period=last.key)
    owed = reports.urging_open(
        commune=world.commune_a,
        indicator="HV.CLOCKS",
        period=last,
        found={"values": [50.0, 25.0], "target": 100.0},
    )
    for prefix in ("/reports/periodic/", "/api/v1/reports/"):
        stage.ids[(prefix, "report_id")] = str(periodic.pk)
    for prefix in ("/reports/reminders/", "/api/v1/reports/reminders/"):
        stage.ids[(prefix, "urging_id")] = str(owed.pk)
    stage.ids[("/reports/periodic/", "step")] = "review"
    stage.ids[("/reports/reminders/", "step")] = "send"
    stage.ids[("/api/v1/", "code")] = world.hanoi.code
    stage.ids[("/api/v1/", "commune_code")] = world.commune_a.code
    stage.ids[("/api/v1/", "child_id")] = str(child.pk)
    stage.ids[("/api/v1/care/", "child_id")] = str(placed.pk)
    # School: the school of commune A with a pupil enrolled without a PIN, one asked to enrol, an
    # absence alert, and the commune's roster.
    from haven.education import services as education
    from haven.education.models import School
    from haven.education.services.attendance import Line
    from haven.education.tests.conftest import first_day, foundling, year

    school = School.objects.create(
        organisation=world.orgs["school_a"],
        code="01001001",
        first_level="preschool",
        last_level="lower_secondary",
    )
    pupil = education.enrolment_record(
        actor=world.officer_a,
        child=foundling(world),
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
        started_on=first_day(),
    )
    asked = education.enrolment_request(
        actor=world.officer_a,
        child=foundling(world),
        school=school,
        school_year=year(),
        level="primary",
        grade=1,
    )
    days = [clock.today() - dt.timedelta(days=k) for k in range(5)]
    days = [d for d in days if d >= pupil.started_on]
    outcome = education.attendance_record(
        actor=world.school_a,
        school=school,
        lines=[Line(i + 1, str(pupil.pk), d, "unexcused") for i, d in enumerate(days)],
    )
    for prefix in ("/education/", "/api/v1/education/"):
        stage.ids[(prefix, "school_id")] = str(school.pk)
        stage.ids[(prefix, "child_id")] = str(pupil.child_id)
        stage.ids[(prefix, "enrolment_id")] = str(asked.pk)
        stage.ids[(prefix, "code")] = world.commune_a.code
        if outcome.alerts:
            stage.ids[(prefix, "alert_id")] = str(outcome.alerts[0].pk)
    stage.ids[("/education/", "step")] = "admit"
    # The administrator's pages: the hospital holds open found-child cases (closing it needs a
    # successor, and there is no other hospital); a person with nothing to hand over.
    stage.ids[("/accounts/organisations/", "organisation_id")] = str(world.orgs["hospital_a"].pk)
    stage.ids[("/accounts/users/", "user_id")] = str(world.nobody.pk)
    # A one-time link to choose a new password, as the administrator would hand it over.
    from haven.accounts.credentials import password_reset_issue

    stage.ids[("/accounts/reset/", "key")] = password_reset_issue(actor=world.admin, user=world.nobody)[1]
    return stage


# --- What a refused request must not change ---------------------------------------------------------

# Tables a refused request may write by design: sessions, login throttling, the audit chain's head,
# queued background tasks. The audit trail itself is counted separately: reads are audited too.
NOT_DOMAIN = {
    "django_session",
    "accounts_signinfailure",
    "audit_auditevent",
    "audit_chainhead",
    "django_tasks_database_dbtaskresult",
}
# Audit events that record a read (a view, a list, a search, an export), a refused sign-in, or a
# refusal (a record out of reach, a PIN another child holds): none of them is a write.
READ_ACTIONS = (
    "action LIKE '%view' OR action LIKE '%.list' OR action LIKE '%.search' OR action LIKE '%export' "
    "OR action LIKE '%.figures' OR action IN ('child.pin_reveal', 'account.login_failed', 'account.login', "
    "'account.lockout', 'account.otp_failed', 'access.denied', 'child.pin_conflict')"
)


def snapshot() -> dict[str, int]:
    """Row counts of every domain table and the number of audited writes, in one query."""
    from django.apps import apps
    from django.db import connection

    tables = sorted({m._meta.db_table for m in apps.get_models()} - NOT_DOMAIN)
    columns = [f'(SELECT COUNT(*) FROM "{t}")' for t in tables]
    columns.append(f'(SELECT COUNT(*) FROM "audit_auditevent" WHERE NOT ({READ_ACTIONS}))')
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))
        row = cursor.fetchone()
    return dict(zip([*tables, "audited writes"], row, strict=True))


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


# --- Garbage ----------------------------------------------------------------------------------------

HUGE_ID = "9" * 30
GARBAGE_TEXT = [
    "",
    "   ",
    "abc",
    "-1",
    "0",
    HUGE_ID,
    "1e309",
    "NaN",
    "<script>alert(1)</script>",
    "31/02/2026",
    "2026-13-45",
    "00/00/0000 25:61",
    "ǅǅ\u202e\u0000x",
    "a" * 5000,
    "null",
    "true",
    "[]",
    "{}",
    "ø" * 60,
]
