"""The category tree shared by both governments' plans, and the codes that name its parts.

A *code* names a set of leaves of the tree:

- ``economic`` — a top-level category (all its sub-categories);
- ``refugees.protected_in_canada`` — one sub-category;
- ``economic.caregivers+other_economic`` — several sibling sub-categories;
- ``refugees+other`` — several top-level categories together.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from immiplan.errors import InputError
from immiplan.system.parameters import data_root, load_yaml

Leaf = str  # "top.sub"


@dataclass(frozen=True)
class Category:
    """A top-level category and its sub-categories, with labels in each language."""

    code: str
    label: dict[str, str]
    subcategories: tuple[str, ...]
    sublabels: dict[str, dict[str, str]]
    government_labels: dict[str, dict[str, tuple[str, ...]]]


@dataclass(frozen=True)
class CategoryTree:
    """The whole tree, in its published order."""

    categories: tuple[Category, ...]

    @property
    def top(self) -> tuple[str, ...]:
        """Top-level codes in order."""
        return tuple(c.code for c in self.categories)

    @property
    def leaves(self) -> tuple[Leaf, ...]:
        """Every sub-category as ``top.sub``, in order."""
        return tuple(f"{c.code}.{s}" for c in self.categories for s in c.subcategories)

    def category(self, code: str) -> Category:
        for cat in self.categories:
            if cat.code == code:
                return cat
        raise InputError(f"unknown category (known: {', '.join(self.top)})", value=code)

    def resolve(self, code: str, *, parent: str | None = None) -> frozenset[Leaf]:
        """The leaves a code names (``parent`` lets ``business`` mean ``economic.business``).

        Raises :class:`InputError` naming the code when any part is unknown.
        """
        code = code.strip()
        if not code:
            raise InputError("empty category code", value=code)
        if "." in code:
            top, _, subs = code.partition(".")
            return self._subs(top, subs.split("+"), code)
        parts = code.split("+")
        if all(p in self.top for p in parts):
            return frozenset(leaf for p in parts for leaf in self._all_of(p))
        if parent is not None and parent in self.top:
            return self._subs(parent, parts, code)
        known = ", ".join(self.top)
        raise InputError(f"unknown category (known top-level categories: {known})", value=code)

    def _all_of(self, top: str) -> tuple[Leaf, ...]:
        cat = self.category(top)
        return tuple(f"{top}.{s}" for s in cat.subcategories)

    def _subs(self, top: str, subs: list[str], code: str) -> frozenset[Leaf]:
        cat = self.category(top)
        out = set()
        for sub in subs:
            if sub not in cat.subcategories:
                known = ", ".join(cat.subcategories)
                raise InputError(f"unknown sub-category of '{top}' (known: {known})", value=code)
            out.add(f"{top}.{sub}")
        return frozenset(out)

    def top_of(self, leaves: frozenset[Leaf]) -> frozenset[str]:
        """The top-level categories that ``leaves`` touch."""
        return frozenset(leaf.split(".")[0] for leaf in leaves)

    def code_of(self, leaves: frozenset[Leaf]) -> str:
        """The shortest code naming exactly ``leaves`` (inverse of :meth:`resolve`)."""
        tops = sorted(self.top_of(leaves), key=self.top.index)
        if all(set(self._all_of(t)) <= leaves for t in tops) and len(leaves) == sum(
            len(self._all_of(t)) for t in tops
        ):
            return "+".join(tops)
        if len(tops) == 1:
            cat = self.category(tops[0])
            subs = [s for s in cat.subcategories if f"{tops[0]}.{s}" in leaves]
            return f"{tops[0]}." + "+".join(subs)
        return "+".join(
            self.code_of(frozenset(x for x in leaves if x.startswith(t + "."))) for t in tops
        )

    def label(self, leaves: frozenset[Leaf], lang: str = "en") -> str:
        """A readable label for a set of leaves."""
        tops = sorted(self.top_of(leaves), key=self.top.index)
        parts: list[str] = []
        for top in tops:
            cat = self.category(top)
            mine = [s for s in cat.subcategories if f"{top}.{s}" in leaves]
            if len(mine) == len(cat.subcategories):
                parts.append(cat.label[lang])
            else:
                parts.extend(cat.sublabels[s][lang] for s in mine)
        joiner = " et " if lang == "fr" else " and "
        return joiner.join(parts)


@cache
def category_tree() -> CategoryTree:
    """The category tree shipped with immiplan (``data/system/categories.yaml``)."""
    raw = load_yaml(data_root() / "system" / "categories.yaml")
    cats = []
    for code, node in raw["categories"].items():
        subs = node.get("subcategories", {})
        cats.append(
            Category(
                code=code,
                label=dict(node["label"]),
                subcategories=tuple(subs),
                sublabels={s: dict(v["label"]) for s, v in subs.items()},
                government_labels={
                    s: {g: tuple(labels) for g, labels in v.get("government_labels", {}).items()}
                    for s, v in subs.items()
                },
            )
        )
    return CategoryTree(tuple(cats))
