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

import yaml
from pydantic import TypeAdapter, ValidationError

from immiplan import fields
from immiplan.errors import InputError
from immiplan.plans.model import Level, Plan, PlanYear, Share
from immiplan.system.categories import category_tree
from immiplan.system.jurisdictions import jurisdictions
from immiplan.system.parameters import data_root, load_yaml
from immiplan.system.references import Reference

ROOT_FIELDS = {
    "name",
    "title",
    "jurisdiction",
    "author",
    "tabled",
    "status",
    "reference",
    "references",
    "notes",
    "years",
}
YEAR_FIELDS = {
    "total",
    "categories",
    "outside_cap",
    "total_with_outside",
    "french_knowledge_target",
    "province_selected_share",
    "quebec_selected_share",
    "economic_share",
    "already_resident_share",
    "catch_up",
    "notes",
}
SHARE_FIELDS = ("province_selected_share", "economic_share", "already_resident_share")
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
RANGE_FIELDS = {"low", "target", "high", "notes"}
STATUSES = ("tabled", "scenario")
MIN_YEAR, MAX_YEAR = fields.MIN_YEAR, fields.MAX_YEAR

_NUMBER = TypeAdapter(fields.Finite)
_YEAR = TypeAdapter(fields.Year)
_TEXT = TypeAdapter(fields.Text)
_DATE = TypeAdapter(fields.Date)


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

    def number(self, raw: Any, field: str, what: str = "a number of persons") -> float | None:
        """A finite number (not a boolean, not a string, not NaN or infinity), or None."""
        if raw is None:
            return None
        try:
            value = float(_NUMBER.validate_python(raw))
        except ValidationError:
            raise self.fail(f"must be {what} (finite)", field, raw, has_value=True) from None
        if abs(value) > fields.MAX_COUNT:
            raise self.fail(
                f"must be at most {fields.MAX_COUNT:,.0f} in size", field, raw, has_value=True
            )
        return value

    def text(self, raw: Any, field: str) -> str | None:
        """A non-empty string (a number is not a name), or None."""
        if raw is None:
            return None
        try:
            return str(_TEXT.validate_python(raw))
        except ValidationError:
            raise self.fail("must be a non-empty text", field, raw, has_value=True) from None

    def labels(self, raw: Any, field: str) -> dict[str, str] | None:
        """A text, or a mapping of language to text (``{en: ..., fr: ...}``)."""
        if raw is None:
            return None
        if isinstance(raw, dict):
            out: dict[str, str] = {}
            for lang, value in raw.items():
                text = self.text(value, f"{field}.{lang}")
                assert text is not None
                out[str(lang)] = text
            return out
        text = self.text(raw, field)
        assert text is not None
        return {"en": text, "fr": text}

    def date(self, raw: Any, field: str) -> dt.date:
        """A real calendar date (``2018-12-04``), within the years any file may name."""
        if isinstance(raw, int | float):  # booleans are ints too
            raise self.fail("must be a date YYYY-MM-DD", field, raw, has_value=True)
        try:
            return _DATE.validate_python(raw if isinstance(raw, dt.date) else str(raw))
        except ValidationError:
            raise self.fail("must be a date YYYY-MM-DD", field, raw, has_value=True) from None

    def _reference_fields(self, item: dict[str, Any], where: str) -> None:
        """Publisher, document and date present; texts are texts; the date a real date."""
        for key in ("publisher", "document", "date"):
            if key not in item:
                raise self.fail("missing required field", f"{where}.{key}")
        for key, value in item.items():
            if key not in ("date", "via"):
                self.text(value, f"{where}.{key}")
        self.date(item["date"], f"{where}.date")

    def references(self, raw: dict[str, Any]) -> tuple[Reference, ...]:
        """The plan's sources: ``reference`` (one mapping) or ``references`` (a list)."""
        items: list[tuple[str, Any]] = []
        if "reference" in raw:
            items.append(("reference", raw["reference"]))
        if "references" in raw:
            many = raw["references"]
            if not isinstance(many, list):
                raise self.fail(
                    "must be a list of references (each with publisher, document, date)",
                    "references",
                    many,
                    has_value=True,
                )
            items += [(f"references[{i}]", item) for i, item in enumerate(many)]
        out: list[Reference] = []
        for where, item in items:
            item = self.mapping(item, where)
            self._reference_fields(item, where)
            if item.get("via") is not None:
                self._reference_fields(self.mapping(item["via"], f"{where}.via"), f"{where}.via")
            try:
                out.append(Reference.model_validate(item))
            except ValidationError as exc:
                first = exc.errors()[0]
                loc = ".".join(str(x) for x in first.get("loc", ()))
                raise self.fail(
                    str(first.get("msg", "malformed reference")),
                    f"{where}.{loc}" if loc else where,
                    first.get("input"),
                    has_value=first.get("type") != "missing",
                ) from None
        return tuple(out)

    def share(self, raw: Any, field: str) -> Share | None:
        if raw is None:
            return None
        if isinstance(raw, dict):
            self.unknown(raw, {"low", "high"}, field)
            low = self.number(raw.get("low"), f"{field}.low", "a share (0.44 for 44 %)")
            high = self.number(raw.get("high"), f"{field}.high", "a share (0.44 for 44 %)")
            if low is None or high is None:
                raise self.fail("a share range needs both low and high", field, raw)
            return (low, high)
        value = self.number(raw, field, "a share (0.44 for 44 %)")
        assert value is not None
        return (value, value)

    def level(
        self,
        key: str,
        raw: Any,
        field: str,
        parent: frozenset[str] | None,
        parent_top: str | None,
        *,
        outside_cap: bool = False,
    ) -> Level:
        raw = self.mapping(raw, field)
        self.unknown(raw, LEVEL_FIELDS, field)
        self.text(raw.get("notes"), f"{field}.notes")
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
            for index, code in enumerate(codes):
                text = self.text(code, f"{field}.covers[{index}]")
                assert text is not None
                covers |= self._resolve(text, f"{field}.covers", parent_top)
        else:
            covers = self._resolve(key, field, parent_top)
        if parent is not None and not covers <= parent:
            raise self.fail("this line covers categories outside its parent line", field, key)
        label = self.labels(raw.get("label"), f"{field}.label")
        if label is None:
            label = {lang: tree.label(covers, lang) for lang in ("en", "fr")}
        tops = tree.top_of(covers)
        child_top = next(iter(tops)) if len(tops) == 1 else None
        lines_raw = raw.get("lines") or {}
        lines = tuple(
            self.level(str(k), v, f"{field}.lines.{k}", covers, child_top, outside_cap=outside_cap)
            for k, v in self.mapping(lines_raw, f"{field}.lines").items()
        )
        jur = raw.get("jurisdiction")
        if jur is not None and (not isinstance(jur, str) or jur not in jurisdictions()):
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
            derived=self.text(raw.get("derived"), f"{field}.derived"),
            lines=lines,
            path=field,
            outside_cap=outside_cap,
        )

    def _resolve(self, code: str, field: str, parent_top: str | None) -> frozenset[str]:
        try:
            return category_tree().resolve(code, parent=parent_top)
        except InputError as exc:
            raise self.fail(exc.message, field, code) from None

    def range_level(self, raw: Any, field: str, covers: frozenset[str], key: str) -> Level:
        raw = self.mapping(raw, field)
        self.unknown(raw, RANGE_FIELDS, field)
        self.text(raw.get("notes"), f"{field}.notes")
        return Level(
            key=key,
            covers=covers,
            label={"en": "Total", "fr": "Total"},
            low=self.number(raw.get("low"), f"{field}.low"),
            target=self.number(raw.get("target"), f"{field}.target"),
            high=self.number(raw.get("high"), f"{field}.high"),
            path=field,
        )

    def plan_year(self, year: int, raw: Any, field: str) -> PlanYear:
        raw = self.mapping(raw, field)
        self.unknown(raw, YEAR_FIELDS, field)
        self.text(raw.get("notes"), f"{field}.notes")
        tree = category_tree()
        all_leaves = frozenset(tree.leaves)
        cats_raw = raw.get("categories") or {}
        categories = tuple(
            self.level(str(k), v, f"{field}.categories.{k}", all_leaves, None)
            for k, v in self.mapping(cats_raw, f"{field}.categories").items()
        )
        if "total" not in raw and not categories:
            raise self.fail("a plan year needs a 'total' or 'categories'", field)
        total = self.range_level(raw.get("total") or {}, f"{field}.total", all_leaves, "total")
        total = Level(
            key="total",
            covers=all_leaves,
            label=total.label,
            low=total.low,
            target=total.target,
            high=total.high,
            lines=categories,
            path=total.path,
        )
        outside_raw = raw.get("outside_cap") or {}
        outside = tuple(
            self.level(str(k), v, f"{field}.outside_cap.{k}", all_leaves, None, outside_cap=True)
            for k, v in self.mapping(outside_raw, f"{field}.outside_cap").items()
        )
        with_outside = None
        if raw.get("total_with_outside") is not None:
            if not outside:
                raise self.fail(
                    "a total with the lines outside the cap needs those lines ('outside_cap')",
                    f"{field}.total_with_outside",
                )
            with_outside = self.range_level(
                raw["total_with_outside"],
                f"{field}.total_with_outside",
                all_leaves,
                "total_with_outside",
            )
        if "province_selected_share" in raw and "quebec_selected_share" in raw:
            raise self.fail(
                "give province_selected_share only (quebec_selected_share is its old name)",
                f"{field}.quebec_selected_share",
            )
        selected_key = (
            "quebec_selected_share" if "quebec_selected_share" in raw else "province_selected_share"
        )
        return PlanYear(
            year=year,
            total=total,
            french_knowledge_target=self.number(
                raw.get("french_knowledge_target"),
                f"{field}.french_knowledge_target",
                "a share (0.44 for 44 %)",
            ),
            province_selected_share=self.share(raw.get(selected_key), f"{field}.{selected_key}"),
            economic_share=self.share(raw.get("economic_share"), f"{field}.economic_share"),
            already_resident_share=self.share(
                raw.get("already_resident_share"), f"{field}.already_resident_share"
            ),
            catch_up=self.number(raw.get("catch_up"), f"{field}.catch_up"),
            outside_cap=outside,
            total_with_outside=with_outside,
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
        if not isinstance(jur, str) or jur not in jurisdictions():
            raise self.fail(
                f"unknown jurisdiction (known: {', '.join(jurisdictions())})", "jurisdiction", jur
            )
        years_raw = self.mapping(raw["years"], "years")
        if not years_raw:
            raise self.fail("a plan needs at least one year", "years")
        years: dict[int, PlanYear] = {}
        for key, value in years_raw.items():
            try:
                year = int(_YEAR.validate_python(key))
            except ValidationError:
                raise self.fail(
                    f"a year must be a calendar year between {MIN_YEAR} and {MAX_YEAR}",
                    "years",
                    key,
                ) from None
            years[year] = self.plan_year(year, value, f"years.{year}")
        name = self.text(raw["name"], "name")
        assert name is not None
        tabled = self.date(raw["tabled"], "tabled") if raw.get("tabled") is not None else None
        status = raw.get("status", "tabled")
        if status not in STATUSES:
            raise self.fail(
                f"must be one of {', '.join(STATUSES)}", "status", status, has_value=True
            )
        title = self.labels(raw.get("title"), "title") or {"en": name, "fr": name}
        return Plan(
            name=name,
            jurisdiction=jur,
            years_=years,
            title=title,
            author=self.text(raw.get("author"), "author"),
            tabled=tabled,
            status=status,
            references=self.references(raw),
            notes=self.text(raw.get("notes"), "notes"),
            source=self.source,
        )


def parse_plan(raw: Any, source: str) -> Plan:
    """Build a plan from an already parsed YAML document."""
    return _Reader(source).plan(raw)


def read_plan_file(path: Path) -> Plan:
    """Read a plan file; every structural problem is an :class:`InputError` naming the file."""
    try:
        raw = load_yaml(Path(path))
    except (ValueError, OverflowError) as exc:
        # YAML's own scalars can fail to build (``2019-02-30`` is a timestamp with no day).
        field, value = _unbuildable_scalar(Path(path))
        raise InputError(
            f"not a valid value ({exc})", source=str(path), field=field, value=value
        ) from None
    return parse_plan(raw, str(path))


def _unbuildable_scalar(path: Path) -> tuple[str | None, str | None]:
    """The dotted field and text of the first scalar YAML cannot build, found on the node graph."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None, None
    constructor = yaml.SafeLoader("")
    stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    seen: set[int] = set()
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value)
                stack.append((value, f"{where}.{name}" if where else name))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(node.value))
        elif isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (ValueError, OverflowError):
                return where or None, str(node.value)
    return None, None


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
