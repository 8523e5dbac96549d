"""The Ray executor (``run.executor = "ray"``, ``pip install 'lrl[ray]'``): the same shards as the local
executor, run by Ray actors that each build the steps (load the models) once, then take shards one at a
time. Same rows as local: a shard's output depends only on its rows and the steps (lrl/shards.py).

Joins the cluster named by ``RAY_ADDRESS`` (``ray start --head`` / a Ray job), else starts Ray on this
machine. The run folder must be on a file system every node sees: actors write their shards into it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from lrl.errors import require
from lrl.record import Record
from lrl.shards import ShardJob, run_shard
from lrl.step import Step


class _ShardActor:
    """One Ray actor: builds the steps once, then runs the shards it is given."""

    def __init__(self, build: Callable[[], ShardJob]) -> None:
        self.job = build()

    def run(self, k: int, rows: list[Record]) -> int:
        run_shard(self.job, k, rows)
        return k


def actor_options(resources: dict[str, float], actors: int, model_stages: list[str]) -> dict[str, Any]:
    """The resources each actor asks Ray for. One CPU each; when the chain has model stages (a
    CTranslate2 back-translator, a paraphrase model: ``model_stages``) and the cluster has GPUs, a share of
    them too — a whole GPU per actor when there are as many GPUs as actors, else ``GPUs / actors`` (Ray then
    places several actors on one GPU, each loading its model there once). Ray sets ``CUDA_VISIBLE_DEVICES``
    for the actor, so ``bt.device = auto`` finds the GPU. No GPU in the cluster, no model stage: CPU only."""
    gpus = float(resources.get("GPU", 0) or 0)
    if not model_stages or gpus <= 0:
        return {"num_cpus": 1}
    return {"num_cpus": 1, "num_gpus": round(min(1.0, gpus / max(1, actors)), 4)}


def run_shards_ray(shards: Iterable[tuple[int, list[Record]]], workers: int, build: Callable[[], ShardJob],
                   on_done: Callable[[int], None] = lambda k: None,
                   model_stages: list[str] | None = None) -> dict[str, Any]:
    """Run ``shards`` on ``workers`` actors (0: one per CPU Ray reports), at most one shard in flight per
    actor (memory stays bounded, shards stay balanced). Returns the layout for the manifest: actors used,
    what each asked for, the cluster's CPUs and GPUs, the model stages."""
    require("ray", "ray", "the Ray executor (run.executor = \"ray\")")
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=os.environ.get("RAY_ADDRESS") or None, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING)
    resources = {k: float(v) for k, v in ray.cluster_resources().items() if k in ("CPU", "GPU")}
    n = workers or max(1, int(resources.get("CPU", 1)))
    options = actor_options(resources, n, model_stages or [])
    actor_cls: Any = ray.remote(_ShardActor).options(**options)
    actors: list[Any] = []
    try:
        inflight: dict[Any, Any] = {}
        for k, rows in shards:
            if len(actors) < n and len(inflight) == len(actors):
                actors.append(actor_cls.remote(build))  # started as shards arrive: none idle on small runs
            free = [a for a in actors if a not in inflight.values()]
            if not free:
                [ref], _ = ray.wait(list(inflight), num_returns=1)
                on_done(ray.get(ref))
                free = [inflight.pop(ref)]
            inflight[free[0].run.remote(k, rows)] = free[0]
        for ref in list(inflight):
            on_done(ray.get(ref))
        return {"workers": len(actors), "actor": options, "cluster": resources,
                "model_stages": list(model_stages or [])}
    finally:
        for a in actors:
            ray.kill(a)
        if started_here:
            ray.shutdown()


def model_stages(steps: list[Step], cfg: dict[str, Any]) -> list[str]:
    """The steps that run a model able to use a GPU (their signature says where it runs: ``runtime``), unless
    every device setting says cpu. The Ray executor asks GPUs for its actors when there are any."""
    if all(cfg[key]["device"] == "cpu" for key in ("bt", "paraphrase")):
        return []
    return [s.name for s in steps if _runs_model(s.signature())]


def _runs_model(signature: dict[str, Any]) -> bool:
    # bt and paraphrase record ``runtime`` (device, compute type) when a CTranslate2/transformers model runs;
    # the pivot paraphraser's is None, IBM-1 has none
    return isinstance(signature.get("runtime"), dict) or any(isinstance(v, dict) and _runs_model(v)
                                                             for v in signature.values())
