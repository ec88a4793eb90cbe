"""Generate a population and fill the register service's database; print the time and peak memory.

    .venv/bin/python bench/population.py --size 10000000 --database /tmp/popreg-10m.sqlite3

Figures go to docs/performance.md ("Population register"). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from pathlib import Path

from haven.population import generate
from haven.population.synth import population_fill


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database", default="")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    today = dt.date(2026, 11, 22)
    started = time.perf_counter()
    made = 0
    for chunk in generate.population_chunks(args.size, seed=args.seed, today=today, progress=True):
        made += len(chunk)
    generated = time.perf_counter() - started
    print(f"generated {made:,} people in {generated:.1f} s ({made / generated:,.0f} people/s)")
    if args.database:
        path = Path(args.database)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        started = time.perf_counter()
        population_fill(database=path, size=args.size, seed=args.seed, today=today, progress=True)
        filled = time.perf_counter() - started
        size = path.stat().st_size / 2**30
        print(f"generated and loaded into SQLite with indexes in {filled:.1f} s; {size:.2f} GiB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
