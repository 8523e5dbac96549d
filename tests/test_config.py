import re
from pathlib import Path

import pytest

from lrl import config
from lrl.errors import ConfigError


def test_layers_apply_in_order(tmp_path: Path) -> None:
    f = tmp_path / "run.toml"
    f.write_text("seed = 5\n[templates]\ncount = 10\n")
    cfg = config.resolve({"templates": {"count": 99}, "seed": 1}, "plugin", f, {"templates.count": 7})
    assert cfg["seed"] == 5
    assert cfg["templates"]["count"] == 7
    assert cfg["filters"]["langid"]["tgt_min_prob"] == config.DEFAULTS["filters"]["langid"]["tgt_min_prob"]


def test_unknown_key_names_source_and_known_keys() -> None:
    with pytest.raises(ConfigError, match=r"command line: unknown setting 'filters.langid.minprob'.*tgt_min_prob"):
        config.resolve({}, "plugin", None, {"filters.langid.minprob": 0.3})


def test_wrong_type_is_an_error_and_int_widens_to_float() -> None:
    with pytest.raises(ConfigError, match="'templates.count' must be int"):
        config.resolve({}, "p", None, {"templates.count": "many"})
    cfg = config.resolve({}, "p", None, {"filters.langid.tgt_min_prob": 1})
    assert cfg["filters"]["langid"]["tgt_min_prob"] == 1.0 and isinstance(cfg["filters"]["langid"]["tgt_min_prob"], float)


def test_plugin_layer_errors_name_the_plugin() -> None:
    with pytest.raises(ConfigError, match=r"languages/xx/language.toml \[defaults\]: unknown setting 'nope'"):
        config.resolve({"nope": 1}, "languages/xx/language.toml", None, {})


def test_parse_overrides_reads_toml_literals() -> None:
    got = config.parse_overrides(["a.b=3", "c=0.5", "d=true", "e=hello", "f=[\"x\"]"])
    assert got == {"a.b": 3, "c": 0.5, "d": True, "e": "hello", "f": ["x"]}
    with pytest.raises(ConfigError, match="not key=value"):
        config.parse_overrides(["novalue"])


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        config.resolve({}, "p", tmp_path / "nope.toml", {})


def test_the_typed_model_is_the_defaults_table() -> None:
    """The pydantic model is built from DEFAULTS/CHOICES/RANGES (lrl/schema.py): its dump is the table."""
    assert config.schema().dump({}) == config.DEFAULTS


@pytest.mark.parametrize("key", sorted(config.CHOICES))
def test_every_fixed_choice_is_validated_the_same_way(key: str) -> None:
    allowed = ", ".join(config.CHOICES[key])
    value = ["nope"] if key == "paraphrase.origins" else "nope"
    for source, layer, file in (("command line", {}, None), ("xx/language.toml [defaults]", None, None)):
        with pytest.raises(ConfigError, match=rf"^{re.escape(source)}: '{re.escape(key)}' = 'nope' is not allowed "
                                              rf"— allowed: {re.escape(allowed)}$"):
            if layer is None:
                config.resolve(config.dotted_to_nested({key: value}), "xx/language.toml", file, {})
            else:
                config.resolve(layer, "p", file, {key: value})


def test_a_settings_file_error_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "run.toml"
    f.write_text("[inputs]\nbad_rows = \"skp\"\n")
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(f))}: 'inputs.bad_rows' = 'skp' is not allowed — "
                                          "allowed: error, skip$"):
        config.resolve({}, "p", f, {})
