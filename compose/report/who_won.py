"""The report's first section, "Who won": the headline (per split, the best hybrid against the
best monolithic network and PPO, in words and as a figure), then every learner's winner and
runner-up per split and budget, how soon each hybrid reaches 95% success, and PPO on its own
axis of frames.
"""

from __future__ import annotations

from pathlib import Path

from compose.analysis.cells import Cell
from compose.analysis.headline import HeadlineRow, headline
from compose.analysis.results import Analysis, counted, frames_text
from compose.analysis.verdicts import Verdict, best_cell, standing
from compose.common.stats import Estimate
from compose.report.document import Block, Figure, H, P, Table
from compose.report.text import pct, points, signed_interval, signed_points

__all__ = ["headline_blocks", "who_won"]


def who_won(a: Analysis, figures: dict[str, Path] | None = None) -> list[Block]:
    """The headline (best hybrid against the best monolith and PPO, per split), then every
    learner's winner and runner-up per split and budget; ``figures["headline"]`` is shown
    with the headline when given."""
    out: list[Block] = [H(2, "Who won")]
    if not a.verdicts:
        if a.explorers():
            out.append(P(_ppo_sentence(a)))
        out.append(
            P(
                "No learner has results here (only the oracle ran, or every learner's jobs "
                "failed), so there is no winner to name; the oracle's success is in the next "
                "section."
            )
        )
        return out
    out += headline_blocks(a, figures or {})
    out.append(H(3, "Every learner: winner and runner-up"))
    out.append(
        P(
            f"At the largest budget ({counted(a.top_budget, 'demonstration episode')}), per "
            "split (winner vs runner-up among every learner, paired on the same levels):\n\n"
            + "\n".join(_verdict_sentence(v) for v in a.verdicts if v.budget == a.top_budget)
        )
    )
    if a.hybrids():
        out.append(P(_hybrid_sentence(a)))
    if a.explorers():
        out.append(P(_ppo_sentence(a)))
    out.append(_verdict_table(a))
    return out


def headline_blocks(a: Analysis, figures: dict[str, Path]) -> list[Block]:
    """Per split, in words: the best hybrid, the best monolith, PPO, and the hybrid's
    differences to them (:func:`compose.analysis.headline.headline`); then its figure."""
    rows = headline(a)
    ppo = (
        f" and against PPO at its largest budget ({frames_text(a.frames[-1])})" if a.frames else ""
    )
    out: list[Block] = [
        P(
            f"At {counted(a.top_budget, 'demonstration episode')}, the largest budget, per "
            "split: the best hybrid against the best monolithic network (whichever did best: "
            f"any size, input, augmentation or training){ppo}. Differences are the hybrid's "
            "success minus the other's, in percentage points, paired on the same seeds and "
            "levels, with a 95% interval; within noise: the interval holds zero.\n\n"
            + "\n".join(_headline_sentence(h, bool(a.explorers())) for h in rows)
        )
    ]
    if "headline" in figures:
        out.append(
            Figure(
                figures["headline"],
                "One column per split. Above: success of the best hybrid, the best monolith "
                "and PPO (bars: 95% intervals; under each bar, the pipeline that did best; "
                "dashed: the oracle). Below: the best hybrid minus each of the other two, in "
                "points, with its paired 95% interval; above zero, the hybrid is ahead.",
            )
        )
    return out


def _headline_sentence(h: HeadlineRow, ppo_ran: bool) -> str:
    """``- **split**: best hybrid **X** 100% [..]; best monolith Y 20% [..]: **X ahead**, +80
    points [..]; ppo (300k frames) ...; oracle ...``. PPO is left out of a comparison that did
    not run it."""
    if h.hybrid is None and h.monolith is None and h.ppo is None:
        oracle = f"; oracle {h.oracle.success.text()}" if h.oracle else ""
        return f"- **{h.split}**: no learner played it{oracle}."
    parts = [
        "no hybrid played it"
        if h.hybrid is None
        else f"best hybrid **{h.hybrid.pipeline}** {h.hybrid.success.text()}",
        _against(h.hybrid, h.monolith, h.hybrid_vs_monolith, "no monolithic network played it"),
    ]
    if ppo_ran:
        parts.append(_against(h.hybrid, h.ppo, h.hybrid_vs_ppo, "PPO did not play it"))
    if h.oracle is not None:
        parts.append(f"oracle {h.oracle.success.text()}")
    return f"- **{h.split}**: " + "; ".join(parts) + "."


def _against(hybrid: Cell | None, other: Cell | None, d: Estimate | None, missing: str) -> str:
    """The best monolith or PPO, and the best hybrid's difference to it, in words."""
    if other is None:
        return missing
    said = (
        f"{other.pipeline} ({frames_text(other.budget)}) {other.success.text()}"
        if other.kind == "ppo"
        else f"best monolith {other.pipeline} {other.success.text()}"
    )
    if hybrid is None:
        return said
    if d is None:
        return f"{said}: not paired (not evaluated on the same seeds and levels)"
    leader = {"ahead": hybrid.pipeline, "behind": other.pipeline}.get(standing(d) or "")
    said += f": **{leader} ahead**" if leader else ": within noise"
    return f"{said}, {signed_points(d)}"


