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
