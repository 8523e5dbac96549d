"""Template volume relative to the seed (templates.max_seed_ratio) and the stricter language-side bar for
model-free pivot paraphrases (paraphrase.pivot_min_lrl_fluency): the settings reach the steps a run builds."""

from __future__ import annotations

import copy
from pathlib import Path

from lrl import config
from lrl.generate.paraphrase import build_paraphrase
from lrl.generate.template_budget import capped, template_count
from lrl.generate.templates import TemplateGenerator
from lrl.languages.discovery import find_plugin
from lrl.pipeline import Inputs, build_sources
from lrl.quality import gather
from lrl.record import Record

REPO = Path(__file__).resolve().parents[2]


def _seed_tsv(path: Path, rows: int) -> Path:
    lines = ["en\tyo"] + [f"The man number {i} went to the market.\tỌkùnrin kejì {i} lọ sí ọjà." for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cfg(**over: object) -> dict:
    plugin = find_plugin("yo")
    return config.resolve(plugin.defaults, str(plugin.manifest), None, dict(over))


def test_templates_are_capped_relative_to_the_users_parallel_rows(tmp_path: Path) -> None:
    plugin = find_plugin("yo")
    seed = [str(_seed_tsv(tmp_path / "seed.tsv", 50))]
    # The defaults: 0.3 x the seed, the cap never below 1,000 renderings.
    assert capped(10000, 0.3, 1000, 10030) == 3009 and capped(10000, 0.3, 1000, 2000) == 1000
    assert capped(500, 0.3, 1000, 50) == 500 and capped(10000, 0.0, 1000, 50) == 10000
    small = {"templates.count": 100, "templates.seed_cap_floor": 0}  # a 50-row file stands for a big seed
    assert template_count(plugin, _cfg(**small), seed) == 15  # 0.3 x 50
    assert template_count(plugin, _cfg(**{**small, "templates.seed_cap_floor": 20}), seed) == 20
    assert template_count(plugin, _cfg(**{**small, "templates.count": 10}), seed) == 10  # under the cap
    assert template_count(plugin, _cfg(**{**small, "templates.max_seed_ratio": 0}), seed) == 100
    assert template_count(plugin, _cfg(**{**small, "templates.max_seed_ratio": 1.0}), seed) == 50
    assert template_count(plugin, _cfg(**{"templates.count": 100}), seed) == 100  # under the default floor
    # No parallel input: the plugin's own data is the seed and the templates are most of the run.
    assert template_count(plugin, _cfg(**small), []) == 100
    # The run's template source makes exactly that many.
    sources = build_sources(plugin, _cfg(**small), Inputs([], seed), [])
    gen = [s for s in sources if isinstance(s, TemplateGenerator)]
    assert len(gen) == 1 and gen[0].count == 15 and sum(1 for _ in gen[0]) == 15
    # ... and the quality seed's template renderings (vocabulary for IBM-1 and the checks) match them.
    cfg = _cfg(**small)
    q = gather(plugin, cfg, seed)
    rendered = {(r.src, r.tgt) for r in gen[0]}
    assert len(rendered & set(q.extra)) == 15


def test_pivot_paraphrases_get_the_stricter_language_side_bar() -> None:
    plugin = find_plugin("yo")
    pairs = [(r.src, r.tgt) for r in TemplateGenerator(plugin.file("lexicon"), plugin.file("templates"), "yo", 50, 1)]
    from lrl.models.ibm1 import IBM1Model

    model = IBM1Model.train("yo", pairs)

    def lrl_fluency(**over: object) -> object:
        cfg = _cfg(**{"paraphrase.enabled": True, **over})
        steps = build_paraphrase(plugin, cfg, model, progress=False, quality=gather(plugin, cfg, []))
        return next(s for s in steps if s.name == "paraphrase-lrl-fluency")

    step = lrl_fluency()
    assert step.min_score == 0.0  # paraphrase.pivot_min_lrl_fluency, not filters.fluency.lrl_min_score (-1.5)
    assert step.rescorable["paraphrase.pivot_min_lrl_fluency"] == "min_score"
    assert lrl_fluency(**{"paraphrase.pivot_min_lrl_fluency": -1.5}).min_score == -1.5
    # The decision at the bar, on a judging copy (the plugin's own data is too small to judge).
    judge = copy.copy(step)
    judge.judging, judge.min_words = True, 1
    row = Record(id="pivot:s1:1", src="The man went home.", tgt="Ọkùnrin náà lọ sílé.", origin="pivot")
    assert judge.decide(row, {"score": -0.8, "words": 4}) is not None  # passes -1.5, not 0
    assert judge.decide(row, {"score": 0.1, "words": 4}) is None


def test_a_capped_run_says_so_in_its_manifest_summary_and_card(tmp_path: Path) -> None:
    """The cap changes what a user asked for: the manifest records both numbers, and the console summary
    and the dataset card say how many templates were rendered and which setting lifts the cap."""
    from collections import Counter

    from lrl.pipeline import run
    from lrl.summary import summary_lines

    plugin = find_plugin("yo")
    seed = [str(_seed_tsv(tmp_path / "seed.tsv", 50))]
    over = {"templates.count": 100, "templates.seed_cap_floor": 0, "bt.enabled": False,
            "out_dir": str(tmp_path / "out")}
    result = run(plugin, _cfg(**over), Inputs([], seed), progress=False)
    assert result.manifest["templates"] == {"asked": 100, "count": 15}
    summary = summary_lines(result.manifest, Counter(result.manifest["kept_by_origin"]), result.run_dir)
    line = next(x for x in summary if "templates:" in x)
    assert "15 rendered of templates.count 100" in line and "templates.max_seed_ratio=0" in line
    card = (result.run_dir / "README.md").read_text(encoding="utf-8")
    assert "## Templates" in card and "15 rendered of templates.count 100" in card
    # Uncapped (ratio 0): nothing to say.
    again = run(plugin, _cfg(**{**over, "templates.max_seed_ratio": 0}), Inputs([], seed), progress=False)
    assert again.manifest["templates"] == {"asked": 100, "count": 100}
    assert not any("templates:" in x for x in summary_lines(again.manifest, Counter(), again.run_dir))
