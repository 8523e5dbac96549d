"""The chains as data (issue 10): steps named in settings, a package's step through the ``lrl.steps``
entry point, ``lrl steps list``, and no import cycle through the settings."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from lrl import config
from lrl.cli import main
from lrl.errors import ConfigError
from lrl.languages import load_plugin
from lrl.pipeline import Inputs, run

LRL = Path(__file__).resolve().parents[1] / "lrl"

# A package outside lrl/ that registers a step: a filter rejecting rows whose English side has fewer
# than `min_words` words, with its own setting (steps.short.min_words).
SHORT_PKG = '''
from lrl.step import Filter


class Short(Filter):
    name = "short"

    def __init__(self, min_words):
        self.min_words = min_words

    def score(self, record):
        return {"words": float(len(record.src.split()))}

    def decide(self, record, scores):
        return f"fewer than {self.min_words} English words" if scores["words"] < self.min_words else None

    def signature(self):
        return {"min_words": self.min_words}


def build(ctx):
    """English sides with fewer than min_words words (a test package's step)."""
    return Short(ctx.settings["min_words"])


build.defaults = {"min_words": 3}
'''


@pytest.fixture
def short_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    (site / "shortpkg").mkdir(parents=True)
    (site / "shortpkg" / "__init__.py").write_text(SHORT_PKG, encoding="utf-8")
    dist = site / "shortpkg-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: shortpkg\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[lrl.steps]\nshort = shortpkg:build\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    return site


def _steps(result: object) -> list[str]:
    return [s["name"] for s in result.manifest["steps"]]  # type: ignore[attr-defined]


def test_a_settings_file_that_removes_a_step_runs_without_that_stage(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    plugin = load_plugin(tiny_plugin_dir)
    checks = [n for n in config.DEFAULTS["pipeline"]["checks"] if n != "script"]
    settings = tmp_path / "run.toml"
    settings.write_text(f"[pipeline]\nchecks = {json.dumps(checks)}\n", encoding="utf-8")
    cfg = config.resolve(plugin.defaults, "p", settings, {"out_dir": str(tmp_path / "out"), "bt.enabled": False,
                                                          "templates.count": 20})
    result = run(plugin, cfg, Inputs([], []), progress=False)
    assert "script" not in _steps(result) and "script" not in result.manifest["stages"]
    assert "langid" in _steps(result)
    # The resolved settings, the chain included, are in the manifest.
    assert result.manifest["config"]["pipeline"]["checks"] == checks


def test_a_step_from_an_installed_package_runs_in_a_pipeline(short_step: Path, tiny_plugin_dir: Path,
                                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve(plugin.defaults, "p", None, {
        "out_dir": str(tmp_path / "out"), "bt.enabled": False, "templates.count": 20,
        "pipeline.checks": ["length", "short"], "steps.short.min_words": 8})
    result = run(plugin, cfg, Inputs([], []), progress=False)
    assert _steps(result)[-1] == "short"
    assert result.manifest["steps"][-1]["signature"] == {"min_words": 8}
    stage = result.manifest["stages"]["short"]
    assert stage["rejected"] > 0 and stage["out"] > 0
    rejected = [json.loads(x) for x in (result.run_dir / "rejected.jsonl").read_text().splitlines()]
    assert any(r["stage"] == "short" and "fewer than 8" in r["reason"] for r in rejected)
    # Its setting is checked like any other, and `lrl steps list` shows it with its default.
    with pytest.raises(ConfigError, match="'steps.short.min_words' must be int"):
        config.resolve({}, "p", None, {"steps.short.min_words": "many"})
    assert main(["steps", "list"]) == 0
    out = capsys.readouterr().out
    assert "short  [input, generated]  from shortpkg" in out and "steps.short.min_words = 3" in out


def test_an_unknown_step_name_is_an_error_naming_the_steps_there_are() -> None:
    with pytest.raises(ConfigError, match=r"command line: 'pipeline.checks' = 'scrpt' is not allowed — allowed: "
                                          r"privacy, .*script"):
        config.resolve({}, "p", None, {"pipeline.checks": ["length", "scrpt"]})
    # lrl-fluency judges generated language sides only.
    with pytest.raises(ConfigError, match="'lrl-fluency' is not allowed"):
        config.resolve({}, "p", None, {"pipeline.checks": ["lrl-fluency"]})


def test_steps_list_shows_every_step_with_its_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "list", "--set", "filters.length.max_z=2.5"]) == 0
    out = capsys.readouterr().out
    for name in config.DEFAULTS["pipeline"]["checks"]:
        assert f"\n{name}  [" in f"\n{out}"
    assert "filters.length.max_z = 2.5  (default 3.0)  (>= 0.0)" in out
    assert "filters.markup.action = 'reject'  (one of: reject, strip)" in out


def _imports(path: Path) -> set[str]:
    """lrl modules ``path`` imports, at module level or inside functions, but not under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lrl"):
            out |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("lrl")}
    return out


def test_no_import_cycle_through_the_settings() -> None:
    """config → generate/paraphrase → languages/plugin → config was one (issue 10)."""
    graph: dict[str, set[str]] = {}
    for p in LRL.rglob("*.py"):
        mod = ".".join(p.relative_to(LRL.parent).with_suffix("").parts).removesuffix(".__init__")
        graph[mod] = _imports(p)
    graph = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    for start in ("lrl.config", "lrl.schema", "lrl.registry"):
        seen, todo = set(), list(graph[start])
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo += graph[m]
        assert start not in seen, f"{start} imports itself through {sorted(seen)}"


def test_a_package_step_that_fails_to_build_names_the_package(short_step: Path, tiny_plugin_dir: Path,
                                                              tmp_path: Path) -> None:
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve(plugin.defaults, "p", None, {
        "out_dir": str(tmp_path / "out"), "bt.enabled": False, "pipeline.checks": ["short"]})
    cfg["steps"]["short"] = {}  # what a broken package's build() would meet: a KeyError in its own code
    with pytest.raises(ConfigError, match=r"step 'short' from package shortpkg failed to build: KeyError"):
        run(plugin, cfg, Inputs([], []), progress=False)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("manifest.json"))
