"""`haven link files` links a file of records to a register file; `haven link evaluate` measures the
model and the recordlinkage baseline on FEBRL4 and on the Vietnamese benchmark (issue #5 items 6–7)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from haven.core import clock
from haven.linkage import evaluate, model, runcommand
from haven.linkage.features import prepare
from haven.linkage.linkfile import LinkFileError, read, read_frame

OUTPUT_COLUMNS = ["record_id", "register_id", "match_weight", "match_probability", "decision"]


class Command(BaseCommand):
    help = "Record linkage: link files, or evaluate the model against the baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        files = sub.add_parser(
            "files", help="Link RECORDS (CSV or XLSX) to REGISTER (CSV or XLSX) and write LINKS.csv."
        )
        files.add_argument("--register", required=True, type=Path)
        files.add_argument("--records", required=True, type=Path)
        files.add_argument("--out", required=True, type=Path)
        files.add_argument("--skip-malformed", action="store_true", help="Leave malformed rows out.")
        files.add_argument("--upper", type=float, default=model.DEFAULT_UPPER)
        files.add_argument("--lower", type=float, default=model.DEFAULT_LOWER)
        files.add_argument("--explain", action="store_true", help="Add each comparison's match weight.")
        files.add_argument(
            "--lines", action="store_true", help="List every value repaired or refused, with its line."
        )
        files.add_argument(
            "--within-reach",
            action="store_true",
            help="Compare only the register's people born near the records' years or sharing a PIN.",
        )
        ev = sub.add_parser(
            "evaluate", help="Precision, recall and F1 on FEBRL4 and the Vietnamese benchmark."
        )
        ev.add_argument("--population", type=int, default=100_000)
        ev.add_argument("--records", type=int, default=5_000)
        ev.add_argument("--seed", type=int, default=0)
        ev.add_argument("--skip-febrl", action="store_true")
        runcommand.add_parsers(sub)  # run, duplicates, labels: linkage inside Haven

    def handle(self, *args, action: str, **options) -> None:
        logging.getLogger("splink").setLevel(logging.ERROR)
        if action in runcommand.ACTIONS:
            return runcommand.handle(self, action, **options)
        if action == "files":
            self._files(**options)
        else:
            self._evaluate(**options)

    def _files(
        self,
        *,
        register: Path,
        records: Path,
        out: Path,
        skip_malformed: bool,
        upper: float,
        lower: float,
        explain: bool,
        lines: bool = False,
        within_reach: bool = False,
        **_options,
    ) -> None:
        if not 0 < lower <= upper < 1:
            raise CommandError(_("The thresholds must satisfy 0 < lower ≤ upper < 1."))
        start = time.perf_counter()
        steps = tqdm(total=5, desc=_("linking"), unit=_("step"))
        inputs = {}
        for name, path in (("register", register), ("records", records)):
            steps.set_postfix_str(str(path))
            try:
                inputs[name] = read(path, skip_malformed=skip_malformed)
            except FileNotFoundError:
                raise CommandError(_("%(path)s does not exist") % {"path": path}) from None
            except LinkFileError as error:
                raise CommandError(str(error)) from None
            steps.update()
        for name, result in inputs.items():
            for problem in result.malformed:
                self.stderr.write(
                    _("%(file)s: skipped, %(problem)s") % {"file": self._label(name), "problem": problem}
                )
            if lines:
                for problem in sorted((*result.repaired, *result.invalid), key=lambda p: p.line):
                    self.stderr.write(f"{self._label(name)}: {problem}")
        steps.set_postfix_str(_("normalising names"))
        records_read, register_read = inputs["records"].frame, inputs["register"].frame
        thresholds = model.Thresholds(upper=upper, lower=lower)
        if within_reach:
            left, right = records_read, register_read  # normalised by model.link, once cut to reach
        else:
            left, right = prepare(records_read), prepare(register_read)
        steps.update()
        steps.set_postfix_str(_("estimating and scoring"))
        if left.empty or right.empty:
            links = model.empty_result()
            candidates = 0
        else:
            links = model.link(
                left, right, thresholds=thresholds, prepared=not within_reach, within_reach=within_reach
            )
            candidates = int(links.attrs.get("candidate_pairs", len(links)))
        steps.update()
        columns = OUTPUT_COLUMNS + ([c for c in links.columns if c.startswith("mw_")] if explain else [])
        out.parent.mkdir(parents=True, exist_ok=True)
        links[columns].to_csv(out, index=False, float_format="%.6g", lineterminator="\n")
        steps.update()
        steps.close()
        seconds = time.perf_counter() - start
        summary = {
            "records": len(left),
            "register": len(right),
            "candidates": candidates,
            "links": int((links["decision"] == "link").sum()),
            "reviews": int((links["decision"] == "review").sum()),
            "skipped": sum(len(r.malformed) for r in inputs.values()),
            "invalid": sum(len(r.invalid) for r in inputs.values()),
            "seconds": seconds,
        }
        for session in links.attrs.get("skipped_em", []):
            self.stdout.write(
                _(
                    "too few pairs agree on %(columns)s to estimate the model from them; "
                    "the prior m values were kept for that step"
                )
                % {"columns": session.replace("+", ", ")}
            )
        # What each file gave, read, repaired and refused (the lines with --lines).
        for name, result in inputs.items():
            for line in result.summary():
                self.stdout.write(f"{self._label(name)}: {line}")
        self.stdout.write(
            _(
                "records: %(records)d, register: %(register)d, candidate pairs: %(candidates)d, "
                "links: %(links)d, review items: %(reviews)d, malformed rows skipped: %(skipped)d, "
                "invalid values left out: %(invalid)d, time: %(seconds).1f s"
            )
            % summary
        )

    @staticmethod
    def _label(name: str) -> str:
        """Which file a message is about, in the reader's language."""
        return {"register": _("register file"), "records": _("records file")}[name]

    def _evaluate(self, *, population: int, records: int, seed: int, skip_febrl: bool, **_options) -> None:
        from haven.linkage.corrupt import corrupt
        from haven.population.generate import population as make_population

        start = time.perf_counter()
        rows: list[evaluate.Scores] = []
        jobs = []
        if not skip_febrl:
            rec, reg, truth = evaluate.febrl4()
            jobs.append(("FEBRL4", rec, reg, truth, False, evaluate.SEPARATE_NAMES))
        # An offline benchmark, run without Haven's database: the machine's day.
        today = clock.real_today()
        people = make_population(population, seed=seed, today=today, progress=True)
        steps = tqdm(total=1 + 2 * len(jobs) + 2, desc=_("evaluating"), unit=_("step"))
        steps.set_postfix_str(_("making the Vietnamese benchmark"))
        bench = corrupt(people, records, seed=seed + 1, today=today)
        del people
        steps.update()
        truth = list(bench.truth.itertuples(index=False, name=None))
        # The records come as a spreadsheet writes them, and are read as `link files` reads a file.
        written = read_frame(bench.records, today=today).frame
        jobs.append((_("Vietnamese benchmark"), written, bench.register, truth, True, evaluate.WHOLE_NAME))
        summaries = []
        for dataset, rec, reg, truth, pin_structure, passes in jobs:
            methods = (
                ("Haven (Splink)", model.link, {"check_pin_structure": pin_structure}),
                (_("baseline (recordlinkage)"), evaluate.baseline_link, {"passes": passes}),
            )
            for method, run, kwargs in methods:
                steps.set_postfix_str(f"{dataset}, {method}")
                decisions, seconds = evaluate.timed(run, rec, reg, **kwargs)
                scores = evaluate.score(
                    method=method,
                    dataset=dataset,
                    decisions=decisions,
                    truth=truth,
                    records=rec["id"],
                    seconds=seconds,
                )
                rows.append(scores)
                summaries.append(
                    {
                        "dataset": dataset,
                        "method": method,
                        "records": len(rec),
                        "register": len(reg),
                        "candidates": int(decisions.attrs.get("candidate_pairs", len(decisions))),
                        "links": scores.links,
                        "reviews": scores.reviews,
                        "seconds": seconds,
                    }
                )
                steps.update()
        steps.close()
        self.stdout.write(
            _("Operating thresholds: link at match probability ≥ %(upper)s, review from %(lower)s.")
            % {"upper": model.DEFAULT_UPPER, "lower": model.DEFAULT_LOWER}
        )
        self.stdout.write(" | ".join(evaluate.HEADER))
        for row in rows:
            self.stdout.write(" | ".join(row.row()))
        for summary in summaries:
            self.stdout.write(
                _(
                    "%(dataset)s, %(method)s: records: %(records)d, register: %(register)d, "
                    "candidate pairs: %(candidates)d, links: %(links)d, review items: %(reviews)d, "
                    "time: %(seconds).1f s"
                )
                % summary
            )
        self.stdout.write(_("total time: %(seconds).1f s") % {"seconds": time.perf_counter() - start})
