"""The non-permanent resident stock by permit type: published values and their checks."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError

from immiplan.plans.npr import Observation, npr_stock


def _at(date: str, vintage: str | None = None) -> Observation:
    stock = npr_stock("quebec")
    found = [
        o
        for o in stock.observations
        if o.date == dt.date.fromisoformat(date)
        and (vintage is None or o.vintage == dt.date.fromisoformat(vintage))
    ]
    assert len(found) == 1, (date, vintage)
    return found[0]


def test_the_2023_estimate_by_type_is_la_presses() -> None:
    obs = _at("2023-07-01")
    assert obs.total == 470_976
    assert obs.by_type == {"work": 200_522, "asylum": 146_723, "study": 102_657}
    # The three published groups leave 21,074 unassigned (work-and-study holders, families).
    assert obs.total - sum(obs.by_type.values()) == 21_074


def test_october_2024_permit_holders_and_asylum_claimants_make_the_total() -> None:
    obs = _at("2024-10-01")
    assert obs.total == 614_677
    assert obs.by_type["permit_holders"] + obs.by_type["asylum"] == obs.total


def test_two_vintages_of_july_2024_are_both_kept() -> None:
    assert _at("2024-07-01", "2024-09-25").total == 597_140
    assert _at("2024-07-01", "2024-12-17").total == 588_263


def test_the_stock_rose_from_2016_to_2024_and_fell_in_2025() -> None:
    stock = npr_stock("quebec")
    assert _at("2016-05-10").total == 86_065
    assert stock.latest().date == dt.date(2025, 7, 1)
    assert stock.latest().total < _at("2024-10-01").total


def test_every_observation_has_a_source() -> None:
    for obs in npr_stock("quebec").observations:
        assert obs.reference.publisher and obs.reference.link


def test_types_above_the_total_are_refused() -> None:
    obs = _at("2023-07-01").model_dump()
    obs["by_type"]["work"] = 500_000
    with pytest.raises(ValidationError, match="above the total"):
        Observation.model_validate(obs)


@pytest.mark.parametrize(
    ("change", "value"),
    [("total", float("nan")), ("total", True), ("total", "470976"), ("date", "2023-02-30")],
)
def test_bad_values_are_refused(change: str, value: Any) -> None:
    obs = _at("2023-07-01").model_dump()
    obs[change] = value
    with pytest.raises(ValidationError):
        Observation.model_validate(obs)


def test_an_unknown_permit_type_is_refused() -> None:
    obs = _at("2023-07-01").model_dump()
    obs["by_type"]["visitors"] = 10
    with pytest.raises(ValidationError):
        Observation.model_validate(obs)


def test_the_cli_table(cli: Any) -> None:
    result = cli("plan", "npr", "--format", "json")
    assert result.code == 0
    rows = json.loads(result.out)
    assert {r["date"] for r in rows} >= {"2023-07-01", "2024-10-01", "2025-07-01"}
    assert all(r["source"] for r in rows)
    assert "Asylum claimants" in cli("plan", "npr").out


def test_the_cli_refuses_an_unknown_jurisdiction(cli: Any) -> None:
    result = cli("plan", "npr", "--jurisdiction", "atlantis")
    assert result.code == 2
    assert "atlantis" in result.err and "Traceback" not in result.err
