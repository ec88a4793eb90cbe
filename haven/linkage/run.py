"""`haven link run`: Haven's children against an extract of the population register, or against each
other; the model proposes, `haven.linkage.services` records (one transaction, nothing half done).

The register's extract is read in full before anything is written: a register that is down or a file
that cannot be used stops the run with a message, and Haven is unchanged.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _

from haven.core import clock
from haven.linkage import model, services
from haven.linkage.linkfile import LinkFileError, read
from haven.linkage.models import LinkRun, RunKind
from haven.people.models import Child
from haven.population.register import (
    RegisterRefused,
    RegisterUnauthorised,
    RegisterUnavailable,
    register,
)

SEX = {"male": "M", "female": "F"}
DEFAULT_THRESHOLDS = model.Thresholds()


class RunRefused(Exception):
    """The run cannot start or cannot finish; nothing was written. The message is for the user."""


@dataclass
class Inputs:
    records: pd.DataFrame
    register: pd.DataFrame | None
    source: str
    problems: list[str]


def children(province_code: str = ""):
    """The records a run links: every child's record in force (a merged record is not)."""
    found = Child.objects.filter(merged_into__isnull=True).select_related("current_commune__parent")
    if province_code:
        found = found.filter(current_commune__parent__code=province_code)
    return found


def records_frame(found) -> pd.DataFrame:
    """Haven's children in the link-file columns (the model's input)."""
    rows = [
        {
            "id": str(c.pk),
            "family_name": c.family_name,
            "middle_name": c.middle_name,
            "given_name": c.given_name,
            "sex": SEX.get(c.sex, "U"),
            "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else "",
            "dob_estimated": "1" if c.date_of_birth_estimated else "0",
            "pin": c.pin,
            "commune_code": c.current_commune.code,
            "province_code": c.current_commune.parent.code if c.current_commune.parent else "",
            "mother_name": "",
            "father_name": "",
        }
        for c in found.order_by("pk").iterator(chunk_size=2000)
    ]
    columns = [
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
        "mother_name",
        "father_name",
    ]
    return pd.DataFrame(rows, columns=columns)


def read_extract(path: Path, *, skip_malformed: bool = False) -> tuple[pd.DataFrame, list[str]]:
    try:
        result = read(path, skip_malformed=skip_malformed)
    except FileNotFoundError:
        raise RunRefused(_("%(path)s does not exist") % {"path": path}) from None
    except LinkFileError as error:
        raise RunRefused(str(error)) from None
    problems = [str(p) for p in (*result.malformed, *result.invalid)]
    return result.frame, problems


def fetch_extract(province_code: str) -> tuple[pd.DataFrame, list[str], str]:
    """The register's extract, over its interface. Down → RunRefused, with nothing written."""
    source = register()
    with tempfile.TemporaryDirectory(prefix="haven-extract-") as directory:
        path = Path(directory) / "extract.csv"
        try:
            source.extract(province_code, path)
        except RegisterUnauthorised as error:
            raise RunRefused(
                _(
                    "The population register refused the linkage job's credentials (%(reason)s). "
                    "Nothing was changed; the job needs a token with the extract scope "
                    "(HAVEN_POPULATION_EXTRACT_TOKEN)."
                )
                % {"reason": error.reason}
            ) from None
        except RegisterUnavailable as error:
            raise RunRefused(
                _(
                    "The population register is not answering (%(error)s). Nothing was changed; "
                    "run again when it is back, or give an extract delivered as a file with --register."
                )
                % {"error": error}
            ) from None
        except RegisterRefused as error:
            raise RunRefused(
                _("The population register refused the extract: %(error)s. Nothing was changed.")
                % {"error": error}
            ) from None
        frame, problems = read_extract(path)
    url = getattr(source, "url", "")
    name = _("population register %(where)s") % {"where": url or type(source).__name__}
    return frame, problems, name


def link_register(
    *,
    register_file: Path | None = None,
    province_code: str = "",
    thresholds: model.Thresholds = DEFAULT_THRESHOLDS,
    actor=None,
    skip_malformed: bool = False,
    progress: Callable[[str], None] = lambda step: None,
    source_name: str | None = None,
    register_frame: pd.DataFrame | None = None,
    within_reach: bool = False,
) -> tuple[LinkRun, list[str]]:
    """Link the children (of one province, or all) to the register and record what the model
    proposes. Returns the run and the problems found in the extract (reported, never guessed)."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    start, started_at = time.perf_counter(), clock.now()
    progress(_("reading the register's extract"))
    if register_frame is not None:
        frame, problems, source = register_frame, [], source_name or _("synthetic extract")
    elif register_file is not None:
        frame, problems = read_extract(register_file, skip_malformed=skip_malformed)
        source = source_name or _("extract file %(name)s") % {"name": register_file.name}
    else:
        frame, problems, source = fetch_extract(province_code)
    progress(_("reading Haven's children"))
    records = records_frame(children(province_code))
    progress(_("estimating and scoring"))
    if records.empty or frame.empty:
        pairs = model.empty_result()
        pairs.attrs["candidate_pairs"] = 0
    else:
        # Within reach: only the people born near the children's years or sharing a PIN (0021).
        pairs = model.link(records, frame, thresholds=thresholds, within_reach=within_reach)
    progress(_("recording the links and the review items"))
    run = services.run_record(
        kind=RunKind.REGISTER,
        actor=actor,
        source=source,
        province_code=province_code,
        thresholds=thresholds,
        records=records,
        register=frame,
        pairs=pairs,
        started_at=started_at,
        seconds=time.perf_counter() - start,
    )
    return run, problems


def find_duplicates(
    *,
    province_code: str = "",
    thresholds: model.Thresholds = DEFAULT_THRESHOLDS,
    actor=None,
    progress: Callable[[str], None] = lambda step: None,
) -> LinkRun:
    """Children's records against each other, across places: every pair above the lower threshold is
    a review item; nothing is merged without a person."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    start, started_at = time.perf_counter(), clock.now()
    progress(_("reading Haven's children"))
    records = records_frame(children(province_code))
    progress(_("estimating and scoring"))
    if len(records) < 2:
        pairs = model.empty_result()
        pairs.attrs["candidate_pairs"] = 0
    else:
        pairs = model.dedupe(records, thresholds=thresholds)
    progress(_("recording the review items"))
    run = services.run_record(
        kind=RunKind.DUPLICATES,
        actor=actor,
        source=_("Haven's children"),
        province_code=province_code,
        thresholds=thresholds,
        records=records,
        register=None,
        pairs=pairs,
        started_at=started_at,
        seconds=time.perf_counter() - start,
    )
    return run
