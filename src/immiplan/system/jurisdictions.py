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
    short: dict[str, str] | None = None
    """The name in a table cell (``Canada``), per language; the label where not given."""
    in_sentence: dict[str, str] | None = None
    """The name inside a sentence (``le Québec``), per language; :attr:`name` where not
    given."""

    @property
    def name(self) -> dict[str, str]:
        """:attr:`short` where given, else :attr:`label`."""
        return self.short or self.label

    @property
    def sentence(self) -> dict[str, str]:
        """:attr:`in_sentence` where given, else :attr:`name`."""
        return self.in_sentence or self.name


@cache
def jurisdictions() -> dict[str, Jurisdiction]:
    """Every jurisdiction shipped with immiplan, by code."""
    raw = load_yaml(data_root() / "system" / "jurisdictions.yaml")
    return {
        code: Jurisdiction(
            code,
            dict(node["label"]),
            node["level"],
            node.get("parent"),
            dict(node["short"]) if "short" in node else None,
            dict(node["in_sentence"]) if "in_sentence" in node else None,
        )
        for code, node in raw["jurisdictions"].items()
    }


def jurisdiction(code: str) -> Jurisdiction:
    """The jurisdiction ``code``; an :class:`InputError` listing the known ones otherwise."""
    known = jurisdictions()
    if code not in known:
        raise InputError(f"unknown jurisdiction (known: {', '.join(known)})", value=code)
    return known[code]
