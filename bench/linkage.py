"""Link --records children's records to a --register-person population register, on this machine.

    .venv/bin/python bench/linkage.py                                  # 100,000 × 5,000,000
    .venv/bin/python bench/linkage.py --register 200000 --records 5000 --baseline

Makes the population with `haven.population.generate.population`, the records with the corruption
generator (haven/linkage/corrupt.py, default rates, seeded), then times `haven.linkage.model.link`
end to end: normalisation, parameter estimation (u by sampling, m by EM), blocking, scoring and
decisions. Peak memory is the process's resident set sampled every 0.1 s during linkage (DuckDB runs
in the process, so its memory counts). Prints precision and recall of the `link` decisions against the
ground truth. --misses N prints N false negatives and N false positives with both rows and each
comparison's match weight. --baseline also runs the recordlinkage baseline (feasible only on small
registers).
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
import django.utils.translation
import duckdb
import pandas as pd
import splink

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()  # the link-file reader's messages go through gettext
django.utils.translation.activate("en")  # the figures are read by engineers, in English

from haven.linkage import evaluate, model  # noqa: E402
from haven.linkage.corrupt import corrupt  # noqa: E402
from haven.linkage.linkfile import read_frame  # noqa: E402
from haven.population.generate import population  # noqa: E402

# A fixed day, so that a seed makes the same population and records on any day (as bench/population.py).
TODAY = dt.date(2026, 11, 22)


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mib())
            time.sleep(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())


_SHOWN = ["id", "family_name", "middle_name", "given_name", "sex", "date_of_birth", "dob_estimated", "pin",
          "commune_code", "mother_name", "father_name"]  # fmt: skip


def show_misses(bench, records: pd.DataFrame, decisions: pd.DataFrame, n: int) -> None:
    """A sample of the true pairs not linked (with their best candidate, if any) and of the wrong
    links, each with the two rows and every comparison's match weight."""
    records = records.set_index("id", drop=False)
    register = bench.register.set_index("id", drop=False)
    links = decisions[decisions["decision"] == "link"]
    linked = set(zip(links["record_id"], links["register_id"], strict=True))
    truth = list(bench.truth.itertuples(index=False, name=None))
    truth_set = set(truth)
    mw = [c for c in decisions.columns if c.startswith("mw_") and not c.endswith("tf_adj")]
    scored = decisions.set_index(["record_id", "register_id"])

    def show(record_id: str, person_id: str | None, label: str) -> None:
        print(f"--- {label}")
        print("  record  :", " | ".join(str(records.loc[record_id, c]) for c in _SHOWN))
        if person_id is not None and person_id in register.index:
            print("  register:", " | ".join(str(register.loc[person_id, c]) for c in _SHOWN))
        if person_id is not None and (record_id, person_id) in scored.index:
            row = scored.loc[(record_id, person_id)]
            parts = ", ".join(f"{c[3:]} {row[c]:+.1f}" for c in mw)
            weight, p = row["match_weight"], row["match_probability"]
            print(f"  weight {weight:.1f} p={p:.4f} {row['decision']}: {parts}")
        elif person_id is not None:
            print("  (no candidate pair above the lower threshold)")

    missed = [(r, p) for r, p in truth if (r, p) not in linked]
    wrong = [(r, p) for r, p in linked if (r, p) not in truth_set]
    # Not even put in front of a person: what recall with review loses.
    unoffered = [(r, p) for r, p in missed if (r, p) not in scored.index]
    print(
        f"false negatives: {len(missed):,} ({len(unoffered):,} not offered for review), "
        f"false positives: {len(wrong):,}"
    )
    rng = random.Random(0)
    for r, p in rng.sample(unoffered, min(n, len(unoffered))):
        show(r, p, f"not offered {r} -> {p}")
    for r, p in rng.sample(missed, min(n, len(missed))):
        show(r, p, f"missed {r} -> {p}")
    true_of = dict(truth)
    for r, p in rng.sample(wrong, min(n, len(wrong))):
        show(r, p, f"wrong link {r} -> {p}")
        show(r, true_of.get(r), f"  its true person {true_of.get(r)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", type=int, default=5_000_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument(
        "--within-reach",
        action="store_true",
        help="Compare only the register's people within reach of the records (haven.linkage.reach).",
    )
    parser.add_argument(
        "--memory-limit", default="", help="DuckDB's memory limit (e.g. 2GB); beyond it, it spills to disk."
    )
    parser.add_argument(
        "--misses", type=int, default=0, help="Print this many false negatives and false positives."
    )
    args = parser.parse_args()

    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Splink {splink.__version__}, DuckDB {duckdb.__version__}",
        flush=True,
    )
    start = time.perf_counter()
    people = population(args.register, seed=args.seed, today=TODAY, progress=True)
    print(f"population of {len(people):,} in {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    bench = corrupt(people, args.records, seed=args.seed + 1, today=TODAY)
    del people
    print(f"{len(bench.records):,} records, corrupted in {time.perf_counter() - start:.1f} s", flush=True)
    # The records as a spreadsheet writes them, read back as `haven link files` reads a file.
    read = read_frame(bench.records, today=TODAY)
    for line in read.summary():
        print(f"records: {line}")
    records = read.frame
    print(f"memory before linkage: {_rss_mib():,.0f} MiB", flush=True)

    db_api = None
    if args.memory_limit:
        from splink import DuckDBAPI

        spill = tempfile.mkdtemp(prefix="haven-duckdb-")
        db_api = DuckDBAPI(
            duckdb.connect(config={"memory_limit": args.memory_limit, "temp_directory": spill})
        )
    with PeakMemory() as memory:
        start = time.perf_counter()
        decisions = model.link(records, bench.register, within_reach=args.within_reach, db_api=db_api)
        seconds = time.perf_counter() - start
    scores = evaluate.score(
        method="haven",
        dataset=f"vietnamese {len(bench.records):,} × {len(bench.register):,}",
        decisions=decisions,
        truth=bench.truth.itertuples(index=False),
        records=bench.records["id"],
        seconds=seconds,
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"linkage: {seconds:.1f} s, peak resident memory {memory.peak:,.0f} MiB, load average {load}")
    print(f"candidates above the lower threshold: {len(decisions):,}")
    if "register_within_reach" in decisions.attrs:
        print(f"register people within reach of the records: {decisions.attrs['register_within_reach']:,}")
    print(" | ".join(evaluate.HEADER))
    print(" | ".join(scores.row()), flush=True)
    kinds = evaluate.by_kind(decisions, bench.truth, bench.kinds)
    print(kinds.to_string(index=False, float_format=lambda x: f"{x:.4f}"), flush=True)
    if args.misses:
        show_misses(bench, records, decisions, args.misses)
    if args.baseline:
        pairs, secs = evaluate.timed(evaluate.baseline_link, records, bench.register)
        base = evaluate.score(
            method="baseline",
            dataset=scores.dataset,
            decisions=pairs,
            truth=bench.truth.itertuples(index=False),
            records=bench.records["id"],
            seconds=secs,
        )
        print(" | ".join(base.row()))


if __name__ == "__main__":
    main()
