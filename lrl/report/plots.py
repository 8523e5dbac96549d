"""The report's figures: matplotlib (Agg, no display needed) rendered to PNG bytes, embedded as base64
so the page works offline and can be mailed as one file."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from lrl.report.data import RunData, Threshold

KEPT, REJECTED = "#2a7ab0", "#d9534f"


def _figure(width: float = 6.4, height: float = 3.2, left: float = 0.1) -> Any:
    import matplotlib

    matplotlib.use("Agg")  # never a GUI backend: reports are built on servers and in tests
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=80)
    # fixed margins, not tight_layout: it draws every figure twice, and the report has one per score
    fig.subplots_adjust(left=left, right=0.97, top=1 - 0.35 / height, bottom=0.6 / height)
    return fig, ax


def to_data_uri(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _label_margin(labels: list[str]) -> float:
    return min(0.5, 0.04 + 0.012 * max((len(x) for x in labels), default=0))


def origins(data: RunData) -> str:
    """Rows in (kept + rejected) and kept per origin."""
    kept = data.kept_by_origin
    # ties by name: a set's order changes with the process's string hashing
    names = sorted(set(kept) | set(data.rejected_by_origin), key=lambda o: (-(kept[o] + data.rejected_by_origin[o]), o))
    fig, ax = _figure()
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], [kept[o] + data.rejected_by_origin[o] for o in names], 0.4,
           label="in", color="#999")
    ax.bar([x + 0.2 for x in xs], [kept[o] for o in names], 0.4, label="kept", color=KEPT)
    ax.set_xticks(list(xs), names)
    ax.set_ylabel("rows")
    ax.set_title("Rows in and kept per origin")
    ax.legend(loc="upper right")
    return to_data_uri(fig)


def stages(data: RunData) -> str:
    """Rows passed and rejected per stage, in pipeline order (top to bottom)."""
    order = data.stage_order()
    st = data.manifest["stages"]
    fig, ax = _figure(6.4, 0.3 * len(order) + 1.2, left=_label_margin(order))
    ys = list(range(len(order)))[::-1]
    ax.barh(ys, [st[s]["out"] for s in order], color=KEPT, label="out")
    ax.barh(ys, [st[s]["rejected"] for s in order], left=[st[s]["out"] for s in order], color=REJECTED,
            label="rejected")
    ax.set_yticks(ys, order)
    ax.set_xlabel("rows")
    ax.set_title("Out and rejected per stage")
    ax.legend(loc="lower right")
    return to_data_uri(fig)


def reasons(data: RunData) -> str | None:
    if not data.rejected:
        return None
    items = data.rejected.most_common(20)
    labels = [f"{s} / {r}" for (s, r), _ in items]
    fig, ax = _figure(6.4, 0.3 * len(items) + 1.2, left=_label_margin(labels))
    ys = list(range(len(items)))[::-1]
    ax.barh(ys, [n for _, n in items], color=REJECTED)
    ax.set_yticks(ys, labels)
    ax.set_xlabel("rows rejected")
    ax.set_title("Rejections by stage and reason")
    return to_data_uri(fig)


def score_histogram(key: str, kept: ArrayLike, rejected: ArrayLike, ths: list[Threshold]) -> str:
    """Kept and rejected rows' values of one score, with the step's thresholds as vertical lines."""
    return draw_histogram(histogram_data(key, kept, rejected, ths))


def histogram_data(key: str, kept: ArrayLike, rejected: ArrayLike, ths: list[Threshold]) -> dict[str, Any]:
    """What :func:`draw_histogram` needs: bin counts, not the values (small to send to another process)."""
    kept, rejected = np.asarray(kept, dtype=np.float64), np.asarray(rejected, dtype=np.float64)
    values = np.concatenate([kept, rejected])
    if not len(values):
        raise ValueError("no values")
    lo, hi = float(values.min()), float(values.max())
    span = (hi - lo) or 1.0
    # Widen the axis to show a threshold just outside the data, not one far off (max_chars 1000 on
    # sentences of 60 characters would squash the bars into one).
    near = [th.value for th in ths if lo - span <= th.value <= hi + span]
    lo, hi = min([lo, *near]), max([hi, *near])
    edges = np.linspace(lo, hi, 31) if hi > lo else np.array([lo - 0.5, lo + 0.5])
    k, _ = np.histogram(kept, edges)
    r, _ = np.histogram(rejected, edges)
    return {"key": key, "edges": edges, "kept": k, "rejected": r, "n_kept": len(kept), "n_rejected": len(rejected),
            "lines": [(th.value, th.kind) for th in ths if lo <= th.value <= hi]}


def draw_histogram(h: dict[str, Any]) -> str:
    fig, ax = _figure(4.8, 2.8)
    edges, k, r = h["edges"], h["kept"], h["rejected"]
    # One filled outline per series (stairs), not a rectangle per bin as hist() draws: faster.
    ax.stairs(k, edges, fill=True, color=KEPT, label=f"kept ({h['n_kept']:,})")
    ax.stairs(k + r, edges, baseline=k, fill=True, color=REJECTED, label=f"rejected ({h['n_rejected']:,})")
    ax.set_ylim(0, max(1, int((k + r).max())) * 1.1)
    for value, kind in h["lines"]:
        ax.axvline(value, color="black", linestyle="--", linewidth=1)
        ax.text(value, ax.get_ylim()[1] * 0.95, f" {kind} {value:g}", fontsize=8, va="top")
    ax.set_title(h["key"], fontsize=10)
    ax.legend(fontsize=7, loc="upper right")
    return to_data_uri(fig)


def _draw_safe(h: dict[str, Any]) -> tuple[str | None, str | None]:
    """(image, None) or (None, what went wrong): a figure that fails costs that figure, not the page."""
    try:
        return draw_histogram(h), None
    except Exception as exc:
        return None, str(exc) or type(exc).__name__


#: figures per process below which drawing in other processes costs more than it saves (starting a spawned
#: process imports matplotlib, ~1 s; a figure takes ~0.1 s)
FIGURES_PER_PROCESS = 12


class Drawing:
    """Every histogram, in order, drawn in up to ``processes`` other processes while the caller goes on (the
    page's other figures and tables: ~3 s at the end of a 255k-row run that had nowhere else to go). Matplotlib
    draws on one core and the figures do not depend on each other: at the end of a run the shard workers'
    cores are free. Too few figures to be worth a process: drawn here, by :meth:`get`."""

    def __init__(self, hs: list[dict[str, Any]], processes: int = 1) -> None:
        self.hs = hs
        self.pool: Any = None
        processes = min(processes, len(hs) // FIGURES_PER_PROCESS)
        if processes > 1:
            import multiprocessing

            from lrl.shards import fork_safe

            ctx = multiprocessing.get_context("fork" if fork_safe() else "spawn")
            self.pool = ctx.Pool(processes)
            self.result = self.pool.map_async(_draw_safe, hs, chunksize=max(1, len(hs) // (4 * processes)))

    def get(self) -> list[tuple[str | None, str | None]]:
        if self.pool is None:
            return [_draw_safe(h) for h in self.hs]
        out: list[tuple[str | None, str | None]] = self.result.get()
        self.pool.close()
        self.pool.join()
        self.pool = None
        return out

    def cancel(self) -> None:
        """Stop the processes (after :meth:`get`, or when the page failed before it)."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def lengths(data: RunData, src_lang: str = "en") -> str:
    """Characters per side of kept rows (empty sides, i.e. monolingual rows, left out)."""
    fig, ax = _figure()
    src = [len(r["src"]) for r in data.kept if r["src"]]
    tgt = [len(r["tgt"]) for r in data.kept if r["tgt"]]
    edges = np.linspace(0, max([1, *src, *tgt]), 41)
    ax.stairs(np.histogram(src, edges)[0], edges, color="#777", linewidth=1.5, label=f"{src_lang} ({len(src):,})")
    ax.stairs(np.histogram(tgt, edges)[0], edges, color=KEPT, linewidth=1.5, label=f"{data.code} ({len(tgt):,})")
    ax.set_xlabel("characters")
    ax.set_ylabel("kept rows")
    ax.set_title("Length of kept sentences per side")
    ax.legend(loc="upper right")
    return to_data_uri(fig)


def diversity(table: dict[str, dict[str, float]]) -> str:
    """distinct-1, distinct-2 and MSTTR of the language side per origin."""
    names = list(table)
    fig, ax = _figure()
    xs = range(len(names))
    for i, (metric, color) in enumerate((("distinct_1", "#999"), ("distinct_2", KEPT), ("msttr", "#5cb85c"))):
        ax.bar([x + (i - 1) * 0.27 for x in xs], [table[o][metric] for o in names], 0.27, label=metric,
               color=color)
    ax.set_xticks(list(xs), names)
    ax.set_ylim(0, 1)
    ax.set_title("Diversity of the language side per origin")
    ax.legend(fontsize=8, loc="upper right")
    return to_data_uri(fig)
