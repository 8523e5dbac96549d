"""Shard-first runs (issue 12): an interrupted run never loads as data and is listed; kill -9 then resume,
ranks + merge and worker processes all give the rows of one uninterrupted process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest

from lrl import config
from lrl.errors import ConfigError
from lrl.io.rundir import list_runs
from lrl.languages import load_plugin
from lrl.pipeline import Inputs, merge, run
from lrl.resume import run_dir_for

REPO = Path(__file__).resolve().parents[1]
# Tiny shards so a small run has many; bt on (IBM-1 from the plugin's data), so a generator is covered.
SMALL = {"templates.count": 240, "run.shard_rows": 4, "bt.enabled": True}


def _cfg(plugin_dir: Path, out: Path, **over: object) -> dict:
    plugin = load_plugin(plugin_dir)
    return config.resolve(plugin.defaults, "p", None, {"out_dir": str(out), "run.workers": 1, **SMALL, **over})


def _rows(run_dir: Path) -> tuple[list[dict], list[dict]]:
    """Kept rows (all shards, in file order, without the run id) and rejected rows, comparable across runs."""
    kept = []
    for p in sorted((run_dir / "data").glob("*.parquet")):
        kept += pq.read_table(p).to_pylist()
    rejected = [json.loads(line) for line in (run_dir / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    return kept, rejected


def _one_process(plugin_dir: Path, out: Path, **over: object) -> Path:
    return run(load_plugin(plugin_dir), _cfg(plugin_dir, out, **over), Inputs([], []), progress=False).run_dir


def _lrl(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "lrl", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=REPO, env=env)


def _settings(out: Path) -> list[str]:
    return ["--out", str(out), "-q", "--workers", "1"] + [a for k, v in SMALL.items()
                                                          for a in ("--set", f"{k}={str(v).lower()}")]


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import write_plugin

    return write_plugin(tmp_path_factory.mktemp("languages"))


@pytest.fixture(scope="module")
def reference(plugin_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted process: the rows every other way of running must give."""
    return _one_process(plugin_dir, tmp_path_factory.mktemp("ref"))


