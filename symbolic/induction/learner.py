"""Learning a game's rule clauses from examples: generate, test, constrain, choose.

The method is learning from failures (Cropper & Morel's Popper), built here rather than
wrapped. Candidate clauses come from the hypothesis language (:mod:`.language`), most general
first. SWI-Prolog tests every candidate of a round against every example at once (the shared
background loaded beside them). What failed constrains the next round: a clause that covers no
positive example is not specialised (no specialisation can cover one), and neither is a clause
that covers no negative one (its specialisations explain less at a greater size). Only clauses
that are too general are refined. Then clingo chooses the theory of minimum description length:
its literals plus ``error_cost`` for every example it gets wrong, so that a few misperceived
cells do not force a wrong clause, and what it leaves unexplained is counted, never hidden.

Examples and clauses, and how a clause is refined, are :mod:`.clauses`; :mod:`.transitions`
derives examples from play. Kind constants are whatever names the transitions carry: the
learner never reads a name's meaning, so invented symbols work as well as the game's kind
names.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from symbolic.engine import PrologEngine, QueryLimits, RuleSet
from symbolic.errors import InductionError, LanguageError, QueryError
from symbolic.induction.clauses import (
    AnyOf,
    Clause,
    Example,
    estimate,
    most_general,
    refinements,
)
from symbolic.induction.language import Language
from symbolic.terms import Term, Var

__all__ = [
    "BACKGROUND_PATH",
    "InductionSettings",
    "Theory",
    "background_clauses",
    "coverage",
    "learn",
    "theory_text",
]

BACKGROUND_PATH = Path(__file__).with_name("background.pl")
BACKGROUND_NAME = "symbolic/induction/background.pl"


@dataclass(frozen=True)
class InductionSettings:
    """The learner's ceilings: its time, and how many candidate clauses it may hold (its
    memory); past either it stops and says so. ``max_unexplained`` is the share of examples a
    theory may get wrong (misperceived cells), and of transitions that may be no move at all,
    before the data count as explained by none."""

    seconds: float = 60.0
    max_candidates: int = 20_000
    max_unexplained: float = 0.25
    always_tolerated: int = 3  # so few wrong are misreads, however few the transitions

    def tolerated(self, total: int) -> float:
        """How many of ``total`` transitions (or examples) may be wrong: misreads of a
        perception that learned from one demonstration happen, a shuffled sequence is wrong
        about most of them."""
        return max(self.always_tolerated, self.max_unexplained * total)


@dataclass
class Theory:
    """What the learner learned, and from what."""

    clauses: dict[str, list[Clause]]  # head indicator -> chosen clauses
    language: Language
    examples: int  # transitions' worth of evidence (positive plus negative counts)
    unexplained: int  # of those, how many the theory gets wrong
    wrong: list[str]  # the atoms it gets wrong, "+blocks(door, [])" or "-kills(floor)"
    unidentified: list[str]  # atoms of seen kinds that no transition ever decided
    tested: int = 0  # candidate clauses tested
    pruned: int = 0  # specialisations never generated, by what failed
    seconds: float = 0.0
    stopped: str = ""  # why the search stopped early ("" if it ran to the end)
    given_clauses: int = 0  # of the shared background
    notes: list[str] = field(default_factory=list)

    @property
    def learned_clauses(self) -> int:
        return sum(len(c) for c in self.clauses.values())

    def rule_text(self, title: str = "", provenance: str = "") -> str:
        """An ordinary rule file: the learned clauses (a head with none is declared
        ``dynamic``), then the shared background they use, marked as given."""
        lines = [
            "/*  Rules learned from play by Neurocomp's rule learner"
            + (f" for {title}" if title else "")
            + ".",
            "",
            f"    Learned: {self.learned_clauses} clauses, from {self.examples} examples"
            + (f" ({provenance})" if provenance else "")
            + f"; {self.unexplained} left unexplained.",
            f"    Given: the shared background ({self.given_clauses} clauses, below) and the "
            "hypothesis language",
            f"    ({', '.join(self.language.describe()['heads'])}; body "
            f"{', '.join(self.language.describe()['body']) or 'none'}, at most "
            f"{self.language.max_body} literal(s)).",
        ]
        if self.stopped:
            lines.append(f"    The search stopped {self.stopped}.")
        if self.unidentified:
            lines.append("    Unidentified (no transition decided them; the clauses below")
            lines.append("    answer them by generalisation, or not at all):")
            lines += _wrap(", ".join(self.unidentified), "      ")
        lines += ["*/", "", theory_text(self.clauses)]
        return "\n".join(lines).rstrip() + "\n"


def theory_text(clauses: dict[str, list[Clause]]) -> str:
    """Clauses by head indicator as rule text (a head with none is declared ``dynamic``),
    then the shared background they use, marked as given."""
    lines = []
    for indicator, chosen in clauses.items():
        if not chosen:
            lines.append(f":- dynamic {indicator}.")
        lines += [f"{c.text()}." for c in chosen]
    lines += ["", f"%   -- given: the shared background ({BACKGROUND_NAME}) --", ""]
    lines.append(_background_body())
    return "\n".join(lines).rstrip() + "\n"


def _wrap(text: str, indent: str, width: int = 92) -> list[str]:
    out, line = [], indent
    for word in text.split(" "):
        if len(line) + len(word) + 1 > width and line.strip():
            out.append(line.rstrip())
            line = indent
        line += word + " "
    if line.strip():
        out.append(line.rstrip())
    return out


def _background_body() -> str:
    """The background file without its opening comment."""
    text = BACKGROUND_PATH.read_text(encoding="utf-8")
    end = text.find("*/")
    return text[end + 2 :].strip() if text.lstrip().startswith("/*") and end >= 0 else text


def background_clauses() -> int:
    """How many clauses the shared background holds (counted as given)."""
    rules = PrologEngine.get().load_rules(BACKGROUND_PATH, trusted=True)
    try:
        return rules.ledger.clauses
    finally:
        rules.close()


# -- testing them ------------------------------------------------------------------------------
def coverage(
    clauses: Sequence[Clause], examples: Sequence[Example], settings: InductionSettings
) -> list[set[int]]:
    """For each clause, the indices of the examples it covers: one query in SWI-Prolog with the
    shared background, every clause and every example loaded together."""
    lines = [_background_body()]
    lines += [f"lf_clause({i})." for i in range(len(clauses))]
    for i, c in enumerate(clauses):
        text = c.text()
        head, _, body = text.partition(" :- ")
        lines.append(f"lf_c({i}, {head})" + (f" :- {body}." if body else "."))
    lines += [f"lf_example({j}, {e.atom()})." for j, e in enumerate(examples)]
    lines.append("lf_cover(C, E) :- lf_example(E, H), lf_clause(C), once(lf_c(C, H)).")
    engine = PrologEngine.get()
    text = "\n".join(lines)
    rules: RuleSet = engine.load_rules(text=text, name="candidate clauses", trusted=True)
    try:
        rules.limits = QueryLimits(
            inferences=200 * (len(clauses) + 1) * (len(examples) + 1) + 1_000_000,
            seconds=max(1.0, settings.seconds),
        )
        pairs = rules.ask(Term("lf_cover", Var("C"), Var("E")), [Var("C"), Var("E")])
    finally:
        rules.close()
    covered: list[set[int]] = [set() for _ in clauses]
    for c, e in pairs:
        covered[int(c)].add(int(e))
    return covered


# -- choosing a theory -------------------------------------------------------------------------
def _choose(
    candidates: Sequence[Clause],
    covers: Sequence[set[int]],
    examples: Sequence[Example],
    language: Language,
    seconds: float,
    any_of: Sequence[tuple[list[int], int]] = (),
) -> tuple[list[int], bool]:
    """The candidates (indices) of minimum description length, by clingo; and whether clingo
    proved it optimal within ``seconds`` (if not, its best so far). Of theories equally
    long, the one with fewer constants: the more general."""
    import clingo

    facts = []
    for i, c in enumerate(candidates):
        facts.append(f"cand({i}). size({i},{c.size}). consts({i},{c.constants}).")
        facts += [f"cov({i},{j})." for j in sorted(covers[i])]
    for j, e in enumerate(examples):
        if e.positive:
            facts.append(f"pos({j},{e.positive * language.error_cost}).")
        if e.negative:
            facts.append(f"neg({j},{e.negative * language.error_cost}).")
    for d, (options, count) in enumerate(any_of):
        facts.append(f"anyof({d},{count * language.error_cost}).")
        facts += [f"opt({d},{j})." for j in options]
    program = f"""
{{ pick(C) : cand(C) }} {language.max_clauses}.
in(E) :- pick(C), cov(C,E).
:~ pick(C), size(C,S). [S@1,c,C]
:~ pick(C), consts(C,K). [K@0,k,C]
:~ pos(E,W), not in(E). [W@1,p,E]
:~ neg(E,W), in(E). [W@1,n,E]
sat(D) :- opt(D,J), in(J).
:~ anyof(D,W), not sat(D). [W@1,a,D]
#show pick/1.
"""
    ctl = clingo.Control(["--opt-mode=opt", "--warn=none"])
    ctl.add("base", [], "\n".join(facts) + program)
    ctl.ground([("base", [])])
    best: list[int] = []

    def on_model(model: clingo.Model) -> None:
        best[:] = [int(s.arguments[0].number) for s in model.symbols(shown=True)]

    with ctl.solve(on_model=on_model, async_=True) as handle:
        finished = handle.wait(max(0.1, seconds))
        if not finished:
            handle.cancel()
        result = handle.get()
    return sorted(best), bool(finished and result.exhausted)


# -- the whole search --------------------------------------------------------------------------
def learn(
    examples: Sequence[Example],
    language: Language,
    constants: dict[str, tuple[str, ...]],
    settings: InductionSettings = InductionSettings(),
    unidentified: Sequence[str] = (),
    any_of: Sequence[AnyOf] = (),
) -> Theory:
    """Learn a theory for every head of ``language`` from ``examples`` (and ``any_of``:
    examples that say one of some atoms holds); ``constants`` are the values of each argument
    type (``{"kind": ("wall", "key", ...)}``). Raises
    :class:`InductionError` when no theory in the language explains all but
    ``settings.max_unexplained`` of the examples."""
    t0 = time.perf_counter()
    constants = {**{t: tuple(v) for t, v in language.constants.items()}, **constants}
    allowed = estimate(language, constants)
    if allowed > settings.max_candidates:
        raise LanguageError(
            f"the language allows about {allowed:,} candidate clauses of one head over these "
            f"{sum(map(len, constants.values()))} constants, more than the learner's ceiling of "
            f"{settings.max_candidates:,}; lower max_body or max_vars"
        )
    theory = Theory({}, language, 0, 0, [], list(unidentified))
    total = sum(e.positive + e.negative for e in examples) + sum(d.count for d in any_of)
    theory.examples = total
    for head, types in language.heads.items():
        indicator = f"{head}/{len(types)}"
        mine = [e for e in examples if e.head == head]
        # the atoms an any-of example names are examples too (with no count of their own)
        index = {e.args: j for j, e in enumerate(mine)}
        options = []
        for d in (d for d in any_of if d.head == head):
            for args in d.options:
                if args not in index:
                    index[args] = len(mine)
                    mine.append(Example(head, args))
            options.append(([index[a] for a in d.options], d.count))
        if not any(e.positive for e in mine) and not options:
            theory.clauses[indicator] = []  # nothing ever held: no clause (closed world)
            continue
        hoped = {j for js, _ in options for j in js}
        kept, covers = _search(head, types, mine, language, constants, settings, t0, theory, hoped)
        remaining = settings.seconds - (time.perf_counter() - t0)
        chosen, optimal = _choose(kept, covers, mine, language, remaining, options)
        if not optimal and not theory.stopped:
            theory.stopped = f"at the time ceiling of {settings.seconds:g} s (best theory so far)"
        theory.clauses[indicator] = [kept[i] for i in chosen]
        covered = set().union(*(covers[i] for i in chosen)) if chosen else set()
        for j, e in enumerate(mine):
            if j in covered and e.negative:
                theory.unexplained += e.negative
                theory.wrong.append(f"-{e.atom()} ×{e.negative}")
            if j not in covered and e.positive:
                theory.unexplained += e.positive
                theory.wrong.append(f"+{e.atom()} ×{e.positive}")
        for (js, count), d in zip(options, (d for d in any_of if d.head == head), strict=True):
            if not covered & set(js):
                theory.unexplained += count
                theory.wrong.append(f"+({d.text()}) ×{count}")
    theory.seconds = time.perf_counter() - t0
    if total and theory.unexplained > settings.tolerated(total):
        raise InductionError(
            f"no theory in the language explains these transitions: the best leaves "
            f"{theory.unexplained} of {total} examples unexplained ({_share(theory)}); are the "
            "screens from this game, and in order?"
        )
    return theory


def _share(theory: Theory) -> str:
    return ", ".join(theory.wrong[:3]) + (", ..." if len(theory.wrong) > 3 else "")


def _search(
    head: str,
    types: Sequence[str],
    examples: Sequence[Example],
    language: Language,
    constants: dict[str, tuple[str, ...]],
    settings: InductionSettings,
    t0: float,
    theory: Theory,
    hoped: Collection[int] = frozenset(),  # examples an any-of example names
) -> tuple[list[Clause], list[set[int]]]:
    """Round by round from the most general clause: test a round, keep the clauses that cover
    a positive example, refine only those that also cover a negative one."""
    kept: list[Clause] = []
    covers: list[set[int]] = []
    seen: set[tuple[object, ...]] = set()
    frontier = [most_general(head, types, language)]
    seen.add(frontier[0].key())
    while frontier:
        if time.perf_counter() - t0 > settings.seconds:
            theory.stopped = f"at the time ceiling of {settings.seconds:g} s"
            break
        try:
            covered = coverage(frontier, examples, settings)
        except QueryError as e:
            raise InductionError(f"testing candidate clauses failed: {e}") from e
        theory.tested += len(frontier)
        nxt: list[Clause] = []
        for clause, cov in zip(frontier, covered, strict=True):
            pos = any(examples[j].positive or j in hoped for j in cov)
            neg = any(examples[j].negative for j in cov)
            if not pos:
                theory.pruned += 1  # no specialisation can cover a positive example
                continue
            if clause.callable_in(language.modes):  # else only its refinements may run
                kept.append(clause)
                covers.append(cov)
            if not neg:
                continue  # consistent: its specialisations explain less at a greater size
            for refined in refinements(clause, language, constants):
                if refined.key() not in seen and len(refined.variables()) <= language.max_vars:
                    seen.add(refined.key())
                    nxt.append(refined)
        frontier = nxt
    return kept, covers
