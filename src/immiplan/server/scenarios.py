"""Scenarios sent to the server: read, checked and bounded before anything runs.

A request gives a scenario as YAML text or as a JSON object; both become one YAML text
(:func:`scenario_text`), read exactly as ``immiplan project`` reads a file, so that the
YAML the page downloads projects to the same numbers on the command line. On top of the
file's own validation the server refuses what would reach beyond the request: a plan or a
selection scenario named by a path on the server (only shipped ones and observed
admissions), YAML anchors and aliases, numbers too large to be persons, and a horizon
beyond a bounded number of years.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import yaml

from immiplan.errors import InputError
from immiplan.projection.bases import list_bases as _projection_bases
from immiplan.projection.loading import LoadedScenario, load_scenario_text, shipped_scenarios
from immiplan.projection.schema import Scenario
from immiplan.system.parameters import data_root, parse_yaml, read_text

__all__ = ["list_bases", "read_scenario", "scenario_text", "shipped_text"]

_YEAR_KEY = re.compile(r"^[0-9]{4}$")
_ACTUAL = re.compile(r"^\s*(?:[a-z]+[\s-]+)?(?:\d{4}[\s-]+actual|actual[\s-]+\d{4})\s*$", re.I)


def list_bases() -> list[str]:
    """The projection bases the server can project from."""
    return [str(base) for base in _projection_bases()]


def base_field() -> str | None:
    """The scenario field that names the base (``base``), where the scenario has one."""
    return "base" if "base" in Scenario.model_fields else None


@cache
def shipped_text(name: str) -> str:
    """A shipped scenario's YAML text."""
    if name not in shipped_scenarios():
        raise InputError(
            f"unknown scenario (shipped: {', '.join(shipped_scenarios())})",
            field="name",
            value=name,
        )
    return read_text(data_root() / "scenarios" / f"{name}.yaml", f"{name}.yaml")


def _year_keys(value: Any) -> Any:
    """JSON has only string keys: ``"2030"`` becomes the year 2030, as in a YAML file."""
    if isinstance(value, dict):
        return {
            (int(k) if isinstance(k, str) and _YEAR_KEY.match(k) else k): _year_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_year_keys(v) for v in value]
    return value


def scenario_text(body: str | dict[str, Any]) -> str:
    """The YAML text of a scenario given as text or as a JSON object."""
    if isinstance(body, str):
        return body
    return yaml.safe_dump(_year_keys(body), sort_keys=False, allow_unicode=True, width=100)


def _walk(value: Any, path: str, seen: set[int]) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict | list):
        if id(value) in seen:
            raise InputError(
                "YAML anchors and aliases are not accepted by the server; write the values out",
                field=path or None,
            )
        seen.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from _walk(item, f"{path}.{key}" if path else str(key), seen)
    else:
        yield path, value


def _check_document(raw: Any, source: str, max_number: float) -> None:
    for path, value in _walk(raw, "", set()):
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError("not a finite number", source=source, field=path, value=value)
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and abs(value) > max_number
        ):
            raise InputError(
                f"the server accepts numbers up to {max_number:,.0f}",
                source=source,
                field=path,
                value=value,
            )


def _check_references(raw: dict[str, Any], source: str) -> None:
    """Plans and selection scenarios by shipped name only (never a path on the server)."""
    from immiplan.plans import shipped_plan_names
    from immiplan.selection import scenario_names

    immigration = raw.get("immigration")
    plans = immigration.get("plans") if isinstance(immigration, dict) else None
    if isinstance(plans, list):
        for index, name in enumerate(plans):
            if not isinstance(name, str):
                continue  # the scenario's own validation names the mistake
            if name.strip() not in shipped_plan_names() and not _ACTUAL.match(name):
                raise InputError(
                    "unknown plan: the server projects shipped plans "
                    f"({', '.join(shipped_plan_names())}) or 'YEAR actual'",
                    source=source,
                    field=f"immigration.plans[{index}]",
                    value=name,
                )
    selection = raw.get("selection")
    chosen = selection.get("scenario") if isinstance(selection, dict) else None
    if isinstance(chosen, str) and chosen.strip() not in scenario_names():
        raise InputError(
            "unknown selection scenario: the server uses shipped ones "
            f"({', '.join(scenario_names())})",
            source=source,
            field="selection.scenario",
            value=chosen,
        )


def read_scenario(
    text: str,
    *,
    source: str = "scenario",
    max_steps: int = 100,
    max_number: float = 1e9,
    horizon: int | None = None,
) -> LoadedScenario:
    """Read and check a scenario's YAML text as the server accepts it.

    Raises
    ------
    InputError
        Everything ``immiplan project`` refuses in a file, and a plan or selection scenario
        that is not shipped, anchors and aliases, a number above ``max_number``, or more
        than ``max_steps`` projected years.
    """
    raw = parse_yaml(text, source)
    if not isinstance(raw, dict):
        raise InputError("a scenario file must be a mapping", source=source)
    _check_document(raw, source, max_number)
    _check_references(raw, source)
    loaded = load_scenario_text(text, source)
    scenario = loaded.scenario
    end = scenario.horizon if horizon is None else horizon
    # The engine runs from the base's own year, whatever year the scenario reports from.
    from immiplan.projection.bases import load_manifest

    start = load_manifest(scenario.base).year
    if end - start > max_steps:
        raise InputError(
            f"the server projects at most {max_steps} years "
            f"(horizon {start + max_steps} or earlier)",
            source=source,
            field="horizon",
            value=end,
        )
    return loaded
