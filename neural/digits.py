"""Networks for 8x8 handwritten digits, and their trainer.

:class:`DigitNet` reads one image (``(N, 8, 8)`` in [0, 1]) into scores for ``classes`` labels:
ten digits for a perception, nineteen sums for a monolithic network that reads a pair side by
side (``(N, 8, 16)``). The same network serves every toolkit in a side-by-side run, so this module
imports nothing but torch and numpy: a peer's virtualenv loads it by its path.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["DigitNet", "predict", "train_digits"]


class DigitNet(nn.Module):
    """Two 3x3 convolutions (32 and 64 channels), a 2x2 max-pool, then 128 hidden units:
    about 0.1-0.2M parameters for an 8x8 image."""

    def __init__(self, classes: int = 10, width: int = 8) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.hidden = nn.Linear(64 * 4 * (width // 2), 128)
        self.out = nn.Linear(128, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.unsqueeze(1) if x.dim() == 3 else x
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        return self.out(F.relu(self.hidden(x.flatten(1))))


def train_digits(
    model: nn.Module,
    images: np.ndarray,
    labels: np.ndarray,
    epochs: int,
    seed: int,
    lr: float = 2e-3,
    batch_size: int = 64,
    weights: np.ndarray | None = None,
    smoothing: float = 0.0,
) -> nn.Module:
    """``epochs`` passes of Adam over ``images`` with ``labels`` (per-example ``weights`` if
    given, labels smoothed by ``smoothing``); returns ``model``, trained in place, in eval
    mode."""
    x = torch.as_tensor(images, dtype=torch.float32)
    y = torch.as_tensor(labels, dtype=torch.int64)
    w = None if weights is None else torch.as_tensor(weights, dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            logits = model(x[batch])
            loss = F.cross_entropy(logits, y[batch], reduction="none", label_smoothing=smoothing)
            loss = (
                (loss * w[batch]).sum() / w[batch].sum().clamp(min=1e-9)
                if w is not None
                else loss.mean()
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    model.eval()
    return model


@torch.inference_mode()
def predict(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """Class probabilities ``(N, classes)`` for ``images``."""
    model.eval()
    logits = model(torch.as_tensor(images, dtype=torch.float32))
    return torch.softmax(logits, dim=-1).numpy()
