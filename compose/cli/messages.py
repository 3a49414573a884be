"""What the commands say about results, worded in one place: what a training run consumed and
reached, what a run's transitions contradict in its rules, and who won a comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compose.abduction.invented import translate_clause
from compose.analysis.results import frames_text
from compose.cli.text import cell, err, plural, say, table

__all__ = [
    "learned_summary",
    "print_verdicts",
    "say_audit",
    "say_fit",
    "say_result",
    "say_symbols",
]


def say_fit(label: str, kind: str, fit: Any, budget: int | None) -> None:
    """``run``'s line on training (stderr): what it consumed and reached; an abduced hybrid's
    reading and a hybrid-induced's learned rules get a line each."""
    if kind == "ppo":
        reached = fit.extra.get("frames_to_0.9")
        when = f"after {reached:,} frames" if reached else "never"
        say(
            f"trained ppo on {plural(fit.frames, 'frame')} in {fit.train_seconds:.1f} s (mean "
            f"training return reached 0.9 {when})",
            err,
        )
        return
    say(
        f"trained {label} on {plural(fit.frames, 'frame')} in {fit.train_seconds:.1f} s "
        f"(validation accuracy {fit.val_accuracy:.2f}, learning rate {fit.learning_rate})",
        err,
    )
    x = fit.extra
    if "abduced_cell_accuracy" in x:
        say(
            f"abduced its cells from {plural(fit.actions, 'expert action')} and the rules, "
            f"with {plural(fit.cell_labels, 'cell label')}: {x['episodes_explained']} of "
            f"{plural(budget or 10, 'episode')} explained; "
            f"{x['perceived_cell_accuracy']:.1%} of the demonstration cells perceived "
            f"right, {x['perceived_alike_accuracy']:.1%} up to kinds the rules treat alike "
            f"(measured against the true cells, never trained on); "
            f"{plural(x['ambiguous_cells'], 'cell')} ambiguous by play",
            err,
        )
    if "rules_learned" in x:
        say(learned_summary(x), err)


def learned_summary(extra: dict[str, Any]) -> str:
    """One line on what a hybrid-induced pipeline learned its rules from (its fit report's
    ``extra``)."""
    open_atoms = len(extra.get("unidentified", ()))
    return (
        f"learned {plural(extra['rules_learned'], 'rule clause')} (0 hand-written; "
        f"{extra['rules_given']} background clauses given) from "
        f"{plural(extra['transitions'], 'transition')}, "
        f"{plural(extra['play_frames'], 'frame')} of them its own play "
        f"({plural(extra['play_deaths'], 'death')}"
        + (f", {extra['play_misreads']} misread, left out" if extra.get("play_misreads") else "")
        + f"), in {extra['learner_seconds']:.2f} s of "
        "search; "
        f"{plural(extra['examples_unexplained'], 'example')} left unexplained, "
        f"{plural(open_atoms, 'case')} no transition decided"
    )


def say_symbols(extra: dict[str, Any]) -> None:
    """``run --explain`` on a hybrid-autonomous: its invented symbols, each with the true kind
    it most often covers (measured after learning, never learned from), and its learned
    clauses in those symbols beside their translation."""
    names = extra["symbol_map"]
    say(
        f"invented {plural(extra['symbols'], 'symbol')} in "
        f"{plural(extra['autonomy_rounds'], 'round')} ({extra['autonomy_stopped']}); each "
        "stands for the true kind it most often covers "
        f"(scored after learning): {', '.join(f'{k} = {v}' for k, v in names.items())}; "
        f"{extra['read_cell_accuracy']:.1%} of the demonstration cells read right under that "
        f"map, {extra['perceived_cell_accuracy']:.1%} perceived right",
        err,
    )
    for note in extra["autonomy_notes"]:
        say(f"  {note}", err)
    say("learned clauses, in invented symbols → translated:", err)
    for clause in extra["learned_clauses"]:
        say(f"  {clause:<48} {translate_clause(clause, names)}", err)


def say_audit(source: str, lines: list[str], transitions: int) -> None:
    """``run --explain``'s last word: what this run's transitions (in the game's true scenes)
    contradict in the rules the pipeline played by (``lines``, one per atom)."""
    where = f"the rules ({source}) against {plural(transitions, 'transition')}"
    if not lines:
        say(f"audit of {where} of this run: no transition contradicts them")
        return
    say(f"audit of {where} of this run (the game's true scenes):")
    for line in lines:
        say(f"  {line}")


