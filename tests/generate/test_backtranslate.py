"""Back-translation step: pass-through, new bt rows with provenance, accounting, tagging; and the
pipeline wiring (IBM-1 bootstrapped from the plugin, dev scores in the manifest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lrl.generate.backtranslate import TAG, BackTranslate
from lrl.record import Record
from lrl.step import RunContext, Stats


class Upper:
    identity: dict[str, Any] = {"kind": "test", "id": "upper", "revision": "1"}

    def __init__(self) -> None:
        self.calls: list[int] = []

    def translate(self, texts: list[str]) -> list[str]:
        self.calls.append(len(texts))
        return [t.upper() if t != "silence" else "" for t in texts]


def _ctx() -> tuple[RunContext, list[tuple[Record, str, str]]]:
    rejected: list[tuple[Record, str, str]] = []
    return RunContext(Stats(), lambda r, s, why: rejected.append((r, s, why)), seed=7), rejected


def test_backtranslate_adds_rows_and_closes_the_books() -> None:
    recs = [Record(f"m{i}", "", f"ọ̀rọ̀ {i}", "mono") for i in range(5)]
    recs.insert(2, Record("s1", "hello", "báwo", "seed"))
    recs.append(Record("m9", "", "silence", "mono"))
    tr = Upper()
    ctx, rejected = _ctx()
    out = list(BackTranslate(tr, {"beam_size": 1}, batch_size=2, progress=False).run(recs, ctx))
    bt = [r for r in out if r.origin == "bt"]
    assert len(bt) == 5 and tr.calls == [2, 2, 2]
    assert [r.id for r in out if r.origin != "bt"] == ["m0", "m1", "s1", "m2", "m3", "m4", "m9"] or \
        {r.id for r in out if r.origin != "bt"} == {r.id for r in recs}
    child = bt[0]
    assert child.parent_id == "m0" and child.src == "Ọ̀RỌ̀ 0" and child.tgt == "ọ̀rọ̀ 0"
    assert child.provenance == {"model": Upper.identity, "settings": {"beam_size": 1}, "seed": 7,
                                "tagged": False}
    st = ctx.stats["bt"]
    assert (st.seen, st.created, st.passed, st.rejected) == (7, 6, 12, 1)
    assert st.seen + st.created == st.passed + st.rejected
    assert rejected[0][0].parent_id == "m9" and rejected[0][2].startswith("bt-empty")


def test_tagged_backtranslation() -> None:
    ctx, _ = _ctx()
    out = list(BackTranslate(Upper(), tagged=True, progress=False).run([Record("m", "", "ilé", "mono")], ctx))
    assert out[1].src == TAG + "ILÉ" and out[1].provenance["tagged"] is True


def test_pipeline_backtranslates_plugin_examples_with_ibm1(tiny_plugin_dir: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from lrl import config, pipeline
    from lrl.languages.plugin import load_plugin

    monkeypatch.setenv("LRL_CACHE", str(tmp_path / "cache"))
    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve(plugin.defaults, "test", None, {"out_dir": str(tmp_path / "out"),
                                                         "templates.count": 40, "filters.langid.enabled": False,
                                                         "bt.min_chrf": 0.0, "bt.ibm1_unverified": "keep"})
    result = pipeline.run(plugin, cfg, pipeline.Inputs(mono=[], parallel=[]), progress=False)
    m = result.manifest
    assert m["stages"]["bt"]["created"] == 2 and result.kept_by_origin["bt"] == 2
    bt_step = next(s for s in m["steps"] if s["name"] == "bt")["signature"]
    assert bt_step["model"]["kind"] == "ibm1" and "no dev score" in bt_step["dev"]["note"]
    names = [s["name"] for s in m["steps"]]
    # bt, then its own checks of the new English side (bt-privacy, bt-length, bt-script, ...), then chrF; the
    # run-wide dedup comes last
    assert names[-1] == "dedup"
    tail = names[names.index("bt"):-1]
    assert tail[1:3] == ["bt-privacy", "bt-length"] and tail[-1] == "chrf" and all(n.startswith("bt-") for n in tail[1:-1])
    assert all(s["applies_to"] == ["bt"] for s in m["steps"] if s["name"] in tail[1:])
    assert m["stages"]["chrf"]["in"] == 2
    rows = [json.loads(line) for line in (result.run_dir / "rejected.jsonl").read_text().splitlines()]
    assert all(r["origin"] != "bt" for r in rows)


def test_bt_can_be_turned_off(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    from lrl import config, pipeline
    from lrl.languages.plugin import load_plugin

    plugin = load_plugin(tiny_plugin_dir)
    cfg = config.resolve(plugin.defaults, "test", None, {"bt.enabled": False, "filters.langid.enabled": False})
    assert not any(s.name.startswith("bt") for s in pipeline.build_steps(plugin, cfg))
