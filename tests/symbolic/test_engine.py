"""The Prolog layer against real SWI-Prolog: loading, checking, limits, injection, isolation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbolic import (
    QueryLimitError,
    RuleFileError,
    RuleInterfaceError,
    RuleSyntaxError,
    Term,
    UndefinedPredicateError,
    UnsafeRuleError,
    Var,
)
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
        ("wins --> [goal].\n", "grammar"),
        ("?- shell(ls).\n", "queries"),
        ("wins(goal) :- sleep(100).\n", "sleep"),
    ],
)
def test_unsafe_rules_are_rejected_before_running(engine, text, match):
    with pytest.raises(UnsafeRuleError, match=match):
        engine.load_rules(text=text)


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
