"""Ids typed into a URL or a form: a number the database can hold, or nothing."""

from __future__ import annotations

# The largest key the databases hold (a signed 64-bit integer). A larger number in a lookup on a
# foreign key is an OverflowError on SQLite and an error on PostgreSQL: a 500, not "not found".
MAX_ID = 2**63 - 1


def as_id(value: object) -> int | None:
    """``value`` as a database id (1 … MAX_ID), or None when it is anything else."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
