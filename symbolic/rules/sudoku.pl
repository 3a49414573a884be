/*  VisualSudoku: what a solved board is, in CLP(FD).

    Kinds of cell: blank, one, two, ..., nine (a 4x4 game has the first four digits). A board
    is a list of rows, each a list of kinds, N rows of N cells with N a square (4: boxes of
    2x2; 9: boxes of 3x3). The reasoner asks two questions
    of these rules:

      digit(?Kind, ?Value)        a cell of Kind holds the digit Value
      solution(+Board, -Solved)   Solved is Board with every blank filled by a digit so that
                                  every row, column and box holds each digit once; no answer
                                  if the board has no solution
*/

:- use_module(library(clpfd)).
:- use_module(library(lists)).
:- use_module(library(apply)).

digit(one, 1).
digit(two, 2).
digit(three, 3).
digit(four, 4).
digit(five, 5).
digit(six, 6).
digit(seven, 7).
digit(eight, 8).
digit(nine, 9).

solution(Board, Solved) :-
    maplist(maplist(cell_value), Board, Rows),
    sudoku(Rows),
    maplist(label, Rows),
    maplist(maplist(kind_of), Rows, Solved).

cell_value(blank, _).
cell_value(Kind, Value) :- digit(Kind, Value).

kind_of(Value, Kind) :- digit(Kind, Value).

sudoku(Rows) :-
    length(Rows, N),
    B is truncate(sqrt(N)),
    B * B =:= N,
    maplist(same_length(Rows), Rows),
    append(Rows, Cells),
    Cells ins 1..N,
    maplist(all_distinct, Rows),
    transpose(Rows, Columns),
    maplist(all_distinct, Columns),
    boxes(Rows, B, Boxes),
    maplist(all_distinct, Boxes).

% The boxes of B rows at a time, each B cells wide.
boxes([], _, []).
boxes(Rows, B, Boxes) :-
    length(Band, B),
    append(Band, Rest, Rows),
    band_boxes(Band, B, Here),
    boxes(Rest, B, Below),
    append(Here, Below, Boxes).

band_boxes(Band, _, []) :- maplist(==([]), Band), !.
band_boxes(Band, B, [Box|Boxes]) :-
    maplist(split_at(B), Band, Heads, Tails),
    append(Heads, Box),
    band_boxes(Tails, B, Boxes).

split_at(B, Row, Head, Tail) :-
    length(Head, B),
    append(Head, Tail, Row).
