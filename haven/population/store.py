"""The register service's own database: stdlib sqlite3, no Django (it must never touch Haven's database).

One table of people (the generator's columns plus folded name keys for diacritic-insensitive search),
the communes it accepts (the 2025 list and the pre-2025 codes people still carry), the answers it
gave to birth registrations, by idempotency key, and who may call it and who did (clients.py).
"""

from __future__ import annotations

import csv
import gzip
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from haven.lib.vietnamese import fold, nfc, normalise_tone_placement

PERSON_COLUMNS = (
    "id",
    "family_name",
    "middle_name",
    "given_name",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "pin",
    "commune_code",
    "province_code",
    "old_commune_code",
    "household_id",
    "mother_id",
    "father_id",
    "mother_name",
    "father_name",
)
KEY_COLUMNS = ("family_key", "middle_key", "given_key")

SCHEMA = """
CREATE TABLE IF NOT EXISTS person (
    id TEXT PRIMARY KEY,
    family_name TEXT NOT NULL, middle_name TEXT NOT NULL, given_name TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    date_of_birth TEXT NOT NULL, dob_estimated TEXT NOT NULL DEFAULT '0',
    pin TEXT NOT NULL,
    commune_code TEXT NOT NULL, province_code TEXT NOT NULL, old_commune_code TEXT NOT NULL DEFAULT '',
    household_id TEXT NOT NULL,
    mother_id TEXT NOT NULL DEFAULT '', father_id TEXT NOT NULL DEFAULT '',
    mother_name TEXT NOT NULL DEFAULT '', father_name TEXT NOT NULL DEFAULT '',
    family_key TEXT NOT NULL, middle_key TEXT NOT NULL, given_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS commune (
    code TEXT PRIMARY KEY, province_code TEXT NOT NULL, name TEXT NOT NULL,
    current INTEGER NOT NULL, became TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS birth (
    idempotency_key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, person_id TEXT NOT NULL,
    registered_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS client (
    name TEXT PRIMARY KEY, secret TEXT NOT NULL, scopes TEXT NOT NULL, rate INTEGER NOT NULL,
    created_at TEXT NOT NULL, revoked_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, client TEXT NOT NULL, operation TEXT NOT NULL,
    key TEXT NOT NULL, status INTEGER NOT NULL, remote TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_client ON access_log (client, at);
"""
# Built after a bulk load (cheaper than maintaining them row by row).
INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS person_pin ON person (pin);
CREATE INDEX IF NOT EXISTS person_name ON person (given_key, family_key);
CREATE INDEX IF NOT EXISTS person_born ON person (date_of_birth, sex);
CREATE INDEX IF NOT EXISTS person_commune ON person (commune_code);
CREATE INDEX IF NOT EXISTS person_old_commune ON person (old_commune_code) WHERE old_commune_code != '';
CREATE INDEX IF NOT EXISTS person_household ON person (household_id);
CREATE INDEX IF NOT EXISTS person_mother ON person (mother_id) WHERE mother_id != '';
CREATE INDEX IF NOT EXISTS person_father ON person (father_id) WHERE father_id != '';
"""


def name_key(value: str) -> str:
    """The diacritic-folded, space-normalised form a name part is searched by ("Thị  Hoà" → "thi hoa")."""
    return " ".join(fold(value).split())


def connect(path: str | Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=30000")
    return db


def create(db: sqlite3.Connection) -> None:
    """Create the tables (idempotent) and load the communes once."""
    db.executescript(SCHEMA)
    if db.execute("SELECT count(*) FROM commune").fetchone()[0] == 0:
        db.execute("BEGIN")
        db.executemany("INSERT INTO commune VALUES (?, ?, ?, ?, ?)", _communes())
        db.execute("COMMIT")


def index(db: sqlite3.Connection) -> None:
    db.executescript(INDEXES)


def _communes() -> Iterable[tuple[str, str, str, int, str]]:
    import vietnam_provinces  # the reference list Haven loads into haven.areas

    from haven.population.generate import LEGACY_COMMUNES

    current = set()
    for p in json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")):
        for w in p["wards"]:
            code = f"{w['code']:05d}"
            current.add(code)
            yield code, f"{p['code']:02d}", w["name"], 1, ""
    with gzip.open(LEGACY_COMMUNES, "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            # A pre-2025 code that a 2025 commune kept is the 2025 commune.
            if r["old_commune_code"] not in current:
                current.add(r["old_commune_code"])
                yield (
                    r["old_commune_code"],
                    r["old_province_code"],
                    r["old_commune_name"],
                    0,
                    r["commune_code"],
                )


def person_row(values: dict) -> tuple:
    """A row for ``person``: names in NFC with the register's tone placement ("Hoà" → "Hòa"), plus
    their folded keys."""
    names = {
        k: normalise_tone_placement(nfc(values.get(k, "")))
        for k in ("family_name", "middle_name", "given_name")
    }
    row = {**values, **names}
    return (
        *(row.get(c, "") or "" for c in PERSON_COLUMNS),
        name_key(names["family_name"]),
        name_key(names["middle_name"]),
        name_key(names["given_name"]),
    )


INSERT_PERSON = (
    f"INSERT INTO person ({', '.join(PERSON_COLUMNS + KEY_COLUMNS)}) "  # noqa: S608 (constant names)
    f"VALUES ({', '.join('?' * (len(PERSON_COLUMNS) + len(KEY_COLUMNS)))})"
)


def fill(db: sqlite3.Connection, chunks: Iterable) -> int:
    """Bulk-insert generated people (``generate.population_chunks``), then build the indexes.

    Names come from small vocabularies, so each distinct value is folded once, not once per person.
    """
    create(db)
    db.execute("PRAGMA cache_size=-262144")  # 256 MiB for building the indexes
    db.executescript(
        "DROP INDEX IF EXISTS person_pin; DROP INDEX IF EXISTS person_name; "
        "DROP INDEX IF EXISTS person_born; "
        "DROP INDEX IF EXISTS person_commune; DROP INDEX IF EXISTS person_old_commune; "
        "DROP INDEX IF EXISTS person_household; DROP INDEX IF EXISTS person_mother; "
        "DROP INDEX IF EXISTS person_father;"
    )
    folded: dict[str, str] = {}
    total = 0
    for df in chunks:
        frame = df[list(PERSON_COLUMNS)].copy()
        for part, key in zip(("family_name", "middle_name", "given_name"), KEY_COLUMNS, strict=True):
            for value in frame[part].unique():
                if value not in folded:
                    folded[value] = name_key(value)
            frame[key] = frame[part].map(folded)
        db.execute("BEGIN")
        columns = [frame[c].to_numpy(dtype=object) for c in (*PERSON_COLUMNS, *KEY_COLUMNS)]
        db.executemany(INSERT_PERSON, zip(*columns, strict=True))
        db.execute("COMMIT")
        total += len(frame)
    index(db)
    db.execute("ANALYZE")
    return total
