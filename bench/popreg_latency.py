"""Time the register service over a filled database: lookups by PIN, name searches, births.

    .venv/bin/python bench/popreg_latency.py /tmp/popreg-10m.sqlite3

Starts the service in this process (a thread), asks it over HTTP as a client of its own (all scopes,
no practical rate limit), prints medians and 95th percentiles.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import sys
import threading
import time
import urllib.request

from haven.population import clients, service

TOKEN = ""


def timed(url: str, *, body: dict | None = None, key: str = "") -> float:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    headers.update({"Idempotency-Key": key} if key else {})
    data = json.dumps(body).encode() if body is not None else None
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as r:  # noqa: S310
        r.read()
    return (time.perf_counter() - started) * 1000


def report(name: str, times: list[float]) -> None:
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{name:<28} n={len(times):>4}  median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms")


def main(path: str) -> None:
    global TOKEN
    TOKEN = clients.issue(path, "bench", scopes=clients.SCOPES, days=1, rate=100_000, replace=True)
    db = sqlite3.connect(path)
    count = db.execute("SELECT max(rowid) FROM person").fetchone()[0]
    rng = random.Random(1)
    columns = "pin, family_name, middle_name, given_name, date_of_birth"
    sample = [
        db.execute(f"SELECT {columns} FROM person WHERE rowid = ?", (rng.randint(1, count),)).fetchone()
        for _ in range(200)
    ]
    db.close()
    httpd = service.server(path, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    report("lookup by PIN", [timed(f"{base}/persons/lookup", body={"pin": p[0]}) for p in sample])
    report(
        "search name + date of birth",
        [
            timed(f"{base}/persons/search", body={"name": f"{p[1]} {p[2]} {p[3]}", "date_of_birth": p[4]})
            for p in sample
        ],
    )
    report(
        "search given + family name",
        [
            timed(f"{base}/persons/search", body={"family_name": p[1], "given_name": p[3]})
            for p in sample[:50]
        ],
    )
    birth = {
        "family_name": "Nguyễn", "given_name": "An", "sex": "M", "date_of_birth": "2026-01-02",
        "registration_province": "01", "registration_commune": "00070",
    }  # fmt: skip
    stamp = time.time_ns()
    report(
        "register a birth",
        [timed(f"{base}/births", body=birth, key=f"bench-{stamp}-{i}") for i in range(100)],
    )
    httpd.shutdown()


if __name__ == "__main__":
    main(sys.argv[1])
