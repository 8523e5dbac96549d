"""Model preparation (lrl/models/prepare.py): the seed is gathered and IBM-1 trained once for every
generator, before any step is built, and nothing is trained that no generator uses."""

from __future__ import annotations

from pathlib import Path

from lrl import config
from lrl.languages.plugin import load_plugin
from lrl.models.prepare import prepare
from lrl.quality import gather


def _prepare(plugin_dir: Path, **over: object):  # type: ignore[no-untyped-def]
    plugin = load_plugin(plugin_dir)
    cfg = config.resolve({}, "p", None, {"templates.count": 20, "bt.prefer_cached": False, **over})
    seed = gather(plugin, cfg, [])
    return seed, prepare(plugin, cfg, [], seed)


def test_one_seed_and_one_ibm1_for_every_generator(tiny_plugin_dir: Path) -> None:
    seed, prep = _prepare(tiny_plugin_dir, **{"substitute.enabled": True, "paraphrase.enabled": True})
    assert prep.ibm1 is seed.ibm1()  # the quality checks' tables: trained (or loaded) once
    assert (prep.seed, prep.extra) == (seed.pairs, seed.extra)
    assert prep.backward.identity["kind"] == "ibm1" and prep.forward.identity["direction"] == "en-yo"
    assert prep.bt_info["model_info"]["path"] == prep.ibm1.info["path"]


def test_nothing_is_trained_when_no_generator_needs_it(tiny_plugin_dir: Path) -> None:
    _, prep = _prepare(tiny_plugin_dir, **{"bt.enabled": False})
    assert prep.ibm1 is None and prep.backward is None and not prep.seed
