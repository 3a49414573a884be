"""The report's part on symbols a hybrid invented (``hybrid-autonomous``): what it named, how
its names map to the true kinds (scored after learning, never learned from), and its learned
clauses beside their translation. Read by the "Rules learned" section (:mod:`.rules`)."""

from __future__ import annotations

from typing import Any

from compose.abduction.invented import translate_clause
from compose.analysis.results import Analysis
from compose.report.document import Block, H, P, Table
from compose.report.text import pct

__all__ = ["extras_of", "invented_symbols"]


def extras_of(a: Analysis, pipeline: str, budget: int) -> dict[int, dict[str, Any]]:
    """Each seed's training extras of ``pipeline`` at ``budget``."""
    return {
        r.seed: r.fit["extra"]
        for r in a.rows
        if r.pipeline == pipeline and r.budget == budget and isinstance(r.fit.get("extra"), dict)
    }


def invented_symbols(a: Analysis, learners: list[str]) -> list[Block]:
    """For a hybrid that invented its symbols (hybrid-autonomous): per budget, the symbols and
    the cell accuracy under the map to true kinds (scored after learning, never learned
    from), and one seed's learned clauses beside their translation."""
    out: list[Block] = []
    for pipeline in learners:
        rows, last = [], None
        for b in a.budgets_of(pipeline):
            extras = {s: x for s, x in extras_of(a, pipeline, b).items() if "symbol_map" in x}
            if not extras:
                continue
            mean = lambda key, e=extras: sum(x[key] for x in e.values()) / len(e)  # noqa: E731
            rows.append(
                [
                    str(b),
                    f"{mean('symbols'):.1f}",
                    pct(mean("read_cell_accuracy")),
                    pct(mean("perceived_cell_accuracy")),
                    f"{mean('autonomy_rounds'):.1f}",
                    "; ".join(sorted({n for x in extras.values() for n in x["autonomy_notes"]}))
                    or "—",
                ]
            )
            last = (b, min(extras), extras[min(extras)])
        if last is None:
            continue
        b, seed, extra = last
        names = extra["symbol_map"]
        out += [
            H(3, f"{pipeline}: symbols it invented"),
            P(
                f"{pipeline} was given no cell label and no clause about the game: it named the "
                "cells by appearance (k0, k1, ...) and learned its rules over those names. Each "
                "symbol is scored, after learning, as the true kind it most often covers; "
                "*read right* is the share of demonstration cells whose symbol maps to their "
                "true kind, *perceived right* the same for its trained perception. Symbols the "
                "rules answer alike are merged, and said so."
            ),
            Table(["budget", "symbols", "read right", "perceived right", "rounds", "notes"], rows),
            P(
                f"Budget {b}, seed {seed}: "
                + ", ".join(f"{k} = {v}" for k, v in names.items())
                + ". Its learned clauses, and their translation:"
            ),
            Table(
                ["learned (invented symbols)", "translated"],
                [[f"`{c}`", f"`{translate_clause(c, names)}`"] for c in extra["learned_clauses"]],
            ),
        ]
    return out
