"""What people look at: an episode's screens, replayed, with misread cells outlined, as a strip
of frames (for reports) or an animated GIF (``neurocomp run --record``).

Episodes are deterministic given their level and actions, so a recorded episode keeps only
those and is replayed here to get its screens back.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "MISREAD",
    "outline",
    "replay",
    "save_gif",
    "save_strip",
    "upscale",
    "with_maps",
    "with_words",
]

MISREAD = (255, 0, 255)  # outline colour of a cell perception got wrong
SCALE = 4  # screen pixels are small: draw each as SCALE x SCALE


def replay(
    env: Any, seed: int, actions: Sequence[int], level: str | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The screens of an episode and the true grids behind them: after reset, then after each
    action (as far as the episode went)."""
    obs, info = env.reset(seed=seed, options=None if level is None else {"level": level})
    shots = [(obs, info["scene"].grid)]
    for action in actions:
        obs, _, terminated, truncated, info = env.step(int(action))
        shots.append((obs, info["scene"].grid))
        if terminated or truncated:
            break
    return shots


def upscale(frame: np.ndarray, scale: int = SCALE) -> np.ndarray:
    return frame.repeat(scale, axis=0).repeat(scale, axis=1)


def outline(
    frame: np.ndarray, cells: np.ndarray, tile: int, color: tuple[int, int, int] = MISREAD
) -> np.ndarray:
    """An upscaled copy of ``frame`` with a box around each cell where ``cells`` is true."""
    big = upscale(frame)
    t, w = tile * SCALE, max(1, SCALE // 2)
    for r, c in np.argwhere(cells):
        y, x = r * t, c * t
        big[y : y + w, x : x + t] = color
        big[y + t - w : y + t, x : x + t] = color
        big[y : y + t, x : x + w] = color
        big[y : y + t, x + t - w : x + t] = color
    return big


def with_maps(frames: Sequence[np.ndarray], maps: Sequence[np.ndarray | None]) -> list[np.ndarray]:
    """Each frame with the map its pipeline kept at that step drawn to its right (upscaled as
    ``outline`` upscales frames); every picture padded to one size, maps top-left aligned. A
    frame without a map (the last screen, after the last decision) keeps the map before it."""
    if not any(m is not None for m in maps):
        return list(frames)
    shown, last = [], None
    for i, frame in enumerate(frames):
        found = maps[i] if i < len(maps) else None
        last = upscale(found) if found is not None else last
        shown.append((frame, last))
    gap = 2 * SCALE
    height = max(max(f.shape[0], 0 if m is None else m.shape[0]) for f, m in shown)
    width = (
        max(f.shape[1] for f, _ in shown)
        + gap
        + max(0 if m is None else m.shape[1] for _, m in shown)
    )
    out = []
    for frame, picture in shown:
        canvas = np.full((height, width, 3), 255, dtype=np.uint8)
        canvas[: frame.shape[0], : frame.shape[1]] = frame
        if picture is not None:
            x = frame.shape[1] + gap
            canvas[: picture.shape[0], x : x + picture.shape[1]] = picture
        out.append(canvas)
    return out


def with_words(frames: Sequence[np.ndarray], words: str) -> list[np.ndarray]:
    """Each frame under a white band that shows ``words`` (a mission), wrapped to its width;
    the frames as they are if there are none."""
    if not words or not frames:
        return list(frames)
    width = frames[0].shape[1]
    font = ImageFont.load_default()
    per_line = max(8, width // 7)
    lines, line = [], ""
    for word in words.split():
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    band = Image.new("RGB", (width, 14 * len(lines) + 6), "white")
    draw = ImageDraw.Draw(band)
    for i, text in enumerate(lines):
        draw.text((4, 3 + 14 * i), text, fill=(0, 0, 0), font=font)
    top = np.asarray(band)
    return [np.concatenate([top[:, : f.shape[1]], f]) for f in frames]


def save_gif(path: Path, frames: Sequence[np.ndarray], ms_per_frame: int = 300) -> Path:
    """An animated GIF that plays once through and holds the last frame a little longer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.fromarray(f) for f in frames]
    durations = [ms_per_frame] * (len(images) - 1) + [ms_per_frame * 4]
    images[0].save(
        path, save_all=True, append_images=images[1:], duration=durations, loop=0, optimize=False
    )
    return path


def save_strip(
    path: Path,
    frames: Sequence[np.ndarray],
    labels: Sequence[str],
    columns: int = 6,
    title: str = "",
) -> Path:
    """Frames side by side in rows of ``columns``, each with a caption under it, and a
    ``title`` over them all (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = -(-len(frames) // columns)
    cols = min(columns, len(frames))
    height, width = frames[0].shape[:2]
    aspect = height / width
    fig, axes = plt.subplots(
        rows, cols, figsize=(1.9 * cols, 1.9 * aspect * rows + 0.35 * rows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, frame, label in zip(axes.flat, frames, labels, strict=False):
        ax.imshow(frame, interpolation="nearest")
        ax.set_title(label, fontsize=7, pad=2)
    if title:
        fig.suptitle(title, fontsize=8)
    fig.tight_layout(pad=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
