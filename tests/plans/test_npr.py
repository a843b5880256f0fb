"""The non-permanent resident stock by permit type: published values and their checks."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from immiplan.errors import InputError
from immiplan.plans import npr as npr_module
from immiplan.plans.npr import ASYLUM_PARTS, PERMIT_PARTS, Observation, Series, npr_stock

LATER, EARLIER = "2025-07-01", "2025-01-01"  # the table's two vintages, named by last quarter


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
    obs = _at("2023-07-01", "2023-09-27")
    assert obs.total == 470_976
    assert obs.by_type == {"work": 200_522, "asylum": 146_723, "study": 102_657}
    # The three published groups leave 21,074 unassigned (work-and-study holders, families).
    assert obs.total - sum(obs.by_type.values()) == 21_074


def test_october_2024_permit_holders_and_asylum_claimants_make_the_total() -> None:
    obs = _at("2024-10-01", "2024-12-17")
    assert obs.total == 614_677
    assert obs.by_type["permit_holders"] + obs.by_type["asylum"] == obs.total


def test_every_vintage_of_a_date_is_kept() -> None:
    assert _at("2024-04-01", "2024-06-19").total == 597_140  # released 19 June 2024
    assert _at("2024-04-01", EARLIER).total == 551_300
    assert _at("2024-04-01", LATER).total == 506_303
    assert _at("2024-07-01", "2024-12-17").total == 588_263


def test_the_stock_rose_from_2016_to_2024_and_fell_in_2025() -> None:
    stock = npr_stock("quebec")
    assert _at("2016-05-10").total == 86_065
    assert stock.latest().date == dt.date(2025, 7, 1)
    assert stock.latest().total < _at("2024-10-01", LATER).total


def test_every_observation_has_a_source() -> None:
    for obs in npr_stock("quebec").observations:
        assert obs.reference.publisher and obs.reference.link


def test_types_above_the_total_are_refused() -> None:
    obs = _at("2023-07-01", "2023-09-27").model_dump()
    obs["by_type"]["work"] = 500_000
    with pytest.raises(ValidationError, match="above the total"):
        Observation.model_validate(obs)


@pytest.mark.parametrize(
    ("change", "value"),
    [("total", float("nan")), ("total", True), ("total", "470976"), ("date", "2023-02-30")],
)
def test_bad_values_are_refused(change: str, value: Any) -> None:
    obs = _at("2023-07-01", "2023-09-27").model_dump()
    obs[change] = value
    with pytest.raises(ValidationError):
        Observation.model_validate(obs)


def test_an_unknown_permit_type_is_refused() -> None:
    obs = _at("2023-07-01", "2023-09-27").model_dump()
    obs["by_type"]["visitors"] = 10
    with pytest.raises(ValidationError):
        Observation.model_validate(obs)


def test_the_cli_table(cli: Any) -> None:
    result = cli("plan", "npr", "--format", "json")
    assert result.code == 0
    rows = json.loads(result.out)
    assert {r["date"] for r in rows} >= {"2016-05-10", "2023-07-01", "2024-10-01", "2025-07-01"}
    assert all(r["source"] for r in rows)
    assert "Asylum claimants" in cli("plan", "npr").out


def test_the_cli_refuses_an_unknown_jurisdiction(cli: Any) -> None:
    result = cli("plan", "npr", "--jurisdiction", "atlantis")
    assert result.code == 2
    assert "atlantis" in result.err and "Traceback" not in result.err


# --------------------------------------------------------------- table 17-10-0121-01, by vintage


def _quarters(vintage: str) -> list[Observation]:
    return npr_stock("quebec").select(vintage)


def _dates(first: str, last: str) -> list[dt.date]:
    out, day = [], dt.date.fromisoformat(first)
    while day <= dt.date.fromisoformat(last):
        out.append(day)
        day = dt.date(day.year + (day.month == 10), day.month % 12 + 3 if day.month < 10 else 1, 1)
    return out


@pytest.mark.parametrize(("vintage", "last"), [(LATER, "2025-07-01"), (EARLIER, "2025-01-01")])
def test_each_vintage_holds_every_quarter_from_2021_q3(vintage: str, last: str) -> None:
    assert [o.date for o in _quarters(vintage)] == _dates("2021-07-01", last)
    assert len(_quarters(vintage)) == {LATER: 17, EARLIER: 15}[vintage]


@pytest.mark.parametrize("vintage", [LATER, EARLIER])
def test_every_quarter_adds_up_as_the_table_does(vintage: str) -> None:
    """The published table's accounting identity, quarter by quarter."""
    for obs in _quarters(vintage):
        t = obs.by_type
        assert set(t) == {*PERMIT_PARTS, *ASYLUM_PARTS, "permit_holders", "asylum"}
        assert t["work"] + t["study"] + t["work_and_study"] + t["other"] == t["permit_holders"]
        assert sum(t[k] for k in ASYLUM_PARTS) == t["asylum"]
        assert t["permit_holders"] + t["asylum"] == obs.total
        assert sum(obs.split().values()) == obs.total
        assert obs.measure == "estimate" and not obs.rounded


