"""Review export → fill (as a reviewer would, by a fixed rule) → import, on a real run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lrl import config
from lrl.cli import main
from lrl.io.readers import InputStats, ReadOptions, read
from lrl.languages import load_plugin
from lrl.pipeline import Inputs, RunResult, run
from lrl.review import import_review, suggest
from tests.conftest import REPO
from tests.test_pipeline import ENGLISH


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """Seed pairs, templates, Yoruba monolingual text with English lines that language ID rejects."""
    tmp = tmp_path_factory.mktemp("review")
    mono = tmp / "mono.txt"
    yo = (REPO / "languages/yo/mono.txt").read_text(encoding="utf-8").splitlines()[:30]
    mono.write_text("\n".join(yo + ENGLISH) + "\n", encoding="utf-8")
    plugin = load_plugin(REPO / "languages" / "yo")
    cfg = config.resolve(plugin.defaults, "test", None, {"out_dir": str(tmp / "out"), "bt.enabled": False,
                                                         "templates.count": 150})
    return run(plugin, cfg, Inputs(mono=[str(mono)], parallel=[str(plugin.file("examples"))]), progress=False)


def test_export_fill_import_round_trip(result: RunResult, tmp_path: Path) -> None:
    sheet = tmp_path / "review.csv"
    assert main(["review", "export", str(result.run_dir), "--n", "60", "--out", str(sheet)]) == 0
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60 and len({r["id"] for r in rows}) == 60
    kept = [r for r in rows if r["status"] == "kept"]
    rejected = [r for r in rows if r["status"] != "kept"]
    assert {r["origin"] for r in kept} == {"seed", "template", "mono"}
    n_rej = min(12, result.manifest["totals"]["rejected"])  # --rejected-share 0.2 of 60
    assert n_rej >= 10 and len(rejected) == n_rej  # the 10 English lines at least
    assert all(r["status"].startswith("rejected:langid:") for r in rejected)
    assert {r["band"] for r in kept if r["origin"] == "template"} == {"low", "mid", "high"}
    assert "langid.tgt_prob" in rows[0]

    # The reviewer: seed and mono rows are good; every other template row is bad; one template row is
    # corrected instead of judged; language ID was right except for its first rejection.
    templates = [r for r in kept if r["origin"] == "template"]
    for i, r in enumerate(templates):
        r["verdict"] = "accept" if i % 2 == 0 else "reject"
    templates[1]["verdict"], templates[1]["corrected_tgt"] = "", "Ṣadé ra fóònù kékeré."
    for r in kept:
        if r["origin"] in ("seed", "mono"):
            r["verdict"] = "yes"
    for i, r in enumerate(rejected):
        r["verdict"] = "accept" if i == 0 else "reject"
    stray = {**rows[0], "id": "not-in-this-run", "verdict": "accept"}
    with open(sheet, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows([*rows, stray])

    assert main(["review", "import", str(result.run_dir), str(sheet), "--out", str(tmp_path / "rev")]) == 0
    rep = import_review(result.run_dir, sheet, tmp_path / "rev")
    n_tpl = len(templates)
    good_tpl = (n_tpl + 1) // 2
    assert rep.judged == 60 and rep.unknown_ids == 1
    assert rep.by_origin["template"] == {"judged": n_tpl, "accepted": good_tpl, "precision": good_tpl / n_tpl}
    assert rep.by_origin["seed"]["precision"] == 1.0 and rep.by_origin["mono"]["precision"] == 1.0
    assert rep.by_filter["langid"]["rejected_judged"] == n_rej
    assert rep.by_filter["langid"]["rejected_agreed"] == n_rej - 1
    assert rep.by_filter["langid"]["kept_judged"] == len(kept)

    # The seed file: accepted pairs as they were, the corrected one with its new side, with provenance,
    # and readable by lrl's own reader as parallel input.
    seed_rows = [r for r in kept if r["verdict"] in ("accept", "yes") and r["src"] and r["tgt"]]
    seed_rows += [rejected[0]] if rejected[0]["src"] else []
    assert rep.seed_file is not None and rep.seed_rows == len(seed_rows) + 1
    st = InputStats()
    back = list(read(str(rep.seed_file), ReadOptions(lang_names=("yo",)), True, st))
    assert len(back) == rep.seed_rows
    assert ("Ṣadé ra fóònù kékeré.", templates[1]["src"]) in {(r.tgt, r.src) for r in back}
    with open(rep.seed_file, encoding="utf-8", newline="") as f:
        prov = {r["from_id"]: r for r in csv.DictReader(f, delimiter="\t")}
    assert prov[templates[1]["id"]]["review"] == "corrected"
    assert prov[templates[0]["id"]]["review"] == "accepted"
    assert (tmp_path / "rev" / "review-report.json").is_file()


def test_suggested_threshold_is_the_loosest_cut_that_reaches_the_target() -> None:
    judged = [(0.9, True), (0.8, True), (0.7, False), (0.6, True), (0.5, False)]
    assert suggest(judged, "min", 0.75) == (0.6, 0.75, 4)
    assert suggest(judged, "min", 1.0) == (0.8, 1.0, 2)
    assert suggest([(v, ok) for v, ok in judged], "max", 0.5) == (0.9, 0.6, 5)
    assert suggest([(1.0, False)], "min", 0.5) is None