def _verdict_sentence(v: Verdict) -> str:
    """The winner among every learner at one budget against its runner-up, in words."""
    w = v.winner
    if v.nobody:
        return f"- **{v.split}**: no winner: no learner solved a single level."
    if v.runner_up is None:
        return f"- **{v.split}**: only {w.pipeline} was evaluated ({w.success.text()})."
    r = v.runner_up
    d = v.difference
    if v.tied:
        verdict = f"no winner: {w.pipeline} and {r.pipeline} tie"
    elif d is None:
        verdict = "no paired comparison possible"
    elif d.low > 0:
        verdict = f"**{w.pipeline} wins** by {points(d)}"
    else:
        verdict = f"no clear winner: the difference, {points(d)}, is within noise"
    return (
        f"- **{v.split}**: {verdict} — {w.pipeline} {w.success.text()} vs "
        f"{r.pipeline} {r.success.text()}."
    )


def _verdict_table(a: Analysis) -> Table:
    """Winner and runner-up among every learner, per split and budget."""
    rows = []
    for v in a.verdicts:
        d = v.difference
        rows.append(
            [
                v.split,
                str(v.budget),
                "none (all 0%)" if v.nobody else ("tie: " if v.tied else "") + v.winner.pipeline,
                v.winner.success.text(),
                v.runner_up.pipeline if v.runner_up else "—",
                v.runner_up.success.text() if v.runner_up else "—",
                "—" if d is None else signed_interval(d),
                _verdict_word(v),
            ]
        )
    return Table(
        [
            "split",
            "budget",
            "winner",
            "success",
            "runner-up",
            "success",
            "difference (points)",
            "verdict",
        ],
        rows,
    )


def _verdict_word(v: Verdict) -> str:
    if v.nobody:
        return "no winner"
    if v.tied:
        return "tie"
    return "clear" if v.clear else "within noise"


def _ppo_sentence(a: Analysis) -> str:
    """PPO on its own axis: its success at its largest budget of frames, and the frames its
    mean training return took to reach 0.9, per seed."""
    parts = []
    for p in a.explorers():
        top = a.top_of(p)
        cells = [(s, c) for s in a.splits if (c := a.cell(p, top, s)) is not None]
        shown = ", ".join(f"{s} {c.success.text()}" for s, c in cells)
        reached = sorted(
            {
                r.seed: r.fit.get("extra", {}).get("frames_to_0.9")
                for r in a.rows
                if r.pipeline == p and r.budget == top
            }.items()
        )
        when = ", ".join("never" if f is None else f"{f:,}" for _, f in reached)
        parts.append(
            f"{p}, which learns from reward alone (no demonstration), at "
            f"{frames_text(top)}: {shown}. Frames until its mean training return (last 100 "
            f"episodes) reached 0.9, per seed: {when}."
        )
    return " ".join(parts)


WHO = {
    "hybrid": "The hybrid",
    "hybrid-abduced": "The abduced hybrid (no cell label)",
    "hybrid-legend": "The legend hybrid (one labelled cell per kind)",
    "hybrid-induced": "The hybrid with rules learned from play (none written)",
    "hybrid-autonomous": "The hybrid given no cell label and no game rule",
    "hybrid-sym": "The hybrid with perception trained on the board's symmetries",
    "hybrid-aug": "The hybrid with perception trained on symmetries and colour maps",
    "hybrid-colour": "The hybrid with perception trained on changed colours",
}


def _hybrid_sentence(a: Analysis) -> str:
    split = a.splits[0]
    parts = []
    for hybrid in a.hybrids():
        who = WHO.get(hybrid, hybrid)
        reached = next(
            (
                b
                for b in a.budgets
                if (c := a.cell(hybrid, b, split)) is not None and c.success.value >= 0.95
            ),
            None,
        )
        if reached is not None:
            parts.append(
                f"{who} reaches ≥95% success on {split} from "
                f"{counted(reached, 'demonstration episode')} "
                f"({a.cell(hybrid, reached, split).success.text()})."
            )
        else:
            parts.append(
                f"{who} does not reach 95% success on {split} within "
                f"{counted(a.top_budget, 'demonstration episode')}."
            )
    best = best_cell([a.cell(p, b, split) for p in a.monolithic() for b in a.budgets])
    if best is not None:
        parts.append(
            f"The best monolithic result on {split} is {best.pipeline} at "
            f"{counted(best.budget, 'episode')}: {pct(best.success.value)}."
        )
    return " ".join(parts)