def test_known_values_from_the_table() -> None:
    later = {o.date.isoformat(): o for o in _quarters(LATER)}
    earlier = {o.date.isoformat(): o for o in _quarters(EARLIER)}
    assert later["2025-07-01"].total == 562_312
    assert later["2025-07-01"].by_type["work"] == 229_846
    assert later["2025-07-01"].by_type["asylum_no_permit"] == 55_760
    assert later["2021-07-01"].total == 265_574
    assert earlier["2025-01-01"].total == 616_552
    assert earlier["2025-01-01"].by_type["work"] == 273_522
    assert later["2025-01-01"].total == 565_452


def test_the_earlier_vintage_is_the_one_the_press_and_isq_restated() -> None:
    earlier = {o.date.isoformat(): o for o in _quarters(EARLIER)}
    # December 2024 release, restated by the press (the single points of the file).
    for date in ("2024-07-01", "2024-10-01"):
        assert earlier[date].total == _at(date, "2024-12-17").total
    press = _at("2024-10-01", "2024-12-17").by_type
    assert earlier["2024-10-01"].by_type["permit_holders"] == press["permit_holders"]
    assert earlier["2024-10-01"].by_type["asylum"] == press["asylum"]
    # ISQ's Bilan démographique 2025: +103,700 in 2024 and +152,100 in 2023 (rounded).
    growth_2024 = earlier["2025-01-01"].total - earlier["2024-01-01"].total
    growth_2023 = earlier["2024-01-01"].total - earlier["2023-01-01"].total
    assert round(growth_2024, -2) == 103_700
    assert round(growth_2023, -2) == 152_100


def test_the_revision_between_the_vintages_is_mostly_work_permits() -> None:
    later = {o.date: o for o in _quarters(LATER)}
    earlier = {o.date: o for o in _quarters(EARLIER)}
    day = dt.date(2025, 1, 1)
    assert later[day].total - earlier[day].total == -51_100
    work = later[day].by_type["work"] - earlier[day].by_type["work"]
    assert work == -41_790 and work / (later[day].total - earlier[day].total) > 0.8


def test_each_date_in_its_latest_vintage_by_default() -> None:
    stock = npr_stock("quebec")
    shown = stock.select()
    dates = [o.date for o in shown]
    assert dates == sorted(set(dates))  # one row a date
    assert shown[-1] == stock.latest()
    assert shown[-1].vintage == dt.date.fromisoformat(LATER) and shown[-1].total == 562_312
    by_date = {o.date: o for o in shown}
    assert by_date[dt.date(2016, 5, 10)].measure == "census count"  # before the table
    # ISQ's 283,587 (no vintage) and the press's points give way to the latest vintage.
    assert by_date[dt.date(2021, 7, 1)].total == 265_574
    assert {o.vintage for o in shown if o.date >= dt.date(2021, 7, 1)} == {
        dt.date.fromisoformat(LATER)
    }


def test_an_absent_vintage_is_one_clear_error() -> None:
    with pytest.raises(InputError, match=r"no observation of this vintage.*2025-07-01"):
        npr_stock("quebec").select("2024-01-01")
    with pytest.raises(InputError, match="must be latest, all or a vintage"):
        npr_stock("quebec").select("soon")


