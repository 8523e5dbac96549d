"""The one dev scorer: how every translator candidate (IBM-1 tables, a bootstrap transformer, a cached
model) is measured, so that their numbers compare (issue 10; before, three scorers measured them)."""

from __future__ import annotations

from typing import Any


def _metrics() -> tuple[Any, Any, Any]:
    from lrl.evaluation.metrics import make_metrics  # the eval's metrics: dev and test numbers compare

    m = make_metrics()
    return m["chrF"], m["chrF++"], m["BLEU"]


def corpus_scores(hyps: list[str], refs: list[str], chrf: bool = False) -> dict[str, float]:
    """sacrebleu corpus chrF++ and BLEU (and chrF with ``chrf``) of ``hyps`` against one reference each,
    rounded to 2 decimals."""
    c, cpp, bleu = _metrics()
    out = {"chrf": round(c.corpus_score(hyps, [refs]).score, 2)} if chrf else {}
    out["chrf++"] = round(cpp.corpus_score(hyps, [refs]).score, 2)
    out["bleu"] = round(bleu.corpus_score(hyps, [refs]).score, 2)
    return out


def signatures() -> dict[str, str]:
    """sacrebleu's signatures of the metrics :func:`corpus_scores` computes (scored once on a dummy pair:
    ``CHRF.get_signature()`` raises until the metric has scored)."""
    _, cpp, bleu = _metrics()
    cpp.corpus_score(["a"], [["a"]])
    bleu.corpus_score(["a"], [["a"]])
    return {"chrf": str(cpp.get_signature()), "bleu": str(bleu.get_signature())}
