import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lrl import config
from lrl.cli import main
from lrl.languages import find_plugin
from lrl.pipeline import Inputs, run
from lrl.report import build_report, data, plots, render
from tests.conftest import REPO
from tests.report.browser import find_chromium, inspect_page


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make lang=yo augment` does: the shipped Yoruba plugin with its defaults."""
    plugin = find_plugin("yo")
    out = tmp_path_factory.mktemp("out")
    cfg = config.resolve(plugin.defaults, str(plugin.manifest), None, {"out_dir": str(out)})
    return run(plugin, cfg, Inputs([], []), progress=False).run_dir


def test_the_report_drawn_from_summaries_is_the_one_drawn_from_the_files(default_run: Path) -> None:
    """Completing a run draws report.html from the shards' summaries and the rows it kept
    (lrl/report/summaries.py), with the histograms in two processes; `lrl report` reads the files."""
    at_completion = (default_run / "report.html").read_text()
    assert build_report(default_run, processes=2).read_text() == at_completion
    assert build_report(default_run).read_text() == at_completion


def test_a_sampled_report_is_the_same_from_the_summaries_and_from_the_files(tmp_path: Path) -> None:
    """report.sample_rows below the run's rows: the per-row material is a sample, the same whether the run's
    shards' summaries are merged at completion or `lrl report` reads the files; counts stay exact."""
    plugin = find_plugin("yo")
    cfg = config.resolve(plugin.defaults, str(plugin.manifest), None, {
        "out_dir": str(tmp_path), "report.sample_rows": 500, "run.shard_rows": 600, "templates.count": 1200})
    run_dir = run(plugin, cfg, Inputs([], []), progress=False).run_dir
    at_completion = (run_dir / "report.html").read_text()
    assert build_report(run_dir).read_text() == at_completion
    d = data.load_run(run_dir)
    m = d.manifest
    assert d.sampled == (500, m["totals"]["generated"]) and len(d.kept) < 500
    assert f"a sample of 500 of {m['totals']['generated']:,} rows" in at_completion
    assert sum(d.kept_by_origin.values()) == m["totals"]["kept"] and d.kept_by_origin == m["kept_by_origin"]
    assert sum(d.rejected.values()) == m["totals"]["rejected"]
    assert len(d.kept) + len(next(iter(d.rejected_scores.values()))) <= 500


def test_default_run_writes_a_report_that_loads_in_chromium(default_run: Path) -> None:
    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium not installed (Debian: apt-get install chromium; `make setup` does it)")
    page = default_run / "report.html"
    assert page.is_file()
    seen = inspect_page(page, binary)
    assert seen["errors"] == []
    assert len(seen["images"]) >= 5
    assert all(w > 0 and h > 0 for _, w, h in seen["images"]), seen["images"]
    from PIL import Image

    shot = Image.open(io.BytesIO(seen["screenshot"])).convert("RGB")
    assert len(shot.getcolors(1 << 24) or []) > 50  # text and plots, not a blank or single-colour page


def test_report_shows_every_stage_reason_origin_and_score(default_run: Path) -> None:
    d = data.load_run(default_run)
    html, n = render(d)
    m = d.manifest
    for stage in m["stages"]:
        assert f"<td>{stage}</td>" in html
    for (stage, reason) in d.rejected:
        assert f"{stage} / {reason}" in html
    for origin in m["kept_by_origin"]:
        assert f"<h3>{origin}</h3>" in html
    assert "langid.tgt_prob" in html and "fluency.score" in html
    assert n >= 5 + len(d.score_keys()) - 1  # one histogram per score, besides the overview plots
    assert d.stage_order()[:5] == ["read", "normalize", "privacy", "markup", "length"]


def test_thresholds_are_read_from_any_step_signature() -> None:
    manifest = {"steps": [
        {"name": "length", "signature": {"min_chars": 2, "max_ratio": 3.0, "ratio_min_chars": 15}},
        {"name": "langid", "signature": {"min_chars": 20, "tgt": {"min_prob": 0.5}, "src": {"min_prob": 0.1}}},
        {"name": "chrf", "signature": {"min_chrf": 20.0}},
        {"name": "fluency", "signature": {"min_score": -4.5, "enabled": True}},
    ]}
    keys = ["length.src_chars", "length.tgt_chars", "length.ratio", "langid.tgt_prob", "langid.src_prob",
            "langid.src_top_prob", "chrf.roundtrip", "fluency.tgt_score"]
    got = {k: [(t.kind, t.value) for t in v] for k, v in data.thresholds_for(keys, manifest).items()}
    assert got == {"length.src_chars": [("min", 2.0)], "length.tgt_chars": [("min", 2.0)],
                   "length.ratio": [("max", 3.0)], "langid.tgt_prob": [("min", 0.5)],
                   "langid.src_prob": [("min", 0.1)], "chrf.roundtrip": [("min", 20.0)],
                   "fluency.tgt_score": [("min", -4.5)]}


def test_diversity_and_lexicon_coverage() -> None:
    d = data.diversity(["a b a b", "b c"])
    assert (d["tokens"], d["types"]) == (6, 3)
    assert d["distinct_1"] == pytest.approx(3 / 6) and d["distinct_2"] == pytest.approx(3 / 4)
    c = data.lexicon_coverage(["ilé ìwé", "ọjà", "iṣu"], ["Mo lọ sí ilé ìwé.", "Ọjà náà tóbi."])
    assert (c["entries"], c["seen"]) == (3, 2)
    # a multi-word entry counts only inside one text, with its words in order
    c = data.lexicon_coverage(["ilé ìwé", "lọ sí"], ["Mo lọ sí ilé", "ìwé náà", "sí lọ"])
    assert (c["entries"], c["seen"]) == (2, 1)


def test_a_failing_plot_costs_that_plot_not_the_page(default_run: Path, monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    def broken(*a: object) -> str:
        raise ValueError("no lengths today")

    monkeypatch.setattr(plots, "lengths", broken)
    with caplog.at_level(logging.WARNING):
        page = build_report(default_run).read_text()
    assert "no lengths today" in page and "rows per origin" in page
    assert any("no lengths today" in r.message for r in caplog.records)


def test_cli_report_rebuilds_the_page(default_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (default_run / "report.html").unlink()
    assert main(["report", str(default_run)]) == 0
    assert (default_run / "report.html").is_file()
    assert main(["report", str(default_run / "data")]) == 78  # not a run folder: a configuration error
    assert "not a run folder" in capsys.readouterr().err
    # -v opens lrl's own logging (stderr); without it the page is written silently
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for flags, says in ((["-v"], True), ([], False)):
        p = subprocess.run([sys.executable, "-m", "lrl", *flags, "report", str(default_run)], capture_output=True,
                           text=True, env=env)
        assert p.returncode == 0 and ("INFO: report:" in p.stderr) == says, p.stderr


def test_histograms_drawn_elsewhere_are_the_ones_drawn_here_and_stop_with_the_page() -> None:
    """The score histograms are drawn in other processes while the page's other parts are built
    (plots.Drawing): the same images, and no process left behind when the page fails before it needs them."""
    import multiprocessing

    hs = [plots.histogram_data(f"s{i}.x", [float(i), 2.0, 3.0], [4.0], [])
          for i in range(2 * plots.FIGURES_PER_PROCESS)]
    here = plots.Drawing(hs).get()
    assert all(uri and not error for uri, error in here)
    before = set(multiprocessing.active_children())
    elsewhere = plots.Drawing(hs, processes=2)
    assert elsewhere.pool is not None and elsewhere.get() == here
    failed = plots.Drawing(hs, processes=2)
    failed.cancel()
    assert failed.pool is None and set(multiprocessing.active_children()) <= before
