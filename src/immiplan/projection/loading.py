"""Reading a scenario file: by shipped name, by path, or from YAML text.

A bad file raises one :class:`~immiplan.errors.InputError` naming the file, the user's full
dotted field path (``immigration.levels.2019.economic``, ``title.fr``) and the value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from immiplan.errors import InputError
from immiplan.projection.schema import Scenario
from immiplan.projection.selection_link import selection_source
from immiplan.system.parameters import data_root, parse_yaml, read_text

__all__ = ["LoadedScenario", "load_scenario", "load_scenario_text", "shipped_scenarios"]


@dataclass(frozen=True)
class LoadedScenario:
    """A parsed scenario and where it came from."""

    scenario: Scenario
    source: str
    sha256: str
    text: str = ""
    """The file as read (written beside a projection's tables, for reproducibility)."""


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped with immiplan."""
    folder = data_root() / "scenarios"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _locate(name: str | Path) -> tuple[Any, str]:
    text = str(name).strip()
    if text in shipped_scenarios():
        return data_root() / "scenarios" / f"{text}.yaml", f"{text}.yaml"
    path = Path(text)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return path, str(path)
    raise InputError(
        f"unknown scenario: not a shipped scenario ({', '.join(shipped_scenarios())}) "
        "or a scenario file",
        value=text,
    )


_TYPE_TAGS = frozenset({"str", "constrained-str", "int", "float", "bool", "list", "dict", "none"})


def _field(loc: tuple[Any, ...]) -> str:
    """``('npr', 'stock', 'dict[int,...]', 2030)`` → ``npr.stock.2030``: pydantic's type tags
    (a union branch, ``[key]``, ``function-after[...]``, ``str``) are not fields a user wrote."""
    parts = [
        str(p)
        for p in loc
        if not (isinstance(p, str) and ("[" in p or p.startswith("function-") or p in _TYPE_TAGS))
    ]
    return ".".join(parts)


def _most_specific(errors: list[Any]) -> Any:
    """Of pydantic's errors, the one deepest in the file: for a union, the branch the value
    was meant for (``{2030: -1}`` is a bad stock path, not a bad ``"hold"``)."""
    return max(errors, key=lambda error: len(_field(tuple(error.get("loc", ())))))


def load_scenario(name: str | Path) -> LoadedScenario:
    """Read and validate a scenario by shipped name or path.

    Raises
    ------
    InputError
        Unknown name, unreadable or malformed file, an invalid field (with its dotted
        path and value), an unknown base, or a plan the scenario names that does not exist.
    """
    path, source = _locate(name)
    return load_scenario_text(read_text(path, source), source)


def load_scenario_text(text: str, source: str = "<scenario>") -> LoadedScenario:
    """Validate a scenario given as YAML text (a web form's, a test's).

    Parameters
    ----------
    text:
        The scenario file's content.
    source:
        How to name it in error messages (a file name).

    Raises
    ------
    InputError
        As :func:`load_scenario`, naming ``source``.
    """
    raw = parse_yaml(text, source)
    if not isinstance(raw, dict):
        raise InputError("a scenario file must be a mapping", source=source)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        first = _most_specific(exc.errors())
        loc = tuple(first.get("loc", ()))
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        has_input = bool(loc) and first.get("type") != "missing"
        raise InputError(
            message,
            source=source,
            field=_field(loc) or None,
            value=first.get("input") if has_input else None,
            has_value=has_input and not isinstance(first.get("input"), dict),
        ) from None
    _check_plans(scenario, source)
    if scenario.selection is not None:
        selection_source(scenario.selection.scenario, source)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedScenario(scenario=scenario, source=source, sha256=digest, text=text)


def _check_plans(scenario: Scenario, source: str) -> None:
    from immiplan.plans import load_plan
    from immiplan.projection.bases import load_manifest

    jurisdiction = load_manifest(scenario.base).jurisdiction
    for index, name in enumerate(scenario.immigration.plans):
        try:
            plan = load_plan(name)
        except InputError as exc:
            raise InputError(
                exc.message, source=source, field=f"immigration.plans[{index}]", value=name
            ) from None
        if plan.jurisdiction != jurisdiction:
            raise InputError(
                f"the base {scenario.base} is of {jurisdiction}: name a plan of {jurisdiction}",
                source=source,
                field=f"immigration.plans[{index}]",
                value=name,
            )
