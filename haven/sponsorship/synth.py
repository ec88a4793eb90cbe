"""Demo sponsorship, made through the real services by the demo users: the six community models as
programmes, sponsors (the commune police, a border station, a business, individuals), offers matched
to orphans of commune A, a campaign with a bank statement's receipts, disbursements confirmed by the
carers' codes, a witness, and everything published on the public ledger, so that the public page,
the donor's check and the proofs work in `make demo`."""

from __future__ import annotations

import base64
import datetime as dt
import random
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dateutil.relativedelta import relativedelta

from haven.accounts.synth import DemoWorld
from haven.core import clock
from haven.people import services as people
from haven.people.models import CircumstanceGroup
from haven.sponsorship import services, signing
from haven.sponsorship.models import (
    Campaign,
    Checkpoint,
    Cosignature,
    Form,
    ProgrammeType,
    SponsorKind,
    Witness,
)

GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Linh", "Minh", "Ngọc", "Phúc", "Quyên"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"]
DONORS = ["Nguyễn Văn Tâm", "Trần Thị Ngọc Ánh", "Lê Quang Vinh", "Phạm Thị Thanh", "Đỗ Minh Khôi"]


def demo(world: DemoWorld, *, seed: int = 2026) -> str:
    """Idempotent: a second run finds the demo's campaign and adds nothing."""
    if Campaign.objects.filter(code="demo-con-nuoi").exists():
        return "sponsorship demo already made"
    rng = random.Random(seed)
    u = {name: user for name, (user, _label) in world.users.items()}
    coordinator, second, officer = u["coordinator"], u["coordinator.2"], u["commune.officer"]
    today = clock.today()
    types = {t.code: t for t in ProgrammeType.objects.all()}
    programmes = {
        code: services.programme_create(
            actor=coordinator, type=t, name=f"{t.name} — {world.commune_a.name}", area=world.commune_a
        )
        for code, t in types.items()
    }
    police = services.sponsor_register(
        actor=coordinator,
        kind=SponsorKind.POLICE_UNIT,
        name=world.organisations["police_a"].name,
        area=world.commune_a,
        organisation=world.organisations["police_a"],
        publish_identity=True,
    )
    business = services.sponsor_register(
        actor=coordinator,
        kind=SponsorKind.ORGANISATION,
        name="Công ty TNHH Sao Mai",
        area=world.commune_a,
        publish_identity=True,
    )
    person = services.sponsor_register(
        actor=coordinator,
        kind=SponsorKind.INDIVIDUAL,
        name="Trần Minh Quân",
        area=world.commune_a,
        user=u["sponsor"],
    )
    services.vetting_record(
        actor=coordinator,
        sponsor=person,
        judicial_record_number="LLTP-2026-004512",
        judicial_record_date=today - dt.timedelta(days=20),
        referee="Bà Phạm Thị Hồng, Chi hội trưởng Chi hội Phụ nữ thôn Đông",
        briefing_acknowledged_on=today - dt.timedelta(days=5),
    )
    services.vetting_approve(actor=second, sponsor=person)
    # Orphans of commune A waiting for a sponsor.
    children = []
    for i in range(8):
        born = today - relativedelta(years=rng.randint(6, 15), days=rng.randint(0, 300))
        child = people.child_create(
            actor=officer,
            family_name=rng.choice(FAMILY),
            middle_name=rng.choice(["Văn", "Thị", "Minh"]),
            given_name=GIVEN[i],
            sex=rng.choice(["male", "female"]),
            date_of_birth=born,
            current_commune=world.commune_a,
        )
        people.circumstance_add(
            actor=officer,
            child=child,
            group=CircumstanceGroup.HCDB_A,
            started_on=born + dt.timedelta(days=700),
            evidence="Giấy chứng tử của cha và mẹ; biên bản xác minh của UBND xã",
        )
        children.append(child)
    offers = [
        (u["police"], police, "con_nuoi_cong_an_xa", Form.CASH_MONTHLY, 1_000_000, True, False),
        (u["police"], police, "con_nuoi_cong_an_xa", Form.CASH_MONTHLY, 1_000_000, True, False),
        (coordinator, business, "me_do_dau", Form.CASH_MONTHLY, 500_000, False, False),
        (u["sponsor"], person, "me_do_dau", Form.CASH_MONTHLY, 500_000, True, True),
        (coordinator, business, "me_do_dau", Form.TUITION, 300_000, False, False),
        (u["police"], police, "con_nuoi_cong_an_xa", Form.CASH_MONTHLY, 1_000_000, True, False),
    ]
    matched = []
    for i, (actor, sponsor, code, form, amount, until_adult, contact) in enumerate(offers):
        offer = services.sponsorship_offer(
            actor=actor,
            sponsor=sponsor,
            programme=programmes[code],
            commune=world.commune_a,
            form=form,
            monthly_amount=amount,
            until_adult=until_adult,
            months=None if until_adult else 12,
            direct_contact=contact,
        )
        matched.append(services.sponsorship_match(actor=coordinator, sponsorship=offer, child=children[i]))
    # One offer waits for the coordinator: the next step of the demo.
    services.sponsorship_offer(
        actor=u["police"],
        sponsor=police,
        programme=programmes["con_nuoi_cong_an_xa"],
        commune=world.commune_a,
        form=Form.CASH_MONTHLY,
        monthly_amount=1_000_000,
        until_adult=True,
    )
    services.contact_approve(actor=coordinator, sponsorship=matched[3])
    services.message_send(
        actor=u["sponsor"], sponsorship=matched[3], text="Chúc cháu năm học mới chăm ngoan, học giỏi!"
    )
    campaign = services.campaign_create(
        actor=coordinator,
        code="demo-con-nuoi",
        name=f"Quỹ đỡ đầu trẻ mồ côi {world.commune_a.name} 2026",
        area=world.commune_a,
        bank_account="1903" + "".join(str(rng.randint(0, 9)) for _ in range(8)),
        receives_from=today - dt.timedelta(days=90),
        receives_until=today + dt.timedelta(days=275),
    )
    # A bank statement's receipts; one donor asked to be named.
    rows = ["Ngày,Số tham chiếu,Số tiền,Người chuyển,Nội dung,Công khai tên"]
    for i in range(24):
        on = today - dt.timedelta(days=rng.randint(35, 85))
        amount = rng.choice([200_000, 500_000, 500_000, 1_000_000, 2_000_000, 5_000_000])
        name = rng.choice(DONORS)
        rows.append(
            f"{on:%d/%m/%Y},FT{on:%y%m%d}{i:05d},{amount},{name},ung ho tre mo coi,{'có' if i == 0 else ''}"
        )
    services.statement_import(
        actor=coordinator,
        campaign=campaign,
        commune=world.commune_a,
        name="sao-ke-demo.csv",
        content="\n".join(rows).encode(),
    )
    month_ago = today - dt.timedelta(days=32)
    for sponsorship in matched[:5]:
        services.entry_record(
            actor=coordinator,
            campaign=campaign,
            kind="commitment",
            amount=sponsorship.monthly_amount * 12,
            occurred_on=month_ago,
            document="Cam kết đỡ đầu 12 tháng",
            sponsorship=sponsorship,
            purpose="living",
        )
    from haven.notifications.models import OutboxMessage

    for i, sponsorship in enumerate(matched[:5]):
        entry = services.entry_record(
            actor=coordinator,
            campaign=campaign,
            kind="disbursement",
            amount=sponsorship.monthly_amount,
            occurred_on=month_ago,
            document=f"Phiếu chi {i + 1:02d}",
            sponsorship=sponsorship,
            recipient="carer",
            carer_phone=f"09{rng.randint(10_000_000, 99_999_999)}",
            purpose="living",
        )
        if i < 4:  # the fifth waits for the carer's code
            sms = OutboxMessage.objects.filter(channel="sms").latest("id").body
            code = re.search(r"(?<![\d.])\d{6}(?![\d.])", sms).group()
            services.disbursement_confirm(entry=entry, code=code)
    services.entry_record(
        actor=coordinator,
        campaign=campaign,
        kind="expenditure",
        amount=1_200_000,
        occurred_on=month_ago,
        document="Hóa đơn 0012345: sách vở, đồng phục",
        purpose="study",
        commune=world.commune_a,
    )
    published = services.publish(actor=coordinator, everything=True)
    # The provincial Fatherland Front countersigns the day's checkpoint (its key is made here, for the demo).
    key = Ed25519PrivateKey.generate()
    witness = Witness.objects.create(
        name=f"Ủy ban MTTQ Việt Nam {world.province.name}", public_key=signing.public_b64(key.public_key())
    )
    head = Checkpoint.objects.order_by("-tree_size", "-timestamp", "-pk").first()
    Cosignature.objects.create(
        checkpoint=head,
        witness=witness,
        signature=base64.b64encode(key.sign(head.note.encode())).decode(),
        at=clock.now(),
    )
    return (
        f"{len(programmes)} sponsorship programmes, {len(matched)} children matched, 1 offer waiting, "
        f"{published} lines on the public ledger (/ledger/)"
    )
