/*  Neurocomp's bridge between Python and the rule sets.

    Python calls only the exported predicates below, each with values quoted by
    symbolic/terms.py, and gets back one JSON atom per call: {"ok": true, ...} or
    {"ok": false, "error": Kind, "message": Text, "line": Line}.

    Rule files are never consulted. nc_load/4 reads them term by term (nothing runs), rejects
    anything but plain clauses, dynamic/discontiguous declarations and use_module of a short
    list of pure libraries, asserts the clauses into a fresh module that does not see `user`,
    and -- for untrusted files -- proves every clause body safe with library(sandbox) before
    any of it can be called.

    Two rules hold for every file, trusted or not, because the sandbox does not enforce them:
    a rule set is closed (no Module:Goal or Goal@Module naming any module but an allowed
    library, so it cannot read another rule set or `user`; queries are held to the same), and
    it is pure (nothing that changes what a later query sees, such as assertz or a global
    flag, nor answers that change from call to call, such as random numbers): the reasoners
    keep the answers they get.
*/
:- module(nc_bridge,
          [ nc_load/4,          % +Module, +Source, +Check, -Json
            nc_drop/1,          % +Module
            nc_ask/5,           % +Module, +Goal, +Template, +Limits, -Json
            nc_semantics/7,     % +Module, +Kinds, +Inventory, +Questions, +Collect, +Limits, -Reply
            nc_plan/9           % +Module, +Width, +Cells, +Legend, +Start, +Inventory, +Roles, +Limits, -Json
          ]).
:- use_module(library(sandbox)).
:- use_module(library(time)).
:- use_module(library(http/json)).
:- use_module(library(assoc)).
:- use_module(library(lists)).
:- use_module(library(apply)).
:- use_module(library(error)).

%  Predicates a rule file may not define: they would change how Prolog itself behaves.
hook(term_expansion/2).  hook(term_expansion/4).  hook(goal_expansion/2).
hook(goal_expansion/4).  hook(portray/1).         hook(message_hook/3).
hook(prolog_load_file/2). hook(exception/3).      hook(prolog_exception_hook/4).
hook(prolog_exception_hook/5). hook(expand_query/4). hook(expand_answer/2).

%  Libraries a rule file may load: pure, side-effect-free, still checked by the sandbox.
pure_library(clpfd).   pure_library(clpb).    pure_library(lists).  pure_library(apply).
pure_library(aggregate). pure_library(assoc). pure_library(pairs).  pure_library(ordsets).

reply(Dict, Json) :- atom_json_dict(Json, Dict, [width(0)]).

		 /*******************************
		 *            LOADING           *
		 *******************************/

%!  nc_load(+Module, +Source, +Check, -Json)
%   Source is file(Path) or text(String). Check is true for untrusted rules.
nc_load(M, Source, Check, Json) :-
    catch(load_checked(M, Source, Check, Reply), E, (nc_drop(M), error_reply(E, Reply))),
    reply(Reply, Json).

load_checked(M, Source, Check, _{ok:true, clauses:N, predicates:Ps}) :-
    (   current_module(M) -> throw(nc_reject(0, module_exists, M)) ; true ),
    set_module(M:base(system)),
    setup_call_cleanup(open_source(Source, S), read_clauses(S, M, Cs), close(S)),
    forall(member(c(L, T), Cs), catch(add_term(M, T), E, throw(nc_at(L, E)))),
    (   Check == true -> forall(member(c(L, T), Cs), check_safe(M, L, T)) ; true ),
    findall(S1, (defined(M, Cs, PI), term_string(PI, S1)), Ps0),
    sort(Ps0, Ps),
    aggregate_all(count, (member(c(_, T), Cs), T \= (:- _)), N).

open_source(file(Path), S) :- open(Path, read, S, [encoding(utf8)]).
open_source(text(Text), S) :- open_string(Text, S).

