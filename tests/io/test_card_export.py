"""The dataset card's metadata, the parallel/monolingual configs, the `translation` feature and
`lrl export`, on a real run of the pipeline."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from lrl import config
from lrl.cli import main
from lrl.io.export import export_run
from lrl.io.licences import identify
from lrl.languages import load_plugin
from lrl.pipeline import Inputs, RunResult, run
from tests.conftest import REPO, TINY_EXAMPLES


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """Seed pairs from a file named like MENYO-20k (a CC BY-NC corpus), the plugin's monolingual text
    kept as monolingual rows (no back-translation), and templates."""
    tmp = tmp_path_factory.mktemp("card")
    seed = tmp / "menyo20k" / "train.tsv"
    seed.parent.mkdir()
    seed.write_text(TINY_EXAMPLES, encoding="utf-8")
    mono = tmp / "mono.txt"
    mono.write_text("\n".join((REPO / "languages/yo/mono.txt").read_text(encoding="utf-8").splitlines()[:20]) + "\n",
                    encoding="utf-8")
    plugin = load_plugin(REPO / "languages" / "yo")
    cfg = config.resolve(plugin.defaults, "test", None, {"out_dir": str(tmp / "out"), "bt.enabled": False,
                                                         "templates.count": 40})
    return run(plugin, cfg, Inputs(mono=[str(mono)], parallel=[str(seed)]), progress=False)


def _counts(r: RunResult) -> tuple[int, int]:
    mono = sum(1 for p in (r.run_dir / "data").glob("*monolingual*.parquet") for _ in [p])
    assert mono <= 1
    ds = datasets.load_dataset(str(r.run_dir), split="train")
    pairs = sum(1 for s, t in zip(ds["src"], ds["tgt"]) if s and t)
    return pairs, len(ds) - pairs


def test_card_metadata_round_trips_offline_and_names_the_non_commercial_input(result: RunResult) -> None:
    # DatasetCard.validate() posts to the Hub (network); offline we check what it checks locally: the YAML
    # parses into DatasetCardData without errors, survives a round trip, and its configs are valid.
    card = DatasetCard.load(result.run_dir / "README.md")
    # lrl writes the text without DatasetCard (its import costs every run): the card reads back as written
    assert str(card) == (result.run_dir / "README.md").read_text(encoding="utf-8")
    meta = card.data.to_dict()
    again = DatasetCardData(**meta).to_dict()
    assert again == meta
    MetadataConfigs.from_dataset_card_data(card.data)  # raises on malformed configs
    assert meta["language"] == ["en", "yo"] and meta["task_categories"] == ["translation"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["license"] == "other" and meta["license_name"] == "mixed-non-commercial-see-card"
    assert meta["lrl"]["non_commercial_sources"] == ["MENYO-20k (cc-by-nc-4.0)"]
    assert len(meta["lrl"]["manifest_sha256"]) == 64
    assert {c["config_name"] for c in meta["configs"]} == {"default", "parallel", "monolingual"}
    body = card.text
    assert "Non-commercial sources" in body and "menyo20k/train.tsv" in body
    order = [body.index(f"| {s} |") for s in ("read", "normalize", "length", "langid", "dedup")]  # dedup: last
    assert order == sorted(order)
    assert "langid**: `min_chars` 20, `min_letters` 4, `tgt.min_prob` 0.5, `src.min_prob` 0.1" in body


def test_known_licences() -> None:
    assert identify("facebook/nllb-200-distilled-600M", "model: bt").non_commercial
    assert identify("Helsinki-NLP/opus-mt-yo-en", "model: bt").licence == "cc-by-4.0"
    assert identify("/data/my_corpus.tsv", "input: parallel").licence == "unknown: check"


def test_each_config_loads_and_translation_is_a_dict_with_both_codes(result: RunResult) -> None:
    kept = result.manifest["totals"]["kept"]
    pairs, mono = _counts(result)
    assert mono > 0 and pairs > 0 and pairs + mono == kept
    every = datasets.load_dataset(str(result.run_dir))["train"]
    assert every[0]["translation"] == {"en": every[0]["src"], "yo": every[0]["tgt"]}
    assert every[0]["src"] and every[0]["tgt"]
    parallel = datasets.load_dataset(str(result.run_dir), "parallel", split="train")
    monolingual = datasets.load_dataset(str(result.run_dir), "monolingual", split="train")
    assert len(parallel) == pairs and all(t["en"] and t["yo"] for t in parallel["translation"])
    assert len(monolingual) == mono and not any(monolingual["src"])


@pytest.mark.parametrize("fmt", ["text", "tsv"])
def test_export_line_counts_match_the_kept_rows(result: RunResult, fmt: str, tmp_path: Path) -> None:
    pairs, mono = _counts(result)
    assert main(["export", str(result.run_dir), "--format", fmt, "--out", str(tmp_path)]) == 0
    by_origin = result.kept_by_origin

    def lines(name: str) -> list[str]:
        return (tmp_path / name).read_text(encoding="utf-8").split("\n")[:-1]

    if fmt == "text":
        en, yo = lines("train.all.en"), lines("train.all.yo")
        assert len(en) == len(yo) == pairs
        for origin in ("seed", "template"):
            assert len(lines(f"train.{origin}.en")) == len(lines(f"train.{origin}.yo")) == by_origin[origin]
    else:
        rows = lines("train.all.tsv")
        assert len(rows) == pairs and all(r.count("\t") == 1 for r in rows)
    assert len(lines("train.mono-monolingual.yo")) == mono == by_origin["mono"]
    res = export_run(result.run_dir, fmt, tmp_path / "again")
    assert sum(res.pairs.values()) == pairs and res.cleaned == 0
