"""`haven link files` and `haven link evaluate` end to end."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command

from haven.linkage.corrupt import corrupt
from haven.population.generate import population, write_link_csv

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("link")
    bench = corrupt(population(6_000, seed=31, today=TODAY), 200, seed=32, today=TODAY)
    write_link_csv(bench.register, folder / "register.csv")
    records = bench.records.copy()
    records.loc[0, "pin"] = "12345"
    records.to_csv(folder / "records.csv", index=False)
    with open(folder / "records.csv", "a", encoding="utf-8") as f:
        f.write("C9,broken\n")
    return folder, bench


def test_malformed_rows_stop_the_run_unless_skipped(files):
    folder, _ = files
    with pytest.raises(CommandError, match="line 202"):
        call_command(
            "link",
            "files",
            "--register",
            folder / "register.csv",
            "--records",
            folder / "records.csv",
            "--out",
            folder / "links.csv",
        )
    assert not (folder / "links.csv").exists()


def test_links_files_with_a_summary(files):
    folder, bench = files
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "link",
        "files",
        "--register",
        folder / "register.csv",
        "--records",
        folder / "records.csv",
        "--out",
        folder / "links.csv",
        "--skip-malformed",
        "--lines",
        stdout=out,
        stderr=err,
    )
    with open(folder / "links.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["record_id", "register_id", "match_weight", "match_probability", "decision"]
    links = [r for r in rows if r["decision"] == "link"]
    assert len({r["record_id"] for r in links}) == len(links)
    truth = dict(bench.truth.itertuples(index=False, name=None))
    assert sum(truth.get(r["record_id"]) == r["register_id"] for r in links) >= 0.97 * len(truth)
    summary = out.getvalue()
    for word in ("records: 200", "candidate pairs", f"links: {len(links)}", "review items", "time"):
        assert word in summary
    # What each file gave: counted in the summary, every line listed on request (--lines).
    assert "records file: 201 rows read, 200 records kept, 1 malformed rows" in summary
    assert "records file: refused (left out): invalid PINs: 1 (lines 2)" in summary
    assert "line 202" in err.getvalue() and "line 2: invalid PIN '12345'" in err.getvalue()


def test_thresholds_are_checked(files):
    folder, _ = files
    with pytest.raises(CommandError):
        call_command(
            "link",
            "files",
            "--register",
            folder / "register.csv",
            "--records",
            folder / "records.csv",
            "--out",
            folder / "x.csv",
            "--upper",
            "0.3",
            "--lower",
            "0.6",
        )


def test_evaluate_prints_both_methods_on_both_benchmarks():
    out = io.StringIO()
    call_command("link", "evaluate", "--population", "8000", "--records", "300", stdout=out)
    text = out.getvalue()
    lines = [line for line in text.splitlines() if " | " in line][1:]
    assert len(lines) == 4
    # A closing summary for each dataset and method, as `link files` gives.
    summaries = [line for line in text.splitlines() if "candidate pairs:" in line]
    assert len(summaries) == 4
    assert summaries[0].startswith("FEBRL4, Haven (Splink): records: 5000, register: 5000, candidate pairs: ")
    assert all("review items:" in line and "time:" in line for line in summaries)
    assert "total time:" in text
    scores = {(line.split(" | ")[0], line.split(" | ")[1]): float(line.split(" | ")[4]) for line in lines}
    febrl = {m: f for (d, m), f in scores.items() if d == "FEBRL4"}
    assert febrl["Haven (Splink)"] > max(f for m, f in febrl.items() if m != "Haven (Splink)")
    vietnamese = {m: f for (d, m), f in scores.items() if d != "FEBRL4"}
    assert vietnamese["Haven (Splink)"] > max(f for m, f in vietnamese.items() if m != "Haven (Splink)")


def test_records_without_pins_are_linked_on_the_other_fields(files):
    """Foundlings have no PIN: no pair agrees on one, so that EM step is skipped, not fatal."""
    folder, bench = files
    records = bench.records.copy()
    records["pin"] = ""
    records.to_csv(folder / "no-pins.csv", index=False)
    out = io.StringIO()
    call_command(
        "link",
        "files",
        "--register",
        folder / "register.csv",
        "--records",
        folder / "no-pins.csv",
        "--out",
        folder / "no-pin-links.csv",
        stdout=out,
    )
    assert "too few pairs agree on pin" in out.getvalue()
    with open(folder / "no-pin-links.csv", encoding="utf-8") as f:
        links = [r for r in csv.DictReader(f) if r["decision"] == "link"]
    truth = dict(bench.truth.itertuples(index=False, name=None))
    right = sum(truth.get(r["record_id"]) == r["register_id"] for r in links)
    assert right >= 0.9 * len(truth)
    assert right >= len(links) - 2


def test_a_spreadsheet_straight_from_excel_puts_its_found_children_in_front_of_a_person(files):
    """An XLSX with Vietnamese column names, codes kept as numbers and found children written with
    the year of birth alone, no parents, no commune and no PIN."""
    from openpyxl import Workbook

    from haven.linkage.linkfile import read_frame

    folder, bench = files
    records = read_frame(bench.records, today=TODAY).frame
    truth = dict(bench.truth.itertuples(index=False, name=None))
    dated = records.loc[records["date_of_birth"].str.len() == 10, "id"]
    found = [r for r in dated if r in truth][:12]
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã hồ sơ", "Họ", "Tên đệm", "Tên", "Giới tính", "Ngày sinh", "Số định danh", "Mã xã",
                  "Mã tỉnh", "Họ tên mẹ", "Họ tên cha"])  # fmt: skip
    for row in records.itertuples():
        day, month, year = row.date_of_birth[8:], row.date_of_birth[5:7], row.date_of_birth[:4]
        if row.id in found:
            sheet.append([row.id, row.family_name, row.middle_name, row.given_name, row.sex, year])
            continue
        sex = {"M": "Nam", "F": "Nữ"}.get(row.sex, "")
        codes = [int(c) if c else None for c in (row.pin, row.commune_code, row.province_code)]
        date = f"{day}/{month}/{year}" if len(row.date_of_birth) == 10 else row.date_of_birth
        sheet.append([row.id, row.family_name, row.middle_name, row.given_name, sex, date, *codes,
                      row.mother_name, row.father_name])  # fmt: skip
    book.save(folder / "records.xlsx")
    out = io.StringIO()
    call_command(
        "link",
        "files",
        "--register",
        folder / "register.csv",
        "--records",
        folder / "records.xlsx",
        "--out",
        folder / "xlsx-links.csv",
        stdout=out,
    )
    summary = out.getvalue()
    assert "records file: repaired: codes written without their leading zeros" in summary
    year_only = re.search(
        r"records file: repaired: dates of birth with the year only, read as estimated: (\d+)", summary
    )
    assert year_only and int(year_only.group(1)) >= len(found)
    with open(folder / "xlsx-links.csv", encoding="utf-8") as f:
        pairs = {(r["record_id"], r["register_id"]): r["decision"] for r in csv.DictReader(f)}
    offered = [r for r in found if (r, truth[r]) in pairs]
    assert len(offered) >= 11
    links = [r for r in records["id"] if r not in found and pairs.get((r, truth.get(r))) == "link"]
    assert len(links) >= 0.9 * (len(truth) - len(found))


def test_within_reach_links_as_well_from_the_people_born_near_the_records(files):
    folder, bench = files
    call_command(
        "link",
        "files",
        "--register",
        folder / "register.csv",
        "--records",
        folder / "records.csv",
        "--out",
        folder / "near.csv",
        "--skip-malformed",
        "--within-reach",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    with open(folder / "near.csv", encoding="utf-8") as f:
        links = [r for r in csv.DictReader(f) if r["decision"] == "link"]
    truth = dict(bench.truth.itertuples(index=False, name=None))
    right = sum(truth.get(r["record_id"]) == r["register_id"] for r in links)
    assert right >= 0.97 * len(truth) and right >= len(links) - 1
