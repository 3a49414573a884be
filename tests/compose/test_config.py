"""Experiment configs: loading from files, and errors that name the field and value."""

from __future__ import annotations

import json

import pytest

from compose.common.errors import ConfigError
from compose.experiments.config import PRESETS, ExperimentConfig, SplitSpec
from compose.experiments.config_files import load_config


def test_defaults_and_default_splits():
    config = load_config()
    assert config.env == "neurocomp/KeyDoor-8x8-v0"
    assert [p.label for p in config.pipelines] == [
        "hybrid",
        "hybrid-abduced",
        "hybrid-induced",
        "hybrid-conv-colour",
        "mono-small",
        "mono-medium",
        "mono-large",
        "mono-pooled",
        "ppo",
        "oracle",
    ]
    assert config.frames == [10_000, 100_000]
    # Where abduction cannot read the game, the defaults leave the abduced hybrid out.
    # Where kinds differ in colour only, perception swaps the game's colours (kinds with
    # them), and a policy's colour augmentation is refused.
    minigrid = load_config(env="MiniGrid-DoorKey-5x5-v0")
    labels = [p.label for p in minigrid.pipelines]
    assert "hybrid-abduced" not in labels and "hybrid-conv-colour" in labels
    assert "hybrid" in labels and "oracle" in labels
    with pytest.raises(ConfigError, match=r"pipelines\[0\] \(mono-small-colour\).*colour only"):
        load_config(
            env="MiniGrid-DoorKey-5x5-v0",
            pipelines=[{"kind": "monolithic", "size": "small", "augment": "colour"}],
        )
    names = [s.name for s in config.resolved_splits()]
    assert names == [
        "in-distribution",
        "larger-12x12",
        "larger-16x16",
        "novel-appearance",
        "more-lava",
    ]


@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
def test_loads_every_format(tmp_path, suffix):
    data = {
        "budgets": [2, 1],
        "seeds": 3,
        "episodes": 7,
        "pipelines": [{"kind": "hybrid"}, {"kind": "monolithic", "size": "small"}],
    }
    text = {
        ".toml": 'budgets = [2, 1]\nseeds = 3\nepisodes = 7\n[[pipelines]]\nkind = "hybrid"\n'
        '[[pipelines]]\nkind = "monolithic"\nsize = "small"\n',
        ".yaml": "budgets: [2, 1]\nseeds: 3\nepisodes: 7\npipelines:\n  - kind: hybrid\n"
        "  - {kind: monolithic, size: small}\n",
        ".json": json.dumps(data),
    }[suffix]
    path = tmp_path / f"c{suffix}"
    path.write_text(text)
    config = load_config(path)
    assert config.budgets == [1, 2] and config.seeds == 3 and config.episodes == 7
    assert [p.label for p in config.pipelines] == ["hybrid", "mono-small"]


def test_precedence_preset_then_file_then_flags(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("seeds = 4\n")
    config = load_config(path, preset="full", episodes=9)
    assert config.budgets == PRESETS["full"]["budgets"]
    assert config.seeds == 4 and config.episodes == 9


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"budgets": [1, -3]},
            "budgets: budgets are numbers of demonstration episodes, from 1 to 3,000 (got -3)",
        ),
        ({"budgets": [2, 2]}, "budgets must not repeat"),
        ({"seeds": 0}, "seeds: Input should be greater than or equal to 1 (got 0)"),
        ({"episodes": "many"}, "episodes: Input should be a valid integer"),
        (
            {"pipelines": [{"kind": "monolithic"}]},
            "pipelines[0]: a monolithic pipeline needs a size",
        ),
        (
            {"pipelines": [{"kind": "hybird"}]},
            "pipelines[0]: unknown pipeline 'hybird'; did you mean 'hybrid'",
        ),
        (
            {"pipelines": [{"kind": "hybrid-abduced", "supervision": "labels"}]},
            "pipelines[0]: kind 'hybrid-abduced' means supervision = 'abduced', not 'labels'",
        ),
        (
            {"pipelines": [{"kind": "mono-small", "size": "large"}]},
            "pipelines[0]: 'mono-small' means size = 'small', not 'large'",
        ),
        ({"pipelines": [{"kind": "hybrid", "size": "small"}]}, "size applies to monolithic"),
        ({"bugdets": [1]}, "bugdets: unknown setting; did you mean 'budgets'?"),
        ({"train": {"learning_rates": [2.0]}}, "train.learning_rates: learning rates must lie"),
        ({"env": "neurocomp/KeyDoor-8x9-v0"}, "Did you mean 'neurocomp/KeyDoor-8x8-v0'"),
        ({"splits": [{"name": "x", "kwargs": {"lava": 99}}]}, "splits[0] (x): lava must be"),
        (
            {"splits": [{"name": "x", "kwargs": {"lava": True}}]},  # true stays a bool, refused
            "splits[0] (x): lava must be an integer or None, got True (a boolean)",
        ),
        ({"splits": [{"name": "Big Grid"}]}, "splits[0].name: use up to 64 lower-case letters"),
        ({"rules": "/nonexistent/rules.pl"}, "rules: no such file"),
        ({"search": "gf2"}, "search: 'gf2' does not apply to KeyDoor's reasoner"),
        ({"pipelines": [{"kind": "monolithic", "size": "huge"}]}, "size must be one of small"),
    ],
)
def test_bad_values_name_the_field(overrides, message):
    with pytest.raises(ConfigError) as info:
        load_config(**overrides)
    assert message in str(info.value)