def _row(obs: Observation, columns: list[str]) -> list[float]:
    return [obs.total if c == "total" else obs.by_type[c] for c in columns]  # type: ignore[index]


COLUMNS = ["total", "asylum", *ASYLUM_PARTS, "permit_holders", *PERMIT_PARTS]


@given(
    quarter=st.integers(0, 16),
    column=st.sampled_from(COLUMNS),
    delta=st.integers(1, 50_000) | st.integers(-50_000, -1),
)
def test_a_quarter_that_does_not_add_up_is_refused(quarter: int, column: str, delta: int) -> None:
    obs = _quarters(LATER)[quarter]
    row = _row(obs, COLUMNS)
    row[COLUMNS.index(column)] = max(row[COLUMNS.index(column)] + delta, 0.0)
    if row == _row(obs, COLUMNS):
        return
    raw = {
        "vintage": obs.vintage,
        "columns": COLUMNS,
        "quarters": {obs.date: row},
        "reference": obs.reference.model_dump(exclude_none=True),
    }
    with pytest.raises(ValidationError, match=obs.date.isoformat()):
        Series.model_validate(raw)


def test_a_row_of_the_wrong_length_names_the_file_field_and_quarter(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from immiplan.system.parameters import data_root

    text = (data_root() / "npr" / "quebec.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    doc["series"][0]["quarters"][dt.date(2022, 1, 1)].pop()
    (tmp_path / "npr").mkdir()
    (tmp_path / "npr" / "brokenland.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setattr(npr_module, "data_root", lambda: tmp_path)
    with pytest.raises(InputError) as caught:
        npr_stock("brokenland")
    message = str(caught.value)
    assert "brokenland" in message and "series.0" in message
    assert "2022-01-01: 10 values for 11 columns" in message


def test_the_cli_shows_the_latest_quarter_in_the_latest_vintage(cli: Any) -> None:
    result = cli("plan", "npr", "--format", "json")
    rows = json.loads(result.out)
    last = rows[-1]
    assert (last["date"], last["vintage"], last["total"]) == ("2025-07-01", LATER, 562_312)
    assert last["work"] == 229_846 and last["asylum"] == 188_257
    assert len({r["date"] for r in rows}) == len(rows)
    table = cli("plan", "npr").out
    assert "562,312" in table and "188,257" in table
    assert "123,049" not in table and "--detail" in table  # asylum by permit: on request
    detail = cli("plan", "npr", "--detail").out
    assert "123,049" in detail and "Asylum:" in detail  # headers wrap: a word of the label
    assert "Asile :" in cli("plan", "npr", "--detail", "--lang", "fr").out


def test_the_cli_shows_one_vintage_or_all(cli: Any) -> None:
    rows = json.loads(cli("plan", "npr", "--vintage", EARLIER, "--format", "json").out)
    assert len(rows) == 15 and {r["vintage"] for r in rows} == {EARLIER}
    assert rows[-1]["total"] == 616_552
    every = json.loads(cli("plan", "npr", "--vintage", "all", "--format", "json").out)
    jan = {r["total"] for r in every if r["date"] == "2025-01-01"}
    assert jan == {616_552, 565_452}
    assert len(every) == len(npr_stock("quebec").observations)


def test_the_cli_refuses_an_absent_vintage(cli: Any) -> None:
    result = cli("plan", "npr", "--vintage", "2024-01-01")
    assert result.code == 2
    assert "--vintage" in result.err and "2024-01-01" in result.err
    assert "2025-07-01" in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"other": None}, "other is missing"),
        ({"asylum_work": 1.0}, "the parts of asylum add up to"),
        ({"asylum": None}, "the parts of asylum need asylum itself"),
        ({"permit_holders": None, "work": 1.0}, "make the whole"),
    ],
)
def test_a_group_and_its_parts_must_agree(change: dict[str, float | None], message: str) -> None:
    obs = _quarters(LATER)[-1].model_dump()
    for kind, value in change.items():
        if value is None:
            obs["by_type"].pop(kind)
        else:
            obs["by_type"][kind] = value
    with pytest.raises(ValidationError, match=message):
        Observation.model_validate(obs)
