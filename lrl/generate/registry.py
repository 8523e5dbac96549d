"""Which stream generators a run uses, from the configuration.

A stream generator is a :class:`~lrl.step.Step` that passes every record on and adds new records made
from some of them (back-translation makes an English side for a monolingual row). Each is followed by the
filters that judge its own new rows (``Filter.applies_to``).
"""

from __future__ import annotations

from typing import Any

from lrl.languages.plugin import Plugin
from lrl.step import Step


def build_generators(plugin: Plugin, cfg: dict[str, Any]) -> list[Step]:
    steps: list[Step] = []
    return steps