def test_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("budgets = [1,\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_config(bad)
    txt = tmp_path / "c.txt"
    txt.write_text("x")
    with pytest.raises(ConfigError, match=r"use a \.toml"):
        load_config(txt)
    wrong_field = tmp_path / "w.yaml"
    wrong_field.write_text("seeds: -1\n")
    with pytest.raises(ConfigError, match=r"w.yaml: seeds: .* \(got -1\)"):
        load_config(wrong_field)
    with pytest.raises(ConfigError, match="unknown preset"):
        load_config(preset="huge")


def test_settings_hash_tracks_what_decides_results():
    base = load_config().settings_hash()
    assert load_config(workers=1).settings_hash() == base  # how fast, not what
    assert load_config(budgets=[5]).settings_hash() == base  # which jobs, not their result
    assert load_config(episodes=21).settings_hash() != base
    assert load_config(train={"max_steps": 10}).settings_hash() != base


def test_a_pipeline_is_named_as_run_takes_it_or_as_the_report_labels_it(tmp_path):
    from compose.pipelines.spec import (
        FIELD_DEFAULTS,
        PIPELINE_NAMES,
        PipelineSpec,
        pipeline_labels,
        spec_named,
    )

    config = tmp_path / "named.toml"
    config.write_text(
        'pipelines = [{kind = "hybrid-abduced"}, {kind = "monolithic-dagger", size = "small"},'
        ' {kind = "mono-pooled-aug"}, {kind = "hybrid-abduced-conv"}, {kind = "ppo"}]\n'
    )
    long_form = [
        PipelineSpec(kind="hybrid", supervision="abduced"),
        PipelineSpec(kind="monolithic", size="small", training="dagger"),
        PipelineSpec(kind="monolithic", size="pooled", augment="both"),
        PipelineSpec(kind="hybrid", supervision="abduced", perception="conv"),
        PipelineSpec(kind="ppo"),
    ]
    named = load_config(config).pipelines
    assert named == long_form  # the same specs, so the same results and the same hashes
    assert [p.key_fields() for p in named] == [p.key_fields() for p in long_form]
    # every run name and every label maps back to itself, and labels name one pipeline each
    labels = pipeline_labels()
    assert all(spec_named(label).label == label for label in labels)
    assert all(spec_named(spec_named(n).label) == spec_named(n) for n in PIPELINE_NAMES)
    assert {"mono-medium", "hybrid-conv-colour", "mono-small-symbolic-aug-dagger"} <= set(labels)
    for field, default in FIELD_DEFAULTS.items():  # a default is spelt as the model spells it
        assert default in PipelineSpec.model_fields[field].description


def test_a_pipeline_may_be_given_by_its_name_alone():
    named = load_config(pipelines=["hybrid-abduced", "mono-small", "ppo"])
    written = load_config(
        pipelines=[
            {"kind": "hybrid", "supervision": "abduced"},
            {"kind": "monolithic", "size": "small"},
            {"kind": "ppo"},
        ]
    )
    assert named.pipelines == written.pipelines
    with pytest.raises(ConfigError, match=r"pipelines\[0\]: unknown pipeline 'hybird'"):
        load_config(pipelines=["hybird"])


def test_a_view_reaches_every_split_and_the_hash_and_leaves_a_full_view_config_as_it_was():
    full = load_config(env="MiniGrid-DoorKey-5x5-v0")
    ego = load_config(env="MiniGrid-DoorKey-5x5-v0", view="egocentric")
    assert [s.name for s in ego.resolved_splits()] == [s.name for s in full.resolved_splits()]
    assert all(s.kwargs.get("view") == "egocentric" for s in ego.resolved_splits())
    assert all("view" not in s.kwargs for s in full.resolved_splits())
    assert ego.settings_hash() != full.settings_hash()
    assert full.settings_hash() == ExperimentConfig(env="MiniGrid-DoorKey-5x5-v0").settings_hash()
    # Learners that explain one screen at a time are left out of the egocentric defaults.
    labels = [p.label for p in ego.pipelines]
    monoliths = [f"mono-{s}" for s in ("small", "medium", "large", "pooled")]
    assert labels == ["hybrid", "hybrid-conv-colour", *monoliths, "ppo", "oracle"]
    # A split of a smaller view is the same game; one of the full view is not.
    smaller = SplitSpec(name="view-5", kwargs={"view_size": 5})
    assert load_config(env="MiniGrid-DoorKey-5x5-v0", view="egocentric", splits=[smaller])
    with pytest.raises(ConfigError, match="seen the same way"):
        load_config(
            env="MiniGrid-DoorKey-5x5-v0",
            view="egocentric",
            splits=[SplitSpec(name="full", kwargs={"view": "full"})],
        )
    with pytest.raises(ConfigError, match="view: KeyDoor has no view 'egocentric'"):
        load_config(view="egocentric")
