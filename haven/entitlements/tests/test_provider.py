"""The payment provider's side of a payroll (Decree 20/2021 art. 34): each child's payment method, the
list due before the 25th of the month before, its CSV and XLSX with a number on every line, the
provider's return imported whole or not at all with every bad row named, and the three-way
reconciliation of decision, payroll line and provider confirmation."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from haven.access.scoping import NotVisible
from haven.core import calendar, clock
from haven.core.errors import Refused
from haven.deadlines.models import Obligation, Status
from haven.entitlements import proposals, services
from haven.entitlements.models import (
    Confirmation,
    LineKind,
    Method,
    Outcome,
    PaymentLine,
    PaymentMethod,
    PayrollRun,
    PayrollState,
)
from haven.entitlements.reconciliation import reconcile
from haven.entitlements.services import provider
from haven.entitlements.tests.conftest import at, decided, with_pin

pytestmark = pytest.mark.django_db

D = dt.date


def bank(world, child, *, on=None, account="0011004455667"):
    on = on or D(2025, 8, 12)
    with at(on):
        return services.payment_method_set(
            actor=world.officer_a,
            child=child,
            method=Method.BANK,
            receiver_name="Nguyễn Thị Hoa",
            institution="Vietcombank chi nhánh Ba Đình",
            account_number=account,
            valid_from=on,
        )


def paid_child(world, born=None):
    born = born or D(2023, 5, 2)
    child = with_pin(world, born=born)
    decided(world, child, on=D(2025, 8, 12))
    bank(world, child)
    return child


def sent_run(world, *children):
    """September's payroll prepared on 10 August, approved and sent on the 20th."""
    with at(D(2025, 8, 10)):
        run = services.payroll_prepare(actor=world.officer_a, commune=world.commune_a, month=D(2025, 9, 1))
    with at(D(2025, 8, 20)):
        services.payroll_approve(actor=world.chairman_a, run=run)
        services.payroll_send(
            actor=world.officer_a, run=run, sent_on=D(2025, 8, 20), provider="Bưu điện Ba Đình"
        )
    run.refresh_from_db()
    return run


def returned(run, rows: list[list], header=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        header or ["Mã dòng", "Họ và tên", "Kết quả", "Ngày chi trả", "Số tiền đã chi (đồng)", "Ghi chú"]
    )
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def import_(world, run, content: bytes, *, on=None, name="tra-ve.csv"):
    on = on or D(2025, 9, 8)
    with at(on):
        return services.provider_return_import(
            actor=world.officer_a, run=run, file_name=name, content=content
        )


# --- The payment method ------------------------------------------------------------------------------


def test_a_payment_method_is_recorded_by_the_paying_commune_and_the_account_is_not_readable_on_disk(world):
    child = with_pin(world, born=D(2023, 5, 2))
    decided(world, child, on=D(2025, 8, 12))
    with pytest.raises(NotVisible), at(D(2025, 8, 12)):
        services.payment_method_set(
            actor=world.officer_b,
            child=child,
            method=Method.POST,
            receiver_name="Lê Văn An",
            institution="Bưu điện",
            valid_from=D(2025, 8, 12),
        )
    first = bank(world, child)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT account_number FROM {PaymentMethod._meta.db_table}")
        (stored,) = cursor.fetchone()
    assert (
        "0011004455667" not in stored
        and PaymentMethod.objects.get(pk=first.pk).account_number == "0011004455667"
    )
    # A change applies from a later day; the method it replaces ends that day.
    with at(D(2025, 10, 2)):
        home = services.payment_method_set(
            actor=world.officer_a,
            child=child,
            method=Method.HOME,
            receiver_name="Nguyễn Thị Hoa",
            address="Số 5 ngõ 12 Quán Thánh",
            reason="Bà ngoại bị liệt, không đi lại được",
            valid_from=D(2025, 10, 2),
        )
    first.refresh_from_db()
    assert (first.valid_to, home.valid_to) == (D(2025, 10, 2), None)


