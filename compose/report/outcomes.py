"""The report's sections on outcomes: who won, success rates, what each pipeline consumed,
costs and the model-size sweep."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from compose.analysis.results import (
    Analysis,
    Cell,
    HeadlineRow,
    Verdict,
    best_cell,
    counted,
    frames_text,
    headline,
    standing,
)
from compose.common.stats import Estimate, paired_difference
from compose.report.document import Block, Figure, H, P, Table
from compose.report.text import (
    augmented,
    listed,
    num,
    pct,
    points,
    signed_interval,
    signed_points,
)

__all__ = [
    "consumption",
    "costs",
    "headline_blocks",
    "size_sweep",
    "success_table",
    "who_won",
]


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
    differences to them (:func:`compose.analysis.results.headline`); then its figure."""
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
    "hybrid-sym": "The hybrid with perception trained on the board's symmetries",
    "hybrid-aug": "The hybrid with perception trained on symmetries and colour maps",
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


def _per_cell_rows(a: Analysis, show: Callable[[Cell], str]) -> list[list[str]]:
    """One row per pipeline and budget, one column per split."""
    rows = []
    for pipeline in a.pipelines:
        for b in a.budgets_of(pipeline):
            cells = [a.cell(pipeline, b, s) for s in a.splits]
            rows.append(
                [pipeline, a.budget_label(pipeline, b), *[show(c) if c else "n/a" for c in cells]]
            )
    return rows


def success_table(a: Analysis) -> list[Block]:
    headers = ["pipeline", "budget", *a.splits]
    rows = _per_cell_rows(a, lambda c: c.success.text())
    returns = _per_cell_rows(a, lambda c: f"{c.mean_return:.3f} / {c.mean_steps:.0f}")
    split_rows = [[s, a.split_envs[s]] for s in a.splits]
    return [
        H(2, "Success rates"),
        P(
            "Success rate with its 95% interval, per pipeline, budget (demonstration episodes; "
            "for PPO, which learns from reward, environment frames) and evaluation split. n/a: "
            "the pipeline cannot play that split's screen size."
        ),
        Table(headers, rows),
        P("Mean return / mean steps per episode (a timeout counts its full length):"),
        Table(headers, returns),
        P("Splits:"),
        Table(["split", "environment"], split_rows),
        *unseen_levels(a),
    ]


def unseen_levels(a: Analysis) -> list[Block]:
    """Whether the evaluation levels were unseen: by content, per pipeline and split."""
    cells = [c for c in a.cells.values() if c.kind != "oracle"]
    counts = [c.seen for c in cells]
    if not cells or None in counts:
        return [P("Levels: these rows predate the record of levels met in training.")]
    method = (
        "Every pipeline trains on levels redrawn until their content (every cell, the agent, "
        "what it holds) differs from each evaluation level of its seed, so that no "
        "evaluation level is one it trained on, unless the game has too few distinct levels."
    )
    if not any(counts):
        return [P(f"**Unseen levels.** {method} Here none was: 0 of the evaluation levels.")]
    rows = []
    for pipeline in a.pipelines:
        for b in a.budgets_of(pipeline):
            found = [a.cell(pipeline, b, s) for s in a.splits]
            if any(c is not None and c.seen for c in found):
                shown = [f"{c.seen} of {c.success.n}" if c else "n/a" for c in found]
                rows.append([pipeline, a.budget_label(pipeline, b), *shown])
    return [
        P(
            f"**Unseen levels.** {method} This game has too few for that: the evaluation "
            "levels each pipeline met in training, by content (all the others were unseen):"
        ),
        Table(["pipeline", "budget", *a.splits], rows),
    ]


LEARNS_FROM = {
    "hybrid": "screens + per-cell kind labels + rules; never sees an action",
    "hybrid-abduced": (
        "screens + expert actions + rules; no cell label: the cells' kinds are abduced"
    ),
    "hybrid-legend": (
        "screens + expert actions + rules + one labelled cell per kind; the rest abduced"
    ),
    "hybrid-induced": (
        "screens + per-cell kind labels + expert actions (to learn rules) + its own play "
        "(frames counted); no game rule written"
    ),
    "monolithic": "screens + expert actions",
    "ppo": "screens + reward from its own play; no labels, no demonstrations",
}


