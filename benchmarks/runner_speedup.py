"""The comparison runner of an earlier commit beside this checkout's, on the same machine in one
run: the same preset, the same environment, the same workers, one after the other.

    .venv/bin/python benchmarks/runner_speedup.py                 # full preset, KeyDoor-8x8
    .venv/bin/python benchmarks/runner_speedup.py --seeds 1       # a third of it (1 seed)
    .venv/bin/python benchmarks/runner_speedup.py --config my.toml   # any comparison config

The earlier code is checked out with ``git worktree`` (``--baseline``, by default the last
commit before the runner was made faster) and run with this virtualenv's packages, its own
source first on ``PYTHONPATH``; so the two sides differ in the toolkit's code alone. Prints,
and writes as JSON to ``OUT/speedup.json``:

- the wall time of each side and their ratio (comparisons per core-hour, old to new);
- per pipeline, the training seconds each side recorded, and their ratio;
- per pipeline, the success rate over every budget, seed and split on each side, so that what
  the speed cost in results (if anything) is in the same table.

A side whose results directory already holds a finished run is not run again (delete
``OUT/old`` or ``OUT/new`` to measure it anew); its recorded wall time is reused.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "f1cd307"  # the runner as it was when issue 10 was taken up


def worktree(rev: str, where: Path) -> Path:
    """A checkout of ``rev`` at ``where`` (made once)."""
    if not (where / "compose").is_dir():
        where.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--force", "--detach", str(where), rev],
            check=True,
            capture_output=True,
        )
    return where


def run_side(source: Path, out: Path, args: argparse.Namespace) -> float:
    """Run ``neurocomp compare`` from ``source``'s code; returns its wall time in seconds."""
    stamp = out / "wall_seconds.json"
    if stamp.is_file():
        return float(json.loads(stamp.read_text())["seconds"])
    command = [
        sys.executable,
        "-c",
        "from compose.cli import main; main()",
        "compare",
        *(["--config", str(args.config.resolve())] if args.config else []),
        *([] if args.config else ["--env", args.env, "--preset", args.preset]),
        "--workers",
        str(args.workers),
        "--out",
        str(out),
    ]
    if args.seeds is not None:
        command += ["--seeds", str(args.seeds)]
    env = {**os.environ, "PYTHONPATH": str(source), "COLUMNS": "120"}
    print(f"running {source.name}'s runner → {out}", flush=True)
    t0 = time.perf_counter()
    subprocess.run(command, check=True, cwd=source, env=env)
    seconds = time.perf_counter() - t0
    stamp.write_text(json.dumps({"seconds": seconds, "source": str(source)}))
    return seconds


def summarise(db: Path) -> dict[str, dict[str, float]]:
    """Per pipeline: training seconds (once per job), episodes won and played."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seen: set[str] = set()
    with sqlite3.connect(db) as con:
        for job, pipeline, fit, wins, episodes in con.execute(
            "SELECT job, pipeline, fit, successes, episodes FROM results"
        ):
            row = out[pipeline]
            if job not in seen:
                seen.add(job)
                row["train_seconds"] += json.loads(fit).get("train_seconds") or 0.0
                row["jobs"] += 1
            row["successes"] += wins
            row["episodes"] += episodes
    return {k: dict(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="the earlier commit")
    parser.add_argument("--env", default="neurocomp/KeyDoor-8x8-v0")
    parser.add_argument("--preset", default="full")
    parser.add_argument("--config", type=Path, help="a config file instead of env and preset")
    parser.add_argument("--seeds", type=int, help="fewer seeds than the preset's")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "speedup")
    args = parser.parse_args()
    args.out = args.out.resolve()  # each side runs in its own source directory
    args.out.mkdir(parents=True, exist_ok=True)
    old_src = worktree(args.baseline, args.out / f"src-{args.baseline}")
    old = run_side(old_src, args.out / "old", args)
    new = run_side(ROOT, args.out / "new", args)
    before = summarise(args.out / "old" / "results.sqlite")
    after = summarise(args.out / "new" / "results.sqlite")
    rows = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name, {}), after.get(name, {})
        rows.append(
            {
                "pipeline": name,
                "jobs": int(a.get("jobs", b.get("jobs", 0))),
                "train_s_old": b.get("train_seconds", 0.0),
                "train_s_new": a.get("train_seconds", 0.0),
                "success_old": b.get("successes", 0) / max(1, b.get("episodes", 0)),
                "success_new": a.get("successes", 0) / max(1, a.get("episodes", 0)),
            }
        )
    result = {
        "baseline": args.baseline,
        "env": args.env,
        "preset": args.preset,
        "config": str(args.config) if args.config else None,
        "seeds": args.seeds,
        "workers": args.workers,
        "wall_s_old": old,
        "wall_s_new": new,
        "speedup": old / new,
        "pipelines": rows,
    }
    (args.out / "speedup.json").write_text(json.dumps(result, indent=2))
    what = args.config or f"{args.preset} preset on {args.env}"
    print(f"\n{what}, {args.workers} workers:")
    print(f"  wall time: {old:,.0f} s at {args.baseline}, {new:,.0f} s now: {old / new:.2f}x")
    print(
        f"\n  {'pipeline':<22} {'jobs':>4} {'train s old':>11} {'new':>8} {'ratio':>6}"
        f" {'success old':>11} {'new':>6}"
    )
    for r in rows:
        ratio = r["train_s_old"] / r["train_s_new"] if r["train_s_new"] else float("nan")
        print(
            f"  {r['pipeline']:<22} {r['jobs']:>4} {r['train_s_old']:>11.0f} "
            f"{r['train_s_new']:>8.0f} {ratio:>5.1f}x {r['success_old']:>11.1%} "
            f"{r['success_new']:>6.1%}"
        )
    print(f"\nwritten: {args.out / 'speedup.json'}")


if __name__ == "__main__":
    main()