def test_killed_run_is_listed_never_loads_and_resumes_to_the_same_rows(plugin_dir: Path, reference: Path,
                                                                        tmp_path: Path) -> None:
    out = tmp_path / "out"
    p = _lrl("augment", "--lang", str(plugin_dir), *_settings(out))
    shards = out / "yo"
    deadline = time.time() + 120
    # SIGKILL once a few shards are written (a real kill -9: no handler, no cleanup runs)
    while time.time() < deadline and p.poll() is None:
        if len(list(shards.glob("*/.partial/shards/0*"))) >= 3:
            p.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    p.wait(timeout=60)
    assert p.returncode == -signal.SIGKILL, p.stderr.read() if p.stderr else ""
    [run_dir] = [d for d in shards.iterdir() if not d.is_symlink()]
    assert not (run_dir / "manifest.json").exists() and not (shards / "latest").exists()
    # nothing a dataset loader would read: no data/, no rejected.jsonl, only the hidden .partial/
    assert [p.name for p in run_dir.iterdir()] == [".partial"]
    with pytest.raises(Exception) as err:  # noqa: PT011 - datasets' error class varies by version
        datasets.load_dataset(str(run_dir), split="train")
    assert "rejected" not in str(err.value)
    [info] = list_runs(out, "yo")
    assert info.state == "resumable" and info.shards_done >= 3
    listed = subprocess.run([sys.executable, "-m", "lrl", "runs", "list", "--out", str(out)], capture_output=True,
                            text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert "resumable" in listed.stdout and run_dir.name in listed.stdout

    # a different setting is refused, naming it
    bad = _lrl("augment", "--lang", str(plugin_dir), "--resume", str(run_dir), "--set", "templates.count=5")
    assert bad.wait(timeout=120) == 78 and "templates.count" in bad.stderr.read()  # type: ignore[union-attr]
    done = _lrl("augment", "--lang", str(plugin_dir), "--resume", str(run_dir), "-q")
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["executor"]["resumed"] and not (run_dir / ".partial").exists()
    t = manifest["totals"]
    assert t["generated"] == t["kept"] + t["rejected"]
    assert _rows(run_dir) == _rows(reference)
    assert (shards / "latest").resolve() == run_dir.resolve()
    assert [i.state for i in list_runs(out, "yo")] == ["complete"]


def test_ranks_and_merge_give_the_rows_of_one_process(plugin_dir: Path, reference: Path, tmp_path: Path) -> None:
    plugin = load_plugin(plugin_dir)
    cfg = _cfg(plugin_dir, tmp_path / "out")
    shared = run_dir_for(tmp_path / "out", "yo", "job42")
    first = run(plugin, cfg, Inputs([], []), progress=False, rank=1, world_size=2, run_dir=shared)
    assert not first.complete and not (shared / "manifest.json").exists()
    with pytest.raises(ConfigError, match="not done"):
        merge(shared)
    with pytest.raises(ConfigError, match="templates.count"):  # a rank with other settings cannot join
        run(plugin, {**cfg, "templates": {**cfg["templates"], "count": 7}}, Inputs([], []), progress=False,
            rank=0, world_size=2, run_dir=shared)
    # The last rank to finish completes the run unless another process is completing it (here: a lock left
    # by a rank on another machine that died while completing); then `lrl merge` completes it.
    (shared / ".partial" / "finalize.lock").write_text("other-host 12345\n")
    second = run(plugin, cfg, Inputs([], []), progress=False, rank=0, world_size=2, run_dir=shared)
    assert not second.complete and second.shards_done == second.shards_total
    assert merge(shared).complete
    assert _rows(shared) == _rows(reference)
    with pytest.raises(ConfigError, match="already complete"):
        merge(shared)


def test_completion_fed_shard_by_shard_gives_the_rows_of_one_process(plugin_dir: Path, reference: Path,
                                                                     tmp_path: Path) -> None:
    """One process alone feeds each finished shard to the completion pass while later shards still run
    (lrl/finalize.py Completion): fed in shard order, never past a shard not done yet, it writes what
    completing all at once (`lrl merge`, above) writes."""
    from lrl.finalize import Completion
    from lrl.pipeline import run_wide_steps

    plugin = load_plugin(plugin_dir)
    cfg = _cfg(plugin_dir, tmp_path / "out")
    shared = run_dir_for(tmp_path / "out", "yo", "job7")
    run(plugin, cfg, Inputs([], []), progress=False, rank=1, world_size=2, run_dir=shared)
    completion = Completion.start(shared, run_wide_steps(cfg), "en", "yo", cfg["output"]["shard_rows"])
    assert completion is not None
    assert completion.advance() == 0  # shard 0 is rank 0's, not run yet: the odd ones must wait
    second = run(plugin, cfg, Inputs([], []), progress=False, rank=0, world_size=2, run_dir=shared)
    assert not second.complete  # this process holds the completion lock
    assert completion.advance() == second.shards_total and completion.advance() == 0
    extra = {"executor": {"name": "local", "shards": second.shards_total, "shard_rows": 4}}
    assert completion.close(extra).complete
    assert _rows(shared) == _rows(reference)


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_worker_processes_give_the_rows_of_one_process(plugin_dir: Path, reference: Path, tmp_path: Path,
                                                       start: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import lrl.shards

    # spawn: as when a CTranslate2 or torch model is loaded (workers build their own steps); fork: as when
    # none is (earlier tests in this process may have imported them; these steps do not use them)
    monkeypatch.setattr(lrl.shards, "THREADED_ENGINES", ("lrl",) if start == "spawn" else ())
    two = _one_process(plugin_dir, tmp_path / "two", **{"run.workers": 2})
    m = json.loads((two / "manifest.json").read_text())
    assert m["executor"]["workers"] == 2 and m["executor"]["start"] == start and m["executor"]["shards"] > 2
    assert _rows(two) == _rows(reference)


def test_runs_list_and_clean_keep_complete_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from lrl.cli import main

    yo = tmp_path / "out" / "yo"
    (yo / "done").mkdir(parents=True)
    (yo / "done" / "manifest.json").write_text('{"totals": {"kept": 7}}')
    (yo / "halfway" / ".partial" / "shards" / "00000").mkdir(parents=True)
    (yo / "halfway" / ".partial" / "run.json").write_text("{}")
    (yo / "old").mkdir()  # an older lrl's broken run: a rejected.jsonl and hidden shards, no manifest
    (yo / "old" / "rejected.jsonl").write_text("{}\n")
    (yo / "latest").symlink_to("done")
    (yo / "now" / ".partial").mkdir(parents=True)  # a run this very process is writing
    (yo / "now" / ".partial" / "run.json").write_text("{}")
    (yo / "now" / ".partial" / "live-0").write_text(f"{socket.gethostname()} {os.getpid()}\n")
    assert main(["runs", "list", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[1:] for line in out] == [["complete", "7 rows kept"], ["resumable", "1/? shards done"],
                                                       ["running", "0/? shards done"],
                                                       ["incomplete", "0/? shards done"]]
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["runs", "clean", "--out", str(tmp_path / "out")]) == 78  # not a terminal: needs --yes
    assert main(["runs", "clean", "--lang", "yo", "--out", str(tmp_path / "out"), "--yes"]) == 0
    assert sorted(p.name for p in yo.iterdir()) == ["done", "latest", "now"]


def test_ray_executor_gives_the_rows_of_local(plugin_dir: Path, reference: Path, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'lrl[ray]'): the Ray executor "
                                            "is not tested")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(REPO)}})
    try:
        on_ray = _one_process(plugin_dir, tmp_path / "ray", **{"run.executor": "ray", "run.workers": 2})
    finally:
        ray.shutdown()
    m = json.loads((on_ray / "manifest.json").read_text())
    assert m["executor"]["name"] == "ray" and m["executor"]["workers"] == 2
    # the layout: what each actor asked for (no model stage here, no GPU: one CPU), what the cluster had
    assert m["executor"]["actor"] == {"num_cpus": 1} and m["executor"]["cluster"]["CPU"] == 2
    assert m["executor"]["model_stages"] == []
    assert _rows(on_ray) == _rows(reference)


