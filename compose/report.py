"""The comparison report: ``report.md``, a self-contained ``report.html`` and ``results.json``.

The sections below fill a list of blocks (:mod:`compose.document` renders them to Markdown
and HTML); the game's specification supplies the legends, the ledger and the screens; every
number comes from the results database via :mod:`compose.analysis`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compose.analysis import Analysis, Cell, analyse, to_json
from compose.document import Block, Code, Figure, H, P, Table, to_html, to_markdown
from compose.errors import ResultsError
from compose.experiment import read_config
from compose.figures import draw_all
from compose.files import write_json, write_text
from compose.screens import outline, replay, save_strip
from compose.stats import paired_difference
from compose.store import ResultStore
from compose.symbols import decoder_for
from environments.registry import game_of, make
from environments.spec import GameSpec
from symbolic.engine import PrologEngine
from symbolic.reasoner import reasoner_class, rules_path

__all__ = ["SECTIONS", "ReportFiles", "build_report"]

SECTIONS = (
    "Who won",
    "Success rates",
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
        and (r.kind == "oracle" or r.budget in config.budgets)
    ]
    if not rows:
        raise ResultsError(
            f"{out_dir}/results.sqlite holds no results for this config yet; "
            "run `neurocomp compare` with the same --out first"
        )
    analysis = analyse(rows, store.traces(), config)
    figures = draw_all(analysis, out_dir / "figures")
    game = game_of(config.env)
    strip = _episode_strip(analysis, game, out_dir / "figures" / "episode.png")
    if strip is not None:
        figures["episode"] = strip
    blocks = _blocks(analysis, game, figures, ignored=len(all_rows) - len(rows))
    title = f"Neurocomp comparison — {game.title}, {config.env}"
    md_path, html_path = out_dir / "report.md", out_dir / "report.html"
    write_text(md_path, to_markdown(title, blocks, out_dir))
    write_text(html_path, to_html(title, blocks))
    write_json(out_dir / "results.json", to_json(analysis))
    return ReportFiles(md_path, html_path, out_dir / "results.json", len(rows))


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def _points(d: Any) -> str:
    """A difference of proportions in percentage points with its interval."""
    return f"{100 * d.value:.0f} points [{100 * d.low:.0f}–{100 * d.high:.0f}]"


def _pair(lat: dict[str, float] | None, part: str) -> str:
    """``p50 / p95`` of one latency part in ms."""
    if lat is None:
        return "—"
    return f"{lat[part + '_p50']:.2f} / {lat[part + '_p95']:.2f}"


def _num(x: float | None, fmt: str = "{:,.0f}") -> str:
    return "—" if x is None else fmt.format(x)


# -- content ----------------------------------------------------------------------------------
def _blocks(a: Analysis, game: GameSpec, figures: dict[str, Path], ignored: int) -> list[Block]:
    out: list[Block] = []
    seeds, episodes = a.config.seeds, a.config.episodes
    out.append(
        P(
            f"Game **{game.title}** ({game.summary}); environment **{a.config.env}**; "
            f"pipelines {', '.join(a.pipelines)}; budgets "
            f"{', '.join(map(str, a.budgets))} demonstration episodes; {seeds} seed(s); "
            f"{episodes} evaluation levels per seed and split. Intervals are 95% (two-level "
            "bootstrap over seeds and levels, never narrower than the Wilson interval)."
        )
    )
    out += _who_won(a)
    out += _success_table(a)
    out += _consumption(a)
    out.append(H(2, "Sample efficiency"))
    out.append(
        Figure(
            figures["sample_efficiency"],
            "Success rate against demonstration episodes, one panel per split; "
            "bands are 95% intervals, the dashed line is the oracle.",
        )
    )
    out.append(H(2, "Out of distribution"))
    out.append(
        Figure(
            figures["ood"],
            f"All splits at {a.top_budget} demonstration episodes. "
            "n/a: a fixed-size network cannot take a larger screen at all.",
        )
    )
    if "grid_size" in figures:
        out.append(
            Figure(
                figures["grid_size"],
                f"Success against grid size at {a.top_budget} demonstration episodes, one line "
                "per pipeline (trained on the first size); bars are 95% intervals. A pipeline "
                "missing at a size cannot take that screen at all.",
            )
        )
    out += _costs(a, figures)
    out += _ledger(a, game)
    out += _attribution(a)
    out += _size_sweep(a, figures)
    out += _episode(a, game, figures)
    out += _provenance(a, ignored)
    return out


def _who_won(a: Analysis) -> list[Block]:
    out: list[Block] = [H(2, "Who won")]
    top = [v for v in a.verdicts if v.budget == a.top_budget]
    sentences = []
    for v in top:
        w = v.winner
        if v.runner_up is None:
            sentences.append(
                f"- **{v.split}**: only {w.pipeline} was evaluated ({w.success.text()})."
            )
            continue
        r = v.runner_up
        d = v.difference
        if d is None:
            verdict = "no paired comparison possible"
        elif d.low > 0:
            verdict = f"**{w.pipeline} wins** by {_points(d)}"
        else:
            verdict = (
                f"no clear winner: the difference, {100 * d.value:.0f} points "
                f"[{100 * d.low:.0f}–{100 * d.high:.0f}], is within noise"
            )
        sentences.append(
            f"- **{v.split}**: {verdict} — {w.pipeline} {w.success.text()} vs "
            f"{r.pipeline} {r.success.text()}."
        )
    out.append(
        P(
            f"At the largest budget ({a.top_budget} demonstration episodes), per split "
            "(winner vs runner-up, paired on the same levels):\n\n" + "\n".join(sentences)
        )
    )
    if "hybrid" in a.pipelines and a.monolithic():
        out.append(P(_hybrid_sentence(a)))
    rows = []
    for v in a.verdicts:
        d = v.difference
        rows.append(
            [
                v.split,
                str(v.budget),
                v.winner.pipeline,
                v.winner.success.text(),
                v.runner_up.pipeline if v.runner_up else "—",
                v.runner_up.success.text() if v.runner_up else "—",
                "—"
                if d is None
                else f"{100 * d.value:+.0f} [{100 * d.low:+.0f}, {100 * d.high:+.0f}]",
                "clear" if v.clear else "within noise",
            ]
        )
    out.append(
        Table(
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
    )
    return out


def _hybrid_sentence(a: Analysis) -> str:
    split = a.splits[0]
    reached = next(
        (
            b
            for b in a.budgets
            if (c := a.cell("hybrid", b, split)) is not None and c.success.value >= 0.95
        ),
        None,
    )
    best_mono = max(
        (
            (c.success.value, c.pipeline, b)
            for p in a.monolithic()
            for b in a.budgets
            if (c := a.cell(p, b, split)) is not None
        ),
        default=None,
    )
    parts = []
    if reached is not None:
        parts.append(
            f"The hybrid reaches ≥95% success on {split} from {reached} demonstration "
            f"episode(s) ({a.cell('hybrid', reached, split).success.text()})."
        )
    else:
        parts.append(
            f"The hybrid does not reach 95% success on {split} within "
            f"{a.top_budget} demonstration episodes."
        )
    if best_mono is not None:
        value, pipeline, budget = best_mono
        parts.append(
            f"The best monolithic result on {split} is {pipeline} at {budget} "
            f"episode(s): {_pct(value)}."
        )
    return " ".join(parts)


def _per_cell_rows(a: Analysis, show: Callable[[Cell], str]) -> list[list[str]]:
    """One row per pipeline and budget, one column per split."""
    rows = []
    for pipeline in a.pipelines:
        for b in [0] if a.kinds[pipeline] == "oracle" else a.budgets:
            cells = [a.cell(pipeline, b, s) for s in a.splits]
            rows.append(
                [pipeline, "—" if b == 0 else str(b), *[show(c) if c else "n/a" for c in cells]]
            )
    return rows


def _success_table(a: Analysis) -> list[Block]:
    headers = ["pipeline", "budget", *a.splits]
    rows = _per_cell_rows(a, lambda c: c.success.text())
    returns = _per_cell_rows(a, lambda c: f"{c.mean_return:.3f} / {c.mean_steps:.0f}")
    split_rows = [[s, a.split_envs[s]] for s in a.splits]
    return [
        H(2, "Success rates"),
        P(
            "Success rate with its 95% interval, per pipeline, budget (demonstration episodes) "
            "and evaluation split. n/a: the pipeline cannot play that split's screen size."
        ),
        Table(headers, rows),
        P("Mean return / mean steps per episode (a timeout counts its full length):"),
        Table(headers, returns),
        P("Splits:"),
        Table(["split", "environment"], split_rows),
    ]


def _consumption(a: Analysis) -> list[Block]:
    rows = []
    for pipeline in a.pipelines:
        if a.kinds[pipeline] == "oracle":
            clauses = a.fit_mean(pipeline, 0, "rule_clauses")
            rows.append(
                [
                    pipeline,
                    "—",
                    "0",
                    "0",
                    "0",
                    _num(clauses),
                    "reads the true scene at test time (an upper bound, not a contender)",
                ]
            )
            continue
        for b in a.budgets:
            rows.append(
                [
                    pipeline,
                    str(b),
                    _num(a.fit_mean(pipeline, b, "frames")),
                    _num(a.fit_mean(pipeline, b, "actions")),
                    _num(a.fit_mean(pipeline, b, "cell_labels")),
                    _num(a.fit_mean(pipeline, b, "rule_clauses")),
                    "screens + per-cell kind labels + rules; never sees an action"
                    if a.kinds[pipeline] == "hybrid"
                    else "screens + expert actions",
                ]
            )
    return [
        H(2, "What each pipeline consumed"),
        P(
            "Every learner gets the same demonstration episodes (same levels, same seed); this "
            "table says exactly what each took from them (means over seeds). The hybrid uses "
            "the per-cell labels of the ground-truth scene, which the monolithic policies never "
            "get, and hand-written rules; keep that in mind when reading who won."
        ),
        Table(
            [
                "pipeline",
                "budget",
                "frames",
                "action labels",
                "cell labels",
                "rule clauses",
                "what it learns from",
            ],
            rows,
        ),
    ]


def _costs(a: Analysis, figures: dict[str, Path]) -> list[Block]:
    split = a.splits[0]
    rows = []
    for pipeline in a.pipelines:
        b = 0 if a.kinds[pipeline] == "oracle" else a.top_budget
        lat = a.latency(pipeline, b, split)
        train = [a.fit_mean(pipeline, x, "train_seconds") for x in a.budgets]
        rows.append(
            [
                pipeline,
                _num(a.fit_mean(pipeline, b, "params")),
                " / ".join(_num(t, "{:.1f}") for t in train)
                if a.kinds[pipeline] != "oracle"
                else "0",
                _num(lat and lat["total_p50"], "{:.2f}")
                + " / "
                + _num(lat and lat["total_p95"], "{:.2f}"),
                _num(lat and lat["neural_p50"], "{:.2f}")
                + " / "
                + _num(lat and lat["neural_p95"], "{:.2f}"),
                _num(lat and lat["symbolic_p50"], "{:.2f}")
                + " / "
                + _num(lat and lat["symbolic_p95"], "{:.2f}"),
            ]
        )
    larger = []
    for s in a.splits[1:]:
        for pipeline in ("hybrid", "oracle"):
            if pipeline in a.pipelines:
                b = 0 if pipeline == "oracle" else a.top_budget
                lat = a.latency(pipeline, b, s)
                if lat:
                    larger.append(
                        [
                            s,
                            pipeline,
                            f"{lat['neural_p50']:.2f}",
                            f"{lat['symbolic_p50']:.2f}",
                            f"{lat['total_p95']:.2f}",
                        ]
                    )
    out: list[Block] = [
        H(2, "Costs"),
        P(
            f"Parameters; training wall time per budget ({' / '.join(map(str, a.budgets))} "
            "episodes; one CPU thread, learning-rate search and early stopping included); "
            f"decision latency in ms, p50 / p95, on {split} at the largest budget, split into "
            "the neural part (perception, or the whole policy) and the symbolic part (Prolog "
            "rules + graph search)."
        ),
        Table(
            ["pipeline", "parameters", "training s", "latency total", "neural", "symbolic"], rows
        ),
        Figure(figures["latency"], "Median decision latency, neural and symbolic parts."),
    ]
    if larger:
        out += [
            P("Symbolic pipelines on the other splits (median ms; p95 of the total):"),
            Table(["split", "pipeline", "neural p50", "symbolic p50", "total p95"], larger),
        ]
    return out


def _ledger(a: Analysis, game: GameSpec) -> list[Block]:
    rules = Path(a.config.rules or rules_path(game))
    ledger = PrologEngine.get().load_rules(rules).ledger
    questions = ", ".join(reasoner_class(game).questions)
    assumptions = decoder_for(game).assumptions
    rows = []
    for pipeline in a.pipelines:
        kind = a.kinds[pipeline]
        if kind == "monolithic":
            rows.append([pipeline, "0", "0", "0", "0", "none"])
            continue
        counted = len(assumptions) if kind == "hybrid" else 0
        extra = "; decoder: " + ", ".join(assumptions) if kind == "hybrid" and counted else ""
        rows.append(
            [
                pipeline,
                str(ledger.clauses),
                str(ledger.predicates),
                str(ledger.lines),
                str(counted),
                f"{rules.name}{extra}",
            ]
        )
    return [
        H(2, "Knowledge ledger"),
        P(
            "Hand-written knowledge each pipeline relies on: clauses, predicates and non-comment "
            "lines of the rule file, plus the assumptions of the hybrid's symbol decoder "
            f"({game.decoder}). The reasoner asks the rules {questions}; its search is generic "
            "code, not game knowledge. The monolithic policies use none."
        ),
        Table(
            ["pipeline", "clauses", "predicates", "lines", "decoder assumptions", "source"], rows
        ),
        P(f"The rule file ({rules}):"),
        Code(rules.read_text(encoding="utf-8").strip()),
    ]


def _attribution(a: Analysis) -> list[Block]:
    out: list[Block] = [H(2, "Failure attribution")]
    if "hybrid" not in a.pipelines:
        out.append(P("No hybrid pipeline in this comparison."))
        return out
    kinds: list[str] = []
    per_budget = {b: a.attribution(b, a.splits[0]) for b in a.budgets}
    for att in per_budget.values():
        for k in (att or {}).get("per_kind", {}):
            if k not in kinds:
                kinds.append(k)
    rows = [
        [k, *[_pct((per_budget[b] or {}).get("per_kind", {}).get(k)) for b in a.budgets]]
        for k in kinds
    ]
    out.append(
        P(
            f"Perception accuracy per kind of cell on {a.splits[0]} (share of true cells "
            "of that kind read correctly, over every decision), by budget:"
        )
    )
    out.append(Table(["kind", *[f"{b} demos" for b in a.budgets]], rows))
    gap_rows = []
    for split in a.splits:
        for b in a.budgets:
            att = a.attribution(b, split)
            hybrid = a.cell("hybrid", b, split)
            oracle = a.cell("oracle", 0, split)
            if att is None or hybrid is None:
                continue
            d = att["decisions"] or 1
            gap_rows.append(
                [
                    split,
                    str(b),
                    hybrid.success.text(),
                    oracle.success.text() if oracle else "—",
                    f"{att.get('perception_failures', '—')} / {att.get('reasoning_failures', '—')}"
                    f" of {att.get('failures', '—')}",
                    f"{100 * att['wrong_scenes'] / d:.1f}%",
                    f"{100 * att['changed_actions'] / d:.1f}%",
                ]
            )
    out.append(
        P(
            "Hybrid against the oracle on the same levels. A hybrid failure on a level the oracle "
            "solves is a perception failure (the reasoner and rules are the same); a level both "
            "fail is a reasoning (rules or search) failure. Per decision: how often the perceived "
            "scene had any wrong cell, and how often that changed the action the reasoner would "
            "have taken on the true scene."
        )
    )
    out.append(
        Table(
            [
                "split",
                "budget",
                "hybrid",
                "oracle",
                "failures: perception / reasoning",
                "decisions with a wrong cell",
                "actions changed",
            ],
            gap_rows,
        )
    )
    return out


def _size_sweep(a: Analysis, figures: dict[str, Path]) -> list[Block]:
    out: list[Block] = [H(2, "Model-size sweep")]
    monos = a.monolithic()
    if len(monos) < 2:
        out.append(P("Fewer than two monolithic sizes in this comparison."))
        return out
    split = a.splits[0]
    rows = []
    for p in monos:
        rows.append(
            [
                p,
                _num(a.fit_mean(p, a.top_budget, "params")),
                *[(c.success.text() if (c := a.cell(p, b, split)) else "n/a") for b in a.budgets],
                *[_num(a.fit_mean(p, b, "val_accuracy"), "{:.2f}") for b in a.budgets],
            ]
        )
    sizes = [
        (a.fit_mean(p, a.top_budget, "params") or 0, p)
        for p in monos
        if a.cell(p, a.top_budget, split)
    ]
    sizes.sort()
    if len(sizes) >= 2:
        small, large = sizes[0][1], sizes[-1][1]
        d = None
        cs, cl = a.cell(small, a.top_budget, split), a.cell(large, a.top_budget, split)
        if cs and cl and cs.seeds == cl.seeds:
            d = paired_difference(cl.outcomes, cs.outcomes)
        verdict = f"Largest ({large}) minus smallest ({small}) at {a.top_budget} episodes: "
        if d is None:
            verdict += "— (not evaluated on the same seeds)."
        else:
            verdict += f"{100 * d.value:+.0f} points [{100 * d.low:+.0f}, {100 * d.high:+.0f}]"
            if d.low > 0:
                verdict += " — bigger helps here."
            elif d.high < 0:
                verdict += " — bigger is worse here."
            else:
                verdict += " — no evidence that size matters at this budget."
    else:
        verdict = ""
    out += [
        P(
            f"Monolithic policies of different sizes, {split}; each trained with the same "
            "learning-rate search and early stopping. Success by budget, then the best "
            "validation action accuracy by budget. " + verdict
        ),
        Table(
            [
                "policy",
                "parameters",
                *[f"success @{b}" for b in a.budgets],
                *[f"val acc @{b}" for b in a.budgets],
            ],
            rows,
        ),
    ]
    if "size_sweep" in figures:
        out.append(Figure(figures["size_sweep"], "Success against parameters, per budget."))
    return out


def _episode(a: Analysis, game: GameSpec, figures: dict[str, Path]) -> list[Block]:
    out: list[Block] = [H(2, "One episode, step by step")]
    trace = a.trace_for("hybrid", a.top_budget, 0) if "hybrid" in a.pipelines else None
    if trace is None:
        out.append(P("No recorded hybrid episode."))
        return out
    result = "solved" if trace.get("success") else "not solved"
    out.append(
        P(
            f"The hybrid trained on {a.top_budget} demonstration episodes (seed 0), on the first "
            f"evaluation level of {trace['split']} (level seed {trace['level_seed']}): "
            f"{result} in {trace.get('total_steps', len(trace['steps']))} steps. Each step shows "
            f"the scene as perceived ({game.legend()}) and the reasoner's explanation."
        )
    )
    if "episode" in figures:
        out.append(
            Figure(
                figures["episode"],
                "The screens of that episode, step by step, with the action taken under each; "
                "a magenta box marks a cell perception misread.",
            )
        )
    lines = []
    for step in trace["steps"]:
        wrong = f" ({step['wrong_cells']} cell(s) misread)" if step["wrong_cells"] else ""
        lines.append(f"step {step['step']}{wrong}\n{step['perceived']}\n{step['explanation']}\n")
    out.append(Code("\n".join(lines).rstrip()))
    return out


STRIP_FRAMES = 18  # the strip shows at most this many screens


def _episode_strip(a: Analysis, game: GameSpec, path: Path) -> Path | None:
    """Replay the hybrid's recorded episode and draw its screens, misread cells outlined."""
    trace = a.trace_for("hybrid", a.top_budget, 0) if "hybrid" in a.pipelines else None
    if trace is None or "env" not in trace:
        return None
    env = make(trace["env"], **trace.get("kwargs", {}))
    steps = trace["steps"][:STRIP_FRAMES]
    shots = replay(env, trace["level_seed"], [s["action"] for s in steps])
    frames = [
        outline(frame, game.parse(step["perceived"]) != truth, env.tile)
        for (frame, truth), step in zip(shots, steps, strict=False)
    ]
    labels = [f"{s['step']}: {s['action_name']}" for s in steps[: len(frames)]]
    return save_strip(path, frames, labels)


def _provenance(a: Analysis, ignored: int) -> list[Block]:
    versions = a.rows[0].versions
    created = sorted(r.created_at for r in a.rows)
    text = [
        f"- settings hash `{a.settings_hash}`; {len(a.rows)} result rows "
        f"({created[0]} to {created[-1]})",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- evaluation levels are the same for every pipeline (seeded per seed and level "
        "index); training levels are disjoint from them",
        "- a memoryless pipeline that revisits a state is stopped and recorded as the "
        "timeout it would reach (same success, return 0, max steps)",
    ]
    if ignored:
        text.append(
            f"- {ignored} row(s) in the database belong to other settings or jobs "
            "and are not reported here"
        )
    return [
        H(2, "Method and provenance"),
        P("\n".join(text)),
        Code(json.dumps(json.loads(a.config.model_dump_json()), indent=2)),
    ]
