"""The Prolog layer against real SWI-Prolog: loading, checking, limits, injection, isolation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbolic import (
    QueryError,
    QueryLimitError,
    RuleFileError,
    RuleInterfaceError,
    RuleSyntaxError,
    Term,
    UndefinedPredicateError,
    UnsafeRuleError,
    Var,
)
from symbolic.reasoner import RULES_DIR
from symbolic.reasoners.grid import GridReasoner

INTERFACE = GridReasoner.questions


def test_packaged_rules_load_with_a_ledger(keydoor_rules):
    assert set(INTERFACE) <= set(keydoor_rules.predicates)
    ledger = keydoor_rules.ledger
    assert ledger.clauses == 8 and ledger.predicates == 7 and 8 <= ledger.lines <= 20


def test_ask_returns_solutions_as_json(keydoor_rules):
    found = keydoor_rules.ask(Term("blocks", Var("K"), []), Var("K"))
    assert sorted(found) == ["door", "wall"]
    assert keydoor_rules.ask(Term("blocks", "door", ["key"])) == []


def test_syntax_error_names_file_and_line(engine, tmp_path):
    path = tmp_path / "broken.pl"
    path.write_text("wins(goal).\n\nblocks(wall, _).\nkills(lava\ncollects(key).\n")
    with pytest.raises(RuleSyntaxError) as info:
        engine.load_rules(path)
    assert info.value.line in (4, 5) and str(path) in str(info.value)
    assert f"{path}:{info.value.line}" in str(info.value)


def test_undefined_predicate_in_a_body_is_caught_at_load(engine):
    with pytest.raises(RuleFileError, match="calls helper/1, which no clause defines"):
        engine.load_rules(text="wins(X) :- helper(X).\n")


def test_undefined_predicate_in_a_query(engine):
    rules = engine.load_rules(text="wins(goal).\n")
    with pytest.raises(UndefinedPredicateError, match="nothing/2"):
        rules.ask(Term("nothing", 1, 2))


def test_infinite_recursion_hits_the_limit_and_prolog_carries_on(engine):
    rules = engine.load_rules(text="loop(X) :- loop(X).\ngrow(N) :- grow(s(N)).\nok.\n")
    with pytest.raises(QueryLimitError, match="inferences"):
        rules.ask(Term("loop", 1))
    with pytest.raises(QueryLimitError):
        rules.ask(Term("grow", 0))
    assert rules.ask(Term("ok")) == ["ok"]


def test_time_limit_backs_up_the_inference_limit(engine):
    from symbolic import QueryLimits

    rules = engine.load_rules(text="spin :- spin.\n")
    rules.limits = QueryLimits(inferences=10**15, seconds=0.2)
    with pytest.raises(QueryLimitError, match="time"):
        rules.ask(Term("spin"))


@pytest.mark.parametrize(
    "payload", ["a), halt, (b", "'; shell('ls')", "x'), shell(ls), ('", "\\", "é\n\t"]
)
def test_data_that_looks_like_code_is_inert(keydoor_rules, payload):
    assert keydoor_rules.ask(Term("kills", payload)) == []
    assert keydoor_rules.ask(Term("=", Var("X"), payload), Var("X")) == [payload]
    assert keydoor_rules.ask(Term("kills", "lava")) != []  # still alive and answering


PASSABLE = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00").filter(
    lambda ch: not 0xD8000 <= ord(ch) <= 0xDFFFF
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=PASSABLE))
def test_any_text_round_trips_exactly(keydoor_rules, text):
    assert keydoor_rules.ask(Term("=", Var("X"), text), Var("X")) == [text]


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "\U000d8000"])
def test_text_prolog_cannot_read_is_refused_in_python(keydoor_rules, text):
    with pytest.raises(ValueError, match="cannot be passed to Prolog"):
        keydoor_rules.ask(Term("kills", text))
    assert keydoor_rules.ask(Term("kills", "lava")) == [{"functor": "kills", "args": ["lava"]}]


def test_two_rule_sets_stay_isolated(engine):
    a = engine.load_rules(text="kills(lava).\nonly_a.\n")
    b = engine.load_rules(text="kills(water).\n")
    assert a.ask(Term("kills", Var("K")), Var("K")) == ["lava"]
    assert b.ask(Term("kills", Var("K")), Var("K")) == ["water"]
    with pytest.raises(UndefinedPredicateError):
        b.ask(Term("only_a"))


def test_rules_do_not_see_user_module(engine):
    engine._run("assertz(user:secret(42))")
    rules = engine.load_rules(text=":- dynamic secret/1.\n")
    assert rules.ask(Term("secret", Var("X")), Var("X")) == []


@pytest.mark.parametrize(
    "text, match",
    [
        ("wins(X) :- shell(ls), X = goal.\n", "shell"),
        ("wins(goal) :- halt.\n", "halt"),
        (":- initialization(shell(ls)).\n", "directive"),
        (":- use_module(library(process)).\n", "directive"),
        (":- use_module(library(filesex)).\n", "only dynamic, discontiguous and use_module"),
        (":- use_module('/tmp/evil.pl').\n", "directive"),
        (":- use_module(library(clpfd)).\n:- use_module(library(process)).\n", "directive"),
        (":- use_module(library(lists)).\nwins(X) :- member(X, [a]), shell(ls).\n", "shell"),
        ("wins(X) :- open('/tmp/f', write, X).\n", "open"),
        ("wins(X) :- read(X).\n", "read"),
        ("wins(G) :- call(G).\n", "run time"),
        ("wins(X) :- G =.. [shell, X], call(G).\n", "run time"),
        ("wins(goal) :- assertz((x :- shell(ls))).\n", "assert"),
        ("atom(x).\n", "built-in"),
        ("term_expansion(a, b).\n", "hook"),
        ("user:wins(goal).\n", "module-qualified"),
        ("said --> [a], { shell(ls) }.\n", "shell"),
        ("?- shell(ls).\n", "queries"),
        ("wins(goal) :- sleep(100).\n", "sleep"),
    ],
)
def test_unsafe_rules_are_rejected_before_running(engine, text, match):
    with pytest.raises(UnsafeRuleError, match=match):
        engine.load_rules(text=text)


def test_grammar_rules_are_read_as_the_clauses_they_stand_for(engine):
    rules = engine.load_rules(text="said(go(X)) --> [go, to], [X].\n")
    goal = Term("phrase", Term("said", Var("G")), ["go", "to", "door"])
    assert rules.ask(goal, Var("G")) == [{"functor": "go", "args": ["door"]}]


def test_rejected_file_had_no_side_effects(engine, tmp_path):
    marker = tmp_path / "marker"
    rule = tmp_path / "evil.pl"
    rule.write_text(f"wins(goal).\n:- initialization(open('{marker}', write, _)).\n")
    with pytest.raises(UnsafeRuleError, match=r"evil.pl:2"):
        engine.load_rules(rule)
    assert not marker.exists()


def test_missing_interface_predicate(engine):
    with pytest.raises(RuleInterfaceError, match="collects/1, wins/1"):
        engine.load_rules(text="blocks(wall, _).\nkills(lava).\n", required=INTERFACE)


def test_missing_file_and_directory(engine, tmp_path):
    with pytest.raises(RuleFileError, match="does not exist"):
        engine.load_rules(tmp_path / "nope.pl")
    with pytest.raises(RuleFileError, match="is a directory"):
        engine.load_rules(tmp_path)


def test_pure_libraries_may_be_used_and_stay_sandboxed(engine):
    rules = engine.load_rules(
        text=(
            ":- use_module(library(clpfd)).\n"
            ":- use_module(library(clpb)).\n"
            ":- use_module(library(lists), [member/2]).\n"
            ":- use_module(library(aggregate)).\n"
            "near(R-C, R1-C1) :- [R1, C1] ins 0..2, abs(R1 - R) + abs(C1 - C) #=< 1,\n"
            "    label([R1, C1]).\n"
            "xor(X, Y) :- sat(X # Y), labeling([X, Y]).\n"
            "count(N) :- aggregate_all(count, member(_, [a, b, c]), N).\n"
        )
    )
    assert rules.ledger.clauses == 3  # directives are not clauses
    near = rules.ask(Term("near", Term("-", 0, 0), Var("P")), Var("P"))
    assert sorted((p["args"][0], p["args"][1]) for p in near) == [(0, 0), (0, 1), (1, 0)]
    assert rules.ask(Term("xor", Var("X"), Var("Y")), [Var("X"), Var("Y")]) == [[0, 1], [1, 0]]
    assert rules.ask(Term("count", Var("N")), Var("N")) == [3]


def test_library_operators_need_the_library(engine, tmp_path):
    path = tmp_path / "ops.pl"
    path.write_text("near(X, Y) :- X #= Y + 1.\n")
    with pytest.raises(RuleSyntaxError) as info:
        engine.load_rules(path)
    assert info.value.line == 1


def test_a_library_in_one_rule_set_stays_out_of_another(engine):
    engine.load_rules(text=":- use_module(library(clpfd)).\nok(X) :- X #= 1.\n")
    with pytest.raises(RuleSyntaxError):
        engine.load_rules(text="ok(X) :- X #= 1.\n")


# -- rule sets stay closed: no goal may name another module ------------------------------------
@pytest.fixture(scope="module")
def owner(engine):
    """A rule set holding a secret, and a predicate of `user` that rules must not reach."""
    engine._run("assertz(user:nc_user_secret(7))")
    return engine.load_rules(text="secret_a(42).\n")


def test_a_rule_set_cannot_read_another_by_naming_its_module(engine, owner):
    assert owner.ask(Term("secret_a", Var("X")), Var("X")) == [42]
    with pytest.raises(UnsafeRuleError, match=f"<rules>:2: `{owner.module}:secret_a\\(A\\)`"):
        # Loaded before the fix, this answered [42]: one rule set read another's clauses.
        thief = engine.load_rules(text=f"ok.\nleak(X) :- {owner.module}:secret_a(X).\n")
        assert thief.ask(Term("leak", Var("X")), Var("X")) == [], "read another rule set"


CROSSINGS = [
    "leak(X) :- {m}:secret_a(X).",
    "leak(X) :- call({m}:secret_a, X).",
    "leak(L) :- findall(X, {m}:secret_a(X), L).",
    "leak(N) :- aggregate_all(count, {m}:secret_a(_), N).",
    "leak(X) :- @(call(secret_a(X)), {m}).",
    "leak(X) :- user:nc_user_secret(X).",
    # Allowed libraries, used to smuggle a goal: clpfd and pairs see `user`.
    "leak(X) :- clpfd:call(nc_user_secret(X)).",
    "leak(K) :- pairs:map_list_to_pairs(nc_user_secret, [x], K).",
    "leak(X) :- M = {m}, M:secret_a(X).",
    "leak(X) :- M:secret_a(X).",
    "meeting(10:30).",  # data is refused too: call/N would turn it into a goal
]


@pytest.mark.parametrize("trusted", [False, True], ids=["sandboxed", "trusted"])
@pytest.mark.parametrize("rule", CROSSINGS)
def test_goals_that_name_a_module_are_refused(engine, owner, rule, trusted):
    with pytest.raises(UnsafeRuleError, match=r"^<rules>:1: `.*` names a module.*write a pair"):
        engine.load_rules(text=rule.format(m=owner.module) + "\n", trusted=trusted)


def test_exported_library_predicates_may_be_qualified(engine):
    rules = engine.load_rules(
        text=(
            ":- use_module(library(pairs)).\n"
            "first(X) :- lists:member(X, [a, b]).\n"
            "keyed(K) :- map_list_to_pairs(atom_length, [ab], K).\n"
        )
    )
    assert rules.ask(Term("first", Var("X")), Var("X")) == ["a", "b"]
    keyed = rules.ask(Term("keyed", Var("K")), Var("K"))
    assert keyed == [[{"functor": "-", "args": [2, "ab"]}]]


def test_a_query_cannot_reach_another_rule_set(engine, owner):
    asker = engine.load_rules(text="wins(goal).\nblocks(wall, _).\nkills(lava).\nc(key).\n")
    secret = Term(":", owner.module, Term("secret_a", Var("X")))
    for goal in (
        secret,
        Term("findall", Var("X"), secret, Var("L")),
        Term("@", Term("call", Term("secret_a", Var("X"))), owner.module),
        Term("@", Term("call", Term("nc_user_secret", Var("X"))), "user"),
    ):
        with pytest.raises(QueryError, match="a query may not name a module"):
            asker.ask(goal, Var("X"))
    qualified = Term(":", owner.module, "secret_a")
    with pytest.raises(QueryError, match="Type error"):
        asker.semantics(["goal"], [], ["wins/1"], collect=qualified)
    with pytest.raises(QueryError, match="Type error"):
        asker.plan(1, [0, 0], ["floor"], (0, 0), [], ("blocks", "kills", "c", qualified))
    assert asker.ask(Term("wins", Var("K")), Var("K")) == ["goal"]  # still answering


# -- rules are pure: the reasoners keep the answers they get -----------------------------------
IMPURE = [
    ("bump :- assertz(c(1)).", "assertz"),
    ("bump :- asserta(c(1)).", "asserta"),
    ("bump :- assert(c(1)).", "assert"),
    ("bump :- retract(c(1)).", "retract"),
    ("bump :- retractall(c(_)).", "retractall"),
    ("bump :- forall(member(X, [1]), assertz(c(X))).", "assertz"),
    ("bump(V) :- freeze(V, assertz(c(V))).", "assertz"),
    ("bump :- call(assertz, c(1)).", "assertz"),
    ("bump :- call(assertz(c), 1).", "assertz"),
    ("bump :- maplist(assertz, [c(1)]).", "assertz"),
    ("bump :- G = assertz(c(1)), call(G).", "assertz"),
    ("bump :- F = assertz, G =.. [F, c(1)], call(G).", "assertz"),
    ("bump :- nb_setval(k, 1).", "nb_setval"),
    ("bump(X) :- flag(k, X, X + 1).", "flag/3"),
    ("bump :- set_prolog_flag(occurs_check, true).", "set_prolog_flag"),
    ("bump :- set_prolog_stack(global, limit(100000)).", "set_prolog_stack"),
    ("roll(X) :- random_between(1, 6, X).", "random_between"),
    ("roll(X) :- X is random(6).", "random"),
    ("roll(X) :- X is random_float.", "random_float"),
    ("now(T) :- get_time(T).", "get_time"),
]


@pytest.mark.parametrize("trusted", [False, True], ids=["sandboxed", "trusted"])
@pytest.mark.parametrize("rule, name", IMPURE, ids=[r for r, _ in IMPURE])
def test_rules_that_change_state_or_vary_are_refused(engine, rule, name, trusted):
    text = f":- dynamic c/1.\n{rule}\n"
    with pytest.raises(UnsafeRuleError, match=rf"^<rules>:2: calls {name}, which .* must be pure"):
        engine.load_rules(text=text, trusted=trusted)


def test_a_goal_built_at_run_time_cannot_assert(engine):
    text = ':- dynamic c/1.\nbump :- atom_codes(F, "assertz"), G =.. [F, c(1)], call(G).\n'
    with pytest.raises(UnsafeRuleError, match="<rules>:2: calls a goal that is only known at run"):
        engine.load_rules(text=text)


def test_dynamic_declarations_and_data_named_like_state_are_fine(engine):
    rules = engine.load_rules(text=":- dynamic blocks/2.\nwins(flag).\nkinds([assert, flag]).\n")
    assert rules.ask(Term("blocks", Var("K"), []), Var("K")) == []
    assert rules.ask(Term("wins", Var("K")), Var("K")) == ["flag"]


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.pl")), ids=lambda p: p.name)
def test_every_packaged_rule_file_passes_the_checks(engine, path):
    assert engine.load_rules(path).ledger.clauses > 0
