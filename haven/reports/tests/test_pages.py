"""The indicator pages: who is refused, the dashboard of each level with drill-down, each chart beside
its table, the scorecard's red cells leading to who is late, and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
import zipfile

import pytest

from haven.audit.models import AuditEvent
from haven.core import calendar
from haven.deadlines.models import Obligation, Status
from haven.people.models import CircumstanceGroup, SpecialCircumstance


@pytest.fixture
def figures(world, frozen):
    """Children in special circumstances in two communes of Hà Nội, and steps of commune A, most late."""
    frozen.at = calendar.day_start(dt.date(2026, 3, 20)) + dt.timedelta(hours=10)
    for commune, n in ((world.commune_a, 12), (world.commune_b, 2)):
        for i in range(n):
            child = world.child(commune=commune, family_name="=HYPERLINK(1)" if i == 0 else "Nguyễn")
            SpecialCircumstance.objects.create(
                child=child, group=CircumstanceGroup.HCDB_A, started_on=dt.date(2025, 1, 1), evidence="x"
            )
    due = calendar.day_start(dt.date(2026, 3, 5))
    for status in (Status.MET, Status.OPEN, Status.OPEN, Status.OPEN):
        Obligation.objects.create(
            rule="protection.emergency",
            child=world.child(),
            subject_type="protection.protectioncase",
            subject_id=uuid.uuid4(),
            responsible=world.orgs["committee_a"],
            opened_at=due - dt.timedelta(hours=12),
            due_at=due,
            status=status,
            closed_at=due - dt.timedelta(hours=1) if status == Status.MET else None,
        )
    return world


@pytest.mark.parametrize("who", ["nobody", "collaborator_a", "hospital_sw", "facility_director", "admin"])
def test_who_may_not_read_figures_is_refused(figures, client, who):
    client.force_login(getattr(figures, who))
    for url in ("/reports/", "/reports/scorecard/", "/reports/indicators/HV.SC/"):
        assert client.get(url).status_code in (403, 404)


def test_an_area_outside_the_reader_s_is_the_same_404_as_a_missing_one(figures, client):
    client.force_login(figures.provincial_other)
    assert client.get(f"/reports/?area={figures.hanoi.code}").status_code == 404
    assert client.get("/reports/?area=99999").status_code == 404
    client.force_login(figures.officer_a)
    assert client.get(f"/reports/?area={figures.commune_b.code}").status_code == 404
    assert client.get("/reports/indicators/NO.SUCH/").status_code == 404


def test_the_nation_drills_down_to_the_province_and_its_communes(figures, client):
    client.force_login(figures.ministry)
    page = client.get("/reports/indicators/HV.SC/").content.decode()
    assert f'href="?area={figures.hanoi.code}&amp;period=2026-03"' in page
    assert "<svg" in page and "<table" in page
    page = client.get(f"/reports/indicators/HV.SC/?area={figures.hanoi.code}").content.decode()
    assert figures.commune_a.name in page and figures.commune_b.name in page
    assert f'href="?area={figures.commune_a.code}&amp;period=2026-03"' in page
    url = f"/reports/indicators/HV.SC/?area={figures.commune_a.code}&period=2026-Q1"
    page = client.get(url).content.decode()
    assert "Quý I/2026" in page
    assert AuditEvent.objects.filter(action="report.indicator_view", actor=figures.ministry).count() == 3


def test_the_central_office_sees_the_small_commune_hidden_and_the_province_officer_exact(figures, client):
    client.force_login(figures.analyst)
    page = client.get(f"/reports/indicators/HV.SC/?area={figures.hanoi.code}").content.decode()
    row = page[page.index(figures.commune_b.name) :]
    assert row.split("</tr>")[0].count("ẩn") >= 1
    client.force_login(figures.provincial)
    page = client.get(f"/reports/indicators/HV.SC/?area={figures.hanoi.code}").content.decode()
    row = page[page.index(figures.commune_b.name) :].split("</tr>")[0]
    assert "ẩn" not in row and ">2<" in row.replace(" ", "")


def test_a_period_that_names_nothing_is_said_so_and_the_current_one_shown(figures, client):
    client.force_login(figures.provincial)
    response = client.get("/reports/?period=2026-Q9")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026-Q9" in page and "Tháng 3/2026" in page


def test_a_red_scorecard_cell_leads_to_who_is_late(figures, client):
    client.force_login(figures.provincial)
    page = client.get(f"/reports/scorecard/?area={figures.hanoi.code}").content.decode()
    assert figures.commune_a.name in page
    link = f'href="/reports/late/?indicator=HV.CLOCKS&amp;area={figures.commune_a.code}'
    assert link in page
    late = client.get(f"/reports/late/?indicator=HV.CLOCKS&area={figures.commune_a.code}")
    assert late.status_code == 200
    # From there, each late step of the commune, for those who may see them.
    assert f'href="/deadlines/team/?area={figures.commune_a.code}"' in late.content.decode()
    team = client.get(f"/deadlines/team/?area={figures.commune_a.code}")
    assert team.status_code == 200
    assert "UBND" in team.content.decode() or figures.orgs["committee_a"].name in team.content.decode()


def test_every_table_exports_as_csv_with_vietnamese_headers_and_no_formula(figures, client):
    client.force_login(figures.provincial)
    response = client.get(f"/reports/indicators/HV.SC/export.csv?area={figures.hanoi.code}&by=group")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[2] == ["Kỳ", "01/03/2026 – 31/03/2026"]
    assert "Địa bàn" in [line[0] for line in lines if line]
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)
    event = AuditEvent.objects.get(action="report.export", actor=figures.provincial)
    assert event.data["indicator"] == "HV.SC" and event.data["format"] == "csv"


def test_xlsx_exports_hide_what_the_page_hides(figures, client):
    client.force_login(figures.analyst)
    response = client.get(f"/reports/indicators/HV.SC/export.xlsx?area={figures.hanoi.code}")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "ẩn" in strings and "Địa bàn" in strings
    assert "<f>" not in sheet  # no formula anywhere
    assert client.get("/reports/indicators/HV.SC/export.pdf").status_code == 404
    assert client.get("/reports/indicators/HV.SC/export.csv?by=nonsense").status_code == 404
