"""Filling the register service's database with a synthetic population (`haven synth population`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from haven.core import clock
from haven.population import generate, store


def population_fill(
    *, database: str | Path, size: int, seed: int = 0, today: dt.date | None = None, progress: bool = False
) -> int:
    """Add ``size`` generated people to the register's database and return how many were added.

    The generator's identifiers start afresh, so a database is filled once; a second fill is refused.
    """
    db = store.connect(database)
    try:
        store.create(db)
        if db.execute("SELECT 1 FROM person LIMIT 1").fetchone() is not None:
            raise ValueError(f"{database} already holds people; use a new file")
        chunks = generate.population_chunks(size, seed=seed, today=today or clock.today(), progress=progress)
        return store.fill(db, chunks)
    finally:
        db.close()


def population_count(database: str | Path) -> int:
    db = store.connect(database)
    try:
        store.create(db)
        return db.execute("SELECT count(*) FROM person").fetchone()[0]
    finally:
        db.close()


def population_command(
    command, *, size: int | None, seed: int, if_empty: bool, database: str | None, **options
) -> None:
    """`haven synth population [--size N] [--database PATH] [--if-empty]` (default 20,000 people)."""
    from django.core.management.base import CommandError

    from haven.population.management.commands.popreg import default_database

    size = 20_000 if size is None else size
    if size < 0:
        raise CommandError("--size must be zero or more")
    path = Path(database) if database else default_database()
    path.parent.mkdir(parents=True, exist_ok=True)
    if if_empty and population_count(path):
        command.stdout.write(f"{path} already holds people; nothing added")
        return
    try:
        made = population_fill(database=path, size=size, seed=seed, progress=options["verbosity"] > 0)
    except ValueError as error:
        raise CommandError(str(error)) from error
    command.stdout.write(f"{made} people in the population register's database {path}")
