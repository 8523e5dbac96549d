"""``report.html``: one self-contained page per run that shows what was made, what was dropped and why.

``build_report(run_dir)`` is called at the end of every ``lrl augment`` run and by ``lrl report RUN``.
A figure that fails to draw is logged and replaced by a note, so the page (and the run) always survive.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from lrl.report import data as rdata
from lrl.report import plots

log = logging.getLogger(__name__)

CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}td.n{text-align:right}.grid{display:flex;flex-wrap:wrap;gap:8px}
.warn{color:#a94442}small{color:#666}img{max-width:100%}"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _table(head: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f'<td class="n">{v:.3f}</td>'
        if isinstance(v, int):
            return f'<td class="n">{v:,}</td>'
        return f"<td>{_e(v)}</td>"

    return ("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(cell(v) for v in r) + "</tr>" for r in rows) + "</table>")


class _Page:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.images = 0

    def add(self, s: str) -> None:
        self.parts.append(s)

    def plot(self, title: str, make: Callable[[], str | None]) -> None:
        try:
            uri = make()
        except Exception as exc:  # a plotting bug must never lose a run: note it and go on
            self.figure(title, None, str(exc))
            return
        self.figure(title, uri)

    def figure(self, title: str, uri: str | None, error: str | None = None) -> None:
        if error is not None:
            log.warning("report: plot %r failed: %s", title, error)
            self.add(f'<p class="warn">plot “{_e(title)}” could not be drawn: {_e(error)}</p>')
        elif uri:
            self.images += 1
            self.add(f'<figure><img alt="{_e(title)}" src="{uri}"></figure>')


def _sampled(d: rdata.RunData) -> str:
    return f" Drawn from a sample of {d.sampled[0]:,} of {d.sampled[1]:,} rows." if d.sampled else ""


def render(d: rdata.RunData, processes: int = 1) -> tuple[str, int]:
    """The page's HTML and the number of figures in it (the score histograms drawn by up to ``processes``
    processes)."""
    m = d.manifest
    keys = d.score_keys()
    ths = rdata.thresholds_for(keys, m)
    hs = []
    for k in keys:
        try:
            hs.append(plots.histogram_data(k, d.kept_scores.get(k, []), d.rejected_scores.get(k, []),
                                           ths.get(k, [])))
        except Exception as exc:  # as a figure that fails to draw: a note, not a lost page
            hs.append({"key": k, "error": str(exc) or type(exc).__name__})
    # The score histograms, most of the page's figures, are drawn in other processes while this one builds
    # the rest of the page.
    drawing = plots.Drawing([h for h in hs if "error" not in h], processes)
    try:
        page, images = _render(d, drawing, hs)
    finally:
        drawing.cancel()
    return page, images


def _render(d: rdata.RunData, drawing: plots.Drawing, hs: list[dict[str, Any]]) -> tuple[str, int]:
    m = d.manifest
    lang, t = m["language"], m["totals"]
    p = _Page()
    p.add(f"<h1>lrl run {_e(m['run_id'])}: English–{_e(lang['name'])} ({_e(lang['code'])})</h1>")
    p.add(f"<p>lrl {_e(m.get('lrl_version', '?'))}, {_e(m.get('created', ''))}, seed {_e(m.get('seed'))}. "
          f"<b>{t['generated']:,}</b> rows in, <b>{t['kept']:,} kept</b>, {t['rejected']:,} rejected. "
          f"Total time {m.get('duration_s', 0):.1f} s.</p>")
    if d.sampled:
        p.add(f"<p><small>Score histograms, lengths, diversity and the example kept rows are drawn from a sample "
              f"of {d.sampled[0]:,} of {d.sampled[1]:,} rows (report.sample_rows; picked by a hash of the row "
              "id); counts and lexicon coverage are over every row.</small></p>")
    stage_times = {s: st["seconds"] for s, st in m["stages"].items() if "seconds" in st}
    if not stage_times:
        p.add("<p><small>Time per stage is not recorded in this manifest; the total is above.</small></p>")

    p.add("<h2>Rows per origin</h2>")
    p.plot("rows per origin", lambda: plots.origins(d))
    kept_by = {o: d.kept_by_origin[o] for o in sorted(d.kept_by_origin)}
    origins = sorted(set(kept_by) | set(d.rejected_by_origin))
    p.add(_table(["origin", "in", "kept", "rejected"],
                 [[o, kept_by.get(o, 0) + d.rejected_by_origin[o], kept_by.get(o, 0), d.rejected_by_origin[o]]
                  for o in origins]))

    p.add("<h2>Stages, in pipeline order</h2>")
    p.plot("stages", lambda: plots.stages(d))
    p.add(_table(["stage", "in", "created", "out", "rejected", *(["seconds"] if stage_times else [])],
                 [[s, st["in"], st["created"], st["out"], st["rejected"],
                   *([float(stage_times.get(s, 0.0))] if stage_times else [])]
                  for s in d.stage_order() for st in [m["stages"][s]]]))

    p.add("<h2>Rejections by reason, with examples</h2>")
    p.plot("rejection reasons", lambda: plots.reasons(d))
    for (stage, reason), n in d.rejected.most_common():
        ex = d.rejected_examples[(stage, reason)]
        p.add(f"<h3>{_e(stage)} / {_e(reason)}: {n:,}</h3>")
        p.add(_table(["origin", "en", lang["code"], "reason"],
                     [[r.get("origin", ""), r.get("src", ""), r.get("tgt", ""), r["reason"]] for r in ex]))
    if not d.rejected:
        p.add("<p>No row was rejected.</p>")

    p.add("<h2>Scores</h2><p>Every numeric score, kept and rejected rows stacked; dashed lines are the "
          f"thresholds in the steps' settings.{_sampled(d)}</p><div class=grid>")
    scores_at = len(p.parts)  # the histograms go here, once drawn (below)
    p.add("</div>")

    p.add("<h2>Length per side</h2>")
    p.plot("lengths", lambda: plots.lengths(d))

    p.add("<h2>Diversity and lexicon coverage</h2>")
    div = {o: rdata.diversity([r["tgt"] for r in d.kept if r["origin"] == o and r["tgt"]]) for o in kept_by}
    div["all"] = rdata.diversity([r["tgt"] for r in d.kept if r["tgt"]])
    p.plot("diversity", partial(plots.diversity, div))
    p.add(_table(["origin", "sentences", "tokens", "types", "distinct-1", "distinct-2", "MSTTR (100)"],
                 [[o, v["sentences"], v["tokens"], v["types"], v["distinct_1"], v["distinct_2"], v["msttr"]]
                  for o, v in div.items()]))
    if d.coverage:
        p.add("<p>Share of the plugin lexicon's entries that occur in the language side:</p>")
        p.add(_table(["rows", "lexicon entries", "seen", "share"],
                     [[label, c["entries"], c["seen"], c["share"]] for label, c in d.coverage]))
    else:
        p.add("<p><small>The plugin's lexicon could not be read; no coverage.</small></p>")

    p.add("<h2>A sample of kept rows per origin</h2>")
    for o, sample in rdata.sample_by_origin(d.kept).items():
        p.add(f"<h3>{_e(o)}</h3>")
        p.add(_table(["id", "en", lang["code"]], [[r["id"], r["src"], r["tgt"]] for r in sample]))

    scores = _Page()
    drawn = drawing.get()
    for h in hs:
        scores.figure(h["key"], *((None, h["error"]) if "error" in h else drawn.pop(0)))
    p.parts[scores_at:scores_at] = scores.parts
    p.images += scores.images

    body = "\n".join(p.parts)
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>lrl report {_e(m["run_id"])}'
            f"</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n")
    return page, p.images


def build_report(run_dir: Path | str, manifest: dict[str, Any] | None = None, data: rdata.RunData | None = None,
                 processes: int = 1) -> Path:
    """Write ``<run_dir>/report.html`` from the run's files (and ``manifest``, when the run is still being
    completed and its manifest.json not yet written) and return its path. ``data``: the numbers, when the
    completion pass gathered them (lrl/report/summaries.py); else they are read from the files."""
    run_dir = Path(run_dir)
    page, n = render(data if data is not None else rdata.load_run(run_dir, manifest), processes)
    out = run_dir / "report.html"
    out.write_text(page, encoding="utf-8")
    log.info("report: %s (%d figures)", out, n)
    return out
