"""`haven link run`, `haven link duplicates` and `haven link labels`: linkage inside Haven (the
sub-commands of haven/linkage/management/commands/link.py that touch Haven's database)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from haven.audit.services import record
from haven.linkage import model, run, services

ACTIONS = ("run", "duplicates", "labels")
STEPS = 4
SHOWN_PROBLEMS = 20


def add_parsers(sub) -> None:
    p = sub.add_parser("run", help="Link Haven's children to the population register (or --duplicates).")
    p.add_argument("--register", type=Path, help="An extract of the register delivered as a file (CSV).")
    p.add_argument("--province", default="", help="Official province code (2 digits); default: all.")
    p.add_argument("--duplicates", action="store_true", help="Children's records against each other.")
    p.add_argument("--skip-malformed", action="store_true", help="Leave malformed rows of the file out.")
    p.add_argument(
        "--within-reach",
        action="store_true",
        help="Compare only the register's people born near the children's years or sharing a PIN.",
    )
    p.add_argument("--upper", type=float, default=model.DEFAULT_UPPER)
    p.add_argument("--lower", type=float, default=model.DEFAULT_LOWER)
    d = sub.add_parser("duplicates", help="The same child registered at two places: pairs for review.")
    d.add_argument("--province", default="", help="Official province code (2 digits); default: all.")
    d.add_argument("--upper", type=float, default=model.DEFAULT_UPPER)
    d.add_argument("--lower", type=float, default=model.DEFAULT_LOWER)
    labels = sub.add_parser("labels", help="Write people's decisions with the pairs' features (CSV).")
    labels.add_argument("--out", type=Path, default=None, help="default: standard output")


def handle(command, action: str, **options) -> None:
    if action == "labels":
        return _labels(command, options["out"])
    lower, upper = options["lower"], options["upper"]
    if not 0 < lower <= upper < 1:
        raise CommandError(_("The thresholds must satisfy 0 < lower ≤ upper < 1."))
    province = (options.get("province") or "").strip()
    if province and not (len(province) == 2 and province.isdigit()):
        raise CommandError(_("A province code has two digits."))
    thresholds = model.Thresholds(upper=upper, lower=lower)
    bar = tqdm(total=STEPS, desc=_("linking"), unit=_("step"), file=sys.stderr)

    def progress(step: str) -> None:
        if bar.n or step != _("reading the register's extract"):
            bar.update()
        bar.set_postfix_str(step)

    problems: list[str] = []
    try:
        if action == "duplicates" or options.get("duplicates"):
            done = run.find_duplicates(province_code=province, thresholds=thresholds, progress=progress)
        else:
            done, problems = run.link_register(
                register_file=options.get("register"),
                province_code=province,
                thresholds=thresholds,
                skip_malformed=options.get("skip_malformed", False),
                progress=progress,
                within_reach=options.get("within_reach", False),
            )
    except run.RunRefused as refusal:
        bar.close()
        raise CommandError(str(refusal)) from None
    bar.update(STEPS - bar.n)
    bar.close()
    for problem in problems[:SHOWN_PROBLEMS]:
        command.stderr.write(_("register: %(problem)s") % {"problem": problem})
    if len(problems) > SHOWN_PROBLEMS:
        command.stderr.write(
            _("register: %(count)d more problems") % {"count": len(problems) - SHOWN_PROBLEMS}
        )
    command.stdout.write(
        _(
            "%(kind)s: %(records)d records, %(pairs)d candidate pairs, %(links)d links, "
            "%(reviews)d review items, %(seconds).1f s"
        )
        % {
            "kind": done.get_kind_display(),
            "records": done.records,
            "pairs": done.candidate_pairs,
            "links": done.links,
            "reviews": done.review_items,
            "seconds": done.seconds,
        }
    )


def _labels(command, out: Path | None) -> None:
    rows = services.label_rows()
    if out is None:
        writer = csv.writer(command.stdout, lineterminator="\n")
        count = sum(1 for row in rows if writer.writerow(row) is not None) - 1
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            count = sum(1 for row in rows if writer.writerow(row) is not None) - 1
    record(actor=None, action="linkage.labels_export", data={"labels": count, "file": str(out or "-")})
    if out is not None:
        command.stdout.write(_("%(count)d labels written to %(path)s") % {"count": count, "path": out})
