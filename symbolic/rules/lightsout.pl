/*  LightsOut: what a press does, and what must be dark.

    Kinds of cell: off and on. A position is Row-Col from 0-0 at the top left; a size is
    Height-Width. The reasoner asks two questions of these rules:

      toggles(+Press, +Size, -Cell)  pressing Press flips Cell between off and on
      lit(?Kind)                     a cell of Kind is a light that must be turned off
*/

toggles(R-C, _, R-C).
toggles(R-C, H-W, R1-C1) :-
    neighbour(R-C, R1-C1),
    R1 >= 0, R1 < H,
    C1 >= 0, C1 < W.

neighbour(R-C, R1-C) :- R1 is R - 1.
neighbour(R-C, R1-C) :- R1 is R + 1.
neighbour(R-C, R-C1) :- C1 is C - 1.
neighbour(R-C, R-C1) :- C1 is C + 1.

lit(on).
