"""The resource ledger is double-entry with computed balances; money leaves only if the campaign holds
it; a campaign stops receiving after its committed period (Decree 93/2021/NĐ-CP); a carer confirms
each disbursement; and what is published names no child and republishes no memo."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from haven.core import clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.deadlines.sweep import sweep
from haven.notifications.models import OutboxMessage
from haven.sponsorship import services
from haven.sponsorship.models import Entry, LedgerLine, Posting
from haven.sponsorship.services import reconciliation
from haven.sponsorship.services.statements import StatementRefused


def pay(scene, sponsorship, amount=1_000_000, **kwargs):
    values = {
        "actor": scene.coordinator,
        "campaign": scene.campaign,
        "kind": "disbursement",
        "amount": amount,
        "occurred_on": clock.today(),
        "document": "Phiếu chi 01",
        "sponsorship": sponsorship,
        "recipient": "carer",
        "carer_phone": "0912345678",
        "purpose": "living",
        **kwargs,
    }
    return services.entry_record(**values)


def sms_sent() -> str:
    return OutboxMessage.objects.filter(channel="sms").latest("id").body


def code_sent() -> str:
    """The six-digit code of the latest SMS (the reference is two groups of four, the amount has dots)."""
    return re.search(r"(?<![\d.])\d{6}(?![\d.])", sms_sent()).group()


def reference_sent() -> str:
    return re.search(r"\b(\d{4}) (\d{4})\b", sms_sent()).group()


def test_balances_are_sums_of_postings_that_balance(scene):
    scene.receive(3_000_000, "FT001")
    sponsorship = scene.matched()
    pay(scene, sponsorship, 1_000_000)
    figures = services.figures(campaign=scene.campaign)
    assert (figures.received, figures.disbursed, figures.cash) == (3_000_000, 1_000_000, 2_000_000)
    for entry in Entry.objects.all():
        assert entry.postings.aggregate(s=Sum("amount"))["s"] == 0


def test_a_disbursement_larger_than_the_balance_is_refused_and_nothing_changes(scene):
    scene.receive(500_000, "FT001")
    sponsorship = scene.matched()
    before = (Entry.objects.count(), Posting.objects.count(), OutboxMessage.objects.count())
    with pytest.raises(ValidationError) as refused:
        pay(scene, sponsorship, 1_000_000)
    assert "500.000" in refused.value.message_dict["amount"][0]
    assert (Entry.objects.count(), Posting.objects.count(), OutboxMessage.objects.count()) == before


def test_a_receipt_after_the_campaigns_period_is_refused(scene, frozen):
    frozen.advance(days=301)
    with pytest.raises(ValidationError) as refused:
        scene.receive(200_000, "FT009")
    assert "93/2021" in refused.value.message_dict["occurred_on"][0]
    assert not Entry.objects.exists()


def test_the_carer_confirms_with_the_code_sent_to_their_phone(scene):
    scene.receive(2_000_000, "FT001")
    entry = pay(scene, scene.matched())
    assert Obligation.objects.get(rule="sponsorship.confirm_disbursement").status == Status.OPEN
    code = code_sent()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError):
        services.disbursement_confirm(entry=entry, code=wrong)
    services.disbursement_confirm(entry=entry, code=code)
    entry.refresh_from_db()
    assert entry.confirmed_via == "carer"
    assert Obligation.objects.get(rule="sponsorship.confirm_disbursement").status == Status.MET
    with pytest.raises(Refused):
        services.disbursement_confirm(entry=entry, code=code)


def test_a_disbursement_unconfirmed_after_14_days_escalates(scene, frozen):
    scene.receive(2_000_000, "FT001")
    pay(scene, scene.matched())
    frozen.advance(days=15)
    sweep(now=frozen.at)
    assert Obligation.objects.get(rule="sponsorship.confirm_disbursement").escalation_level == 1
    assert [i.code for i in reconciliation.issues([scene.campaign])].count("unconfirmed") == 1


def _published(kind: str) -> list[dict]:
    return [
        json.loads(line.entry)
        for line in LedgerLine.objects.order_by("index")
        if json.loads(line.entry)["type"] == kind
    ]


def test_a_publication_names_no_child_and_never_a_memo(scene):
    scene.receive(
        2_000_000,
        "FT001",
        memo="tap the anh em rap xiec trung uong",
        payer_name="Nguyễn Thị Lan",
        payer_publish=False,
    )
    scene.receive(
        1_000_000, "FT002", payer_kind="organisation", payer_name="Công ty Sao Mai", payer_publish=True
    )
    sponsorship = scene.matched()
    entry = pay(scene, sponsorship)
    services.disbursement_confirm(entry=entry, code=code_sent())
    services.publish(actor=scene.coordinator, everything=True)
    everything = " ".join(line.entry for line in LedgerLine.objects.all())
    assert "rap xiec" not in everything and "Nguyễn Thị Lan" not in everything
    assert scene.child.given_name not in everything and scene.child.family_name not in everything
    assert str(scene.child.pk) not in everything
    receipts = _published("receipt")
    assert [r["payer"] for r in receipts] == ["Cá nhân ẩn danh", "Công ty Sao Mai"]
    (disbursement,) = _published("disbursement")
    assert disbursement["recipient"] == "Individual Recipient"
    assert disbursement["recipient_id"].startswith("360G-haven-con-nuoi-2026-IND-")
    # one child in the commune that month: below the threshold, so only the province is published
    assert (disbursement["location"], disbursement["location_level"]) == (scene.world.hanoi.code, "province")
    (confirmation,) = _published("confirmation")
    assert confirmation["confirms"] == LedgerLine.objects.get(source=entry).index


def test_a_correction_is_a_new_line_and_the_first_is_unchanged(scene):
    wrong = scene.receive(5_000_000, "FT001")
    services.publish(everything=True)
    first = LedgerLine.objects.get().entry
    services.correction_record(actor=scene.coordinator, entry=wrong, reason="Nhập sai số tiền")
    services.publish(everything=True)
    assert LedgerLine.objects.get(index=0).entry == first
    correction = json.loads(LedgerLine.objects.get(index=1).entry)
    assert (correction["type"], correction["amount"], correction["corrects"]) == ("correction", -5_000_000, 0)
    assert services.figures(campaign=scene.campaign).cash == 0


def test_a_statement_with_a_bad_row_imports_nothing_and_names_the_row(scene):
    today = clock.today().strftime("%d/%m/%Y")
    late = (clock.today() + dt.timedelta(days=400)).strftime("%d/%m/%Y")
    csv = (
        "Ngày,Số tham chiếu,Số tiền,Người chuyển,Nội dung\n"
        f"{today},FT100,500.000,Trần Văn Bình,ung ho\n"
        f"{today},FT101,abc,Lê Thị Hoa,\n"
        f"{late},FT102,200000,Phạm Minh,\n"
    ).encode()
    with pytest.raises(StatementRefused) as refused:
        services.statement_import(
            actor=scene.coordinator,
            campaign=scene.campaign,
            commune=scene.world.commune_a,
            name="sk.csv",
            content=csv,
        )
    assert [p.row for p in refused.value.problems] == [3, 4]
    assert not Entry.objects.exists()
    good = (
        "Ngày,Số tham chiếu,Số tiền,Người chuyển,Nội dung,Công khai tên\n"
        f"{today},FT100,500.000,Trần Văn Bình,ung ho,có\n"
        f'{today},FT101,"1,250,000",Lê Thị Hoa,,\n'
    ).encode()
    services.statement_import(
        actor=scene.coordinator,
        campaign=scene.campaign,
        commune=scene.world.commune_a,
        name="sk.csv",
        content=good,
    )
    assert sorted(Entry.objects.values_list("amount", "payer_publish")) == [
        (500_000, True),
        (1_250_000, False),
    ]


def test_a_line_changed_outside_haven_is_on_the_reconciliation_list(scene):
    from django.db import connection

    scene.receive(500_000, "FT001")
    services.publish(everything=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE sponsorship_ledgerline DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER sponsorship_ledgerline_append_only")
        cursor.execute("UPDATE sponsorship_ledgerline SET entry = replace(entry, '500000', '50000')")
    assert "line_changed" in [i.code for i in reconciliation.issues([scene.campaign])]
