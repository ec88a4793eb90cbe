"""The public ledger at scale: append N published lines to the RFC 6962 log, then serve proofs.

    .venv/bin/python bench/ledger.py --lines 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/ledger.py

Builds a fresh database each run — var/bench/ledger.sqlite3, or the PostgreSQL database `haven_bench`
(dropped and created again) — migrates it, appends --lines lines through `log.append` in batches of
--batch (each batch one transaction, as a monthly publication would be), signs a checkpoint, then times
--proofs inclusion proofs at random indexes and --proofs consistency proofs between random sizes,
each through the same function the public endpoint calls, and checks every proof it timed against an
RFC 6962 verification (bench's own, as the test's). Prints the median, 99th percentile and maximum.
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
from sweep import fresh_database  # noqa: E402


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2, for the leaf of RFC 6962 §2.1."""
    fn, sn, r = index, size - 1, sha(b"\x00" + leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha(b"\x01" + p + r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = sha(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def line(i: int) -> dict:
    return {
        "type": "receipt",
        "iati": "1",
        "amount": 100_000 + (i * 7919) % 5_000_000,
        "currency": "VND",
        "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "campaign": f"bench-{i % 40}",
        "commune": f"{i % 3321:05d}",
        "payer": "Cá nhân ẩn danh",
        "bank_reference": f"FT{i:010d}",
    }


def timed(calls) -> list[float]:
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"median {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=6962)
    args = parser.parse_args()
    database = fresh_database()
    if database.startswith("SQLite"):
        path = BASE_DIR / "var" / "bench" / "ledger.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from haven.sponsorship import log
    from haven.sponsorship.models import LedgerLine

    print(f"{database}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    for start in range(0, args.lines, args.batch):
        log.append([line(i) for i in range(start, min(args.lines, start + args.batch))])
    appended = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    head = log.checkpoint_publish()
    size, root = head.tree_size, bytes.fromhex(head.root_hash)
    print(
        f"appended {size:,} lines in {appended:.1f} s ({size / appended:,.0f} a second); "
        f"checkpoint root {head.root_hash[:16]}…",
        flush=True,
    )
    rng = random.Random(args.seed)
    indexes = [rng.randrange(size) for _ in range(args.proofs)]
    proofs: dict[int, list[bytes]] = {}

    def inclusion(i: int):
        return lambda: proofs.__setitem__(i, log.inclusion_proof(i, size))

    inclusion_ms = timed(inclusion(i) for i in indexes)
    entries = dict(LedgerLine.objects.filter(index__in=indexes).values_list("index", "entry"))
    bad = [i for i in indexes if not verify_inclusion(entries[i].encode(), i, size, proofs[i], root)]
    assert not bad, f"{len(bad)} inclusion proofs do not verify"
    pairs = [
        tuple(sorted((rng.randrange(1, size + 1), rng.randrange(1, size + 1)))) for _ in range(args.proofs)
    ]
    consistency_ms = timed((lambda a=a, b=b: log.consistency_proof(a, b)) for a, b in pairs)
    root_ms = timed((lambda s=s: log.root(s)) for s in (rng.randrange(1, size + 1) for _ in range(100)))
    print(f"inclusion proofs ({args.proofs:,}, all verified): {summary(inclusion_ms)}")
    print(f"consistency proofs ({args.proofs:,}): {summary(consistency_ms)}")
    print(f"roots of a past tree size (100): {summary(root_ms)}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
