/*  Missions: the sentences MiniGrid and BabyAI give their agents, read into goals.

    The reasoner reads a mission as a list of lower-case words (a comma is a word of its own)
    with mission(-Goal) as a grammar rule (phrase(mission(Goal), Words)), and asks:

      describes(+Thing, ?Kind)   a cell of Kind is a Thing the mission names
      bounds(?Kind)              cells of Kind bound a room ("on your left" means in the room
                                 the agent starts in)

    Goals:
      reach                      enter a cell that wins (wins/1 of the game's rules)
      goto(Thing)                face a Thing
      pickup(Thing)              pick a Thing up
      open(Thing)                open a door that is a Thing
      put(Thing, Other)          put a Thing down next to an Other
      then(A, B)                 A, and after it B
      both(A, B)                 A and B, in either order
    A thing is thing(Type, Colour, Where): Type is key, ball, box, door or goal; Colour one of
    MiniGrid's six; Where left, right, front or behind, from where the agent starts and the way
    it faces then. Any part the mission leaves out is `any`.
*/

mission(G) --> instructions(G).
%   Goal-square ids: whatever comes first ("avoid the lava and", "use the key to open the
%   door and then"), the mission ends by sending the agent to the goal.
mission(reach) --> words, to_the_goal.

instructions(then(A, B)) --> clauses(A), then, clauses(B).
instructions(then(B, A)) --> clauses(A), [after, you], clauses(B).
instructions(then(open(A), open(B))) --> [open], thing(A), [then], thing(B).
instructions(A) --> clauses(A).

then --> [',', then].
then --> [then].

clauses(both(A, B)) --> instruction(A), [and], instruction(B).
clauses(A) --> instruction(A).

instruction(goto(T)) --> [go, to], thing(T).
instruction(pickup(T)) --> [pick, up], thing(T).
instruction(pickup(T)) --> fetch, thing(T).
instruction(open(T)) --> [open], thing(T), { T = thing(door, _, _) }.
instruction(put(T, N)) --> [put], thing(T), next_to, thing(N).

fetch --> [get].
fetch --> [go, get].
fetch --> [fetch].
fetch --> [go, fetch].
fetch --> [you, must, fetch].

next_to --> [next, to].
next_to --> [near].

thing(thing(Type, Colour, Where)) --> article, colour(Colour), type(Type), where(Where).

article --> [the].
article --> [a].

colour(C) --> [C], { colour(C) }.
colour(any) --> [].

type(T) --> [T], { member(T, [key, ball, box, door]) }.
type(any) --> [object].

where(front) --> [in, front, of, you].
where(behind) --> [behind, you].
where(left) --> [on, your, left].
where(right) --> [on, your, right].
where(any) --> [].

words --> [].
words --> [_], words.

to_the_goal --> goal_verb, [the], goal_noun.

goal_verb --> [get, to].
goal_verb --> [go, to].
goal_verb --> [reach].

goal_noun --> [goal].
goal_noun --> [goal, square].
goal_noun --> [green, goal, square].

colour(red).  colour(green).  colour(blue).  colour(purple).  colour(yellow).  colour(grey).

%   Kinds are named Type_Colour (key_red), door_Colour_State (door_red_locked) or goal.
describes(thing(goal, _, _), goal).
describes(thing(Type, Colour, _), Kind) :-
    member(Type0, [key, ball, box, door]),
    colour(Colour0),
    ( Type == any -> Type0 \== door ; Type0 = Type ),
    ( Colour == any -> true ; Colour0 = Colour ),
    kind_of(Type0, Colour0, Kind).

kind_of(door, Colour, Kind) :-
    member(State, [open, closed, locked]),
    atomic_list_concat([door, Colour, State], '_', Kind).
kind_of(Type, Colour, Kind) :-
    Type \== door,
    atomic_list_concat([Type, Colour], '_', Kind).

bounds(wall).
bounds(Kind) :- kind_of(door, _, Kind).
