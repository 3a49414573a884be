"""What the single SQLite writer of a comparison can absorb: jobs and rows written per second,
one transaction per job as the runner writes them, and what a resume's look at a large
database costs.

    .venv/bin/python benchmarks/store_throughput.py               # 10,000 jobs of 5 rows
    .venv/bin/python benchmarks/store_throughput.py --jobs 2000 --from runs/demo

Rows are copies of a real job's rows and example episode (``--from`` a results directory,
default ``runs/demo`` when it exists), with new job keys; otherwise rows of the same shape
and size as the full preset's are made up. The database goes to a temporary directory on the
same disk as ``--tmp``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compose.experiments.store import ResultRow, ResultStore

ROOT = Path(__file__).resolve().parents[1]


def sample_job(source: Path | None) -> tuple[list[ResultRow], dict | None]:
    """One job's rows and trace: from a results directory when it has one, else made up."""
    if source is not None and (source / "results.sqlite").is_file():
        store = ResultStore(source / "results.sqlite")
        rows = store.rows()
        traces = store.traces()
        for job in dict.fromkeys(r.job for r in rows):
            if job in traces:
                return [r for r in rows if r.job == job], traces[job]
    steps = [
        {
            "step": i,
            "action": 1,
            "action_name": "up",
            "perceived": "\n".join(["########"] * 8),
            "wrong_cells": 0,
            "explanation": "move up: the shortest path to the key, 7 steps, avoids 2 lava cells "
            * 2,
        }
        for i in range(40)
    ]
    trace = {"split": "in-dist", "env": "neurocomp/KeyDoor-8x8-v0", "steps": steps}
    fit = {
        "frames": 4500,
        "actions": 0,
        "cell_labels": 288000,
        "rule_clauses": 23,
        "params": 5000,
        "train_seconds": 12.5,
        "learning_rate": 0.003,
        "val_loss": 0.01,
        "val_accuracy": 1.0,
        "steps": 400,
        "extra": {},
    }
    rows = [
        ResultRow(
            job="x",
            settings_hash="0" * 16,
            env="neurocomp/KeyDoor-8x8-v0",
            pipeline="hybrid",
            kind="hybrid",
            budget=300,
            seed=0,
            split=f"split-{i}",
            split_env="neurocomp/KeyDoor",
            episodes=50,
            successes=48,
            success_rate=0.96,
            mean_return=0.9,
            mean_steps=14.0,
            outcomes="1" * 48 + "00",
            latency={"total_p50": 0.5, "total_p95": 0.9, "neural_p50": 0.1},
            fit=fit,
            attribution={"per_kind": {"wall": {"cells": 9000, "correct": 9000}}},
            versions={"python": "3.12", "torch": "2.13.0"},
        )
        for i in range(5)
    ]
    return rows, trace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--from", dest="source", type=Path, default=ROOT / "runs" / "demo")
    parser.add_argument("--tmp", type=Path, default=None, help="where the database goes")
    args = parser.parse_args()
    rows, trace = sample_job(args.source)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        store = ResultStore(Path(tmp) / "results.sqlite")
        t0 = time.perf_counter()
        for i in range(args.jobs):
            key = f"job{i:08d}"
            store.write_job([replace(r, job=key) for r in rows], trace)
        seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        finished = store.finished_jobs()
        resume = time.perf_counter() - t1
        size = (Path(tmp) / "results.sqlite").stat().st_size
    print(f"{args.jobs:,} jobs of {len(rows)} rows (+ an example episode) in {seconds:.1f} s:")
    print(
        f"  {args.jobs / seconds:,.0f} jobs/s, {args.jobs * len(rows) / seconds:,.0f} rows/s, "
        f"{size / 2**20:,.1f} MB ({size / args.jobs / 1024:.1f} KB a job)"
    )
    print(f"  a resume's look at {len(finished):,} finished jobs: {resume * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
