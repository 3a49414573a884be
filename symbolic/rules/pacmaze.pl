/*  PacMaze: what the world means to the agent, and how the enemies move.

    Kinds of cell: floor, flag, agent, ghost and bat (awake: they move), ghost_asleep and
    bat_asleep (they never move). A position is Row-Col from 0-0 at the top left; a size is
    Height-Width. The reasoner asks five questions of these rules:

      blocks(+Kind, +Inventory)  the agent cannot enter a cell of Kind (nothing blocks here)
      kills(?Kind)               entering a cell of Kind ends the episode as a failure
      wins(?Kind)                entering a cell of Kind ends the episode as a success
      moves(+Kind, +Pos, +Agent, +Size, -Target)
                                 after each move of the agent, a Kind at Pos heads for Target;
                                 several answers are in order of preference (the first free
                                 one is taken); none free, or no answer: it stays
      enters(+Mover, +Kind)      a cell showing Kind is free for Mover; entering the agent's
                                 cell kills it (a cell holding another mover is never free)
*/

:- dynamic blocks/2.

kills(ghost).
kills(bat).
kills(ghost_asleep).
kills(bat_asleep).

wins(flag).

enters(_, floor).
enters(_, agent).

%   A ghost steps toward the agent along the axis on which it is farther away (rows on a
%   tie), else along the other one.
moves(ghost, R-C, AR-AC, _, Target) :-
    DR is sign(AR - R),
    DC is sign(AC - C),
    (   abs(AR - R) >= abs(AC - C)
    ->  Steps = [DR-0, 0-DC]
    ;   Steps = [0-DC, DR-0]
    ),
    member(SR-SC, Steps),
    SR-SC \== 0-0,
    TR is R + SR,
    TC is C + SC,
    Target = TR-TC.

%   A bat flies clockwise around its ring: east along the top, south down the right side,
%   west along the bottom, north up the left side. The centre of an odd grid has no next cell.
moves(bat, R-C, _, H-W, Target) :-
    K is min(min(R, C), min(H - 1 - R, W - 1 - C)),
    B is H - 1 - K,
    E is W - 1 - K,
    (   R =:= K, C < E -> C1 is C + 1, Target = R-C1
    ;   C =:= E, R < B -> R1 is R + 1, Target = R1-C
    ;   R =:= B, C > K -> C1 is C - 1, Target = R-C1
    ;   C =:= K, R > K -> R1 is R - 1, Target = R1-C
    ).
