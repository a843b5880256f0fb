"""Levels plans as plain typed objects.

A plan year is a tree of :class:`Level` nodes: the root is the total; its lines are the
categories; a category's lines are sub-categories or programmes, to any depth. Every node
says which leaves of the category tree it covers, so plans written in either government's
own labels can be compared, validated and cut on the same footing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from immiplan.errors import InputError
from immiplan.system.categories import category_tree
from immiplan.system.references import Reference

Which = Literal["low", "target", "high"]
WHICH: tuple[Which, ...] = ("low", "target", "high")


@dataclass(frozen=True)
class Level:
    """One line of a plan: a range and/or a target for a set of sub-categories (persons/year).

    ``target`` is the published target; :meth:`value` falls back to the midpoint of the range
    when only a range was published (flagged by :attr:`target_is_midpoint`).
    """

    key: str
    covers: frozenset[str]
    label: dict[str, str]
    low: float | None = None
    target: float | None = None
    high: float | None = None
    jurisdiction: str | None = None
    derived: str | None = None
    lines: tuple[Level, ...] = ()
    path: str = ""
    outside_cap: bool = False

    @property
    def target_is_midpoint(self) -> bool:
        return self.target is None and self.low is not None and self.high is not None

    def value(self, which: Which = "target") -> float | None:
        """The low, target or high level; the target falls back to the range's midpoint."""
        if which == "low":
            return self.low
        if which == "high":
            return self.high
        if self.target is not None:
            return self.target
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        return None

    def walk(self) -> Iterator[Level]:
        """This node and every node below it, depth first."""
        yield self
        for line in self.lines:
            yield from line.walk()

    def leaves_nodes(self) -> list[Level]:
        """The finest nodes below (or equal to) this one: nodes with no lines."""
        return [node for node in self.walk() if not node.lines]


Share = tuple[float, float]


@dataclass(frozen=True)
class PlanYear:
    """What a plan says for one calendar year.

    ``total`` is the plan's cap and its lines; ``outside_cap`` holds the lines the government
    admits on top of the cap (Quebec's PEQ graduates in 2024–2025), and ``total_with_outside``
    the published total including them, when the plan gives one.
    """

    year: int
    total: Level
    french_knowledge_target: float | None = None
    province_selected_share: Share | None = None
    economic_share: Share | None = None
    already_resident_share: Share | None = None
    catch_up: float | None = None
    outside_cap: tuple[Level, ...] = ()
    total_with_outside: Level | None = None

    @property
    def categories(self) -> tuple[Level, ...]:
        return self.total.lines

    @property
    def quebec_selected_share(self) -> Share | None:
        """Former name of :attr:`province_selected_share` (kept for old callers)."""
        return self.province_selected_share

    def nodes(self) -> Iterator[Level]:
        """Every node of the cap's tree (the lines outside the cap are not in it)."""
        return self.total.walk()

    def outside_value(self, which: Which = "target") -> float | None:
        """Persons planned outside the cap (0 when the plan has no such line)."""
        values = [line.value(which) for line in self.outside_cap]
        if any(v is None for v in values):
            return None
        return float(sum(v for v in values if v is not None))


@dataclass(frozen=True)
class Plan:
    """A levels plan (``kind="plan"``) or observed admissions (``kind="actual"``)."""

    name: str
    jurisdiction: str
    years_: dict[int, PlanYear]
    title: dict[str, str] = field(default_factory=dict)
    author: str | None = None
    tabled: dt.date | None = None
    kind: Literal["plan", "actual"] = "plan"
    status: Literal["tabled", "scenario"] = "tabled"
    references: tuple[Reference, ...] = ()
    notes: str | None = None
    source: str = ""

    @property
    def years(self) -> list[int]:
        """The plan's years, in order."""
        return sorted(self.years_)

    def year(self, year: int) -> PlanYear:
        """The plan for ``year``; an :class:`InputError` if the plan does not cover it."""
        if year not in self.years_:
            covered = ", ".join(str(y) for y in self.years) or "none"
            raise InputError(
                f"plan '{self.name}' has no year {year} (it covers {covered})",
                source=self.source or self.name,
                field="years",
                value=year,
            )
        return self.years_[year]

    def node(self, code: str, year: int) -> list[Level]:
        """The nodes that cover exactly the leaves ``code`` names (several for programmes)."""
        tree = category_tree()
        wanted = tree.resolve(code)
        return [n for n in self.year(year).nodes() if n.covers == wanted]

    def level(
        self, code: str, year: int, which: Which = "target", *, include_outside: bool = False
    ) -> float | None:
        """Persons planned (or admitted) for ``code`` in ``year``, or None if the plan is silent.

        When no single line covers ``code``, the finest lines inside it are added up if
        together they cover it exactly and do not overlap. Lines outside the cap count only
        with ``include_outside`` (then those that fall inside ``code`` are added).
        """
        inside = self._level_inside(code, year, which)
        if not include_outside or inside is None:
            return inside
        if code == "total":
            return self.total(year, which, include_outside=True)
        wanted = category_tree().resolve(code)
        extra = [n.value(which) for n in self.year(year).outside_cap if n.covers <= wanted]
        if any(v is None for v in extra):
            return None
        return inside + float(sum(v for v in extra if v is not None))

    def _level_inside(self, code: str, year: int, which: Which) -> float | None:
        if code == "total":
            return self.total(year, which)
        tree = category_tree()
        wanted = tree.resolve(code)
        exact = [n for n in self.year(year).nodes() if n.covers == wanted]
        if exact:
            values = [n.value(which) for n in exact]
            return (
                None
                if any(v is None for v in values)
                else float(sum(v for v in values if v is not None))
            )
        parts = _partition(self.year(year).total, wanted)
        if parts is None:
            return None
        values = [n.value(which) for n in parts]
        if any(v is None for v in values):
            return None
        return float(sum(v for v in values if v is not None))

    def total(
        self, year: int, which: Which = "target", *, include_outside: bool = False
    ) -> float | None:
        """The plan's total for ``year``: its cap, or with ``include_outside`` every admission.

        With ``include_outside``, the published total including the lines outside the cap is
        used when the plan gives one; otherwise the cap plus those lines.
        """
        py = self.year(year)
        cap = py.total.value(which)
        if not include_outside or not py.outside_cap:
            return cap
        if py.total_with_outside is not None:
            published = py.total_with_outside.value(which)
            if published is not None:
                return published
        outside = py.outside_value(which)
        if cap is None or outside is None:
            return None
        return cap + outside

    def has_outside_cap(self, year: int | None = None) -> bool:
        """Whether the plan (or one year of it) has lines outside its cap."""
        years = [year] if year is not None else self.years
        return any(self.year(y).outside_cap for y in years)


def _partition(node: Level, wanted: frozenset[str]) -> list[Level] | None:
    """Disjoint nodes below ``node`` whose union is exactly ``wanted``, preferring coarse ones."""
    if node.covers == wanted:
        return [node]
    if not node.covers & wanted:
        return []
    if not node.lines:
        return None
    picked: list[Level] = []
    covered: set[str] = set()
    for line in node.lines:
        if line.covers <= wanted:
            if covered & line.covers:
                return None
            picked.append(line)
            covered |= line.covers
        elif line.covers & wanted:
            sub = _partition(line, wanted & line.covers)
            if sub is None:
                return None
            for item in sub:
                if covered & item.covers:
                    return None
                covered |= item.covers
            picked.extend(sub)
    return picked if covered == wanted else None
