"""Shipped target sets, runnable by name on any base: the UN *Replacement Migration* scenarios.

Each file in ``immiplan/data/solver/targets/`` names one set: a title (EN, FR), its target
expressions and the reference it reproduces. ``--target un-iv`` expands to its expressions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from immiplan.errors import InputError
from immiplan.solver.targets import Target
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import Reference, parse_references

__all__ = ["TargetSet", "expand_targets", "shipped_targets", "target_set"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)+$")
"""A set's name (``un-iv``): words joined by hyphens, no operator."""


@dataclass(frozen=True)
class TargetSet:
    """A named set of targets with its source."""

    name: str
    title: dict[str, str]
    targets: tuple[str, ...]
    references: tuple[Reference, ...]


@cache
def shipped_targets() -> dict[str, TargetSet]:
    """Every shipped target set, by name."""
    folder = data_root() / "solver" / "targets"
    out: dict[str, TargetSet] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yaml"):
            continue
        raw = load_yaml(path)
        out[str(raw["name"])] = TargetSet(
            name=str(raw["name"]),
            title={str(k): str(v) for k, v in dict(raw["title"]).items()},
            targets=tuple(str(t) for t in raw["targets"]),
            references=tuple(parse_references(raw)),
        )
    return out


def target_set(name: str) -> TargetSet:
    """The shipped set ``name``; an :class:`InputError` listing the known ones otherwise."""
    known = shipped_targets()
    if name not in known:
        raise InputError(
            f"unknown target set (known: {', '.join(known)})", field="--target", value=name
        )
    return known[name]


def expand_targets(targets: Sequence[str | Target]) -> tuple[list[str | Target], list[str]]:
    """Target expressions with shipped names expanded; the field each came from."""
    texts: list[str | Target] = []
    fields: list[str] = []
    known = shipped_targets()
    for item in targets:
        if isinstance(item, str) and _NAME.match(item.strip()) and item.strip() not in known:
            target_set(item.strip())  # a bare name that is no shipped set: say so
        if isinstance(item, str) and item.strip() in known:
            for text in known[item.strip()].targets:
                texts.append(text)
                fields.append(f"--target {item.strip()}")
        else:
            texts.append(item)
            fields.append("--target")
    return texts, fields
