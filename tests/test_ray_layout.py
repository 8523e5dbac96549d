"""What the Ray executor asks for (issue 12): GPUs for the actors only when the chain runs a model that can
use one and the cluster has GPUs. Tested on CPU: the request is built from the cluster's resources as Ray
reports them, and the model stages as the built steps' signatures say."""

from __future__ import annotations

from typing import Any

from lrl import config
from lrl.languages import find_plugin
from lrl.pipeline import build_steps
from lrl.ray_executor import actor_options, model_stages
from lrl.step import Step


def test_gpus_are_asked_for_model_stages_only_when_the_cluster_has_them() -> None:
    assert actor_options({"CPU": 16.0}, 16, ["bt"]) == {"num_cpus": 1}
    assert actor_options({"CPU": 16.0, "GPU": 2.0}, 16, []) == {"num_cpus": 1}  # nothing would use them
    assert actor_options({"CPU": 16.0, "GPU": 2.0}, 2, ["bt"]) == {"num_cpus": 1, "num_gpus": 1.0}
    assert actor_options({"CPU": 16.0, "GPU": 8.0}, 4, ["bt"]) == {"num_cpus": 1, "num_gpus": 1.0}
    # more actors than GPUs: each a share, so Ray places several on one GPU
    assert actor_options({"CPU": 16.0, "GPU": 1.0}, 4, ["bt", "paraphrase"]) == {"num_cpus": 1, "num_gpus": 0.25}


class _Model(Step):
    """A step whose signature says where its model runs, as bt's and paraphrase's do."""

    name = "bt"

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def run(self, records: Any, ctx: Any) -> Any:
        return records

    def signature(self) -> dict[str, Any]:
        return {"model": {"kind": "marian", "runtime": self.runtime}}


def test_model_stages_are_read_from_the_signatures() -> None:
    plugin = find_plugin("yo")
    cfg = config.resolve(plugin.defaults, "plugin", None, {})
    # The default chain back-translates with IBM-1 tables (CPU only, no runtime): no model stage.
    assert model_stages(build_steps(plugin, cfg, progress=False), cfg) == []
    gpu = _Model({"device": "cpu", "compute_type": "int8"})
    assert model_stages([gpu, _Model(None)], cfg) == ["bt"]
    cpu_only = config.resolve(plugin.defaults, "plugin", None, {"bt.device": "cpu", "paraphrase.device": "cpu"})
    assert model_stages([gpu], cpu_only) == []