def learns_from(pipeline: str, kind: str) -> str:
    """What ``pipeline`` learns from, for the consumption table (variants by their label's
    words: ``mono-medium-symbolic-aug-dagger``)."""
    if pipeline in LEARNS_FROM:
        return LEARNS_FROM[pipeline]
    words = set(pipeline.split("-")[1:])
    if kind == "hybrid":
        base = "-".join(w for w in pipeline.split("-") if w not in ("aug", "sym", "colour"))
        said = [LEARNS_FROM.get(base, LEARNS_FROM["hybrid"])]
        if augmented(words)[0]:
            said.append("perception trained on the board's symmetries (facing kinds turned)")
        if augmented(words)[1]:
            said.append("perception trained on random colour maps of the screens")
        return "; ".join(said)
    seen = "the true grid of kinds (never a screen)" if "symbolic" in words else "screens"
    if "distilled" in words:
        said = [
            f"{seen} + a labelled hybrid teacher's actions on freshly generated levels; no expert "
            "action (the teacher's cell labels and rules are counted here)"
        ]
    else:
        said = [f"{seen} + expert actions"]
    if "dagger" in words:
        said.append("DAgger: the expert's action in every state it visited on its levels")
    if augmented(words)[0]:
        said.append("the board's symmetries (actions remapped)")
    if augmented(words)[1]:
        said.append("random colour maps")
    return "; ".join(said)


def consumption(a: Analysis) -> list[Block]:
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
                    num(clauses),
                    "reads the true scene at test time (an upper bound, not a contender)",
                ]
            )
            continue
        for b in a.budgets_of(pipeline):
            rows.append(
                [
                    pipeline,
                    a.budget_label(pipeline, b),
                    num(a.fit_mean(pipeline, b, "frames")),
                    num(a.fit_mean(pipeline, b, "actions")),
                    num(a.fit_mean(pipeline, b, "cell_labels")),
                    num(a.fit_mean(pipeline, b, "rule_clauses")),
                    learns_from(pipeline, a.kinds[pipeline]),
                ]
            )
    return [
        H(2, "What each pipeline consumed"),
        P(
            "Every learner that imitates gets the same demonstration episodes (same levels, "
            "same seed); PPO gets none and plays for its budget of frames instead. This table "
            "says exactly what each took (means over seeds). Frames are frames of interaction "
            "with the game: for the imitating learners, the expert's frames behind their "
            "demonstrations. The hybrid uses the per-cell labels of the ground-truth scene, "
            "which the monolithic policies never get, and hand-written rules; keep that in mind "
            "when reading who won. An abduced hybrid gets exactly what the monolithic policies "
            "get (screens and the expert's actions) plus the rules, and no cell label."
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


def costs(a: Analysis, figures: dict[str, Path]) -> list[Block]:
    split = a.splits[0]
    rows = []
    for pipeline in a.pipelines:
        b = a.top_of(pipeline)
        lat = a.latency(pipeline, b, split)
        train = [a.fit_mean(pipeline, x, "train_seconds") for x in a.budgets_of(pipeline)]
        rows.append(
            [
                pipeline,
                num(a.fit_mean(pipeline, b, "params")),
                " / ".join(num(t, "{:.1f}") for t in train)
                if a.kinds[pipeline] != "oracle"
                else "0",
                num(lat and lat["total_p50"], "{:.2f}")
                + " / "
                + num(lat and lat["total_p95"], "{:.2f}"),
                num(lat and lat["neural_p50"], "{:.2f}")
                + " / "
                + num(lat and lat["neural_p95"], "{:.2f}"),
                num(lat and lat["symbolic_p50"], "{:.2f}")
                + " / "
                + num(lat and lat["symbolic_p95"], "{:.2f}"),
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
            f"Parameters; training wall time per budget ({listed(a.budgets, 'episode', ' / ')}"
            ", or PPO's frames; one CPU thread, learning-rate search and early stopping "
            "included); "
            f"decision latency in ms, p50 / p95, on {split} at the largest budget, split into "
            "the neural part (perception, or the whole policy) and the symbolic part (Prolog "
            "rules + graph search). The levels of a split are played together, their screens "
            "read by the network in one batch: a decision's neural part is its share of the "
            "batch (`neurocomp bench` times decisions one screen at a time)."
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


def size_sweep(a: Analysis, figures: dict[str, Path]) -> list[Block]:
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
                num(a.fit_mean(p, a.top_budget, "params")),
                *[(c.success.text() if (c := a.cell(p, b, split)) else "n/a") for b in a.budgets],
                *[num(a.fit_mean(p, b, "val_accuracy"), "{:.2f}") for b in a.budgets],
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
        verdict = (
            f"Largest ({large}) minus smallest ({small}) at {counted(a.top_budget, 'episode')}: "
        )
        if d is None:
            verdict += "— (not evaluated on the same seeds)."
        else:
            verdict += signed_points(d)
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
