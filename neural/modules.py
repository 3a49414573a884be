"""The networks: a per-cell perception module and monolithic screen-to-action policies.

All of them start with the same layer, a convolution whose kernel and stride equal the tile
size, so every output position looks at exactly one cell of the screen. The perception module
stops there (plus 1x1 layers): it classifies cells and cares nothing for the grid's size. The
policies go on to mix cells and produce action logits: a fixed number of them (moves), or one
per cell (``spatial``: pressing a cell), as the game's specification says. No size here is a
constant of any game: callers pass the number of kinds and actions.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from neural.settings import POLICY_NAMES, POLICY_SIZES, TRAIN_BYTES_PER_PARAMETER, check_memory

__all__ = [
    "PERCEPTIONS",
    "POLICY_NAMES",
    "POLICY_SIZES",
    "CellClassifier",
    "ConvPolicy",
    "PatchClassifier",
    "PooledConvPolicy",
    "count_parameters",
    "make_perception",
    "make_policy",
    "one_hot_cells",
    "to_input",
]


def to_input(frames: np.ndarray | torch.Tensor) -> torch.Tensor:
    """``(B, H, W, 3)`` or ``(H, W, 3)`` uint8 screens → ``(B, 3, H, W)`` floats in [-0.5, 0.5]."""
    x = torch.as_tensor(frames)
    if x.dim() == 3:
        x = x.unsqueeze(0)
    return x.permute(0, 3, 1, 2).float().div_(255.0).sub_(0.5)


def one_hot_cells(cells: np.ndarray | torch.Tensor, kinds: int) -> torch.Tensor:
    """``(B, H, W)`` or ``(H, W)`` grids of kinds → ``(B, kinds, H, W)`` one-hot floats."""
    x = torch.as_tensor(np.asarray(cells), dtype=torch.int64)
    if x.dim() == 2:
        x = x.unsqueeze(0)
    return torch.nn.functional.one_hot(x, kinds).permute(0, 3, 1, 2).float()


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class CellClassifier(nn.Module):
    """Screen → per-cell kind logits ``(B, K, H, W)``, for any grid size."""

    def __init__(self, kinds: int, tile: int = 8, width: int = 32, hidden: int = 32) -> None:
        super().__init__()
        self.tile, self.kinds = tile, kinds
        self.embed = nn.Conv2d(3, width, kernel_size=tile, stride=tile)  # one cell per position
        self.head = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(width, hidden, 1),
            nn.ReLU(),
            nn.Conv2d(hidden, kinds, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, H*t, W*t) -> (B, K, H, W)
        # The layers' own kernels, called directly: a hybrid calls this once per decision on
        # one screen, where the modules' dispatch would cost as much as the arithmetic.
        embed, (_, mix, _, out) = self.embed, self.head
        h = F.relu(F.conv2d(x, embed.weight, embed.bias, stride=self.tile))
        return F.conv2d(F.relu(F.conv2d(h, mix.weight, mix.bias)), out.weight, out.bias)


def _edges(x: torch.Tensor) -> torch.Tensor:
    """``(N, 3, t, t)`` → ``(N, 2, t, t)``: how much the colour changes from each pixel's upper
    and left neighbour (the length of the difference; 0 on the first row and column). It says
    where a sprite's shapes are whatever their colours."""
    dy = torch.zeros_like(x[:, 0])
    dx = torch.zeros_like(x[:, 0])
    dy[:, 1:] = (x[:, :, 1:] - x[:, :, :-1]).norm(dim=1)
    dx[:, :, 1:] = (x[:, :, :, 1:] - x[:, :, :, :-1]).norm(dim=1)
    return torch.stack([dy, dx], 1)


