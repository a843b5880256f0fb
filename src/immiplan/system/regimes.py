"""Selection regimes: who selects each category, and so which levels a government can move.

A regime maps every leaf of the category tree to ``province`` or ``federal``. The province
is the jurisdiction whose plan is being cut (Quebec by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from immiplan.errors import InputError
from immiplan.system.categories import Leaf, category_tree
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import Reference, parse_references

SELECTORS = ("province", "federal")


@dataclass(frozen=True)
class Regime:
    """Who selects each sub-category under one arrangement between Ottawa and a province."""

    name: str
    label: dict[str, str]
    description: dict[str, str]
    selector: dict[Leaf, str]
    nominates: dict[Leaf, str]
    notes: dict[str, dict[str, str]]
    references: tuple[Reference, ...]

    def selects(self, leaf: Leaf) -> str:
        """``province`` or ``federal`` for one leaf."""
        return self.selector[leaf]

    def controlled_by(self, who: str, leaves: frozenset[Leaf]) -> bool | None:
        """True if ``who`` selects every leaf, False if none, None if the set is mixed."""
        flags = {self.selector[leaf] == who for leaf in leaves}
        if flags == {True}:
            return True
        if flags == {False}:
            return False
        return None


def _parse(raw: dict, source: str) -> Regime:
    tree = category_tree()
    selector: dict[Leaf, str] = {}
    for code, who in raw.get("selects", {}).items():
        if who not in SELECTORS:
            raise InputError(
                f"selector must be one of {', '.join(SELECTORS)}",
                source=source,
                field=f"selects.{code}",
                value=who,
            )
        for leaf in tree.resolve(code):
            selector[leaf] = who
    missing = [leaf for leaf in tree.leaves if leaf not in selector]
    if missing:
        raise InputError(
            "the regime does not say who selects these sub-categories: " + ", ".join(missing),
            source=source,
            field="selects",
        )
    nominates = {
        leaf: who for code, who in raw.get("nominates", {}).items() for leaf in tree.resolve(code)
    }
    return Regime(
        name=raw["name"],
        label=dict(raw["label"]),
        description=dict(raw.get("description", {})),
        selector=selector,
        nominates=nominates,
        notes={k: dict(v) for k, v in raw.get("notes", {}).items()},
        references=tuple(parse_references(raw)),
    )


@cache
def regimes() -> dict[str, Regime]:
    """Every regime shipped with immiplan, by name."""
    folder = data_root() / "system" / "regimes"
    out = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".yaml"):
            regime = _parse(load_yaml(path), path.name)
            out[regime.name] = regime
    return out


def regime(name: str) -> Regime:
    """The regime ``name``; an :class:`InputError` listing the known ones otherwise."""
    known = regimes()
    if name not in known:
        raise InputError(f"unknown regime (known: {', '.join(known)})", field="regime", value=name)
    return known[name]
