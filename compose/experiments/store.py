"""Results in SQLite: one row per evaluated cell (pipeline × budget × seed × split).

A job (one pipeline trained on one budget with one seed) writes all of its rows, and its
example episode, in a single transaction: a run killed at any moment leaves either the whole
job or nothing of it, and a rerun skips every job already in the table.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compose.common.errors import ResultsError

__all__ = ["JobResult", "ResultRow", "ResultStore"]

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
    cost TEXT,                    -- JSON: where the job's seconds went (training, evaluation)
    seen TEXT,                    -- '1' per evaluation level whose content was a training level
    PRIMARY KEY (job, split)
);
CREATE TABLE IF NOT EXISTS traces (
    job TEXT PRIMARY KEY,
    data TEXT NOT NULL            -- JSON: split, level seed, outcome, steps with explanations
);
"""

_JSON_COLUMNS = ("latency", "fit", "attribution", "versions", "cost")


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
    cost: dict[str, Any] | None = None  # seconds: the training run's, this split's evaluation's
    # '1' per evaluation level (in level order) whose content the pipeline met in training,
    # '0' otherwise (None: recorded before levels were compared by content).
    seen: str | None = None

    @property
    def seen_levels(self) -> int | None:
        """How many evaluation levels were met in training (None: not recorded)."""
        return None if self.seen is None else self.seen.count("1")


TABLES = {
    "results": {f.name for f in fields(ResultRow)},
    "traces": {"job", "data"},
}
# Columns added since the first schema: a results database without them is brought up to date
# (the column is added, empty for the rows already there) when it is opened.
ADDED = {"results": ("cost", "seen")}


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite's errors as one clear ResultsError naming the database."""

    @functools.wraps(method)
    def wrapper(self: ResultStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            raise ResultsError(
                f"{self.path}: the results database cannot be used ({e}); every row already "
                "in it is kept as it is. Move it away, or give another --out, to start afresh"
            ) from None

    return wrapper


JobResult = tuple[list[ResultRow], dict[str, Any] | None]  # a job's rows, its example episode


class ResultStore:
    """The results database of one experiment directory.

    Opening it checks, before anything is written, that the file is an intact SQLite database
    (``PRAGMA quick_check``) whose tables are this schema's; a damaged or foreign file is
    refused with :class:`ResultsError` and left untouched.
    """

    @_guarded
    def __init__(self, path: Path) -> None:
        self.path = path
        with closing(self._connect()) as conn:
            missing: list[tuple[str, str]] = []
            if path.stat().st_size:
                verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
                if verdict != "ok":
                    raise sqlite3.DatabaseError(f"it is damaged: {verdict}")
                missing = self._check_schema(conn)
            with conn:
                conn.executescript(SCHEMA)
                for table, column in missing:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")

    def _check_schema(self, conn: sqlite3.Connection) -> list[tuple[str, str]]:
        """Refuse tables that are not this schema's; returns the columns added since (see
        ``ADDED``) that an earlier database lacks."""
        found = {
            name: {row[1] for row in conn.execute(f"PRAGMA table_info({name})")}
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if found and "results" not in found:
            raise sqlite3.DatabaseError(
                f"it holds other tables ({', '.join(sorted(found))}), not Neurocomp results"
            )
        missing = []
        for name, columns in TABLES.items():
            if name not in found:
                continue
            absent = [c for c in ADDED.get(name, ()) if c not in found[name]]
            if found[name] | set(absent) != columns:
                raise sqlite3.DatabaseError(
                    f"its {name} table has other columns ({', '.join(sorted(found[name]))})"
                )
            missing += [(name, c) for c in absent]
        return missing

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        return conn

    @_guarded
    def finished_jobs(self) -> set[str]:
        with closing(self._connect()) as conn:
            return {r[0] for r in conn.execute("SELECT DISTINCT job FROM results")}

    @_guarded
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

    @_guarded
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

    @_guarded
    def traces(self) -> dict[str, dict[str, Any]]:
        with closing(self._connect()) as conn:
            return {r["job"]: json.loads(r["data"]) for r in conn.execute("SELECT * FROM traces")}