class _MaxPool(nn.MaxPool2d):
    """``nn.MaxPool2d``; without gradients, pooled channels-last (the same values, several
    times faster on a CPU for many small maps; with gradients, its backward is slower)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            return super().forward(x)
        return super().forward(x.contiguous(memory_format=torch.channels_last)).contiguous()


class PatchClassifier(nn.Module):
    """Screen → per-cell kind logits ``(B, K, H, W)``, for any grid size, by a small
    convolutional network over each cell's own pixels (and where its colour changes).

    Unlike :class:`CellClassifier`, whose one linear look at a cell ties every kind to its
    colours, this one sees shapes: trained with colour augmentation it reads cells drawn in
    colours it never saw. Each cell is classified alone, so training can use the distinct
    cells of the demonstrations rather than whole screens (see ``neural.data.cell_patches``).
    """

    EDGE_GAIN = 4.0  # edge magnitudes are small next to colours: scale them to the same range

    def __init__(self, kinds: int, tile: int = 8, width: int = 32) -> None:
        super().__init__()
        if tile < 4:
            raise ValueError(f"a patch perception needs cells of at least 4 pixels, not {tile}")
        self.tile, self.kinds = tile, kinds
        half = width // 2
        self.body = nn.Sequential(
            nn.Conv2d(5, half, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(half, width, 3, padding=1),
            nn.ReLU(),
            _MaxPool(2),
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveMaxPool2d(1),
            nn.Flatten(),
            nn.Linear(width, kinds),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, H*t, W*t) -> (B, K, H, W)
        b, _, ht, wt = x.shape
        t = self.tile
        h, w = ht // t, wt // t
        cells = x.reshape(b, 3, h, t, w, t).permute(0, 2, 4, 1, 3, 5).reshape(-1, 3, t, t)
        logits = self.body(torch.cat([cells, self.EDGE_GAIN * _edges(cells)], 1))
        return logits.reshape(b, h, w, self.kinds).permute(0, 3, 1, 2)


# What reads the cells of a hybrid: ``linear`` (one linear layer per cell, then 1x1 layers;
# fast, and bound to the colours it was trained on) or ``conv`` (a small network per cell).
PERCEPTIONS: dict[str, type[nn.Module]] = {"linear": CellClassifier, "conv": PatchClassifier}


def make_perception(name: str, kinds: int, tile: int = 8) -> nn.Module:
    """A fresh perception module of the named kind (see ``PERCEPTIONS``)."""
    if name not in PERCEPTIONS:
        raise ValueError(f"unknown perception {name!r}; choose from {list(PERCEPTIONS)}")
    return PERCEPTIONS[name](kinds, tile=tile)


class ConvPolicy(nn.Module):
    """Screen → action logits for one grid size: cell conv, 3x3 convs, an MLP over all cells."""

    def __init__(
        self,
        actions: int,
        grid: tuple[int, int] = (8, 8),
        tile: int = 8,
        width: int = 32,
        depth: int = 2,
        hidden: int = 64,
        channels: int = 3,
    ) -> None:
        super().__init__()
        self.grid = grid
        layers: list[nn.Module] = [
            nn.Conv2d(channels, width, kernel_size=tile, stride=tile),
            nn.ReLU(),
        ]
        for _ in range(depth):
            layers += [nn.Conv2d(width, width, 3, padding=1), nn.ReLU()]
        self.features = nn.Sequential(*layers)  # (B, width, H, W)
        flat = width * grid[0] * grid[1]
        head: list[nn.Module] = [nn.Flatten()]
        head += (
            [nn.Linear(flat, hidden), nn.ReLU(), nn.Linear(hidden, actions)]
            if hidden
            else [nn.Linear(flat, actions)]
        )
        self.head = nn.Sequential(*head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, H*t, W*t) -> (B, actions)
        features = self.features(x)
        if features.shape[-2:] != self.grid:
            raise ValueError(
                f"this policy was built for a {self.grid[0]}x{self.grid[1]} grid and cannot "
                f"play {features.shape[-2]}x{features.shape[-1]}; use the 'pooled' size"
            )
        return self.head(features)


class PooledConvPolicy(nn.Module):
    """Screen → action logits for any grid size: dilated convs, then either global max and
    mean pooling into a fixed number of actions, or (``spatial``) one logit per cell, each
    cell's features joined with the pooled ones."""

    def __init__(
        self,
        actions: int,
        tile: int = 8,
        width: int = 48,
        dilations: tuple[int, ...] = (1, 2, 4, 8),
        hidden: int = 64,
        spatial: bool = False,
        channels: int = 3,
        values: int = 1,
    ) -> None:
        super().__init__()
        self.spatial = spatial
        layers: list[nn.Module] = [
            nn.Conv2d(channels, width, kernel_size=tile, stride=tile),
            nn.ReLU(),
        ]
        for d in dilations:  # receptive field 1 + 2 * sum(dilations) cells: 31 by default
            layers += [nn.Conv2d(width, width, 3, padding=d, dilation=d), nn.ReLU()]
        self.features = nn.Sequential(*layers)  # (B, width, H, W)
        if spatial:
            self.head = nn.Sequential(
                nn.Conv2d(3 * width, hidden, 1), nn.ReLU(), nn.Conv2d(hidden, values, 1)
            )
        else:
            self.head = nn.Sequential(
                nn.Linear(2 * width, hidden), nn.ReLU(), nn.Linear(hidden, actions)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, H*t, W*t) -> (B, actions)
        f = self.features(x)
        pooled = torch.cat([f.amax(dim=(2, 3)), f.mean(dim=(2, 3))], dim=1)  # (B, 2*width)
        if not self.spatial:
            return self.head(pooled)
        context = pooled[:, :, None, None].expand(-1, -1, *f.shape[2:])
        # (B, H*W*V): action (r * W + c) * V + v, as the game's Actions number them
        return self.head(torch.cat([f, context], dim=1)).permute(0, 2, 3, 1).flatten(1)


def make_policy(
    size: str,
    grid: tuple[int, int],
    actions: int,
    tile: int = 8,
    *,
    spatial: bool = False,
    channels: int = 3,
    values: int = 1,
) -> nn.Module:
    """A monolithic policy: ``small``/``medium``/``large`` (fixed grid) or ``pooled`` (any).

    ``actions`` is the number of fixed actions; with ``spatial`` there are ``values`` actions
    per cell instead (``actions`` must then equal the grid's cell count times ``values``, and
    only ``pooled`` keeps to any grid size). A policy that reads the true grid of kinds instead
    of the screen takes ``channels`` = the number of kinds (one-hot per cell) and ``tile`` = 1.
    """
    if spatial and actions != grid[0] * grid[1] * values:
        raise ValueError(f"a spatial policy has {values} action(s) per cell, not {actions}")
    if size == "pooled":
        return PooledConvPolicy(
            actions, tile=tile, spatial=spatial, channels=channels, values=values
        )
    if size not in POLICY_SIZES:
        raise ValueError(f"unknown policy size {size!r}; choose from {list(POLICY_NAMES)}")
    with torch.device("meta"):  # counted before a byte is allocated
        weights = count_parameters(
            ConvPolicy(actions, grid=grid, tile=tile, channels=channels, **POLICY_SIZES[size])
        )
    check_memory(
        weights * TRAIN_BYTES_PER_PARAMETER,
        f"training a {size} policy for a {grid[0]}x{grid[1]} grid ({weights:,} parameters)",
    )
    return ConvPolicy(actions, grid=grid, tile=tile, channels=channels, **POLICY_SIZES[size])