def test_a_payment_method_missing_what_its_kind_needs_is_refused_with_every_reason_and_nothing_changes(world):
    child = paid_child(world)
    before = list(PaymentMethod.objects.values_list("pk", "valid_to"))
    with pytest.raises(ValidationError) as refused, at(D(2025, 9, 1)):
        services.payment_method_set(
            actor=world.officer_a, child=child, method=Method.HOME, receiver_name="", valid_from=D(2025, 8, 1)
        )
    assert set(refused.value.message_dict) == {"receiver_name", "address", "reason", "valid_from"}
    with pytest.raises(ValidationError) as refused, at(D(2025, 9, 1)):
        services.payment_method_set(
            actor=world.officer_a,
            child=child,
            method=Method.BANK,
            receiver_name="Nguyễn Thị Hoa",
            institution="Agribank",
            account_number="12-AB",
            valid_from=D(2025, 9, 1),
        )
    assert set(refused.value.message_dict) == {"account_number"}
    assert list(PaymentMethod.objects.values_list("pk", "valid_to")) == before


# --- The list and its clock --------------------------------------------------------------------------


def test_the_list_of_a_month_is_due_before_the_25th_of_the_month_before_and_haven_opens_it_unasked(world):
    paid_child(world)
    with at(D(2025, 9, 2)):
        assert services.payroll_open_due() == 1  # October's, for commune A
        assert services.payroll_open_due() == 0  # a second pass opens nothing
    run = PayrollRun.objects.get(commune=world.commune_a, month=D(2025, 10, 1))
    assert run.state == PayrollState.DUE and not run.lines.exists()
    clock = Obligation.objects.get(subject_id=run.pk, rule="entitlement.provider_list", status=Status.OPEN)
    assert clock.due_at == calendar.day_end(D(2025, 9, 24))  # before the 25th begins, in Vietnam
    with at(D(2025, 9, 10)):
        prepared = services.payroll_prepare(
            actor=world.officer_a, commune=world.commune_a, month=D(2025, 10, 1)
        )
    assert prepared.pk == run.pk and prepared.lines.count() == 1
    # The same clock runs on: preparing does not start a second one.
    assert Obligation.objects.filter(subject_id=run.pk, rule="entitlement.provider_list").count() == 1
    with at(D(2025, 9, 12)):
        services.payroll_approve(actor=world.chairman_a, run=prepared)
        services.payroll_send(
            actor=world.officer_a, run=prepared, sent_on=D(2025, 9, 12), provider="Vietcombank"
        )
    clock.refresh_from_db()
    assert clock.status == Status.MET


def test_a_list_with_a_child_whose_payment_method_is_unknown_is_not_sent(world):
    child = with_pin(world, born=D(2023, 5, 2))
    decided(world, child, on=D(2025, 8, 12))
    with at(D(2025, 8, 10)):
        run = services.payroll_prepare(actor=world.officer_a, commune=world.commune_a, month=D(2025, 9, 1))
    with at(D(2025, 8, 20)):
        services.payroll_approve(actor=world.chairman_a, run=run)
        with pytest.raises(ValidationError) as refused:
            services.payroll_send(
                actor=world.officer_a, run=run, sent_on=D(2025, 8, 20), provider="Vietcombank"
            )
    assert [e.code for e in refused.value.error_dict["__all__"]] == ["no_payee"]
    run.refresh_from_db()
    assert run.state == PayrollState.APPROVED and run.sent_on is None
    # Recorded after the approval, the method fills the line that had none; then the list goes.
    bank(world, child, on=D(2025, 8, 21))
    with at(D(2025, 8, 21)):
        services.payroll_send(actor=world.officer_a, run=run, sent_on=D(2025, 8, 21), provider="Vietcombank")
    assert run.lines.get().payee.method == Method.BANK


def test_the_provider_list_names_every_line_and_the_account_in_full_in_csv_and_xlsx(world):
    from openpyxl import load_workbook

    child = paid_child(world)
    run = sent_run(world, child)
    line = run.lines.get()
    client = Client()
    client.force_login(world.officer_b)
    assert client.get(reverse("entitlements:provider_list", args=[run.pk, "xlsx"])).status_code == 404
    client.force_login(world.chairman_a)
    workbook = client.get(reverse("entitlements:provider_list", args=[run.pk, "xlsx"]))
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == line.pk and rows[1][6] == "0011004455667"  # text: no leading zero lost
    assert client.get(reverse("entitlements:provider_list", args=[run.pk, "pdf"])).status_code == 404


# --- The return file ---------------------------------------------------------------------------------


