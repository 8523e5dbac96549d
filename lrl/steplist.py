"""``lrl steps list``: every step a chain can name, with its settings and their defaults."""

from __future__ import annotations

import argparse
from typing import Any

from lrl.schema import Leaf


def lines(cfg: dict[str, Any] | None = None) -> list[str]:
    """One block per registered step (built-in, then installed packages'), then the chains ``cfg`` runs
    (the built-in defaults when None)."""
    from lrl import config
    from lrl.registry import steps

    schema = config.schema()
    cfg = cfg if cfg is not None else schema.dump({})
    out: list[str] = []
    for name, spec in steps().items():
        where = [c for c, key in (("input", "checks"), ("generated", "generated_checks"))
                 if name in cfg["pipeline"][key]]
        out.append(f"{name}  [{', '.join(spec.chains)}]  from {spec.package}"
                   f"{'' if where else '  (in no chain now)'}")
        if spec.doc:
            out.append(f"    {spec.doc}")
        prefix = f"{spec.settings}." if spec.settings else None
        for key, leaf in schema.leaves.items():
            if prefix and key.startswith(prefix):
                value = _get(cfg, key)
                changed = "" if value == leaf.default else f"  (default {leaf.default!r})"
                out.append(f"    {key} = {value!r}{changed}{_constraint(leaf)}")
    out.append("")
    for key in ("checks", "generated_checks"):
        out.append(f"pipeline.{key} = {cfg['pipeline'][key]!r}")
    return out


def _get(cfg: dict[str, Any], dotted: str) -> Any:
    node: Any = cfg
    for part in dotted.split("."):
        node = node[part]
    return node


def _constraint(leaf: Leaf) -> str:
    if leaf.allowed is not None:
        return f"  (one of: {', '.join(map(str, leaf.allowed))})"
    if leaf.bounds != (None, None):
        return f"  ({leaf.bound_text()})"
    return ""


def _list(args: argparse.Namespace) -> int:
    from lrl import config

    cfg = None
    if args.lang or args.config or args.set:
        from lrl.languages import find_plugin

        defaults, source = ({}, "defaults")
        if args.lang:
            plugin = find_plugin(args.lang, args.languages_dir)
            defaults, source = plugin.defaults, str(plugin.manifest)
        cfg = config.resolve(defaults, source, args.config, config.parse_overrides(args.set))
    for line in lines(cfg):
        print(line)
    return 0


def add_steps_command(sub: Any) -> None:
    from pathlib import Path

    steps = sub.add_parser("steps", help="the filter steps: list them with their settings").add_subparsers(
        dest="steps_command", required=True)
    ls = steps.add_parser("list", help="every step (built-in and from installed packages), its settings and "
                                       "defaults, and the chains a run would use")
    ls.add_argument("--lang", help="apply this language plugin's [defaults]")
    ls.add_argument("--config", type=Path, help="a settings file (TOML), as for augment")
    ls.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="as for augment")
    ls.set_defaults(func=_list)
