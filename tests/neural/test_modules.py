"""The networks: shapes, sizes, and what they refuse."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neural import CellClassifier, count_parameters, make_policy, to_input
from neural.data import cell_patches
from neural.modules import PatchClassifier, make_perception


def test_to_input_shapes_and_range():
    frames = np.full((2, 64, 48, 3), 255, dtype=np.uint8)
    x = to_input(frames)
    assert x.shape == (2, 3, 64, 48) and x.dtype == torch.float32
    assert float(x.max()) == pytest.approx(0.5)
    assert to_input(frames[0]).shape == (1, 3, 64, 48)


@pytest.mark.parametrize("grid", [(6, 6), (8, 8), (16, 16), (8, 12)])
def test_cell_classifier_works_on_any_grid(grid):
    model = CellClassifier(kinds=5)
    out = model(torch.zeros(1, 3, grid[0] * 8, grid[1] * 8))
    assert out.shape == (1, 5, *grid)


@pytest.mark.parametrize("grid", [(6, 6), (8, 12)])
def test_patch_classifier_reads_each_cell_alone(grid):
    model = PatchClassifier(kinds=5).eval()
    screens = torch.rand(2, 3, grid[0] * 8, grid[1] * 8) - 0.5
    out = model(screens)
    assert out.shape == (2, 5, *grid)
    # a cell's logits depend on its own pixels only: the cell alone gives the same logits
    alone = model(screens[:1, :, 8:16, 16:24])
    assert torch.allclose(alone[0, :, 0, 0], out[0, :, 1, 2], atol=1e-5)
    assert isinstance(make_perception("conv", 5), PatchClassifier)
    with pytest.raises(ValueError, match="choose from"):
        make_perception("big", 5)
    with pytest.raises(ValueError, match="at least 4 pixels"):
        PatchClassifier(5, tile=2)


def test_cell_patches_keep_each_distinct_labelled_cell_once():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, size=(3, 16, 24, 3), dtype=np.uint8)
    frames[1] = frames[0]  # a screen that repeats the first
    frames[2, :8, :8] = frames[0, 8:16, 16:24]  # a cell that repeats another
    cells = np.arange(6).reshape(1, 2, 3).repeat(3, 0)
    cells[2, 0, 0] = cells[0, 1, 2]  # ... with the same kind
    patches, kinds, episodes = cell_patches(frames, cells, np.array([0, 0, 1]), tile=8)
    assert patches.shape == (11, 8, 8, 3) and kinds.shape == (11, 1, 1)
    assert np.array_equal(patches[5], frames[0, 8:16, 16:24]) and kinds[5, 0, 0] == 5
    assert list(episodes) == [0] * 6 + [1] * 5  # first seen in episode 0, then episode 1
    # the same pixels with another kind are another example
    cells[2, 0, 0] = 0
    assert len(cell_patches(frames, cells, np.array([0, 0, 1]), tile=8)[0]) == 12


@pytest.mark.parametrize(
    "size, low, high", [("small", 5e3, 2e4), ("medium", 5e4, 2e5), ("large", 5e5, 2e6)]
)
def test_policy_sizes_span_three_orders_of_magnitude(size, low, high):
    assert low <= count_parameters(make_policy(size, (8, 8), actions=4)) <= high


def test_fixed_policy_refuses_another_grid_and_pooled_takes_any():
    fixed = make_policy("medium", (8, 8), actions=4)
    assert fixed(torch.zeros(2, 3, 64, 64)).shape == (2, 4)
    with pytest.raises(ValueError, match="pooled"):
        fixed(torch.zeros(1, 3, 128, 128))
    pooled = make_policy("pooled", (8, 8), actions=4)
    for n in (8, 12, 16):
        assert pooled(torch.zeros(1, 3, n * 8, n * 8)).shape == (1, 4)


def test_spatial_policies_have_one_action_per_cell():
    fixed = make_policy("small", (3, 3), actions=9, spatial=True)
    assert fixed(torch.zeros(2, 3, 24, 24)).shape == (2, 9)
    pooled = make_policy("pooled", (3, 3), actions=9, spatial=True)
    for n in (3, 5, 7):
        assert pooled(torch.zeros(1, 3, n * 8, n * 8)).shape == (1, n * n)
    with pytest.raises(ValueError, match=r"1 action\(s\) per cell"):
        make_policy("pooled", (3, 3), actions=4, spatial=True)
    # a value per action and cell: action (r * W + c) * V + v, as the game numbers them
    valued = make_policy("pooled", (4, 4), actions=64, spatial=True, values=4)
    x = torch.rand(1, 3, 32, 32)
    scores = valued(x)
    assert scores.shape == (1, 64)
    per_cell = valued.head(
        torch.cat(
            [
                f := valued.features(x),
                torch.cat([f.amax(dim=(2, 3)), f.mean(dim=(2, 3))], 1)[:, :, None, None].expand(
                    -1, -1, 4, 4
                ),
            ],
            1,
        )
    )  # (1, V, H, W)
    assert torch.allclose(scores[0, (2 * 4 + 3) * 4 + 1], per_cell[0, 1, 2, 3])


def test_unknown_size():
    with pytest.raises(ValueError, match="unknown policy size"):
        make_policy("huge", (8, 8), actions=4)


def test_work_over_the_memory_ceiling_is_refused_before_it_is_allocated(monkeypatch):
    """A network or demonstrations that would take more memory than the ceiling: refused with
    what they would need; a bad ceiling is refused too."""
    import environments
    from environments.errors import MemoryCeilingError
    from neural import collect_demonstrations
    from neural.modules import make_policy

    monkeypatch.setenv("NEUROCOMP_MEMORY_GIB", "0.5")
    with pytest.raises(MemoryCeilingError, match=r"large policy for a 64x64 grid .* 0\.75 GiB"):
        make_policy("large", (64, 64), 4)
    assert make_policy("pooled", (64, 64), 4) is not None  # the same size at any grid
    monkeypatch.setenv("NEUROCOMP_MEMORY_GIB", "0.001")
    env = environments.make("neurocomp/KeyDoor-16x16-v0")
    with pytest.raises(MemoryCeilingError, match=r"3 demonstration episodes of about \d+ screens"):
        collect_demonstrations(env, [0, 1, 2])
    monkeypatch.setenv("NEUROCOMP_MEMORY_GIB", "many")
    with pytest.raises(MemoryCeilingError, match="must be a positive number of GiB, not 'many'"):
        make_policy("small", (8, 8), 4)