def print_verdicts(directory: Path) -> None:
    """``compare``'s last word: the headline, then every split's winner and runner-up at the
    largest budget, then PPO's rates."""
    data = json.loads((directory / "results.json").read_text())
    if not data["verdicts"]:
        say("no learner has results (only the oracle ran, or every learner failed)")
        return
    _print_headline(data["headline"])
    top = max(v["budget"] for v in data["verdicts"])
    say(_verdict_table(data, top))
    ppo = [c for c in data["summary"] if c["pipeline"] == "ppo"]
    if ppo:
        top_frames = max(c["budget"] for c in ppo)
        rates = ", ".join(
            f"{c['split']} {c['success_rate']:.0%}" for c in ppo if c["budget"] == top_frames
        )
        say(f"ppo, from reward alone, at {plural(top_frames, 'frame')}: {rates}")


def _verdict_table(data: dict[str, Any], top: int) -> Any:
    shown = table(
        "split",
        "winner",
        "success",
        "runner-up",
        "success",
        "verdict",
        title=f"every learner, winner and runner-up, at {plural(top, 'demonstration episode')}",
    )
    summary = {(s["pipeline"], s["budget"], s["split"]): s for s in data["summary"]}
    for v in data["verdicts"]:
        if v["budget"] != top:
            continue
        w = summary[(v["winner"], v["budget"], v["split"])]
        r = summary.get((v["runner_up"], v["budget"], v["split"])) if v["runner_up"] else None
        if v["nobody"]:
            shown.add_row(cell(v["split"]), "none", "0%", "—", "—", "no winner")
            continue
        shown.add_row(
            cell(v["split"]),
            cell(v["winner"]),
            cell(f"{w['success_rate']:.0%}"),
            cell(v["runner_up"] or "—"),
            cell("—" if r is None else f"{r['success_rate']:.0%}"),
            "tie" if v["tied"] else "clear" if v["clear"] else "within noise",
        )
    return shown


def _print_headline(rows: list[dict[str, Any]]) -> None:
    """Per split, one line: the best hybrid against the best monolith and against PPO, each
    lead in points with its paired 95% interval (``results.json``'s ``headline``)."""
    if not rows:
        return
    say(
        f"who won, at {plural(rows[0]['budget'], 'demonstration episode')} (the best hybrid's "
        "lead in points, with its 95% interval):"
    )
    for row in rows:
        against = [
            f"vs {_side(row['monolith'])}: {_lead(row['hybrid_minus_monolith'])}",
            f"vs ppo {_side(row['ppo'], frames=True)}: {_lead(row['hybrid_minus_ppo'])}",
        ]
        shown = [a for a, side in zip(against, ("monolith", "ppo"), strict=True) if row[side]]
        say(f"  {row['split']}: {_side(row['hybrid'])} " + "; ".join(shown))


def _side(side: dict[str, Any] | None, frames: bool = False) -> str:
    """``mono-pooled 25%`` (PPO: ``(100k frames) 25%``); ``no hybrid`` where none played."""
    if side is None:
        return "no hybrid"
    if frames:
        return f"({frames_text(side['budget'])}) {side['success_rate']:.0%}"
    return f"{side['pipeline']} {side['success_rate']:.0%}"


def _lead(d: dict[str, Any] | None) -> str:
    """``+50 [+19, +70] ahead``: points, the 95% interval, and what it says."""
    if d is None:
        return "—"
    low, high = (f"{round(100 * x) + 0:+d}" for x in d["ci95"])
    return f"{round(100 * d['difference']) + 0:+d} [{low}, {high}] {d['standing']}"


def say_result(label: str, env_id: str, level: str | None, summary: Any, episodes: int) -> None:
    """``run``'s result line: the rates and the decision latency; a note where evaluation
    levels were met in training."""
    lat = summary.latency_ms()
    played = "your level" if level is not None else env_id
    say(
        f"{label} on {played}: success rate {summary.success_rate:.1%} over "
        f"{plural(episodes, 'episode')} · mean return {summary.mean_return:.3f} · mean steps "
        f"{summary.mean_steps:.1f} · decision p50 {lat['total_p50']:.2f} ms, p95 "
        f"{lat['total_p95']:.2f} ms"
    )
    stopped = [e for e in summary.episodes if e.stopped]
    if stopped:
        say(
            f"note: the pipeline stopped {plural(len(stopped), 'episode')} itself, the first "
            f"(level seed {stopped[0].level_seed}) because {stopped[0].stopped}",
            err,
        )
    if summary.seen:
        were = "was" if summary.seen == 1 else "were"
        say(
            f"note: {summary.seen} of these {plural(episodes, 'level')} {were} "
            f"met in training: {env_id} has too few distinct "
            "levels to keep them all apart (see benchmarks/level_space.py)",
            err,
        )
