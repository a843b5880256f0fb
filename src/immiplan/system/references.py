"""Sources: every number that ships with immiplan names where it comes from.

A *reference* is a mapping with at least ``publisher``, ``document`` and ``date``
(``url`` and ``note`` are optional). In the YAML data, a ``reference`` (or a list
``references``) on a mapping covers every number below it; a CSV file is covered by a
sidecar ``<name>.source.yaml`` holding its reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

REFERENCE_KEYS = ("reference", "references")


class Reference(BaseModel):
    """Where a number comes from: the original publisher, not a copy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: str
    document: str
    date: str
    url: str | None = None
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> str:
        return str(value)

    def cite(self) -> str:
        """One line for a table footer or a report's sources section."""
        text = f"{self.publisher}, {self.document} ({self.date})"
        if self.url:
            text += f" <{self.url}>"
        return text


def parse_references(node: dict[str, Any]) -> list[Reference]:
    """The references declared directly on ``node`` (possibly none)."""
    out: list[Reference] = []
    single = node.get("reference")
    if isinstance(single, dict):
        out.append(Reference.model_validate(single))
    many = node.get("references")
    if isinstance(many, list):
        out.extend(Reference.model_validate(item) for item in many)
    return out


def references_in(node: Any) -> Iterator[Reference]:
    """Every reference declared anywhere in a parsed YAML document, in document order."""
    if isinstance(node, dict):
        yield from parse_references(node)
        for key, child in node.items():
            if key not in REFERENCE_KEYS:
                yield from references_in(child)
    elif isinstance(node, list):
        for child in node:
            yield from references_in(child)


def unique_references(references: Iterable[Reference]) -> list[Reference]:
    """Each reference once (the same citation counts once, whatever its note), first first."""
    seen: dict[str, Reference] = {}
    for ref in references:
        seen.setdefault(ref.cite(), ref)
    return list(seen.values())


def unreferenced_numbers(node: Any, path: str = "", covered: bool = False) -> Iterator[str]:
    """Yield the dotted path of every number in ``node`` that no reference covers.

    A number is covered when it, or a mapping above it, sits beside a valid reference.
    Numbers inside a reference itself (a year in its date, say) are not data.
    """
    if isinstance(node, dict):
        here = covered
        if any(key in node for key in REFERENCE_KEYS):
            try:
                here = bool(parse_references(node)) or covered
            except ValueError:
                here = covered
        for key, child in node.items():
            if key in REFERENCE_KEYS:
                continue
            yield from unreferenced_numbers(child, f"{path}.{key}" if path else str(key), here)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from unreferenced_numbers(child, f"{path}[{index}]", covered)
    elif isinstance(node, int | float) and not isinstance(node, bool) and not covered:
        yield path


def sidecar_reference(csv_path: Path) -> Path:
    """The path of the source file that must accompany a shipped CSV."""
    return csv_path.with_name(csv_path.stem + ".source.yaml")
