/*  MiniGrid: what MiniGrid's objects and actions mean to the agent.

    Kinds of cell: empty, wall, floor, lava, goal; key_C, ball_C and box_C; door_C_open,
    door_C_closed and door_C_locked, for each colour C; and the agent as agent_H for each
    heading H. What the agent carries is a list: [] or [Kind]. The reasoner asks these
    questions of the rules:

      blocks(+Kind, +Carrying)          moving forward into a cell of Kind is impossible
      kills(?Kind)                      entering a cell of Kind ends the episode as a failure
      wins(?Kind)                       entering a cell of Kind ends the episode as a success
      carries(+Kind)                    pickup takes a Kind from the cell ahead (hands empty)
      toggles(+Kind, +Carrying, -After) toggle turns the Kind ahead into After (unseen: into
                                        what it hid, seen only then)
      heading(?Agent, ?Heading)         the agent shown as Agent faces Heading
      turns(?Action, ?Heading, ?After)  turning left or right
      ahead(?Heading, ?DRow, ?DCol)     the cell ahead, relative to the agent's
*/

colour(red).  colour(green).  colour(blue).  colour(purple).  colour(yellow).  colour(grey).

door(Kind, Colour, State) :-
    colour(Colour),
    member(State, [open, closed, locked]),
    atomic_list_concat([door, Colour, State], '_', Kind).

object(Kind, Type, Colour) :-
    member(Type, [key, ball, box]),
    colour(Colour),
    atomic_list_concat([Type, Colour], '_', Kind).

%   The agent walks onto empty cells, floor, lava, the goal and open doors; anything else
%   (walls, closed and locked doors, keys, balls, boxes) is in the way.
enterable(empty).
enterable(floor).
enterable(lava).
enterable(goal).
enterable(Kind) :- door(Kind, _, open).

blocks(Kind, _) :- \+ enterable(Kind).

kills(lava).

wins(goal).

carries(Kind) :- object(Kind, _, _).

%   A door opens and closes; a locked door opens only with the key of its colour in hand
%   (and the key stays in hand).
toggles(Door, _, Closed) :- door(Door, Colour, open), door(Closed, Colour, closed).
toggles(Door, _, Open) :- door(Door, Colour, closed), door(Open, Colour, open).
toggles(Door, [Key], Open) :-
    door(Door, Colour, locked),
    object(Key, key, Colour),
    door(Open, Colour, open).

%   A box opens when toggled, and is gone: what it held (a key, or nothing) lies in its cell,
%   and cannot be seen before.
toggles(Box, _, unseen) :- object(Box, box, _).

heading(agent_east, east).
heading(agent_south, south).
heading(agent_west, west).
heading(agent_north, north).

turns(left, east, north).
turns(left, north, west).
turns(left, west, south).
turns(left, south, east).
turns(right, Heading, After) :- turns(left, After, Heading).

ahead(east, 0, 1).
ahead(south, 1, 0).
ahead(west, 0, -1).
ahead(north, -1, 0).
