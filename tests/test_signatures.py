"""Every step's signature is derived by the base class (issue 10, sacrebleu's habit): name, version, the
origins it judges and the settings it was built with — mappers and generators included — and it changes
when one of those settings changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lrl import config
from lrl.languages.plugin import load_plugin
from lrl.pipeline import Inputs, build_steps, run_wide_steps
from lrl.registry import steps as registered
from lrl.run_record import step_entry

#: One setting per stage, changed from what ``_cfg`` sets. The tone bar is the plugin's
#: (orthography.tone_min_share) and the blocklist's terms are the plugin's file: changed there.
CHANGED: dict[str, Any] = {
    "normalize.collapse_whitespace": False, "decontaminate.ngram": 9, "filters.privacy.email": "drop",
    "filters.markup.action": "strip", "filters.length.max_ratio": 2.5, "filters.script.min_share": 0.6,
    "filters.langid.tgt_min_prob": 0.4, "filters.untranslated.min_words": 3, "filters.fluency.min_score": -3.0,
    "bt.min_fluency": -1.0, "filters.fluency.lrl_min_score": -3.0, "filters.adequacy.min_score": -0.5,
    "filters.dedup.near": False, "substitute.per_pair": 3, "bt.tagged": True, "bt.min_chrf": 15.0,
    "paraphrase.n": 3, "paraphrase.min_chrf": 30.0, "paraphrase.pivot_min_lrl_fluency": 0.5,
}


def _build(plugin_dir: Path, exclude: Path, changed: bool) -> dict[str, dict[str, Any]]:
    (plugin_dir / "blocklist.txt").write_text("ìbọn\n" + ("ọ̀bẹ\n" if changed else ""), encoding="utf-8")
    plugin = load_plugin(plugin_dir)
    if changed:
        plugin.orthography["tone_min_share"] = 0.9
    over: dict[str, Any] = {"templates.count": 20, "substitute.enabled": True, "paraphrase.enabled": True,
                            "decontaminate.exclude": [str(exclude)], "decontaminate.ngram": 8,
                            "bt.prefer_cached": False, **(CHANGED if changed else {})}
    cfg = config.resolve({}, "p", None, over)
    steps = build_steps(plugin, cfg, Inputs([], []), progress=False) + run_wide_steps(cfg)
    # bt's model_info says whether the tables came from the cache and how long training took: facts of
    # this process, not settings (the second build loads what the first trained).
    return {s.name: {k: v for k, v in step_entry(s)["signature"].items() if k != "model_info"} for s in steps}


def test_every_step_has_a_derived_signature_that_moves_with_its_settings(tiny_plugin_dir: Path,
                                                                          tmp_path: Path) -> None:
    exclude = tmp_path / "test.tsv"
    exclude.write_text("en\tyo\nA held-out sentence for the test set.\tỌ̀rọ̀ kan.\n", encoding="utf-8")
    before = _build(tiny_plugin_dir, exclude, changed=False)
    assert _build(tiny_plugin_dir, exclude, changed=False) == before  # the same settings, the same signatures
    after = _build(tiny_plugin_dir, exclude, changed=True)
    # Every registered step is in the chain (dedup runs last, run-wide), and so are the mapper and the
    # generators with their own checks.
    names = set(before)
    assert {n for n in registered() if not n.startswith("lrl-")} <= names
    assert {"normalize", "decontaminate", "decontaminate-synthetic", "substitute", "bt", "chrf", "paraphrase",
            "paraphrase-chrf", "bt-fluency", "substitute-lrl-fluency", "dedup"} <= names
    for name, sig in before.items():
        assert sig["name"] == name and isinstance(sig["version"], int), name
        assert "applies_to" in sig, name
        if "-" in name and not name.startswith("decontaminate"):  # a generated rows' check
            assert sig["applies_to"], name
    moved = [n for n in names if before[n] == after[n]]
    assert moved == [], f"signatures that did not change with their settings: {moved}"
