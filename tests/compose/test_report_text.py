"""How the report words counts: singular for exactly one, plural otherwise."""

from __future__ import annotations

from compose.analysis import counted, frames_text
from compose.report.text import listed, points, signed_points
from compose.stats import Estimate


def test_a_count_and_its_noun():
    assert counted(1, "demonstration episode") == "1 demonstration episode"
    assert counted(0, "step") == "0 steps"
    assert counted(3000, "level") == "3,000 levels"
    assert counted(2, "ply", "plies") == "2 plies"


def test_a_list_of_numbers_and_its_noun():
    assert listed([1], "episode") == "1 episode"
    assert listed([1, 3, 1000], "episode") == "1, 3, 1,000 episodes"
    assert listed([3], "episode", " / ") == "3 episodes"


def test_frames():
    assert (frames_text(1), frames_text(999), frames_text(100_000)) == (
        "1 frame",
        "999 frames",
        "100k frames",
    )
    assert frames_text(2_000_000) == "2M frames"


def test_points_of_a_difference():
    one = Estimate(0.01, -0.05, 0.08, 100)
    assert points(one) == "1 point [-5–8]"
    assert signed_points(one) == "+1 point [-5, +8]"
    assert signed_points(Estimate(-0.4, -0.53, -0.27, 60)) == "-40 points [-53, -27]"
