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


class _ShardActor:
    """One Ray actor: builds the steps once, then runs the shards it is given."""

    def __init__(self, build: Callable[[], ShardJob]) -> None:
        self.job = build()

    def run(self, k: int, rows: list[Record]) -> int:
        run_shard(self.job, k, rows)
        return k


def run_shards_ray(shards: Iterable[tuple[int, list[Record]]], workers: int, build: Callable[[], ShardJob],
                   on_done: Callable[[int], None] = lambda k: None) -> int:
    """Run ``shards`` on ``workers`` actors (0: one per CPU Ray reports), at most one shard in flight per
    actor (memory stays bounded, shards stay balanced). Returns the number of actors used."""
    require("ray", "ray", "the Ray executor (run.executor = \"ray\")")
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=os.environ.get("RAY_ADDRESS") or None, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING)
    actor_cls: Any = ray.remote(num_cpus=1)(_ShardActor)
    n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
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
        return len(actors)
    finally:
        for a in actors:
            ray.kill(a)
        if started_here:
            ray.shutdown()
