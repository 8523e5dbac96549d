"""How many template rows a run makes: ``templates.count``, but with parallel input at most
``templates.max_seed_ratio`` times its usable rows, and never capped below ``templates.seed_cap_floor``.

Why a cap relative to the seed: a template's fixed words repeat once per rendering, so 10,000 renderings of
the yo plugin's 84 templates repeat each fixed phrase ~120 times, and a word-by-word model learns from
them that "the" is *ní* ("at the {place}" = "ní {place}"), "before" is *ìjẹta* ("the day before
yesterday") and "day" is *níjọ́sí* ("the other day"), outweighing the real evidence for these common
words. Measured (``python eval/synthetic_effect.py --lang yo``, eval/results/synthetic-effect-yo.md,
section 1; English→Yoruba chrF++ of IBM-1 tables against the seed alone): with 10,030 MENYO-20k pairs,
1,000–3,000 renderings gain +0.2 and 10,000 lose 0.25; with 2,000 pairs, 1,000–2,000 gain the most
(+0.5) and 10,000 nothing; with 500 pairs, 500 gain the most (+1.0) and more still gain. The best count
grows more slowly than the seed, hence 0.3x the seed with a floor of 1,000. Yoruba→English gains about as
much at the cap as at 10,000. Without parallel input (a plugin-only run, whose examples are the seed)
there is nothing to drown, and ``count`` stands.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from lrl.languages.plugin import Plugin


def capped(count: int, ratio: float, floor: int, seed_rows: int) -> int:
    """``count`` capped at ``ratio`` x ``seed_rows``, the cap never below ``floor`` (ratio 0: no cap)."""
    if ratio <= 0:
        return count
    return min(count, max(floor, int(ratio * seed_rows)))


def template_count(plugin: Plugin, cfg: dict[str, Any], parallel: list[str]) -> int:
    """The number of template rows this run makes, given the run's parallel input specs (expanded)."""
    t = cfg["templates"]
    count, ratio, floor = int(t["count"]), float(t["max_seed_ratio"]), int(t["seed_cap_floor"])
    if not parallel or ratio <= 0 or count <= floor:
        return count
    i = cfg["inputs"]
    # Reading stops once the seed is big enough for ``count`` to stand: a large corpus costs no full pass.
    enough = math.ceil(count / ratio)
    key = (plugin.code, plugin.iso639_3, plugin.name, tuple(parallel), i["src_column"], i["tgt_column"],
           i["tsv_quoting"], int(i["max_rows"]), enough)
    return capped(count, ratio, floor, _real_rows(key))


@functools.lru_cache(maxsize=8)
def _real_rows(key: tuple[Any, ...]) -> int:
    """Usable pairs in the parallel inputs, up to the key's last item (cached: the sources, the quality
    seed and each worker process ask for the same number)."""
    from lrl.io.readers import ReadOptions, read_pairs

    code, iso, name, specs, src_col, tgt_col, quoting, max_rows, enough = key
    opts = ReadOptions(bad_rows="skip", tsv_quoting=quoting, src_column=src_col, tgt_column=tgt_col,
                       max_rows=max_rows, lang_names=(code, iso, name))
    return sum(1 for _ in read_pairs(list(specs), opts, None, enough))
