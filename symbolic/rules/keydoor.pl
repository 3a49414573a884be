/*  KeyDoor: what the world means to an agent.

    Kinds of cell: floor, wall, lava, key, door, goal. An inventory is a sorted list of the
    kinds the agent holds, e.g. [] or [key]. The reasoner asks four questions of these rules:

      blocks(+Kind, +Inventory)  the agent cannot enter a cell of Kind while holding Inventory
      kills(?Kind)               entering a cell of Kind ends the episode as a failure
      collects(?Kind)            entering a cell of Kind picks its object up
      wins(?Kind)                entering a cell of Kind ends the episode as a success
*/

blocks(wall, _).
blocks(Kind, Inventory) :-
    locked(Kind),
    \+ holds_opener(Kind, Inventory).

%   A locked kind can be entered only while holding something that opens it.
locked(door).
opens(key, door).

holds_opener(Kind, Inventory) :-
    opens(Item, Kind),
    memberchk(Item, Inventory).

kills(lava).

collects(key).

wins(goal).
