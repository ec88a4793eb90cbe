"""The found-child pathway end to end, each step by the person the law gives it to, each in their own
browser: from the hospital's report to the child's personal identification number."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pypdf
import pytest
from playwright.sync_api import expect

from e2e.browser import Haven, t

pytestmark = pytest.mark.browser

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FINDER = "Trịnh Văn Khải"
NAME = ("Lê", "Bình An")  # family name, given name chosen at the birth registration
# The timeline's label of every step the journey takes, in order.
TIMELINE = (
    "Reported",
    "Acknowledged by the commune",
    "Health screening",
    "Discovery record drawn up",
    "Temporary care decided",
    "Handover accepted",
    "Public notice posted",
    "Public notice expired",
    "Birth registered",
    "Personal identification number received",
)


def vi(message: str) -> str:
    return t(message, "vi")


def typed(moment: dt.datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")


def take_step(tab: Haven, case_path: str, title: str) -> None:
    """Open the case and follow the link of the step it offers to this person."""
    tab.visit(case_path)
    offered = tab.page.get_by_role("region", name=vi("Next steps you can take"))
    tab.click(offered.get_by_role("link", name=vi(title), exact=True))
    expect(tab.page.locator("h1")).to_have_text(vi(title))


def confirm(tab: Haven, case_path: str, title: str) -> None:
    """Submit the step's form; back on the case page, which says it is done."""
    page = tab.page
    irreversible = page.get_by_label(vi("I have read what this step does and confirm it."))
    if irreversible.count():
        irreversible.check()  # the page says what the step does and asks to confirm it
    tab.click(page.get_by_role("button", name=vi("Confirm"), exact=True))
    assert urlsplit(page.url).path == case_path, f"{title}: still on {page.url}"
    expect(page.get_by_text(vi("Done: %(step)s.") % {"step": vi(title)})).to_be_visible()


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), "the download is not a PDF"
    reader = pypdf.PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def test_a_found_child_goes_from_the_hospitals_report_to_a_pin_and_stays_hidden_from_other_communes(
    open_tab, world, server, clock
):
    found_at = (dt.datetime.now(VIETNAM) - dt.timedelta(hours=3)).replace(second=0, microsecond=0)

    # The hospital's social worker reports the child found at the hospital gate.
    hospital = open_tab()
    page = hospital.page
    hospital.sign_in("hospital.sw")
    hospital.click(page.get_by_role("navigation").get_by_role("link", name=vi("Found children"), exact=True))
    hospital.click(page.get_by_role("link", name=vi("Report a found child"), exact=True))
    page.locator("#id_found_at").fill(typed(found_at))
    province = page.locator("#id_province")
    own_province = province.input_value()
    assert own_province, "the province defaults to the user's"
    commune = page.locator("#id_found_commune")
    # Another province's communes replace the list (htmx), and coming back brings the commune again.
    other_province = province.locator(f"option:not([value='']):not([value='{own_province}'])").first
    province.select_option(other_province.get_attribute("value"))
    expect(commune.locator("option", has_text=world.commune_a)).to_have_count(0)
    province.select_option(own_province)
    expect(commune.locator("option", has_text=world.commune_a)).to_have_count(1)
    commune.select_option(label=world.commune_a)
    page.locator("#id_found_place").fill("Cổng chính bệnh viện")
    page.locator("#id_sex").select_option("female")
    page.locator("#id_estimated_age_days").fill("3")
    page.locator("#id_condition").fill("Trẻ sơ sinh, quấn khăn, khóc to, không có vết thương")
    hospital.click(page.get_by_role("button", name=vi("Send the report"), exact=True))
    case_path = urlsplit(page.url).path
    assert re.fullmatch(r"/foundlings/[0-9a-f-]{36}/", case_path), f"not on the case page: {page.url}"
    expect(page.get_by_text(vi("The report was recorded. The commune has been told."))).to_be_visible()
    child_path = urlsplit(page.locator("h1 a").get_attribute("href")).path
    assert re.fullmatch(r"/children/[0-9a-f-]{36}/", child_path)

    # The commune officer acknowledges: one button, no form.
    officer = open_tab()
    officer.sign_in("commune.officer")
    officer.visit(case_path)
    acknowledge = vi("Acknowledge the report")
    officer.click(officer.page.get_by_role("button", name=acknowledge, exact=True))
    expect(officer.page.get_by_text(vi("Done: %(step)s.") % {"step": acknowledge})).to_be_visible()

    # The hospital records the health screening.
    take_step(hospital, case_path, "Record the health screening")
    page.locator("#id_screened_at").fill(typed(found_at + dt.timedelta(minutes=30)))
    page.locator("#id_temperature_c").fill("36.8")
    page.locator("#id_heart_rate").fill("140")
    page.locator("#id_respiratory_rate").fill("45")
    page.locator("#id_weight_grams").fill("3100")
    page.locator("#id_estimated_age_days").fill("3")
    page.locator("#id_findings").fill("Khỏe mạnh, bú tốt")
    confirm(hospital, case_path, "Record the health screening")

    # The commune officer draws up the discovery record and downloads it, two originals to sign.
    page = officer.page
    take_step(officer, case_path, "Draw up the discovery record")
    page.locator("#id_drafter_title").fill("Công chức văn hóa - xã hội")
    page.locator("#id_drawn_up_place").fill("Bệnh viện Đa khoa, phòng trực")
    page.locator("#id_physique").fill("Bé gái, da hồng, tóc đen")
    page.locator("#id_health").fill("Khỏe mạnh")
    page.locator("#id_belongings").fill("Một chiếc khăn màu xanh")
    page.locator("#id_finder_name").fill(FINDER)
    page.locator("#id_finder_id_document").fill("CCCD 001090012345")
    page.locator("#id_finder_address").fill("Số 5 ngõ 12, " + world.commune_a)
    confirm(officer, case_path, "Draw up the discovery record")
    with page.expect_download() as download:
        page.get_by_role("link", name=vi("Discovery record (PDF)"), exact=True).click()
    text = pdf_text(download.value.path().read_bytes())
    for expected in ("BIÊN BẢN", FINDER, "02 bản chính"):
        assert expected in text, f"{expected!r} is not in the discovery record:\n{text}"

    # The commune decides emergency admission to the social protection facility of commune B.
    take_step(officer, case_path, "Decide temporary care")
    page.locator("input[name=kind][value=facility]").check()
    page.locator("#id_to_organisation").select_option(label=world.facility_b)
    confirm(officer, case_path, "Decide temporary care")

    # The facility's director is told, and accepts the child.
    director = open_tab()
    page = director.page
    director.sign_in("facility.director")
    director.click(page.get_by_role("navigation").get_by_role("link", name=vi("Inbox"), exact=True))
    case_id = case_path.strip("/").split("/")[-1]
    director.click(page.locator(f"main a[href*='{case_id}']").first)
    expect(page.locator("h1")).to_have_text(vi("Accept or refuse the child"))
    page.get_by_role("radio", name=vi("Accept the child"), exact=True).check()
    confirm(director, case_path, "Accept or refuse the child")

    # The commune posts the public notice; seven days later the sweep ends it.
    take_step(officer, case_path, "Post the public notice")
    confirm(officer, case_path, "Post the public notice")
    clock("8d")
    server.haven("sweep")

    # The civil-status officer registers the birth; the register answers with the PIN at once.
    registrar = open_tab()
    page = registrar.page
    registrar.sign_in("civil.status")
    take_step(registrar, case_path, "Register the birth")
    page.locator("#id_family_name").fill(NAME[0])
    page.locator("#id_given_name").fill(NAME[1])
    page.locator("#id_sex").select_option("female")
    confirm(registrar, case_path, "Register the birth")
    registrar.visit(child_path)
    expect(page.locator("h1")).to_have_text(" ".join(NAME))
    expect(page.locator("#pin")).to_contain_text(re.compile(r"\d{3}\*{6}\d{3}"))

    # The timeline shows every step, in order.
    registrar.visit(case_path + "timeline/")
    shown = page.locator("ol.timeline > li strong")
    expect(shown).to_have_text([vi(label) for label in TIMELINE])

    # An officer of another commune finds neither the case nor the child.
    other_commune = open_tab()
    other_commune.sign_in("commune.officer.b")
    for path in (case_path, child_path):
        other_commune.visit(path, status=404)
        expect(other_commune.page.get_by_text(" ".join(NAME))).to_have_count(0)
