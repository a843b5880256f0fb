"""Jurisdictions: the governments that table levels plans or select immigrants."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from immiplan.errors import InputError
from immiplan.system.parameters import data_root, load_yaml


@dataclass(frozen=True)
class Jurisdiction:
    """A government: Canada (federal) or a province."""

    code: str
    label: dict[str, str]
    level: str
    parent: str | None


@cache
def jurisdictions() -> dict[str, Jurisdiction]:
    """Every jurisdiction shipped with immiplan, by code."""
    raw = load_yaml(data_root() / "system" / "jurisdictions.yaml")
    return {
        code: Jurisdiction(code, dict(node["label"]), node["level"], node.get("parent"))
        for code, node in raw["jurisdictions"].items()
    }


def jurisdiction(code: str) -> Jurisdiction:
    """The jurisdiction ``code``; an :class:`InputError` listing the known ones otherwise."""
    known = jurisdictions()
    if code not in known:
        raise InputError(f"unknown jurisdiction (known: {', '.join(known)})", value=code)
    return known[code]
