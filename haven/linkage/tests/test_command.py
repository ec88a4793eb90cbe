"""`haven link files` and `haven link evaluate` end to end."""

from __future__ import annotations

import csv
import datetime as dt
import io

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
    assert "line 202" in err.getvalue() and "12345" in err.getvalue()


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
