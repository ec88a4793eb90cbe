"""A found child's allowance, from her birth registration to the carer's statement, on a 360-pixel phone in
Vietnamese (Notice 432-TB/VPTW: children fully enjoy the policies without having to chase them).

Haven proposes the monthly social allowance once the birth is registered; the commune officer, told,
takes it up (an empty form first: refused with the reason, nothing changed) and checks the child against
the population register; the chairman, told, decides it (a date before the application first: refused);
the child is paid, on no one's list any more. This month's payroll went to the provider before the
decision, so preparing it again is refused with the reason and the officer prepares next month's: the
child's first month as arrears and next month's, each the standard level × the under-4 coefficient. The
carer's payment method is recorded, a second preparation adds nothing, the chairman, told, approves; the
officer, told, downloads the provider's list and finds the child's lines in it, sends it, and imports
the provider's return (a line that does not exist first: refused with its row number, nothing saved).
The carer's statement shows the months paid, the amount, its rule and the next change, the 4th
birthday's lower coefficient from the month after, on the page and on the printed paper."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.utils import translation
from playwright.sync_api import Locator, expect

from e2e.browser import Haven, t

pytestmark = pytest.mark.browser

DECISION = "241/QĐ-UBND"
POST_OFFICE = "Bưu điện phường Ba Đình"
CARER = "Nguyễn Thị Hạnh"
PAID = "Đã chi trả"  # as the provider writes it in its return file

# The demo's found child whose birth was just registered, Haven's proposal of her allowance
# (haven/entitlements/synth.py), and the rules her amount comes from, read once from the e2e database.
FACTS = """
import json
from haven.entitlements.models import Application, BenefitRule, Parameter
proposal = Application.objects.get(trigger__startswith="birth:", state="proposed")
child = proposal.child
level = Parameter.objects.get(key="standard_level", province=None, valid_to=None)
rules = BenefitRule.objects.filter(
    programme="monthly_allowance", ground=proposal.ground, care_situation=proposal.care_situation,
    valid_to=None, requires_studying=False,
)
under_4, from_4 = rules.get(age_from=0), rules.get(age_from=4)
print("FACTS=" + json.dumps({
    "application": str(proposal.pk),
    "child": child.full_name,
    "born": child.date_of_birth.isoformat(),
    "level": level.value,
    "under_4": str(under_4.coefficient),
    "under_4_basis": under_4.citation,
    "from_4": str(from_4.coefficient),
}))
"""


def vi(message: str) -> str:
    return t(message, "vi")


def vi_in(context: str, message: str) -> str:
    with translation.override("vi"):
        return translation.pgettext(context, message)


def dong(amount: int) -> str:
    return vi("%(amount)s đồng") % {"amount": f"{amount:,}".replace(",", ".")}


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def month_after(month: dt.date, n: int = 1) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def turns_4_from(born: dt.date) -> dt.date:
    """The first month whose first day finds the child 4 (amounts.py: facts on the month's first day)."""
    fourth = month_after(born.replace(day=1), 48)
    return fourth if born.day == 1 else month_after(fourth)


@pytest.fixture(scope="module")
def found(server) -> dict:
    printed = server.haven("shell", "--no-imports", "-c", FACTS)
    return json.loads(printed.split("FACTS=", 1)[1].splitlines()[0])


def told(tab: Haven, title: str, subject: str) -> Locator:
    """The person's inbox holds the message about ``subject`` (its link names it); the link opens it."""
    tab.visit("/inbox/")
    message = tab.page.locator(f"main a[href*='{subject}']", has_text=title).first
    expect(message).to_be_visible()
    return message


def confirm(tab: Haven) -> None:
    tab.follow(lambda: tab.page.get_by_role("button", name=vi("Confirm")).click())


def upload(page, name: str, rows: list[list]) -> None:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    content = out.getvalue().encode("utf-8-sig")
    page.locator("#id_file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )


def by_month(table: Locator, month: dt.date, cell: str = "td:first-child") -> Locator:
    """The table's row whose month ``cell`` says ``month`` (another cell may hold a date of that month)."""
    return table.locator("tbody tr").filter(has=table.page.locator(cell, has_text=f"{month:%m/%Y}"))


def fits(tab: Haven, region: str) -> None:
    """The table ``region`` shows all it holds on the phone: its scrolling box hides nothing to its right."""
    inner, outer = tab.page.locator(region).evaluate(
        "e => { const box = e.closest('.table-wrap'); return [box.scrollWidth, box.clientWidth]; }"
    )
    assert inner <= outer, f"{region} hides {inner - outer}px to its right at 360 px"


def test_a_found_child_is_proposed_decided_paid_and_her_carer_told_what_comes_next(open_tab, server, found):
    application = found["application"]
    application_path = f"/entitlements/applications/{application}/"
    this_month, born = today().replace(day=1), dt.date.fromisoformat(found["born"])
    coming = month_after(this_month)
    coefficient = Decimal(found["under_4"])
    # Decree 20/2021 art. 6(1)(a) as amended: the standard level × 2.5 for a child under 4.
    amount = int(found["level"] * coefficient)
    assert (found["level"], coefficient, amount) == (500_000, Decimal("2.5"), 1_250_000)
    shown_coefficient = f"{coefficient.normalize():f}".replace(".", ",")
    # "1.250.000 đồng", and under it what it is computed from: "500.000 đồng × 2,5".
    computed = re.compile(
        re.escape(dong(amount)) + r"\s*" + re.escape(f"{dong(found['level'])} × {shown_coefficient}")
    )

    # --- The officer is told of Haven's proposal, and finds it among the commune's allowances.
    officer = open_tab()
    page = officer.page
    officer.sign_in("commune.officer")
    proposed = vi("Haven proposes an allowance or a pupil's support for a child: take it up or set it aside")
    expect(told(officer, proposed, application)).to_be_visible()
    officer.visit("/entitlements/")
    proposal = page.locator("#proposals li", has_text=found["child"])
    expect(proposal).to_contain_text(
        vi("The found child's birth is registered: the child may receive the monthly allowance.")
    )
    officer.click(proposal.get_by_role("link"))
    expect(page.locator("#application-state")).to_have_text(vi("Proposed by Haven"))
    expect(page.locator("#preview")).to_contain_text(
        f"{dong(amount)} = {dong(found['level'])} × {shown_coefficient}"
    )

    # --- The officer takes it up: an empty form is refused with the reasons, and nothing changes.
    officer.click(page.locator("#step-take_up"))
    page.locator("#id_received_on").fill("")
    page.locator("#id_ground").select_option("")
    confirm(officer)
    expect(page.locator("#id_received_on_error")).to_have_text(
        vi("Give the day the application was received.")
    )
    expect(page.locator("#id_ground_error")).to_have_text(vi("Choose the ground."))
    officer.visit(application_path)
    expect(page.locator("#application-state")).to_have_text(vi("Proposed by Haven"))
    officer.click(page.locator("#step-take_up"))
    expect(page.locator("#id_received_on")).to_have_value(f"{today():%d/%m/%Y}")
    page.locator("#id_ground").select_option("abandoned")
    page.locator("#id_applicant_name").fill(CARER)
    confirm(officer)
    expect(page.locator("#application-state")).to_have_text(vi("Application received"))
    # A start is decided on a personal identification number checked in the population register.
    officer.click(page.locator("#step-verify"))
    confirm(officer)
    expect(page.locator("#application-state")).to_have_text(vi("Checked against the population register"))

    # --- The chairman is told, and decides: a decision dated before the application is refused.
    chairman = open_tab()
    cpage = chairman.page
    chairman.sign_in("chairman")
    chairman.click(
        told(
            chairman,
            vi("An allowance application is checked against the population register: decide it"),
            application,
        )
    )
    chairman.click(cpage.locator("#step-decide"))
    cpage.locator("#id_decision_number").fill(DECISION)
    cpage.locator("#id_decided_on").fill(f"{today() - dt.timedelta(days=3):%d/%m/%Y}")
    cpage.locator("#id_step-confirm").check()
    confirm(chairman)
    expect(cpage.locator("#id_decided_on_error")).to_have_text(
        vi("This cannot be before %(what)s (%(when)s).")
        % {"what": vi("the application was received"), "when": f"{today():%d/%m/%Y}"}
    )
    chairman.visit(application_path)
    expect(cpage.locator("#application-state")).to_have_text(vi("Checked against the population register"))
    chairman.click(cpage.locator("#step-decide"))
    cpage.locator("#id_decision_number").fill(DECISION)
    cpage.locator("#id_step-confirm").check()
    confirm(chairman)
    expect(cpage.locator("#application-state")).to_have_text(vi("Decided"))

    # --- The officer is told. The child is paid from this month, and on no one's list of children left out.
    officer.click(told(officer, vi("The chairman decided an allowance application"), application))
    expect(page.locator("#application-state")).to_have_text(vi("Decided"))
    officer.click(page.get_by_role("link", name=vi("The child's allowance")))
    child_path = page.url.removeprefix(server.url)
    expect(page.locator("#allowance-now")).to_contain_text(DECISION)
    expect(page.locator("#this-month")).to_contain_text(dong(amount))
    officer.visit("/entitlements/")
    expect(page.locator("#paid tbody tr", has_text=found["child"])).to_contain_text(dong(amount))
    for elsewhere in ("#proposals", "#in-progress", "#eligible"):
        expect(page.locator(elsewhere)).not_to_contain_text(found["child"])
    fits(officer, "#paid table")
    fits(officer, "#in-progress table")

    # --- This month's payroll went to the provider before the decision: the form offers next month's,
    # and preparing this month's again is refused with the reason.
    officer.visit("/entitlements/payroll/")
    expect(page.locator("#id_month")).to_have_value(f"{coming:%m/%Y}")
    page.locator("#id_month").fill(f"{this_month:%m/%Y}")
    officer.click(page.get_by_role("button", name=vi("Prepare")))
    expect(page.locator(".alert-error")).to_contain_text(
        vi("This month's payroll is approved and closed: a correction goes into a later month's payroll.")
    )
    page.locator("#id_month").fill(f"{coming:%m/%Y}")
    officer.click(page.get_by_role("button", name=vi("Prepare")))
    payroll_path = page.url.removeprefix(server.url)
    run = payroll_path.strip("/").split("/")[-1]
    expect(page.locator("#payroll-state")).to_have_text(vi("Prepared"))
    # Her first month as arrears, and next month's: each the standard level × the under-4 coefficient.
    lines = page.locator("#lines")
    regular = vi_in("payroll line", "This month")
    for month, kind in ((this_month, vi("Arrears of an earlier month")), (coming, regular)):
        line = by_month(lines, month).filter(has_text=found["child"])
        expect(line).to_contain_text(kind)
        expect(line).to_contain_text(computed)
        expect(line).to_contain_text(DECISION)
    # The carer's payment method is not recorded yet: the payroll says so, and where to record it.
    issues = page.locator("#issues li", has_text=found["child"])
    expect(issues).to_have_count(2)
    for issue in issues.all():
        expect(issue).to_contain_text(vi("No payment method"))
    # A young person who turns 16 without studies is not sent to "add the decisions": nothing would come.
    expect(page.locator("#issues")).not_to_contain_text(vi("Add the decisions taken since to this payroll."))
    officer.click(issues.first.get_by_role("link", name=found["child"]))
    officer.click(page.locator("#set-payment"))
    page.get_by_label(vi("At the post office")).check()
    page.locator("#id_receiver_name").fill(CARER)
    page.locator("#id_institution").fill(POST_OFFICE)
    confirm(officer)
    expect(page.get_by_text(vi("The payment method is recorded."))).to_be_visible()
    expect(page.locator("#payment")).to_contain_text(POST_OFFICE)
    # Preparing the month again adds nothing: no month is paid twice.
    officer.visit(payroll_path)
    count = page.locator("#lines tbody tr").count()
    officer.click(page.locator("#payroll-update"))
    confirm(officer)
    expect(page.locator(".alert-success")).to_have_text(
        vi("Nothing to add: every month decided is already on this payroll, and none is paid twice.")
    )
    expect(page.locator("#lines tbody tr")).to_have_count(count)
    expect(page.locator("#issues")).not_to_contain_text(found["child"])
    fits(officer, "#lines")

    # --- The chairman is told that the payroll waits for approval, and approves it.
    month = coming.strftime("%m/%Y")
    chairman.click(
        told(chairman, vi("The payroll of %(month)s is prepared: approve it") % {"month": month}, run)
    )
    chairman.click(cpage.locator("#payroll-approve"))
    cpage.locator("#id_step-confirm").check()
    confirm(chairman)
    expect(cpage.locator("#payroll-state")).to_have_text(vi("Approved and closed"))

    # --- The officer is told, downloads the provider's list, finds the child's lines in it, sends it.
    sent = vi("The payroll of %(month)s is approved: send the provider's list before the 25th") % {
        "month": month
    }
    officer.click(told(officer, sent, run))
    with page.expect_download() as download:
        page.locator("#provider-csv").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == [vi("Line number"), vi("Child")], rows[0]
    assert rows[0][13] == vi("Outcome (paid / failed / returned)"), rows[0]
    hers = [row for row in rows[1:] if row[1] == found["child"]]
    assert [(row[8], row[10], row[11], row[3], row[4], row[5]) for row in hers] == [
        (f"{m:%m/%Y}", str(amount), DECISION, CARER, vi("At the post office"), POST_OFFICE)
        for m in (this_month, coming)
    ], hers
    officer.click(page.locator("#payroll-send"))
    page.locator("#id_provider").fill(POST_OFFICE)
    confirm(officer)
    expect(page.locator("#payroll-state")).to_have_text(vi("Sent to the payment provider"))

    # --- The provider's return: a file naming a line that is not in the payroll is refused with its row
    # number, and nothing is saved; then the list filled in marks the child's two lines paid.
    paid_on = f"{today():%d/%m/%Y}"
    officer.click(page.locator("#import-return"))
    upload(
        page,
        "tra-ve-sai.csv",
        [rows[0], ["999999", found["child"], *[""] * 11, PAID, paid_on, str(amount), ""]],
    )
    officer.click(page.get_by_role("button", name=vi("Import")))
    expect(page.locator("#id_file_error")).to_have_text(
        vi("Row %(row)s: %(problem)s")
        % {"row": 2, "problem": vi("there is no line %(line)s in this payroll.") % {"line": "999999"}}
    )
    officer.visit(payroll_path)
    expect(page.locator("#matched")).to_contain_text(f"0 / {count}")
    expect(page.locator("main")).not_to_contain_text(vi("Return files imported"))
    answered = [rows[0]] + [
        [*row[:13], PAID, paid_on, row[10], ""] if row[1] == found["child"] else row for row in rows[1:]
    ]
    officer.click(page.locator("#import-return"))
    upload(page, "tra-ve.csv", answered)
    officer.click(page.get_by_role("button", name=vi("Import")))
    expect(page.locator(".alert-success")).to_have_text(
        vi("The return file is imported: %(count)s line(s) confirmed.") % {"count": 2}
    )
    expect(page.locator("#matched")).to_contain_text(f"2 / {count}")
    for month in (this_month, coming):
        expect(by_month(page.locator("#lines"), month).filter(has_text=found["child"])).to_contain_text(
            f"{vi('Paid')} · {paid_on}"
        )

    # --- The carer's statement: the months paid, the amount and its rule, and the next change.
    officer.visit(child_path)
    lower = int(found["level"] * Decimal(found["from_4"]))
    next_change = vi("From %(month)s, %(amount)s a month: %(why)s.") % {
        "month": f"{turns_4_from(born):%m/%Y}",
        "amount": dong(lower),
        "why": vi("the child turns %(age)s") % {"age": 4},
    }
    expect(page.locator("#next-change")).to_contain_text(f"{turns_4_from(born):%m/%Y}")
    fits(officer, "#months table")
    officer.click(page.locator("#statement"))
    statement = page.locator("#statement-lines")
    for month in (this_month, coming):
        row = by_month(statement, month)
        expect(row).to_contain_text(computed)
        expect(row).to_contain_text(re.compile(rf"{re.escape(vi('Paid'))}\s*{paid_on}"))
    fits(officer, "#statement-lines")
    expect(page.locator("main")).to_contain_text(found["under_4_basis"])
    expect(page.locator("main")).to_contain_text(dong(2 * amount))
    expect(page.locator("#statement-next")).to_have_text(next_change)
    # The printed paper says the same, in Vietnamese.
    with page.expect_download() as download:
        page.locator("#statement-pdf").click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(
        unicodedata.normalize(
            "NFC", " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
        ).split()
    )
    for said in (
        "THÔNG BÁO",
        found["child"],
        f"Quyết định số {DECISION}",
        f"Thay đổi sắp tới: {next_change}",
        f"Tổng số tiền đơn vị chi trả đã xác nhận chi trả: {dong(2 * amount)}",
    ):
        assert said in text, f"{said!r} is not on the printed statement:\n{text}"
