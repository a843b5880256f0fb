"""Dated parameters in YAML, in the style of OpenFisca's parameter trees.

One concept per file. A file holds a description, a unit and values keyed by the date
they take effect; a value holds from its date until the next one. Each value carries
its reference (or inherits the file's)::

    description: Quebec's share of Canada's population on 1 July
    unit: share
    values:
      2018-07-01:
        value: 0.2263
        reference: {publisher: ..., document: ..., date: 2019-09-30, url: ...}

Folders are nodes: ``parameters/accord/levels/margin.yaml`` is reached as
``tree.get("accord.levels.margin")``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from immiplan.errors import InputError
from immiplan.system.references import Reference, parse_references

DateLike = dt.date | str | int


def as_date(when: DateLike) -> dt.date:
    """Read a date: a ``date``, an ISO string, or a bare year (its 1 January)."""
    if isinstance(when, dt.datetime):
        return when.date()
    if isinstance(when, dt.date):
        return when
    if isinstance(when, int):
        return dt.date(when, 1, 1)
    text = str(when).strip()
    if text.isdigit() and len(text) == 4:
        return dt.date(int(text), 1, 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError("not a date (expected YYYY-MM-DD or YYYY)", value=when) from exc


@dataclass(frozen=True)
class DatedValue:
    """A value in force from ``start`` until the next value of the same parameter."""

    start: dt.date
    value: Any
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class Parameter:
    """A named, dated, sourced parameter."""

    name: str
    description: str
    unit: str | None
    values: tuple[DatedValue, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    def entry_at(self, when: DateLike) -> DatedValue:
        """The dated value in force on ``when``."""
        day = as_date(when)
        current: DatedValue | None = None
        for item in self.values:
            if item.start <= day:
                current = item
        if current is None or current.value is None:
            first = self.values[0].start.isoformat() if self.values else "never"
            raise InputError(
                f"parameter '{self.name}' has no value on {day.isoformat()} "
                f"(first value from {first})"
            )
        return current

    def at(self, when: DateLike) -> Any:
        """The value in force on ``when``."""
        return self.entry_at(when).value

    def references_at(self, when: DateLike) -> tuple[Reference, ...]:
        """The references of the value in force on ``when``."""
        return self.entry_at(when).references


def parse_parameter(name: str, raw: Any, source: str) -> Parameter:
    """Build a :class:`Parameter` from a parsed YAML mapping, checking its shape."""
    if not isinstance(raw, dict) or "values" not in raw:
        raise InputError("a parameter file needs a 'values' mapping", source=source, field="values")
    default_refs = tuple(parse_references(raw))
    values_raw = raw["values"]
    if not isinstance(values_raw, dict) or not values_raw:
        raise InputError("'values' must map dates to values", source=source, field="values")
    values: list[DatedValue] = []
    for key, entry in values_raw.items():
        start = as_date(key)
        if isinstance(entry, dict) and "value" in entry:
            refs = tuple(parse_references(entry)) or default_refs
            value = entry["value"]
        else:
            refs = default_refs
            value = entry
        if value is not None and not refs:
            raise InputError("every value needs a reference", source=source, field=f"values.{key}")
        values.append(DatedValue(start=start, value=value, references=refs))
    values.sort(key=lambda item: item.start)
    meta = {k: v for k, v in raw.items() if k not in {"values", "description", "unit"}}
    return Parameter(
        name=name,
        description=str(raw.get("description", "")),
        unit=raw.get("unit"),
        values=tuple(values),
        metadata=meta,
    )


# libyaml's safe loader where PyYAML was built with it: the same documents, ten times faster.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(path: Path | Any, source: Any = None) -> str:
    """A UTF-8 text file's content; a missing file, a folder or binary data is one clear
    :class:`InputError` naming ``source`` (the path by default)."""
    where = path if source is None else source
    try:
        return str(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("no such file", source=where) from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", source=where) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not a UTF-8 text file", source=where) from exc


MAX_YAML_NODES = 200_000
"""Most nodes a YAML document may expand to once its aliases are followed.

An alias (``*name``) repeats the anchored node; nested aliases multiply, so a kilobyte file can
stand for billions of nodes (a "billion laughs" bomb). The shipped data reuses a reference by
alias a few times (a few thousand nodes at most); a plan or scenario is far below the budget.
"""
MAX_YAML_DEPTH = 200
"""Deepest nesting of mappings and lists a YAML document may have."""


def _check_expansion(root: yaml.Node, source: Any) -> None:
    """Refuse a node graph that expands beyond :data:`MAX_YAML_NODES` or nests too deep.

    Aliases are the same node object in the composed graph: the expanded size of a node is
    computed once per distinct node (memoised, iteratively), so the check itself is cheap.
    """
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        if id(node) in size:
            continue
        if depth > MAX_YAML_DEPTH:
            raise InputError(
                f"YAML nested deeper than {MAX_YAML_DEPTH} levels", source=source, field=None
            )
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            size[id(node)] = 1
            continue
        if done:
            total = 1 + sum(size[id(child)] for child in children)
            if total > MAX_YAML_NODES:
                raise InputError(
                    f"YAML aliases expand to more than {MAX_YAML_NODES:,} nodes "
                    "(an alias bomb?); write the values out instead",
                    source=source,
                )
            size[id(node)] = total
            continue
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children if id(child) not in size)


def parse_yaml(text: str, source: Any) -> Any:
    """Parse YAML text, turning syntax errors into one clear :class:`InputError`.

    Aliases are followed only within :data:`MAX_YAML_NODES` expanded nodes, checked on the
    composed graph before any Python object is built (so a bomb is refused at once).
    """
    try:
        loader = _SAFE_LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_expansion(node, source)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(f"malformed YAML{where}: {problem}", source=source) from exc
    except RecursionError as exc:
        raise InputError("YAML nested too deeply", source=source) from exc


def load_yaml(path: Path | Any) -> Any:
    """Read and parse a YAML file (errors as :class:`InputError` naming the file)."""
    return parse_yaml(read_text(path), path)


class ParameterTree:
    """A folder of parameter files, addressed by dotted names."""

    def __init__(self, root: Path | Any) -> None:
        self.root = root

    def _locate(self, name: str) -> Any:
        node = self.root
        parts = name.split(".")
        for part in parts[:-1]:
            node = node / part
        return node / f"{parts[-1]}.yaml"

    def get(self, name: str) -> Parameter:
        """The parameter ``name`` (dotted path below the root)."""
        path = self._locate(name)
        if not path.is_file():
            raise InputError("unknown parameter", value=name)
        return parse_parameter(name, load_yaml(path), str(name))

    def names(self) -> list[str]:
        """Every parameter below the root, as dotted names."""
        out: list[str] = []

        def walk(node: Any, prefix: str) -> None:
            for child in sorted(node.iterdir(), key=lambda p: p.name):
                if child.is_dir():
                    walk(child, f"{prefix}{child.name}.")
                elif child.name.endswith(".yaml") and child.name != "index.yaml":
                    out.append(prefix + child.name[: -len(".yaml")])

        walk(self.root, "")
        return out


def data_root() -> Any:
    """The package's data folder (a Traversable; a real path when installed normally)."""
    return resources.files("immiplan") / "data"


@cache
def parameters() -> ParameterTree:
    """The parameter tree shipped with immiplan."""
    return ParameterTree(data_root() / "parameters")