def test_the_providers_return_is_the_list_filled_in_and_imports_every_outcome(world):
    first, second = paid_child(world), paid_child(world, born=D(2016, 1, 9))
    run = sent_run(world, first, second)
    rows = list(
        csv.reader(
            io.StringIO(
                provider.as_csv(provider.list_rows(run, provider.list_lines(run))).decode("utf-8-sig")
            )
        )
    )
    header = rows[0]
    for row in rows[1:]:
        ok = row[1] == first.full_name
        row[13:17] = [
            "Đã chi trả" if ok else "Không thành công",
            "05/09/2025",
            row[10] if ok else "",
            "" if ok else "Tài khoản đã đóng",
        ]
    done = import_(world, run, returned(run, rows[1:], header=header))
    assert (done.rows, done.recorded) == (2, 2)
    outcomes = dict(Confirmation.objects.values_list("line__child", "outcome"))
    assert outcomes == {first.pk: Outcome.PAID, second.pk: Outcome.FAILED}
    # The same file again changes nothing.
    assert import_(world, run, returned(run, rows[1:], header=header)).recorded == 0
    assert Confirmation.objects.count() == 2


def test_a_return_naming_a_line_not_in_the_payroll_is_refused_whole_with_each_bad_row_numbered(world):
    child = paid_child(world)
    run = sent_run(world, child)
    line = run.lines.get()
    content = returned(
        run,
        [
            [line.pk, child.full_name, "Đã chi trả", "05/09/2025", "1.250.000", ""],
            [999999, "Ai đó", "Đã chi trả", "05/09/2025", "750000", ""],
            [line.pk, child.full_name, "Đã chi trả", "06/09/2025", "1250000", ""],
            ["", "", "chưa rõ", "", "", ""],
        ],
    )
    with pytest.raises(ValidationError) as refused:
        import_(world, run, content)
    problems = refused.value.message_dict["file"]
    assert len(problems) == 3
    assert "3" in problems[0] and "999999" in problems[0]  # row 3 of the file names line 999999
    assert "4" in problems[1] and "5" in problems[2]
    assert not Confirmation.objects.exists() and not run.returns.exists()


def test_a_return_cannot_change_a_recorded_outcome_nor_come_before_the_list_was_sent(world):
    paid_child(world)
    with at(D(2025, 8, 10)):
        run = services.payroll_prepare(actor=world.officer_a, commune=world.commune_a, month=D(2025, 9, 1))
    line = run.lines.get()
    good = returned(run, [[line.pk, "", "paid", "05/09/2025", "1250000", ""]])
    with pytest.raises(Refused):
        import_(world, run, good)  # not sent yet
    with at(D(2025, 8, 20)):
        services.payroll_approve(actor=world.chairman_a, run=run)
        services.payroll_send(actor=world.officer_a, run=run, sent_on=D(2025, 8, 20), provider="Vietcombank")
    with pytest.raises(ValidationError):
        import_(world, run, returned(run, [[line.pk, "", "paid", "19/08/2025", "1250000", ""]]))
    import_(world, run, good)
    with pytest.raises(ValidationError) as refused:
        import_(world, run, returned(run, [[line.pk, "", "returned", "07/09/2025", "", "Không đến nhận"]]))
    assert [e.code for e in refused.value.error_dict["file"]] == ["row"]
    assert Confirmation.objects.get().outcome == Outcome.PAID


def test_an_unreadable_or_headless_return_file_is_refused_with_a_message(world):
    child = paid_child(world)
    run = sent_run(world, child)
    for content in (b"", b"\xff\xfe\x00garbage", b"PK\x03\x04not a workbook", b"a,b,c\n1,2,3\n"):
        with pytest.raises(ValidationError) as refused:
            import_(world, run, content)
        assert "file" in refused.value.message_dict
    assert not run.returns.exists()


# --- Reconciliation ----------------------------------------------------------------------------------


