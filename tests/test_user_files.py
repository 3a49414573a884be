"""Every reader of a file a user hands us, fed arbitrary bytes and arbitrary nested values: the
result is a valid object or one clean refusal (a :class:`NeurocompError`, which the command line
prints as one line), never another exception.

The readers: experiment configs (TOML, YAML, JSON), ``--level`` boards (every game), rule files
(SWI-Prolog under ``library(sandbox)``), hypothesis-language files and a saved pipeline's
``pipeline.json``.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compose import load_config
from compose.pipelines.checkpoints import read_manifest
from environments.errors import NeurocompError
from environments.registry import games, make
from symbolic.engine import PrologEngine
from symbolic.induction.language import load_language

# Few examples each (the suite runs on 2 cores), no deadline (a config loads environments).
FEW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text()
NESTED = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
# Config-shaped values: the real field names, arbitrary values under them.
FIELDS = ["env", "pipelines", "budgets", "frames", "seeds", "episodes", "splits", "rules",
          "search", "workers", "executor", "address", "train", "preset"]  # fmt: skip
CONFIGS = st.dictionaries(st.sampled_from(FIELDS), NESTED, max_size=5)


def _written(suffix: str, data: bytes) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="neurocomp-prop-"))
    path = directory / f"file{suffix}"
    path.write_bytes(data)
    return path


def _refused_cleanly(read, *args) -> None:
    """``read(*args)`` returns, or raises a NeurocompError: nothing else."""
    try:
        read(*args)
    except NeurocompError as e:
        assert str(e).strip(), "a refusal says what was wrong"


@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
@FEW
@given(data=st.binary(max_size=300))
def test_a_config_of_any_bytes_loads_or_is_refused(suffix, data):
    _refused_cleanly(load_config, _written(suffix, data))


@FEW
@given(values=CONFIGS)
def test_a_config_of_any_values_loads_or_is_refused(values):
    try:
        text = json.dumps(values)
    except (ValueError, OverflowError):
        return  # not JSON at all (nan is, in Python's dialect)
    _refused_cleanly(load_config, _written(".json", text.encode()))


# A split's variant keywords, by the names the games take, with values of any kind.
KWARGS = st.dictionaries(st.sampled_from(["size", "lava", "appearance", "enemies"]), SCALARS)


@FEW
@given(
    values=st.fixed_dictionaries({"name": st.just("split"), "kwargs": KWARGS})
    | st.dictionaries(st.sampled_from(["name", "env", "kwargs"]), NESTED, max_size=3)
)
def test_a_split_of_any_values_loads_or_is_refused(values):
    config = {"env": "neurocomp/KeyDoor-6x6-v0", "pipelines": ["oracle"], "splits": [values]}
    try:
        text = json.dumps(config)
    except (ValueError, OverflowError):
        return
    _refused_cleanly(load_config, _written(".json", text.encode()))


@pytest.mark.parametrize("game", games(), ids=lambda g: g.name)
@FEW
@given(data=st.data())
def test_a_level_of_any_text_plays_or_is_refused(game, data):
    env = make(game.env_ids()[0])
    glyphs = "".join(k.glyph for k in game.kinds)
    text = data.draw(st.text(alphabet=glyphs + "\n \t", max_size=120) | st.text(max_size=60))
    _refused_cleanly(lambda: env.reset(options={"level": text}))


@FEW
@given(
    text=st.text(alphabet=string.ascii_letters + string.digits + "()[]_,.:-; \n'\"", max_size=200)
    | st.text(max_size=100)
)
def test_a_rule_file_of_any_text_loads_or_is_refused(text):
    engine = PrologEngine.get()
    path = _written(".pl", text.encode("utf-8", "surrogatepass"))
    _refused_cleanly(lambda: engine.load_rules(path, required=("blocks/2",)))


@FEW
@given(data=st.binary(max_size=200))
def test_a_rule_file_of_any_bytes_loads_or_is_refused(data):
    engine = PrologEngine.get()
    _refused_cleanly(lambda: engine.load_rules(_written(".pl", data)))


@FEW
@given(data=st.binary(max_size=300) | NESTED.map(lambda v: json.dumps(v, default=str).encode()))
def test_a_language_file_of_anything_loads_or_is_refused(data):
    _refused_cleanly(load_language, _written(".toml", data))


@FEW
@given(values=NESTED)
def test_a_language_of_any_values_loads_or_is_refused(values):
    if isinstance(values, dict):
        _refused_cleanly(load_language, values)


@FEW
@given(data=st.binary(max_size=300) | NESTED.map(lambda v: json.dumps(v, default=str).encode()))
def test_a_pipeline_json_of_anything_reads_or_is_refused(data):
    path = _written(".json", data)
    path.rename(path.with_name("pipeline.json"))
    _refused_cleanly(read_manifest, path.parent)