def test_an_input_error_mid_run_leaves_no_final_looking_file(plugin_dir: Path, tmp_path: Path) -> None:
    from lrl.errors import InputError

    mono = tmp_path / "mono.txt"
    mono.write_bytes("".join(f"Ọmọ {i} lọ sí ọjà ní àárọ̀.\n" for i in range(30)).encode() + b"\xff bad\n")
    out = tmp_path / "out"
    with pytest.raises(InputError, match="mono.txt:31"):
        run(load_plugin(plugin_dir), _cfg(plugin_dir, out), Inputs([str(mono)], []), progress=False)
    [run_dir] = (out / "yo").iterdir()
    assert [p.name for p in run_dir.iterdir()] == [".partial"] and list((run_dir / ".partial/shards").iterdir())
    assert [i.state for i in list_runs(out)] == ["resumable"]


def test_counts_in_signatures_add_up_over_shards_and_settings_stay() -> None:
    from lrl.shards import add_counts, count_delta

    draft = {"actions": {"phone": "mask"}, "min_score": 0.5, "masked": {}}
    after_one = {"actions": {"phone": "mask"}, "min_score": 0.5, "masked": {"phone": 2}}
    after_two = {"actions": {"phone": "mask"}, "min_score": 0.5, "masked": {"phone": 3, "email": 1}}
    deltas = [count_delta(draft, after_one), count_delta(after_one, after_two)]
    assert deltas == [{"masked": {"phone": 2}}, {"masked": {"phone": 1, "email": 1}}]
    total: dict = {}
    for d in deltas:
        total = add_counts(total, d)
    assert add_counts(draft, total) == {**draft, "masked": {"phone": 3, "email": 1}}


def test_ranks_need_a_shared_run_folder(plugin_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--run-id"):
        run(load_plugin(plugin_dir), _cfg(plugin_dir, tmp_path / "out"), Inputs([], []), progress=False, rank=1,
            world_size=2)
    assert not (tmp_path / "out" / "yo").exists() or not list((tmp_path / "out" / "yo").iterdir())


def test_exact_copies_are_rejected_as_read_alike_in_every_layout(plugin_dir: Path, tmp_path: Path) -> None:
    """filters.dedup.early: a later exact copy of an input row is rejected at "read" naming the first, in
    whatever shard it falls, with the same files from one process or two; the rows kept are those of a
    run that checks every copy (the setting off)."""
    good = [("The children are going to school early in the morning with their friends.",
             "Àwọn ọmọdé ń lọ sí ilé ìwé ní àárọ̀ kùtù pẹ̀lú àwọn ọ̀rẹ́ wọn."),
            ("My mother bought yam and pepper at the market yesterday evening.",
             "Ìyá mi ra iṣu àti ata ní ọjà ní ìrọ̀lẹ́ àná.")]
    english_both = ("The market is open every day of the week.", "The market is open every day of the week.")
    near = (good[0][0].upper(), good[0][1])  # not exact: judged on its own, then a near duplicate
    rows = [good[0], english_both, good[1], good[0], near, english_both, good[1], good[0]]
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("en\tyo\n" + "".join(f"{en}\t{yo}\n" for en, yo in rows), encoding="utf-8")
    base = {"templates.enabled": False, "bt.enabled": False, "run.shard_rows": 2}

    def go(name: str, **over: object) -> Path:
        cfg = _cfg(plugin_dir, tmp_path / name, **{**base, **over})
        return run(load_plugin(plugin_dir), cfg, Inputs([], [str(pairs)]), progress=False).run_dir

    one, two, off = go("one"), go("two", **{"run.workers": 2}), go("off", **{"filters.dedup.early": False})
    assert _rows(one) == _rows(two)
    kept, rejected = _rows(one)
    assert [r["id"] for r in kept] == [r["id"] for r in _rows(off)[0]] == [f"seed:pairs.tsv:{n}" for n in (2, 4)]
    copies = {r["id"]: r["reason"] for r in rejected if r["stage"] == "read"}
    first = {rows[i]: f"seed:pairs.tsv:{i + 2}" for i in reversed(range(len(rows)))}  # line 1 is the header
    assert copies.keys() == {f"seed:pairs.tsv:{n}" for n in (5, 7, 8, 9)}
    for line, reason in copies.items():
        original = first[rows[int(line.rsplit(":", 1)[1]) - 2]]
        assert reason.startswith("exact-duplicate: ") and original in reason
    by_id = {r["id"]: r for r in rejected}
    assert by_id["seed:pairs.tsv:6"]["stage"] == "dedup"  # the near copy was checked, then found a duplicate
    assert by_id["seed:pairs.tsv:3"]["stage"] not in ("read", "dedup")  # English on both sides: a check
    # the setting off: the same rows rejected, the copies by the checks or by dedup
    assert sorted(r["id"] for r in _rows(off)[1]) == sorted(by_id)
    m = json.loads((one / "manifest.json").read_text())
    assert m["stages"]["read"]["rejected"] == 4 and m["stages"]["read"]["reasons"] == {"exact-duplicate": 4}
