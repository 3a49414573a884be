"""Results in SQLite: one row per evaluated cell (pipeline × budget × seed × split).

A job (one pipeline trained on one budget with one seed) writes all of its rows, and its
example episode, in a single transaction: a run killed at any moment leaves either the whole
job or nothing of it, and a rerun skips every job already in the table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compose.errors import ResultsError

__all__ = ["ResultRow", "ResultStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    job TEXT NOT NULL,            -- hash of settings, pipeline, budget and seed
    settings_hash TEXT NOT NULL,  -- hash of everything else that decides a result
    env TEXT NOT NULL,
    pipeline TEXT NOT NULL,       -- label: hybrid, mono-small, ..., oracle
    kind TEXT NOT NULL,           -- hybrid, monolithic or oracle
    budget INTEGER NOT NULL,      -- demonstration episodes (0: nothing learnt)
    seed INTEGER NOT NULL,
    split TEXT NOT NULL,
    split_env TEXT NOT NULL,
    episodes INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    success_rate REAL NOT NULL,
    mean_return REAL NOT NULL,
    mean_steps REAL NOT NULL,
    outcomes TEXT NOT NULL,       -- '1'/'0' per evaluation level, in level order
    latency TEXT NOT NULL,        -- JSON: total/neural/symbolic p50/p95 in ms
    fit TEXT NOT NULL,            -- JSON: what training consumed and cost
    attribution TEXT,             -- JSON: perception errors (hybrid only)
    versions TEXT NOT NULL,       -- JSON
    created_at TEXT NOT NULL,
    PRIMARY KEY (job, split)
);
CREATE TABLE IF NOT EXISTS traces (
    job TEXT PRIMARY KEY,
    data TEXT NOT NULL            -- JSON: split, level seed, outcome, steps with explanations
);
"""

_JSON_COLUMNS = ("latency", "fit", "attribution", "versions")


@dataclass(frozen=True)
class ResultRow:
    """One evaluated cell."""

    job: str
    settings_hash: str
    env: str
    pipeline: str
    kind: str
    budget: int
    seed: int
    split: str
    split_env: str
    episodes: int
    successes: int
    success_rate: float
    mean_return: float
    mean_steps: float
    outcomes: str
    latency: dict[str, float]
    fit: dict[str, Any]
    attribution: dict[str, Any] | None
    versions: dict[str, str]
    created_at: str = ""


class ResultStore:
    """The results database of one experiment directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with closing(self._connect()) as conn, conn:
                conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as e:
            raise ResultsError(f"{path} is not a usable results database: {e}") from e

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        return conn

    def finished_jobs(self) -> set[str]:
        with closing(self._connect()) as conn:
            return {r[0] for r in conn.execute("SELECT DISTINCT job FROM results")}

    def write_job(self, rows: Iterable[ResultRow], trace: dict[str, Any] | None = None) -> None:
        """All rows of one job, and its example episode, atomically."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        records = []
        for row in rows:
            data = {**row.__dict__, "created_at": row.created_at or now}
            for col in _JSON_COLUMNS:
                data[col] = None if data[col] is None else json.dumps(data[col])
            records.append(data)
        if not records:
            return
        columns = list(records[0])
        sql = (
            f"INSERT INTO results ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)})"
        )
        with closing(self._connect()) as conn, conn:  # one transaction
            conn.executemany(sql, records)
            if trace is not None:
                conn.execute(
                    "INSERT INTO traces (job, data) VALUES (?, ?)",
                    (records[0]["job"], json.dumps(trace)),
                )

    def rows(self, settings_hash: str | None = None) -> list[ResultRow]:
        sql = "SELECT * FROM results"
        args: tuple[Any, ...] = ()
        if settings_hash is not None:
            sql += " WHERE settings_hash = ?"
            args = (settings_hash,)
        sql += " ORDER BY pipeline, budget, seed, split"
        with closing(self._connect()) as conn:
            out = []
            for r in conn.execute(sql, args):
                data = dict(r)
                for col in _JSON_COLUMNS:
                    data[col] = None if data[col] is None else json.loads(data[col])
                out.append(ResultRow(**data))
            return out

    def traces(self) -> dict[str, dict[str, Any]]:
        with closing(self._connect()) as conn:
            return {r["job"]: json.loads(r["data"]) for r in conn.execute("SELECT * FROM traces")}
