"""Reading plan files (YAML) and finding shipped plans by name.

The format is documented in the README ("The plan file format"). Structural problems —
malformed YAML, a missing or unknown field, an unknown category, a value that is not a
number — raise :class:`InputError` naming the file, the field and the value. Rules about
the numbers themselves (ranges in order, sums) are checked by :mod:`immiplan.plans.validate`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from immiplan.errors import InputError
from immiplan.plans.model import Level, Plan, PlanYear, Share
from immiplan.system.categories import category_tree
from immiplan.system.jurisdictions import jurisdictions
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import parse_references

ROOT_FIELDS = {
    "name",
    "title",
    "jurisdiction",
    "author",
    "tabled",
    "reference",
    "references",
    "notes",
    "years",
}
YEAR_FIELDS = {
    "total",
    "categories",
    "french_knowledge_target",
    "quebec_selected_share",
    "economic_share",
    "catch_up",
    "notes",
}
LEVEL_FIELDS = {
    "low",
    "target",
    "high",
    "label",
    "covers",
    "jurisdiction",
    "derived",
    "lines",
    "notes",
}
MIN_YEAR, MAX_YEAR = 1900, 2100


class _Reader:
    """Parses one plan document, remembering the file for every message."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(
        self,
        message: str,
        field: str | None = None,
        value: Any = None,
        has_value: bool | None = None,
    ) -> InputError:
        return InputError(
            message, source=self.source, field=field, value=value, has_value=has_value
        )

    def mapping(self, raw: Any, field: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail("expected a mapping (key: value lines)", field, raw, has_value=True)
        return raw

    def unknown(self, raw: dict[str, Any], allowed: set[str], field: str) -> None:
        for key in raw:
            if key not in allowed:
                where = f"{field}.{key}" if field else str(key)
                raise self.fail(
                    f"unknown field (allowed: {', '.join(sorted(allowed))})", where, key
                )

    def number(self, raw: Any, field: str) -> float | None:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise self.fail("must be a number of persons", field, raw, has_value=True)
        return float(raw)

    def share(self, raw: Any, field: str) -> Share | None:
        if raw is None:
            return None
        if isinstance(raw, dict):
            self.unknown(raw, {"low", "high"}, field)
            low = self.number(raw.get("low"), f"{field}.low")
            high = self.number(raw.get("high"), f"{field}.high")
            if low is None or high is None:
                raise self.fail("a share range needs both low and high", field, raw)
            return (low, high)
        value = self.number(raw, field)
        assert value is not None
        return (value, value)

    def level(
        self, key: str, raw: Any, field: str, parent: frozenset[str] | None, parent_top: str | None
    ) -> Level:
        raw = self.mapping(raw, field)
        self.unknown(raw, LEVEL_FIELDS, field)
        tree = category_tree()
        if "covers" in raw:
            codes = raw["covers"]
            if not isinstance(codes, list) or not codes:
                raise self.fail(
                    "'covers' must be a list of category codes",
                    f"{field}.covers",
                    codes,
                    has_value=True,
                )
            covers: frozenset[str] = frozenset()
            for code in codes:
                covers |= self._resolve(str(code), f"{field}.covers", parent_top)
        else:
            covers = self._resolve(key, field, parent_top)
        if parent is not None and not covers <= parent:
            raise self.fail("this line covers categories outside its parent line", field, key)
        label = raw.get("label")
        if label is None:
            label = {lang: tree.label(covers, lang) for lang in ("en", "fr")}
        elif isinstance(label, str):
            label = {"en": label, "fr": label}
        else:
            label = {str(k): str(v) for k, v in self.mapping(label, f"{field}.label").items()}
        tops = tree.top_of(covers)
        child_top = next(iter(tops)) if len(tops) == 1 else None
        lines_raw = raw.get("lines") or {}
        lines = tuple(
            self.level(str(k), v, f"{field}.lines.{k}", covers, child_top)
            for k, v in self.mapping(lines_raw, f"{field}.lines").items()
        )
        jur = raw.get("jurisdiction")
        if jur is not None and jur not in jurisdictions():
            raise self.fail(
                f"unknown jurisdiction (known: {', '.join(jurisdictions())})",
                f"{field}.jurisdiction",
                jur,
            )
        return Level(
            key=key,
            covers=covers,
            label=label,
            low=self.number(raw.get("low"), f"{field}.low"),
            target=self.number(raw.get("target"), f"{field}.target"),
            high=self.number(raw.get("high"), f"{field}.high"),
            jurisdiction=jur,
            derived=raw.get("derived"),
            lines=lines,
            path=field,
        )

    def _resolve(self, code: str, field: str, parent_top: str | None) -> frozenset[str]:
        try:
            return category_tree().resolve(code, parent=parent_top)
        except InputError as exc:
            raise self.fail(exc.message, field, code) from None

    def plan_year(self, year: int, raw: Any, field: str) -> PlanYear:
        raw = self.mapping(raw, field)
        self.unknown(raw, YEAR_FIELDS, field)
        tree = category_tree()
        all_leaves = frozenset(tree.leaves)
        cats_raw = raw.get("categories") or {}
        categories = tuple(
            self.level(str(k), v, f"{field}.categories.{k}", all_leaves, None)
            for k, v in self.mapping(cats_raw, f"{field}.categories").items()
        )
        if "total" not in raw and not categories:
            raise self.fail("a plan year needs a 'total' or 'categories'", field)
        total_raw = self.mapping(raw.get("total") or {}, f"{field}.total")
        self.unknown(total_raw, {"low", "target", "high", "notes"}, f"{field}.total")
        total = Level(
            key="total",
            covers=all_leaves,
            label={"en": "Total", "fr": "Total"},
            low=self.number(total_raw.get("low"), f"{field}.total.low"),
            target=self.number(total_raw.get("target"), f"{field}.total.target"),
            high=self.number(total_raw.get("high"), f"{field}.total.high"),
            lines=categories,
            path=f"{field}.total",
        )
        french = self.number(raw.get("french_knowledge_target"), f"{field}.french_knowledge_target")
        return PlanYear(
            year=year,
            total=total,
            french_knowledge_target=french,
            quebec_selected_share=self.share(
                raw.get("quebec_selected_share"), f"{field}.quebec_selected_share"
            ),
            economic_share=self.share(raw.get("economic_share"), f"{field}.economic_share"),
            catch_up=self.number(raw.get("catch_up"), f"{field}.catch_up"),
        )

    def plan(self, raw: Any) -> Plan:
        if raw is None:
            raise self.fail("the file is empty")
        raw = self.mapping(raw, "")
        self.unknown(raw, ROOT_FIELDS, "")
        for required in ("name", "jurisdiction", "years"):
            if required not in raw:
                raise self.fail("missing required field", required)
        jur = raw["jurisdiction"]
        if jur not in jurisdictions():
            raise self.fail(
                f"unknown jurisdiction (known: {', '.join(jurisdictions())})", "jurisdiction", jur
            )
        years_raw = self.mapping(raw["years"], "years")
        if not years_raw:
            raise self.fail("a plan needs at least one year", "years")
        years: dict[int, PlanYear] = {}
        for key, value in years_raw.items():
            if isinstance(key, bool) or not isinstance(key, int) or not MIN_YEAR <= key <= MAX_YEAR:
                raise self.fail(
                    f"a year must be a calendar year between {MIN_YEAR} and {MAX_YEAR}",
                    "years",
                    key,
                )
            years[key] = self.plan_year(key, value, f"years.{key}")
        tabled = raw.get("tabled")
        if tabled is not None and not isinstance(tabled, dt.date):
            try:
                tabled = dt.date.fromisoformat(str(tabled))
            except ValueError:
                raise self.fail("must be a date YYYY-MM-DD", "tabled", tabled) from None
        title = raw.get("title") or {"en": str(raw["name"]), "fr": str(raw["name"])}
        if isinstance(title, str):
            title = {"en": title, "fr": title}
        try:
            references = tuple(parse_references(raw))
        except ValueError as exc:
            raise self.fail(
                f"malformed reference ({exc.__class__.__name__})", "references"
            ) from None
        return Plan(
            name=str(raw["name"]),
            jurisdiction=jur,
            years_=years,
            title=dict(title),
            author=raw.get("author"),
            tabled=tabled,
            references=references,
            notes=raw.get("notes"),
            source=self.source,
        )


def parse_plan(raw: Any, source: str) -> Plan:
    """Build a plan from an already parsed YAML document."""
    return _Reader(source).plan(raw)


def read_plan_file(path: Path) -> Plan:
    """Read a plan file; every structural problem is an :class:`InputError` naming the file."""
    return parse_plan(load_yaml(Path(path)), str(path))


def _plans_folder() -> Any:
    return data_root() / "plans"


@cache
def shipped_plan_names() -> tuple[str, ...]:
    """The names of the plans shipped with immiplan."""
    return tuple(
        sorted(
            p.name[: -len(".yaml")] for p in _plans_folder().iterdir() if p.name.endswith(".yaml")
        )
    )


@cache
def _shipped(name: str) -> Plan:
    path = _plans_folder() / f"{name}.yaml"
    return parse_plan(load_yaml(path), f"{name} (shipped plan)")
