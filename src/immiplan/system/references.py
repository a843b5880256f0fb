"""Sources: every number that ships with immiplan names where it comes from.

A *reference* is a mapping with at least ``publisher``, ``document`` and ``date``
(``url``, ``via`` and ``note`` are optional). ``url`` is always the publisher's own address;
where the figure was read elsewhere (a press article, a newswire, a consultant's restatement,
a data mirror), that place goes under ``via`` (its own ``publisher``, ``document``, ``date`` and
``url``), so that the publisher and the address never contradict each other.

In the YAML data, a ``reference`` (or a list ``references``) on a mapping covers every number
below it; a CSV file is covered by a sidecar ``<name>.source.yaml`` holding its reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

REFERENCE_KEYS = ("reference", "references")


def _date_text(value: Any) -> Any:
    """A reference date as text: YAML's ``2018-12-04`` or ``2019`` become strings.

    Anything else (a boolean, a list, a mapping) is left for the ``str`` check to refuse.
    """
    if isinstance(value, dt.date | int) and not isinstance(value, bool):
        return str(value)
    return value


class Via(BaseModel):
    """Where a figure was read when it is not the publisher's own document.

    A press article, a newswire copy of a press release, a consultant's restatement or a
    data mirror: ``publisher`` is who runs that place (Le Devoir, newswire.ca, a GitHub
    repository), ``url`` its address, ``document`` what is there and ``date`` when it was
    published there (where that was not recorded, the original's date).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    publisher: Annotated[str, Field(min_length=1)]
    document: Annotated[str, Field(min_length=1)]
    date: Annotated[str, Field(min_length=1)]
    url: Annotated[str, Field(min_length=1)]
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return _date_text(value)

    def cite(self) -> str:
        """``read in <publisher>, <document> (<date>) <url>``."""
        return f"read in {self.publisher}, {self.document} ({self.date}) <{self.url}>"


class Reference(BaseModel):
    """Where a number comes from: the original publisher, not a copy.

    ``url`` is the publisher's own address (never a press article's); where the number was
    read elsewhere, ``via`` says where.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    publisher: Annotated[str, Field(min_length=1)]
    document: Annotated[str, Field(min_length=1)]
    date: Annotated[str, Field(min_length=1)]
    url: str | None = None
    via: Via | None = None
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return _date_text(value)

    @field_validator("via", mode="before")
    @classmethod
    def _via_from_mapping(cls, value: Any) -> Any:
        # Strict mode takes a model instance only; a YAML mapping is validated here.
        if isinstance(value, dict):
            return Via.model_validate(value)
        return value

    def cite(self) -> str:
        """One line for a table footer or a report's sources section."""
        text = f"{self.publisher}, {self.document} ({self.date})"
        if self.url:
            text += f" <{self.url}>"
        if self.via is not None:
            text += f"; {self.via.cite()}"
        return text

    @property
    def link(self) -> str | None:
        """The address to follow: the publisher's own, else where the figure was read."""
        if self.url:
            return self.url
        return self.via.url if self.via is not None else None


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
