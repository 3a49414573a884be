"""The reasoners games name in their specifications, one module per kind of planning.

- ``grid``: one agent moves N/E/S/W over a static grid; shortest plan over cell × inventory.
- ``movers``: the same, with pieces that move by rule after every move (``moves/5``); the
  search plays their moves out.
- ``toggles``: an action presses a cell and flips the cells ``toggles/3`` names; the fewest
  presses that leave nothing ``lit/1``, by elimination over GF(2).
- ``facing``: an agent with a heading turns, steps forward, picks up and toggles (MiniGrid);
  shortest plan over cell × heading × carried object × changed cells.
"""
