"""Builds the comparison report: reads a comparison directory's config and database, keeps the
rows of its current settings, analyses them, draws the figures, lays the sections out in
order (:data:`SECTIONS`) and writes ``report.md``, ``report.html`` and ``results.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compose.analysis.results import Analysis, analyse, counted, frames_text
from compose.analysis.results_json import to_json
from compose.common.errors import ResultsError
from compose.common.files import write_json, write_text
from compose.experiments.runner import read_config
from compose.experiments.store import ResultStore
from compose.report.costs import consumption, costs, size_sweep
from compose.report.document import Block, Figure, H, P, to_html, to_markdown
from compose.report.figures import draw_all
from compose.report.knowledge import attribution, episode, episode_strip, ledger, provenance
from compose.report.learning import abduction, budget_to_goal
from compose.report.rules import rules_audit, rules_learned
from compose.report.success import success_table
from compose.report.text import listed
from compose.report.who_won import who_won
from environments.registry import game_of
from environments.spec import GameSpec

__all__ = ["SECTIONS", "ReportFiles", "build_report"]

SECTIONS = (
    "Who won",
    "Success rates",
    "Demonstrations needed for 95% success",
    "What each pipeline consumed",
    "Sample efficiency",
    "Out of distribution",
    "Costs",
    "Knowledge ledger",
    "Failure attribution",
    "Model-size sweep",
    "One episode, step by step",
    "Method and provenance",
)


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    html: Path
    json: Path
    rows: int


def build_report(out_dir: Path) -> ReportFiles:
    """(Re)build the report of a comparison directory from its database."""
    out_dir = Path(out_dir)
    config = read_config(out_dir)
    db = out_dir / "results.sqlite"
    if not db.is_file():
        raise ResultsError(f"{out_dir} has no results.sqlite; run `neurocomp compare` first")
    store = ResultStore(db)
    settings = config.settings_hash()
    labels = {p.label for p in config.pipelines}
    all_rows = store.rows()
    rows = [
        r
        for r in all_rows
        if r.settings_hash == settings
        and r.pipeline in labels
        and r.seed < config.seeds
        and (
            r.kind == "oracle"
            or (r.budget in config.frames if r.kind == "ppo" else r.budget in config.budgets)
        )
    ]
    if not rows:
        raise ResultsError(
            f"{out_dir}/results.sqlite holds no results for this config yet; "
            "run `neurocomp compare` with the same --out first"
        )
    analysis = analyse(rows, store.traces(), config)
    figures = draw_all(analysis, out_dir / "figures")
    game = game_of(config.env, config.view)
    strip = episode_strip(analysis, game, out_dir / "figures" / "episode.png")
    if strip is not None:
        figures["episode"] = strip
    blocks = _blocks(analysis, game, figures, ignored=len(all_rows) - len(rows))
    seen = "" if config.view == "full" else f" ({config.view} view)"
    title = f"Neurocomp comparison — {game.title}, {config.env}{seen}"
    md_path, html_path = out_dir / "report.md", out_dir / "report.html"
    write_text(md_path, to_markdown(title, blocks, out_dir))
    write_text(html_path, to_html(title, blocks))
    write_json(out_dir / "results.json", to_json(analysis))
    return ReportFiles(md_path, html_path, out_dir / "results.json", len(rows))


def _blocks(a: Analysis, game: GameSpec, figures: dict[str, Path], ignored: int) -> list[Block]:
    out: list[Block] = []
    seeds, episodes = a.config.seeds, a.config.episodes
    out.append(
        P(
            f"Game **{game.title}** ({game.summary}); environment **{a.config.env}**"
            + ("" if a.config.view == "full" else f", seen through its **{a.config.view}** view")
            + f"; pipelines {', '.join(a.pipelines)}; budgets "
            f"{listed(a.budgets, 'demonstration episode')}"
            + (f" (PPO: {', '.join(frames_text(f) for f in a.frames)})" if a.frames else "")
            + f"; {counted(seeds, 'seed')}; "
            f"{counted(episodes, 'evaluation level')} per seed and split. Intervals are 95% "
            "(two-level "
            "bootstrap over seeds and levels, never narrower than the Wilson interval)."
        )
    )
    out += who_won(a, figures)
    out += success_table(a)
    out += budget_to_goal(a)
    out += consumption(a)
    out += abduction(a)
    out += rules_learned(a, game)
    out.append(H(2, "Sample efficiency"))
    out.append(
        Figure(
            figures["sample_efficiency"],
            "Success rate against demonstration episodes, one panel per split; "
            "bands are 95% intervals, the dashed line is the oracle. Each pipeline's points "
            "are nudged a little sideways, so that lines which coincide all stay visible.",
        )
    )
    if "frames" in figures:
        out.append(
            Figure(
                figures["frames"],
                f"Success on {a.splits[0]} against the frames of interaction each pipeline "
                "consumed: the expert's frames behind the demonstrations for the learners that "
                "imitate, its own play for PPO. Log scale; bars are 95% intervals; points "
                "nudged a little sideways so that none hides another.",
            )
        )
    out.append(H(2, "Out of distribution"))
    out.append(
        Figure(
            figures["ood"],
            f"All splits at {counted(a.top_budget, 'demonstration episode')}. "
            "n/a: a fixed-size network cannot take a larger screen at all.",
        )
    )
    if "grid_size" in figures:
        out.append(
            Figure(
                figures["grid_size"],
                f"Success against grid size at {counted(a.top_budget, 'demonstration episode')}, "
                "one line "
                "per pipeline (trained on the first size); bars are 95% intervals; points "
                "nudged a little sideways so that none hides another. A pipeline "
                "missing at a size cannot take that screen at all.",
            )
        )
    out += costs(a, figures)
    out += ledger(a, game)
    out += attribution(a)
    out += rules_audit(a)
    out += size_sweep(a, figures)
    out += episode(a, game, figures)
    out += provenance(a, ignored)
    return out