%   Terms are read in the rule set's module, so that the operators of a library loaded by an
%   earlier use_module directive (clpfd's #=, ...) are known to the clauses after it. Each term
%   is checked as soon as it is read; an allowed library is loaded at once.
read_clauses(S, M, Cs) :-
    read_term(S, T, [syntax_errors(error), term_position(P), module(M)]),
    (   T == end_of_file
    ->  Cs = []
    ;   stream_position_data(line_count, P, L),
        grammar_rule(L, T, T1),
        check_term(c(L, T1)),
        load_library(M, L, T1),
        Cs = [c(L, T1)|Rest],
        read_clauses(S, M, Rest)
    ).

%   A grammar rule (Head --> Body, a DCG) is read as the clause it stands for, and then
%   checked like any other.
grammar_rule(L, T, C) :-
    (   nonvar(T), T = (_ --> _)
    ->  catch(dcg_translate_rule(T, C), E, throw(nc_at(L, E)))
    ;   C = T
    ).

load_library(M, L, (:- D)) :- nonvar(D), library_directive(D, Lib), !,
    catch(@(use_module(library(Lib)), M), E, throw(nc_at(L, E))).
load_library(_, _, _).

library_directive(use_module(Spec), Lib) :- library_spec(Spec, Lib).
library_directive(use_module(Spec, Imports), Lib) :- is_list(Imports), library_spec(Spec, Lib).

library_spec(Spec, Lib) :- nonvar(Spec), Spec = library(Lib), atom(Lib).

check_term(c(L, T)) :-
    (   var(T) -> throw(nc_reject(L, not_a_clause, 'a clause cannot be a variable'))
    ;   T = (:- D) -> check_directive(L, D)
    ;   T = (?- _) -> throw(nc_reject(L, directive, 'queries (?- ...) are not allowed'))
    ;   T = (H :- B) -> check_head(L, H), check_pure(L, B)
    ;   check_head(L, T)
    ),
    check_closed(L, T).

check_directive(L, D) :-
    (   var(D) -> throw(nc_reject(L, directive, 'a directive cannot be a variable'))
    ;   D =.. [F, Spec], memberchk(F, [dynamic, discontiguous])
    ->  forall(spec_member(Spec, PI), check_pi(L, PI))
    ;   library_directive(D, Lib), pure_library(Lib)
    ->  true
    ;   term_string(D, S),
        findall(X, pure_library(X), Xs), atomic_list_concat(Xs, ', ', Libs),
        format(atom(Msg), 'directive `:- ~w` is not allowed (only dynamic, discontiguous and use_module(library(X)) for X in ~w)', [S, Libs]),
        throw(nc_reject(L, directive, Msg))
    ).

spec_member(Spec, _) :- var(Spec), !, fail.
spec_member((A, B), PI) :- !, ( spec_member(A, PI) ; spec_member(B, PI) ).
spec_member([H|T], PI) :- !, ( spec_member(H, PI) ; spec_member(T, PI) ).
spec_member([], _) :- !, fail.
spec_member(PI, PI).

check_pi(L, PI) :-
    (   PI = N/A, atom(N), integer(A), A >= 0
    ->  functor(H, N, A), check_head(L, H)
    ;   term_string(PI, S),
        format(atom(Msg), '`~w` is not a Name/Arity predicate indicator', [S]),
        throw(nc_reject(L, directive, Msg))
    ).

check_head(L, H) :-
    (   var(H) -> throw(nc_reject(L, head, 'a clause head cannot be a variable'))
    ;   H = _:_ -> throw(nc_reject(L, head, 'module-qualified clause heads are not allowed'))
    ;   \+ callable(H) -> throw(nc_reject(L, head, 'a clause head must be an atom or compound'))
    ;   functor(H, N, A), hook(N/A)
    ->  format(atom(Msg), '~w/~w is a Prolog hook and may not be defined in a rule file', [N, A]),
        throw(nc_reject(L, head, Msg))
    ;   functor(H, N, A), functor(G, N, A),
        ( predicate_property(system:G, built_in) ; predicate_property(system:G, iso) )
    ->  format(atom(Msg), '~w/~w is a built-in predicate and cannot be redefined', [N, A]),
        throw(nc_reject(L, head, Msg))
    ;   true
    ).

%   A rule set reaches only its own predicates and what the allowed libraries export: a module
%   named in a goal (nc_rs_9:secret(X), user:G, G@M) would let one rule set read another's
%   clauses. Any such term is refused wherever it stands: a term that is only data becomes a
%   goal as soon as it is passed to call/N.
check_closed(L, T) :-
    (   foreign_module(T, S)
    ->  copy_term(S, S1), numbervars(S1, 0, _),
        findall(X, pure_library(X), Xs), atomic_list_concat(Xs, ', ', Libs),
        format(atom(Msg), '`~W` names a module, which could reach past this rule set; call predicates unqualified (a rule may use its own and those the libraries ~w export) and write a pair of values as A-B', [S1, [quoted(true), numbervars(true)], Libs]),
        throw(nc_reject(L, module, Msg))
    ;   true
    ).

%   foreign_module(+Term, -Sub): Sub, a subterm of Term, is a goal qualified with a module
%   (or a context module, G@M) that may reach past the rule set.
foreign_module(T, S) :-
    sub_term(S, T), compound(S),
    (   S = @(_, _) -> true
    ;   S = M:G, \+ library_goal(M, G)
    ),
    !.

%   Lib:Goal may call a plain predicate that an allowed library exports; not a meta-predicate,
%   whose goal arguments would then be resolved in the library, and some libraries (clpfd,
%   pairs, ordsets) see `user`.
library_goal(M, G) :-
    atom(M), pure_library(M), callable(G),
    functor(G, N, A),
    module_property(M, exports(Es)), memberchk(N/A, Es),
    \+ predicate_property(M:G, meta_predicate(_)).

%   The reasoners keep the answers they get, so a rule set must answer the same question the
%   same way every time: no goal that changes what later queries see, none whose answer
%   varies between calls. A name of changes/1 is matched anywhere in a body, as an atom or a
%   compound of any arity, so a closure (maplist(assertz, Cs), call(assertz(c), X)) is caught
%   too; a goal built at run time is refused by the sandbox, which cannot check call/N on a
%   variable. The names of varies/1 are matched as compounds, those of varies_atom/1 (used
%   in arithmetic) as atoms, and flag/3 as itself, so that data may be called random or flag.
check_pure(L, B) :-
    (   sub_term(S, B), impure(S, Name, Why)
    ->  format(atom(Msg), 'calls ~w, which ~w; the reasoners keep the answers they get, so rules must be pure: write what holds as facts and rules', [Name, Why]),
        throw(nc_reject(L, impure, Msg))
    ;   true
    ).

impure(S, Name, 'changes what later queries see') :-
    (   atom(S) -> Name = S ; compound(S), compound_name_arity(S, Name, _) ),
    changes(Name), !.
impure(S, flag/3, 'changes what later queries see') :-
    compound(S), compound_name_arity(S, flag, 3), !.
impure(S, Name, 'answers differently from call to call') :-
    (   atom(S) -> varies_atom(S), Name = S
    ;   compound(S), compound_name_arity(S, Name, _), varies(Name)
    ), !.

changes(assert).        changes(asserta).          changes(assertz).
changes(retract).       changes(retractall).       changes(abolish).
changes(erase).         changes(recorda).          changes(recordz).
changes(nb_setval).     changes(b_setval).         changes(nb_linkval).
changes(set_prolog_flag). changes(set_prolog_stack). changes(compile_predicates).
changes(abolish_all_tables). changes(abolish_private_tables).
changes(abolish_shared_tables). changes(abolish_module_tables).
changes(abolish_table_subgoals).

varies(random).         varies(random_between).    varies(random_member).
varies(random_select).  varies(random_subseq).     varies(random_permutation).
varies(random_numlist). varies(set_random).        varies(setrand).
varies(get_time).       varies(statistics).

varies_atom(random_float). varies_atom(cputime). varies_atom(realtime).

add_term(_, (:- D)) :- library_directive(D, _), !.  % loaded while reading
add_term(M, (:- D)) :- !, D =.. [F, Spec], forall(spec_member(Spec, PI), add_decl(F, M, PI)).
add_term(M, T) :- assertz(M:T).

add_decl(dynamic, M, PI) :- dynamic(M:PI).
add_decl(discontiguous, _, _).

check_safe(_, _, (:- _)) :- !.
check_safe(M, L, T) :-
    (   T = (_ :- B) -> true ; B = true ),
    catch(safe_goal(M:B), E, throw(nc_at(L, E))),
    no_blocking_call(L, B).

check_safe(_, L, _) :-  % reached only when safe_goal/1 failed without an error
    throw(nc_reject(L, unsafe, 'this clause could not be proven safe')).

%   Prolog runs embedded without signal handling, so a time limit cannot interrupt a goal
%   that blocks in C. library(sandbox) allows sleep/1; rules have no use for it.
no_blocking_call(L, B) :-
    (   sub_term(S, B), compound(S), compound_name_arity(S, sleep, 1)
    ->  throw(nc_reject(L, unsafe, 'calls sleep/1, which is not allowed in a rule file'))
    ;   true
    ).

defined(M, Cs, N/A) :-
    member(c(_, T), Cs),
    (   T = (:- D) -> D =.. [_, Spec], spec_member(Spec, N/A)
    ;   ( T = (H :- _) -> true ; H = T ), functor(H, N, A)
    ),
    functor(G, N, A), current_predicate(_, M:G).

%!  nc_drop(+Module): forget every clause of a rule set.
nc_drop(M) :-
    (   current_module(M)
    ->  forall(( current_predicate(M:N/A), functor(H, N, A),
                 \+ predicate_property(M:H, imported_from(_)) ),
               abolish(M:N/A))
    ;   true
    ).

		 /*******************************
		 *            QUERIES           *
		 *******************************/

%   Every goal from Python runs under an inference and a time limit.
%   Output is captured so that rules which print cannot garble the caller's stdout.
limited(G, limits(Inferences, Seconds)) :-
    with_output_to(string(_),
                   call_with_time_limit(Seconds, call_with_inference_limit(G, Inferences, R))),
    (   R == inference_limit_exceeded -> throw(nc_limit(inferences, Inferences)) ; true ).

%!  nc_ask(+Module, +Goal, +Template, +Limits, -Json)
%   All solutions of Module:Goal as Template terms, converted to JSON.
nc_ask(M, Goal, Template, Limits, Json) :-
    catch(( closed_query(Goal),
            limited(findall(Template, M:Goal, Sols), Limits),
            maplist(to_json, Sols, Js),
            Reply = _{ok:true, solutions:Js} ),
          E, error_reply(E, Reply)),
    reply(Reply, Json).

%   A query runs in its rule set only, as the rules themselves do (see check_closed/2).
closed_query(Goal) :-
    (   foreign_module(Goal, S)
    ->  copy_term(S, S1), numbervars(S1, 0, _),
        format(atom(Msg), 'a query may not name a module (`~W`): it runs in its own rule set', [S1, [quoted(true), numbervars(true)]]),
        throw(nc_reject(0, module, Msg))
    ;   true
    ).

%   Names of the rule set's predicates must be atoms: a qualified name (M:Name) would reach
%   past the rule set when called.
plain_names(Names) :- maplist(must_be(atom), Names).

%!  nc_semantics(+Module, +Kinds, +Inventory, +Questions, +Collect, +Limits, -Reply)
%   Which Questions hold of each kind, under every inventory reachable by collecting kinds on
%   the grid. Questions is a list of Name/Arity: arity 1 asks Name(Kind), arity 2 asks
%   Name(Kind, Inventory). Collect names the question that says a kind is picked up ('' for
%   none). This runs once per decision, so its reply is compact text rather than JSON: `ok`
%   followed by one ` Flags/Held` group per inventory, where Flags has one decimal number per
%   kind, comma-separated, in the order of Kinds (bit I: question I holds), and Held lists the
%   held kinds as comma-separated positions in Kinds. Every held kind must be in Kinds.
nc_semantics(M, Kinds, Inv0, Questions, Collect, Limits, Reply) :-
    catch(( findall(N, member(N/_, Questions), Names),
            plain_names([Collect|Names]),
            limited(semantics(M, Kinds, Inv0, Questions, Collect, Groups), Limits),
            atomic_list_concat([ok|Groups], ' ', Reply) ),
          E, ( error_reply(E, D), reply(D, Reply) )).

semantics(M, Kinds, Inv0, Questions, Collect, Groups) :-
    (   Collect == '' -> Cs0 = [] ; include(holds1(M, Collect), Kinds, Cs0) ),
    subtract(Cs0, Inv0, Cs),
    findall(Inv, ( sub_set(Cs, Sub), append(Inv0, Sub, I0), msort(I0, Inv) ), Invs),
    findall(G, ( member(Inv, Invs), kind_flags(M, Kinds, Inv, Questions, G) ), Groups).

kind_flags(M, Kinds, Inv, Questions, Group) :-
    findall(F, ( member(K, Kinds), flags(M, K, Inv, Questions, F) ), Fs),
    findall(I, ( member(K, Inv), nth0(I, Kinds, K) ), Is),
    atomic_list_concat(Is, ',', Held),
    atomic_list_concat(Fs, ',', Flags),
    atomic_list_concat([Flags, Held], '/', Group).

flags(M, K, Inv, Questions, F) :-
    aggregate_all(sum(B),
                  ( nth0(I, Questions, Q), holds(M, Q, K, Inv), B is 1 << I ),
                  F).

holds(M, Name/1, K, _) :- holds1(M, Name, K).
holds(M, Name/2, K, Inv) :- once(call(M:Name, K, Inv)).

holds1(M, Name, K) :- once(call(M:Name, K)).

sub_set([], []).
sub_set([X|Xs], [X|Ys]) :- sub_set(Xs, Ys).
sub_set([_|Xs], Ys) :- sub_set(Xs, Ys).

%!  nc_plan(+Module, +Width, +Cells, +Legend, +Start, +Inventory, +Roles, +Limits, -Json)
%   Breadth-first search in Prolog over (row, column, inventory) with the rule set's semantics.
%   Cells lists one kind per cell, row-major, as positions in Legend (any number of kinds).
%   Roles is roles(Blocks, Kills, Collects, Wins): the names of the rule set's predicates that
%   say what blocks (Kind, Inventory), kills, is collected and wins (Kind).
%   Replies {"ok": true, "plan": "ESSW"} or {"ok": true, "plan": null} when nothing wins.
nc_plan(M, W, Cells, Legend, R0-C0, Inv0, Roles, Limits, Json) :-
    catch(( Roles =.. [roles|Names], plain_names(Names),
            limited(plan(M, W, Cells, Legend, R0-C0, Inv0, Roles, Plan), Limits),
            Reply = _{ok:true, plan:Plan} ),
          E, error_reply(E, Reply)),
    reply(Reply, Json).

plan(M, W, Cells, Legend, R0-C0, Inv0, Roles, Plan) :-
    maplist(legend_kind(Legend), Cells, Kinds),
    Grid =.. [grid|Kinds],
    length(Kinds, Size), H is Size // W,
    msort(Inv0, Inv),
    S0 = s(R0, C0, Inv),
    list_to_assoc([S0-start], Seen0),
    (   bfs([S0], [], Seen0, ctx(M, H, W, Grid, Roles), Goal, Seen)
    ->  unwind(Goal, Seen, [], Moves), atomic_list_concat(Moves, Plan)
    ;   Plan = null
    ).

legend_kind(Legend, I, Kind) :- nth0(I, Legend, Kind).

bfs([], [], _, _, _, _) :- !, fail.
bfs([], Back, Seen, Ctx, Goal, SeenOut) :- !,
    reverse(Back, Front),
    bfs(Front, [], Seen, Ctx, Goal, SeenOut).
bfs([S|Front], Back0, Seen0, Ctx, Goal, SeenOut) :-
    findall(A-S1-K, move(Ctx, S, A, S1, K), Succs),
    expand(Succs, S, Ctx, Seen0, Seen1, Back0, Back1, Found),
    (   nonvar(Found)
    ->  Goal = Found, SeenOut = Seen1
    ;   bfs(Front, Back1, Seen1, Ctx, Goal, SeenOut)
    ).

expand([], _, _, Seen, Seen, Back, Back, _).
expand([A-S1-K|T], S, Ctx, Seen0, Seen, Back0, Back, Found) :-
    (   get_assoc(S1, Seen0, _)
    ->  expand(T, S, Ctx, Seen0, Seen, Back0, Back, Found)
    ;   put_assoc(S1, Seen0, S-A, Seen1),
        Ctx = ctx(M, _, _, _, roles(_, _, _, Wins)),
        (   once(call(M:Wins, K))
        ->  Found = S1, Seen = Seen1, Back = Back0
        ;   expand(T, S, Ctx, Seen1, Seen, [S1|Back0], Back, Found)
        )
    ).

delta('N', -1, 0).
delta('E', 0, 1).
delta('S', 1, 0).
delta('W', 0, -1).

move(ctx(M, H, W, Grid, roles(Blocks, Kills, Collects, _)), s(R, C, Inv), A, s(R1, C1, Inv1), K) :-
    delta(A, DR, DC),
    R1 is R + DR, C1 is C + DC,
    R1 >= 0, R1 < H, C1 >= 0, C1 < W,
    I is R1 * W + C1 + 1,
    arg(I, Grid, K),
    \+ call(M:Blocks, K, Inv),
    \+ call(M:Kills, K),
    (   once(call(M:Collects, K)), \+ memberchk(K, Inv)
    ->  msort([K|Inv], Inv1)
    ;   Inv1 = Inv
    ).

unwind(S, Seen, Acc, Moves) :-
    get_assoc(S, Seen, V),
    (   V == start -> Moves = Acc
    ;   V = P-A, unwind(P, Seen, [A|Acc], Moves)
    ).

		 /*******************************
		 *        VALUES AND ERRORS     *
		 *******************************/

to_json(T, null) :- var(T), !.
to_json(T, T) :- number(T), !.
to_json(T, T) :- string(T), !.
to_json(T, S) :- atom(T), !, atom_string(T, S).
to_json(T, L) :- is_list(T), !, maplist(to_json, T, L).
to_json(T, _{functor:N, args:As}) :-
    compound_name_arguments(T, N0, As0),
    atom_string(N0, N),
    maplist(to_json, As0, As).

error_reply(nc_at(L, error(instantiation_error, _)), D) :- !,
    D = _{ok:false, error:unsafe, line:L,
          message:'calls a goal that is only known at run time (call/N on a variable); the sandbox cannot check it'}.
error_reply(nc_at(L, E), D) :- !, error_reply(E, D0), put_dict(line, D0, L, D).
error_reply(nc_reject(L, Kind, Msg), _{ok:false, error:Kind, message:Msg, line:L}) :- !.
error_reply(nc_limit(inferences, N), _{ok:false, error:inference_limit, message:Msg}) :- !,
    format(atom(Msg), 'gave up after ~D inferences', [N]).
error_reply(time_limit_exceeded, _{ok:false, error:time_limit, message:'ran out of time'}) :- !.
error_reply(error(syntax_error(What), Where), _{ok:false, error:syntax, message:Msg, line:L}) :- !,
    syntax_line(Where, L),
    message_text(error(syntax_error(What), _), Msg).
error_reply(error(existence_error(procedure, PI), _), D) :- !,
    unqualify(PI, PI0),
    (   PI0 = _/_ -> PI1 = PI0 ; callable(PI0) -> functor(PI0, N, A), PI1 = N/A ; PI1 = PI0 ),
    format(atom(P), '~w', [PI1]),
    format(atom(Msg), 'undefined predicate ~w', [P]),
    D = _{ok:false, error:undefined, message:Msg, predicate:P}.
error_reply(error(resource_error(R), _), _{ok:false, error:resource, message:Msg}) :- !,
    format(atom(Msg), 'ran out of ~w (runaway recursion?)', [R]).
error_reply(error(permission_error(call, sandboxed, G), _), D) :- !,
    unqualify(G, G1),
    functor(G1, N, A),
    format(atom(Msg), 'calls ~q/~w, which is not allowed in a rule file (sandbox)', [N, A]),
    D = _{ok:false, error:unsafe, message:Msg}.
error_reply(error(instantiation_error, _), D) :- !,
    D = _{ok:false, error:instantiation, message:'a goal or argument was unbound where it must be bound'}.
error_reply(E, _{ok:false, error:prolog, message:Msg}) :- message_text(E, Msg).

syntax_line(stream(_, L, _, _), L) :- !.
syntax_line(file(_, L, _, _), L) :- !.
syntax_line(string(_, _), 1) :- !.
syntax_line(_, 0).

unqualify(M:X, Y) :- atom(M), !, unqualify(X, Y).
unqualify(X, X).

message_text(E, Msg) :-
    catch(( nc_message_codes(E, Codes), atom_codes(Msg, Codes) ), _, fail), !.
message_text(E, Msg) :- term_string(E, Msg).

nc_message_codes(E, Codes) :-
    '$messages':translate_message(E, Lines, []),
    with_output_to(codes(Codes0), print_message_lines(current_output, '', Lines)),
    strip_newlines(Codes0, Codes).

strip_newlines(Codes0, Codes) :-
    append(Codes, Tail, Codes0), forall(member(C, Tail), code_type(C, space)), !.
