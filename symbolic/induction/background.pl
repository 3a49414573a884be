/*  The shared background of the rule learner: one file for every game, given (not learned)
    and counted as given in the knowledge ledger. It names what any grid game's transitions
    are made of; nothing here says what a kind means.

    An inventory is a sorted list of the kinds the agent holds. A position is Row-Col from
    0-0 at the top left; a size is Height-Width. A direction is north, east, south or west.
*/

%   What the agent holds.
holds(Inventory, Kind) :- memberchk(Kind, Inventory).

%   The four directions and the step each one takes.
offset(north, -1, 0).
offset(east, 0, 1).
offset(south, 1, 0).
offset(west, 0, -1).

%   The cell one step from a position, and whether a position lies on a grid of a size.
step(R-C, Direction, R1-C1) :- offset(Direction, DR, DC), R1 is R + DR, C1 is C + DC.
inside(R-C, H-W) :- R >= 0, R < H, C >= 0, C < W.

%   Laws a piece may move by, for the learner to choose among by what each predicts (none
%   is taken as true: a kind that never moves has no law). A step towards a cell goes along
%   the axis on which it is farther (rows on a tie), else along the other; away reverses both.
towards(R-C, TR-TC, T) :- axis_steps(TR - R, TC - C, T0), member(D, T0), step_by(R-C, D, T).
away(R-C, TR-TC, T) :- axis_steps(R - TR, C - TC, T0), member(D, T0), step_by(R-C, D, T).
axis_steps(DR0, DC0, Steps) :-
    DR is sign(DR0), DC is sign(DC0),
    (abs(DR0) >= abs(DC0) -> Steps0 = [DR-0, 0-DC] ; Steps0 = [0-DC, DR-0]),
    exclude(==(0-0), Steps0, Steps).
step_by(R-C, DR-DC, R1-C1) :- R1 is R + DR, C1 is C + DC.

%   Round the ring of cells a position lies on (its distance from the nearest edge), one step
%   clockwise (east along the top) or against it; the centre of an odd grid has no next cell.
clockwise(R-C, H-W, T) :- ring_next(R-C, H-W, 1, T).
anticlockwise(R-C, H-W, T) :- ring_next(R-C, H-W, -1, T).
ring_next(R-C, H-W, 1, T) :-
    K is min(min(R, C), min(H - 1 - R, W - 1 - C)), B is H - 1 - K, E is W - 1 - K,
    (   R =:= K, C < E -> step_by(R-C, 0-1, T)
    ;   C =:= E, R < B -> step_by(R-C, 1-0, T)
    ;   R =:= B, C > K -> step_by(R-C, 0-(-1), T)
    ;   C =:= K, R > K -> step_by(R-C, (-1)-0, T)
    ).
ring_next(R-C, H-W, -1, T) :-
    K is min(min(R, C), min(H - 1 - R, W - 1 - C)), B is H - 1 - K, E is W - 1 - K,
    (   C =:= K, R < B -> step_by(R-C, 1-0, T)
    ;   R =:= B, C < E -> step_by(R-C, 0-1, T)
    ;   C =:= E, R > K -> step_by(R-C, (-1)-0, T)
    ;   R =:= K, C > K -> step_by(R-C, 0-(-1), T)
    ).

%   Groups of cells on a board of Height-Width cells (a box: as many rows and columns as the
%   square root of the height), for the learner to choose which must hold different values.
same_row(R-C1, R-C2) :- C1 \== C2.
same_column(R1-C, R2-C) :- R1 \== R2.
same_box(R1-C1, R2-C2, H-_) :- B is truncate(sqrt(H)), R1 // B =:= R2 // B, C1 // B =:= C2 // B.
same_diagonal(R1-C1, R2-C2, _) :- R1 =:= C1, R2 =:= C2.
neighbours(P, Q) :- step(P, _, Q).

%   A board (a list of rows of kinds) is solved by a value for every cell that shows none
%   (digit/2 names the kinds that show a value), different wherever differ/3 says two cells
%   must differ: the board answers solution/2 from what was learned of digit/2 and differ/3.
:- use_module(library(clpfd)).
:- dynamic digit/2, differ/3.
solution(Board, Solved) :-
    length(Board, H), Board = [Row|_], length(Row, W),
    findall(V, digit(_, V), Vs0), sort(Vs0, Vs), list_to_fdset(Vs, Domain),
    append(Board, Kinds), length(Kinds, N), length(Values, N),
    maplist(cell_value(Domain), Kinds, Values),
    findall(I-J, (between(1, N, I), between(1, N, J), I < J,
                  R1 is (I - 1) // W, C1 is (I - 1) mod W, R2 is (J - 1) // W, C2 is (J - 1) mod W,
                  differ(R1-C1, R2-C2, H-W)), Pairs),
    maplist(apart(Values), Pairs),
    label(Values),
    maplist(value_kind, Values, Flat),
    rows_of(Flat, W, Solved).
cell_value(Domain, Kind, V) :- ( digit(Kind, V0) -> V = V0 ; V in_set Domain ).
value_kind(V, K) :- digit(K, V).
apart(Values, I-J) :- nth1(I, Values, X), nth1(J, Values, Y), X #\= Y.
rows_of([], _, []).
rows_of(Flat, W, [Row|Rows]) :- length(Row, W), append(Row, Rest, Flat), rows_of(Rest, W, Rows).

%   The four directions in clockwise order: the one on the right of each.
rightof(north, east).
rightof(east, south).
rightof(south, west).
rightof(west, north).
