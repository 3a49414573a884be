"""Augmentation: a symmetry moves cells, steps and actions consistently; colour maps are
random, seeded and keep the screen's shape."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from environments.registry import games
from environments.spec import MOVE_DELTAS, MOVES, Actions
from neural.augment import (
    Symmetry,
    action_table,
    colour_curves,
    kind_table,
    make_augment,
    symmetries,
)


@pytest.mark.parametrize("shape", [(5, 5), (4, 7)])
def test_apply_moves_each_cell_where_cell_says(shape):
    h, w = shape
    index = torch.arange(h * w).reshape(h, w)
    for sym in symmetries(h, w):
        moved = sym.apply(index)
        assert moved.shape == index.shape  # a symmetry keeps the board's shape
        for r in range(h):
            for c in range(w):
                r2, c2 = sym.cell(r, c, h, w)
                assert moved[r2, c2] == index[r, c], sym


def test_a_step_turns_with_the_cells_it_joins():
    h = w = 6
    for sym in symmetries(h, w):
        for dr, dc in MOVE_DELTAS:
            a, b = sym.cell(2, 3, h, w), sym.cell(2 + dr, 3 + dc, h, w)
            assert (b[0] - a[0], b[1] - a[1]) == sym.delta(dr, dc)


def test_square_boards_have_eight_symmetries_others_four():
    assert len(set(symmetries(8, 8))) == 8
    assert len(set(symmetries(6, 9))) == 4


def test_compass_moves_are_remapped():
    table = action_table(MOVES, Symmetry(turns=1), 8, 8)  # a quarter turn counter-clockwise
    assert [MOVES.names[int(a)] for a in table] == ["W", "N", "E", "S"]
    flip = action_table(MOVES, Symmetry(flip=True), 8, 8)
    assert [MOVES.names[int(a)] for a in flip] == ["N", "W", "S", "E"]


def test_egocentric_turns_swap_only_under_a_reflection():
    acts = Actions(("left", "right", "forward", "pickup"), symmetry="egocentric")
    assert action_table(acts, Symmetry(turns=3), 5, 5).tolist() == [0, 1, 2, 3]
    assert action_table(acts, Symmetry(turns=1, flip=True), 5, 5).tolist() == [1, 0, 2, 3]


def test_a_per_cell_action_moves_with_its_cell():
    acts = Actions(per_cell="press")
    h, w = 3, 3
    for sym in symmetries(h, w):
        table = action_table(acts, sym, h, w)
        onehot = torch.zeros(h * w)
        for a in range(h * w):
            onehot.zero_()
            onehot[a] = 1
            assert int(sym.apply(onehot.reshape(h, w)).flatten().argmax()) == table[a]


def test_a_facing_kind_turns_with_the_board():
    from environments.farama_minigrid import MINIGRID

    names = MINIGRID.kind_names
    quarter = kind_table(MINIGRID.kinds, Symmetry(turns=1))  # counter-clockwise
    assert names[int(quarter[names.index("agent_east")])] == "agent_north"
    assert names[int(quarter[names.index("agent_north")])] == "agent_west"
    mirror = kind_table(MINIGRID.kinds, Symmetry(flip=True))
    assert names[int(mirror[names.index("agent_east")])] == "agent_west"
    assert names[int(mirror[names.index("agent_south")])] == "agent_south"
    assert int(quarter[names.index("key_red")]) == names.index("key_red")


def test_cells_and_their_kinds_turn_together():
    from environments.farama_minigrid import MINIGRID

    aug = make_augment(
        symmetry=True, colour=False, targets="cells", kinds=MINIGRID.kinds, grid=(5, 5)
    )
    east, wall = MINIGRID.index("agent_east"), MINIGRID.index("wall")
    y = torch.full((8, 5, 5), MINIGRID.index("empty"))
    y[:, 2, 3] = east  # facing east, towards the wall at (2, 4)
    y[:, 2, 4] = wall
    x = torch.zeros(8, 3, 40, 40)
    gen = torch.Generator().manual_seed(0)
    for _ in range(20):
        _, y2 = aug(x, y, gen)
        (r, c), facing = divmod(int((y2[0] >= east).flatten().nonzero()[0]), 5), None
        facing = MINIGRID.kinds[int(y2[0, r, c])].facing
        assert int(y2[0, r + facing[0], c + facing[1]]) == wall  # still faces the wall


def test_every_game_declares_how_its_actions_turn():
    for game in games():
        assert game.actions.per_cell or game.actions.symmetry, game.name


def test_undeclared_actions_are_refused():
    with pytest.raises(ValueError, match="declare no symmetry"):
        make_augment(
            symmetry=True, colour=False, targets="actions", actions=Actions(("a",)), grid=(4, 4)
        )
    with pytest.raises(ValueError, match="needs the game's kinds"):
        make_augment(symmetry=True, colour=False, targets="cells")
    assert make_augment(symmetry=False, colour=False, targets="cells") is None


def test_colour_maps_are_random_seeded_and_in_range():
    x = torch.rand(16, 3, 8, 8) - 0.5
    a = colour_curves(x, torch.Generator().manual_seed(1))
    b = colour_curves(x, torch.Generator().manual_seed(1))
    c = colour_curves(x, torch.Generator().manual_seed(2))
    assert a.shape == x.shape and torch.equal(a, b) and not torch.equal(a, c)
    assert a.min() >= -0.5 and a.max() <= 0.5
    assert (a - x).abs().mean() > 0.05  # colours really move
    # a colour map is per screen: pixels of one colour keep one colour on each screen
    flat = torch.full((4, 3, 2, 2), 0.2)
    mapped = colour_curves(flat, torch.Generator().manual_seed(0))
    assert torch.allclose(mapped, mapped[:, :, :1, :1].expand_as(mapped))
    # distinct colours go to unrelated ones: brightness order is not kept across screens
    two = torch.tensor([-0.3, 0.3]).view(1, 1, 2, 1).expand(64, 3, 2, 1).clone()
    many = colour_curves(two, torch.Generator().manual_seed(0))
    darker_first = (many[:, :, 0].sum(1) < many[:, :, 1].sum(1)).float().mean()
    assert 0.1 < darker_first < 0.9


def test_augment_remaps_actions_with_the_screen():
    aug = make_augment(symmetry=True, colour=False, targets="actions", actions=MOVES, grid=(4, 4))
    assert aug is not None
    x = torch.zeros(64, 1, 4, 4)
    x[:, 0, 1, 2] = 1  # a marker one cell north of (2, 2)
    y = torch.zeros(64, dtype=torch.int64)  # N: towards the marker
    gen = torch.Generator().manual_seed(0)
    seen = set()
    for _ in range(30):
        x2, y2 = aug(x, y, gen)
        r, c = divmod(int(x2[0, 0].flatten().argmax()), 4)
        centre = [
            (r2, c2)
            for r2 in range(4)
            for c2 in range(4)
            if (r2 + MOVE_DELTAS[int(y2[0])][0], c2 + MOVE_DELTAS[int(y2[0])][1]) == (r, c)
        ]
        assert centre, "the remapped action no longer points at the marker"
        seen.add(int(y2[0]))
    assert seen == {0, 1, 2, 3}


def test_swapped_colours_draw_the_kind_they_are_labelled():
    """Where kinds are named by colour (MiniGrid), every recoloured cell looks as MiniGrid
    draws the kind it is relabelled to, lit or not; the agent, walls and grey cells stay."""
    from minigrid.core.grid import Grid

    from environments.farama_minigrid import MINIGRID, object_of
    from neural.modules import to_input

    names = MINIGRID.kind_names
    kinds = [n for n in names if not n.startswith("agent_")]
    t, side = 8, 8
    y = torch.tensor([names.index(kinds[i % len(kinds)]) for i in range(side * side)])
    y = y.reshape(1, side, side).repeat(2, 1, 1)

    def draw(grid: torch.Tensor, lit: bool) -> torch.Tensor:
        tiles = [
            Grid.render_tile(object_of(names[int(k)]), highlight=lit, tile_size=t)
            for k in grid.flatten()
        ]
        rows = [
            torch.cat([torch.as_tensor(a) for a in tiles[r * side : (r + 1) * side]], 1)
            for r in range(side)
        ]
        return torch.cat(rows, 0).numpy()

    screens = [draw(y[0], False), draw(y[1], True)]
    x = to_input(np.stack(screens))
    aug = make_augment(
        symmetry=False,
        colour=True,
        targets="cells",
        kinds=MINIGRID.kinds,
        colours=MINIGRID.colours,
    )
    gen = torch.Generator().manual_seed(0)
    changed = 0
    for _ in range(3):
        x2, y2 = aug(x, y, gen)
        for b, lit in enumerate((False, True)):
            expected = to_input(draw(y2[b], lit))[0]
            assert (x2[b] - expected).abs().max() <= 2 / 255
        changed += int((y2 != y).sum())
        grey_or_plain = [not n.split("_")[1:2] or "grey" in n for n in names]
        kept = torch.tensor(grey_or_plain)[y]
        assert torch.equal(y2[kept], y[kept])
    assert changed > 0
    with pytest.raises(ValueError, match="cells and the game's kinds"):
        make_augment(symmetry=False, colour=True, targets="actions", colours=MINIGRID.colours)
