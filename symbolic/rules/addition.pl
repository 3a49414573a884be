/*  Digit addition: which digits a pair of handwritten digits may show, given their sum.

    The learner asks one question of these rules, once (a rule set is pure):

      adds_up(?A, ?B, ?S)  digits A and B (0 to 9) add up to S
*/

:- use_module(library(clpfd)).

digit(D) :- D in 0..9.

adds_up(A, B, S) :-
    digit(A), digit(B),
    A + B #= S,
    label([A, B]).
