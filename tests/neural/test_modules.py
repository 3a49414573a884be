"""The networks: shapes, sizes, and what they refuse."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neural import CellClassifier, count_parameters, make_policy, to_input


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
    with pytest.raises(ValueError, match="one action per cell"):
        make_policy("pooled", (3, 3), actions=4, spatial=True)


def test_unknown_size():
    with pytest.raises(ValueError, match="unknown policy size"):
        make_policy("huge", (8, 8), actions=4)