def test_reconciliation_lists_what_does_not_match_and_a_failed_payment_is_paid_again_once(world):
    first, second = paid_child(world), paid_child(world, born=D(2016, 1, 9))
    run = sent_run(world, first, second)
    lines = {line.child_id: line for line in run.lines.all()}
    unconfirmed = reconcile(run)
    assert {i.kind for i in unconfirmed.issues} == {"unconfirmed"} and unconfirmed.matched == 0
    import_(
        world,
        run,
        returned(
            run,
            [
                [lines[first.pk].pk, "", "paid", "05/09/2025", "1250000", ""],
                [lines[second.pk].pk, "", "failed", "05/09/2025", "", "Tài khoản đã đóng"],
            ],
        ),
    )
    checked = reconcile(run)
    assert (checked.matched, checked.matched_amount) == (1, 1_250_000)
    assert [(i.kind, i.child) for i in checked.issues] == [("failed", second)]
    # October's payroll pays the failed September again, once, whatever is retried.
    with at(D(2025, 9, 10)):
        october = services.payroll_prepare(
            actor=world.officer_a, commune=world.commune_a, month=D(2025, 10, 1)
        )
        services.payroll_prepare(actor=world.officer_a, commune=world.commune_a, month=D(2025, 10, 1))
    again = october.lines.get(kind=LineKind.REISSUE)
    assert (again.child, again.month, again.amount, again.corrects_id) == (
        second,
        D(2025, 9, 1),
        750_000,
        lines[second.pk].pk,
    )
    assert PaymentLine.objects.filter(kind=LineKind.REISSUE).count() == 1
    assert "10/2025" in reconcile(run).issues[0].action


def test_a_decision_taken_after_the_payroll_was_closed_is_listed_as_decided_but_on_no_payroll(world):
    first = paid_child(world)
    run = sent_run(world, first)
    late = with_pin(world, born=D(2020, 3, 3))
    decided(world, late, on=D(2025, 9, 3))
    issue = [i for i in reconcile(run).issues if i.kind == "not_on_payroll"]
    assert [i.child for i in issue] == [late]


def test_a_decided_month_the_rules_pay_nothing_for_waits_for_the_stop_not_for_the_payroll(world):
    """At 16 without studies no rule pays: adding the decisions taken since would add nothing, so the
    reconciliation does not send the officer there but to the stop."""
    young = paid_child(world, born=D(2009, 8, 20))  # 15 on 1 August 2025, 16 on 1 September
    run = sent_run(world, paid_child(world))
    with translation.override("en"):
        issues = [i for i in reconcile(run).issues if i.child == young]
        assert [(i.kind, i.month, i.title) for i in issues] == [
            ("nothing_due", D(2025, 9, 1), "Decided, but the rules pay nothing this month")
        ]
        assert "No benefit rule applies" in issues[0].detail
        assert issues[0].action == "Prepare a stop on the child's allowance page: the chairman decides it."
        with at(D(2025, 8, 25)):
            proposals.proposals_sweep(now=clock.now())  # Haven proposes the stop from September
        (issue,) = [i for i in reconcile(run).issues if i.child == young]
        assert issue.action == (
            "The procedure “Stop the allowance” is open for this child: once decided, the payroll follows it."
        )


def upload(api, run, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.client.post(
        f"/api/v1/entitlements/payrolls/{run.pk}/return", {"file": SimpleUploadedFile("tra-ve.csv", content)}
    )


def test_the_api_sends_imports_and_reconciles(world):
    from haven.api.tests.client import ApiClient

    paid_child(world)
    with at(D(2025, 8, 10)):
        run = services.payroll_prepare(actor=world.officer_a, commune=world.commune_a, month=D(2025, 9, 1))
    officer = ApiClient(world.officer_a)
    with at(D(2025, 8, 20)):
        services.payroll_approve(actor=world.chairman_a, run=run)
        sent = officer.post(
            f"/entitlements/payrolls/{run.pk}/send", {"sent_on": "2025-08-20", "provider": "Vietcombank"}
        )
        assert sent.json()["state"] == "sent"
    line = run.lines.get()
    with at(D(2025, 9, 8)):
        bad = upload(officer, run, returned(run, [[line.pk + 7, "", "paid", "05/09/2025", "", ""]]))
        assert bad.status_code == 422 and bad.json()["fields"]["file"]
        good = upload(officer, run, returned(run, [[line.pk, "", "paid", "05/09/2025", "", ""]]))
        assert good.status_code == 201 and good.json()["recorded"] == 1
        found = officer.get(f"/entitlements/payrolls/{run.pk}/reconciliation").json()
    assert (found["matched"], found["issues"]) == (1, [])
    assert (
        ApiClient(world.officer_b).get(f"/entitlements/payrolls/{run.pk}/reconciliation").status_code == 404
    )
