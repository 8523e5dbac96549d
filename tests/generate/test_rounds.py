"""Iterative back-translation and selection over the monolingual pool (lrl/generate/rounds.py): the round
loop with stand-in translators, then the real pipeline with IBM-1 tables retrained between rounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lrl.generate.rounds import SelectiveBackTranslate
from lrl.generate.select import Selector
from lrl.record import Record
from lrl.step import Filter, RunContext, Stats


class Words:
    """Translates by a word table; words it does not know come out as "bad"."""

    def __init__(self, name: str, table: dict[str, str]) -> None:
        self.table = table
        self.identity = {"kind": "ibm1", "id": name}

    def translate(self, texts: list[str]) -> list[str]:
        return [" ".join(self.table.get(w, "bad") for w in t.split()) for t in texts]


class NoBad(Filter):
    name = "bt-nobad"
    applies_to = frozenset({"bt"})

    def score(self, record: Record) -> dict[str, float | str]:
        return {"bad": float(record.src.split().count("bad"))}

    def decide(self, record: Record, scores: dict[str, float | str]) -> str | None:
        return "nobad: words left untranslated" if scores["bad"] else None


def _dev(score: float) -> dict[str, Any]:
    return {"rows": 60, "yo-en": {"chrf++": score, "bleu": 1.0}, "en-yo": {"chrf++": 20.0, "bleu": 1.0}}


def _step(rounds: int, scores: list[float],
          selector: Selector | None = None) -> tuple[SelectiveBackTranslate, list[Any]]:
    base = {"ilé": "house", "ọjà": "market"}
    models = [Words(f"m{i + 2}", {**base, "ìwé": "book", **({"oko": "farm"} if i else {})})
              for i in range(len(scores))]
    trained: list[Any] = []

    def retrain(pairs: list[tuple[str, str]]) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        trained.append(pairs)
        i = len(trained) - 1
        return models[i], _dev(scores[i]), {"train_pairs": 100 + len(pairs)}

    step = SelectiveBackTranslate(Words("m1", base), selector=selector, rounds=rounds, retrain=retrain,
                                  dev=_dev(25.0), direction="yo-en", progress=False, batch_size=2)
    step.checks = [NoBad()]
    return step, trained


def _run(step: SelectiveBackTranslate, recs: list[Record]) -> tuple[list[Record], RunContext, list[Any]]:
    rejected: list[Any] = []
    ctx = RunContext(Stats(), lambda r, s, why: rejected.append((r.id, s, why)), seed=1)
    out = list(step.checks[0].run(step.run(recs, ctx), ctx))
    return out, ctx, rejected


MONO = ["ilé ọjà", "ìwé ilé", "oko ìwé", "ọjà"]


def test_rounds_retrain_until_dev_stops_improving_and_output_the_last_used_round() -> None:
    step, trained = _step(rounds=4, scores=[26.0, 25.5])  # round 2 helps, round 3's tables do not
    recs = [Record("s", "hello", "báwo", "seed")] + [Record(f"m{i}", "", t, "mono") for i, t in enumerate(MONO)]
    out, ctx, rejected = _run(step, recs)
    log = step.rounds_log
    assert [e["round"] for e in log] == [1, 2, 3]
    assert [e["kept"] for e in log[:2]] == [2, 3] and log[2]["used"] is False
    assert log[1]["output"] and not log[0]["output"] and "not used" in log[1]["stop"]
    assert trained[0] == [("house market", "ilé ọjà"), ("market", "ọjà")]  # round 1's kept pairs
    # the output: round 2's translations of every monolingual row; the row it cannot translate is rejected
    bt = {r.parent_id: r.src for r in out if r.origin == "bt"}
    assert bt == {"m0": "house market", "m1": "book house", "m3": "market"}
    assert [r[0] for r in rejected] == ["bt:m2"] and all(r.provenance["model"]["id"] == "m2"
                                                         for r in out if r.origin == "bt")
    assert step.signature()["dev"]["yo-en"]["chrf++"] == 26.0
    st = ctx.stats["bt"]
    assert st.seen + st.created == st.passed + st.rejected and st.seen == 5
    assert ctx.stats["bt-nobad"].seen == 4  # trial rounds counted apart: only the output's rows here


def test_rounds_stop_at_the_requested_number_and_without_a_dev_split() -> None:
    step, trained = _step(rounds=2, scores=[30.0, 31.0])
    _run(step, [Record(f"m{i}", "", t, "mono") for i, t in enumerate(MONO)])
    assert len(trained) == 1 and step.rounds_log[-1]["output"] and "reached" in step.rounds_log[-1]["stop"]
    step, trained = _step(rounds=3, scores=[25.05])  # +0.05 over round 1: noise under bt.rounds_min_gain
    step.min_gain = 0.1
    _run(step, [Record(f"m{i}", "", t, "mono") for i, t in enumerate(MONO)])
    assert len(trained) == 1 and step.rounds_log[0]["output"] and step.rounds_log[1]["used"] is False
    step, trained = _step(rounds=3, scores=[30.0])
    step.dev = {"rows": 0, "note": "no dev score"}
    _run(step, [Record(f"m{i}", "", t, "mono") for i, t in enumerate(MONO)])
    assert trained == [] and "no dev split" in step.rounds_log[0]["stop"]


def test_rows_not_selected_stay_monolingual_with_their_scores() -> None:
    seed = ["ilé ọjà ìwé", "ilé ọjà", "ilé"]
    step, _ = _step(rounds=1, scores=[], selector=Selector("rank", 2, seed))
    out, ctx, rejected = _run(step, [Record(f"m{i}", "", t, "mono") for i, t in enumerate(MONO)])
    mono = {r.id: r.scores for r in out if r.origin == "mono"}
    assert set(mono) == {"m0", "m1", "m2", "m3"} and all(r[0].startswith("bt:") for r in rejected)
    chosen = {i for i, s in mono.items() if s["select.chosen"] == 1.0}
    made = {r.parent_id for r in out if r.origin == "bt"} | {r[0][3:] for r in rejected}
    assert len(chosen) == 2 and made == chosen  # a bt row for each chosen row, kept or rejected
    assert step.select_log["not_chosen"] == 2 and step.rounds_log == []


def test_pipeline_rounds_with_ibm1(shared_data: Path, tmp_path: Path, tiny_plugin_dir: Path) -> None:
    from lrl import config, pipeline
    from lrl.languages.plugin import load_plugin
    from lrl.summary import summary_lines

    lines = (shared_data / "yo/menyo20k/train.tsv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "seed.tsv").write_text("\n".join(lines[:401]) + "\n", encoding="utf-8")
    (tmp_path / "mono.txt").write_text("\n".join(ln.split("\t")[1] for ln in lines[401:701]) + "\n",
                                       encoding="utf-8")
    plugin = load_plugin(tiny_plugin_dir)
    overrides = {"out_dir": str(tmp_path / "out"), "templates.enabled": False, "filters.langid.enabled": False,
                 "bt.rounds": 3, "bt.select": "rank", "bt.select_k": 200}
    cfg = config.resolve(plugin.defaults, "test", None, overrides)
    result = pipeline.run(plugin, cfg, pipeline.Inputs(mono=[str(tmp_path / "mono.txt")],
                                                       parallel=[str(tmp_path / "seed.tsv")]), progress=False)
    m = result.manifest
    rounds, sel = m["bt_rounds"], m["bt_select"]
    assert sel["chosen"] == 200 and sel["pool"] == sel["chosen"] + sel["not_chosen"]
    assert rounds[0]["translated"] == 200 and rounds[0]["dev"]["rows"] >= 10
    out = next(r for r in rounds if r["output"])
    # the output round's trial judged the same rows with the same checks as the output
    assert out["kept"] == result.kept_by_origin["bt"]
    assert m["stages"]["bt"]["created"] == 200
    text = "\n".join(summary_lines(m, result.kept_by_origin, result.run_dir))
    assert "bt round 1: dev chrF++" in text and "selection (rank): 200 of" in text
    assert "## Back-translation rounds and selection" in (result.run_dir / "README.md").read_text()


def test_rounds_refuse_a_model_they_cannot_retrain(tiny_plugin_dir: Path, tmp_path: Path) -> None:
    from lrl import config, pipeline
    from lrl.errors import ConfigError, InputError
    from lrl.languages.plugin import load_plugin

    plugin = load_plugin(tiny_plugin_dir)
    base = {"out_dir": str(tmp_path / "out"), "filters.langid.enabled": False}
    for extra, err, words in ((({"bt.rounds": 2, "bt.model": str(tmp_path)}), ConfigError, "retrain"),
                              ({"bt.select_k": 5}, ConfigError, "bt.select"),
                              ({"bt.select": "rank", "bt.select_domain": str(tmp_path / "nope.txt")},
                               InputError, "nope.txt")):
        cfg = config.resolve(plugin.defaults, "test", None, {**base, **extra})
        with pytest.raises(err, match=words):
            pipeline.build_steps(plugin, cfg, pipeline.Inputs(mono=[], parallel=[]), progress=False)
