"""Where a comparison's seconds went, per pipeline, from the costs its rows recorded.

    .venv/bin/python benchmarks/job_costs.py runs/full            # a table
    .venv/bin/python benchmarks/job_costs.py runs/full --json     # the same, as JSON

Every row of a results directory written by this version records its job's costs (the
``cost`` column): the seconds of the training run that served it (building the pipeline,
demonstrations, training; shared by the budgets one PPO run serves), and, for its split's
evaluation, the seconds spent drawing levels, stepping them, in the pipeline's networks, in
its rules and search, and the rest. This prints, per pipeline: jobs, training seconds (runs
counted once), evaluation seconds and how they split, and each part's share of the whole.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compose.experiments.store import ResultStore

PARTS = ("levels", "env", "neural", "symbolic", "other")


def costs(directory: Path) -> dict[str, dict[str, float]]:
    """Per pipeline: ``jobs``, ``train_s`` (each training run once), ``eval_s`` and its parts
    (``eval_levels_s``, ...). Rows without costs (an older version wrote them) are skipped."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    runs: dict[tuple[str, int, str], float] = {}  # a training run -> its seconds
    jobs: set[str] = set()
    for row in ResultStore(directory / "results.sqlite").rows():
        if not row.cost:
            continue
        cell = out[row.pipeline]
        if row.job not in jobs:
            jobs.add(row.job)
            cell["jobs"] += 1
        shared = row.cost["budgets_in_run"] > 1  # one run served several budgets
        run = (row.pipeline, row.seed, "shared" if shared else row.job)
        # every budget of a shared run records the whole run (its smallest, the first)
        runs[run] = min(runs.get(run, float("inf")), row.cost["train_run_s"])
        cell["eval_s"] += row.cost["eval_total_s"]
        for part in PARTS:
            cell[f"eval_{part}_s"] += row.cost[f"eval_{part}_s"]
    for (pipeline, _, _), seconds in runs.items():
        out[pipeline]["train_s"] += seconds
    return {k: dict(v) for k, v in sorted(out.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="a results directory of `neurocomp compare`")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    if not (args.directory / "results.sqlite").is_file():
        parser.error(f"{args.directory} holds no results.sqlite: give a `compare --out` directory")
    table = costs(args.directory)
    if not table:
        parser.error(f"{args.directory}: no row records its costs (written by an older version)")
    if args.json:
        print(json.dumps(table, indent=1))
        return
    total = sum(c["train_s"] + c["eval_s"] for c in table.values())
    print(
        f"{'pipeline':<20} {'jobs':>4} {'train s':>8} {'eval s':>7}  "
        + "  ".join(f"{p:>8}" for p in PARTS)
        + f"  {'share':>6}"
    )
    for name, c in table.items():
        parts = "  ".join(f"{c[f'eval_{p}_s']:>8.1f}" for p in PARTS)
        share = (c["train_s"] + c["eval_s"]) / total
        print(
            f"{name:<20} {int(c['jobs']):>4} {c['train_s']:>8.1f} {c['eval_s']:>7.1f}  {parts}"
            f"  {share:>6.1%}"
        )
    train = sum(c["train_s"] for c in table.values())
    print(
        f"\n{total:,.0f} worker-seconds: training {train / total:.0%}, evaluation "
        f"{1 - train / total:.0%} (evaluation's parts in seconds above)"
    )


if __name__ == "__main__":
    main()
