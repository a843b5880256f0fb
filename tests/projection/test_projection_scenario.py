"""Scenario files: loading, levels year by year, and one clear error per bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from immiplan import __version__
from immiplan.errors import InputError
from immiplan.projection.scenario import (
    Immigration,
    interpolate,
    load_scenario,
    prepare,
    prepare_levels,
    shipped_scenarios,
)
from immiplan.system.parameters import data_root
from immiplan.system.references import unreferenced_numbers

REFERENCE = "quebec-2019-plan"


def _reference_doc() -> dict[str, Any]:
    text = (Path(str(data_root())) / "scenarios" / f"{REFERENCE}.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    assert isinstance(doc, dict)
    return doc


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_shipped_scenarios_load_by_name_and_every_number_has_a_reference() -> None:
    names = shipped_scenarios()
    assert {REFERENCE, "no-immigration"} <= set(names)
    for name in names:
        loaded = load_scenario(name)
        assert loaded.scenario.name == name
        assert len(loaded.sha256) == 64
        raw = yaml.safe_load(
            (Path(str(data_root())) / "scenarios" / f"{name}.yaml").read_text("utf-8")
        )
        assert list(unreferenced_numbers(raw)) == []


def test_a_scenario_loads_from_a_path_and_records_its_hash(tmp_path: Path) -> None:
    path = _write(tmp_path, _reference_doc())
    loaded = load_scenario(path)
    prepared = prepare(loaded)
    assert prepared.metadata["source"] == str(path)
    assert prepared.metadata["immiplan_version"] == __version__
    assert prepared.metadata["sha256"] == loaded.sha256
    # The same text gives the same hash; a changed text another one.
    doc = _reference_doc()
    doc["horizon"] = 2050
    assert load_scenario(_write(tmp_path, doc, "other.yaml")).sha256 != loaded.sha256


def test_interpolation_is_linear_between_years_and_held_outside() -> None:
    years = np.arange(2016, 2026)
    got = interpolate({2018: 1.0, 2022: 2.0}, years)
    np.testing.assert_allclose(got, [1, 1, 1, 1.25, 1.5, 1.75, 2, 2, 2, 2])


def test_plans_give_the_years_levels_and_then_they_are_held() -> None:
    immigration = Immigration(plans=["quebec-2019", "quebec-2020", "quebec-2021", "quebec-2022"])
    levels = prepare_levels(immigration, 2018, 2030)
    assert levels[2018].sum() == pytest.approx(51125.0)  # IRCC's 2018 admissions
    assert levels[2019].sum() == pytest.approx(40000.0)
    assert levels[2020].sum() == pytest.approx(43750.0)
    # 2021: only the economic level was published; the total is kept.
    assert levels[2021].sum() == pytest.approx(46000.0)
    assert levels[2021][0] == pytest.approx(28400.0 * 46000.0 / levels[2021].sum())
    np.testing.assert_allclose(levels[2030], levels[2022])
    assert levels[2022].sum() == pytest.approx(51000.0)


def test_low_or_high_levels_and_a_total_path_with_a_mix() -> None:
    low = prepare_levels(Immigration(which="low", plans=["quebec-2019"]), 2018, 2020)
    assert low[2019].sum() == pytest.approx(38000.0)
    path = Immigration(
        plans=["quebec-2019"],
        path={2020: 40000, 2030: 60000},
        mix={"economic": 3, "family": 1},
    )
    levels = prepare_levels(path, 2018, 2035)
    assert levels[2025].sum() == pytest.approx(50000.0)
    assert levels[2025][0] == pytest.approx(37500.0)
    assert levels[2025][2] == 0.0
    assert levels[2035].sum() == pytest.approx(60000.0)


def test_explicit_levels_mapping_overrides_and_none_means_zero() -> None:
    given = {2019: {"economic": 10.0, "family": 5.0}, 2020: {"refugees": 7.0}}
    levels = prepare_levels(Immigration.model_validate({"levels": given}), 2018, 2022)
    np.testing.assert_allclose(levels[2019], [10, 5, 0, 0])
    np.testing.assert_allclose(levels[2022], [0, 0, 7, 0])
    none = prepare_levels(Immigration(none=True), 2018, 2022)
    assert sum(v.sum() for v in none.values()) == 0.0


def test_a_gap_between_plans_is_an_error() -> None:
    with pytest.raises(InputError, match="without levels"):
        prepare_levels(Immigration(plans=["quebec-2019", "quebec-2021"]), 2018, 2025)


def _error(tmp_path: Path, change: Any) -> InputError:
    doc = _reference_doc()
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        prepare(load_scenario(path))
    assert err.value.source == str(path)
    return err.value


def test_a_missing_plan_is_named(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda d: d["immigration"].update(plans=["quebec-2019", "quebec-2099"]))
    assert err.field == "immigration.plans[1]" and err.value == "quebec-2099"
    assert "unknown plan" in err.message


def test_a_federal_plan_is_refused(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda d: d["immigration"].update(plans=["canada-2019-2021"]))
    assert "name a plan of quebec" in err.message


def test_a_rate_outside_zero_one(tmp_path: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["npr"]["transition_share"] = {"economic": 1.5}

    err = _error(tmp_path, change)
    assert err.field == "npr.transition_share.economic" and err.value == 1.5


def test_a_negative_count(tmp_path: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["immigration"]["levels"] = {2023: {"economic": -5}}

    err = _error(tmp_path, change)
    assert err.field == "immigration.levels.2023.economic" and err.value == -5


def test_mismatched_ages(tmp_path: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["npr"]["age_distribution"] = [1.0] * 90

    err = _error(tmp_path, change)
    assert err.field == "npr.age_distribution" and "101 values" in err.message


def test_a_horizon_before_the_base(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda d: d.update(horizon=2010))
    assert "must be after the base year (2018)" in err.message
    assert err.field == "horizon" and "2010" in str(err)


def test_a_base_year_before_the_data(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda d: d.update(base_year=2001))
    assert "base_year" in err.message


def test_an_unknown_field_and_a_bad_year(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda d: d.update(horizons=2050))
    assert err.field == "horizons"
    err = _error(tmp_path, lambda d: d["fertility"].update(tfr={"twenty": 1.5}))
    assert err.field is not None and err.field.startswith("fertility.tfr")


def test_a_missing_sex_in_the_e0_path(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda d: d["mortality"]["e0"].pop("male"))
    assert "male" in err.message


def test_malformed_yaml_and_unknown_names(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="malformed YAML"):
        load_scenario(path)
    with pytest.raises(InputError, match="unknown scenario"):
        load_scenario("no-such-scenario")
    with pytest.raises(InputError, match="no such file"):
        load_scenario(tmp_path / "absent.yaml")


def test_a_later_base_year_reports_from_it(tmp_path: Path) -> None:
    doc = _reference_doc()
    doc["base_year"] = 2020
    doc["horizon"] = 2030
    prepared = prepare(load_scenario(_write(tmp_path, doc)))
    assert prepared.first_output_year == 2020
    assert prepared.inputs.base_year == 2018  # still projected from the 2018 base data
    assert prepared.canada is not None and prepared.canada.size == 11


def test_npr_net_arrivals_with_a_closed_stock(tmp_path: Path) -> None:
    from immiplan.projection.engine import project
    from immiplan.projection.state import QUEBEC

    doc = _reference_doc()
    doc["npr"] = {
        "reference": doc["reference"],
        "stock": "closed",
        "net_arrivals": {2018: 40000, 2020: -10000, 2021: 0},
    }
    prepared = prepare(load_scenario(_write(tmp_path, doc)))
    assert prepared.inputs.net_migration is not None
    out = project(prepared.inputs)
    np.testing.assert_allclose(out.other_migration[:4], [40000, 15000, -10000, 0])
    npr = out.population[:, QUEBEC.state("npr")].sum(axis=(1, 2, 3))
    assert npr[1] > npr[0] and npr[3] < npr[2]
    doc["npr"]["stock"] = "hold"
    err = _error(tmp_path, lambda d: d.update(npr=doc["npr"]))
    assert "net_arrivals needs stock: closed" in err.message


def test_net_departures_beyond_the_stock_are_refused(tmp_path: Path) -> None:
    from immiplan.projection.results import run_scenario

    doc = _reference_doc()
    doc["npr"] = {"reference": doc["reference"], "stock": "closed", "net_arrivals": {2018: -5e5}}
    with pytest.raises(InputError, match="net departures exceed"):
        run_scenario(_write(tmp_path, doc), horizon=2022)


# --- The outcomes and selection blocks ----------------------------------------------------------


def test_the_outcomes_block_defaults_to_all_on_and_is_validated(tmp_path: Path) -> None:
    loaded = load_scenario(REFERENCE)
    switches = loaded.scenario.outcomes
    assert (switches.french, switches.labour, switches.francization) == (True, True, True)
    doc = _reference_doc()
    doc["outcomes"] = {"labour": False}
    scenario = load_scenario(_write(tmp_path, doc)).scenario
    assert scenario.outcomes.labour is False and scenario.outcomes.french is True
    assert prepare(scenario, horizon=2020).metadata["outcomes"]["labour"] is False
    err = _error(tmp_path, lambda d: d.update(outcomes={"french": "sometimes"}))
    assert err.field == "outcomes.french" and err.value == "sometimes"
    err = _error(tmp_path, lambda d: d.update(outcomes={"housing": True}))
    assert err.field == "outcomes.housing"


def test_an_unknown_selection_scenario_is_named(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda d: d.update(selection={"scenario": "quebec-2099"}))
    assert err.field == "selection.scenario" and err.value == "quebec-2099"
    assert "quebec-2019" in err.message  # lists the shipped ones
    err = _error(tmp_path, lambda d: d.update(selection={"scenario": "quebec-2019", "from": 2020}))
    assert err.field == "selection.from"


def test_engine_profile_keeps_totals_and_moves_half_a_year_younger() -> None:
    from immiplan.projection.scenario import engine_profile

    rng = np.random.default_rng(3)
    shares = rng.uniform(0, 1, (2, 101))
    shares /= shares.sum()
    out = engine_profile(shares)
    assert out.sum() == pytest.approx(1.0) and out.min() >= 0.0
    ages = np.arange(101)
    one = np.zeros((2, 101))
    one[0, 30] = 1.0
    np.testing.assert_allclose(engine_profile(one)[0, 29:31], [0.5, 0.5])
    assert (engine_profile(one).sum(axis=0) * ages).sum() == pytest.approx(29.5)
    newborn = np.zeros((2, 101))
    newborn[1, 0] = 1.0
    assert engine_profile(newborn)[1, 0] == 1.0


def test_a_selection_scenario_replaces_the_economic_profile(tmp_path: Path) -> None:
    from immiplan.projection.scenario import engine_profile
    from immiplan.projection.state import CATEGORIES
    from immiplan.selection import economic_profile

    doc = _reference_doc()
    plain = prepare(load_scenario(_write(tmp_path, doc, "plain.yaml")), horizon=2025)
    doc["selection"] = {"scenario": "quebec-2019"}
    linked = prepare(load_scenario(_write(tmp_path, doc, "linked.yaml")), horizon=2025)
    selection = linked.selection
    assert selection is not None and plain.selection is None
    cohort = economic_profile("quebec-2019")
    assert selection.french_share == pytest.approx(cohort.french_share)
    assert selection.from_year == 2019
    # Step 0 (July 2018 - June 2019) is half 2018 (historical) and half 2019 (selected).
    assert 0.0 < selection.weight[0] < 1.0
    np.testing.assert_allclose(selection.weight[1:], 1.0)
    econ = CATEGORIES.index("economic")
    imm, ref = linked.inputs.immigrants, plain.inputs.immigrants
    # Admissions by category are unchanged; only the economic age-sex shape moves.
    np.testing.assert_allclose(imm.sum(axis=(2, 3)), ref.sum(axis=(2, 3)), rtol=1e-12)
    np.testing.assert_allclose(imm[:, 1:], ref[:, 1:], rtol=0, atol=0)
    shares = cohort.to_dataarray().transpose("sex", "age").values
    np.testing.assert_allclose(
        imm[3, econ] / imm[3, econ].sum(), engine_profile(shares), rtol=1e-10, atol=1e-15
    )
    assert linked.metadata["selection"]["scenario"] == "quebec-2019"
    # A later from_year leaves the earlier steps historical.
    doc["selection"] = {"scenario": "quebec-2019", "from_year": 2022}
    later = prepare(load_scenario(_write(tmp_path, doc, "later.yaml")), horizon=2025)
    assert later.selection is not None
    np.testing.assert_allclose(later.selection.weight[:3], 0.0)
    np.testing.assert_allclose(later.inputs.immigrants[:3], ref[:3], rtol=1e-12)


def test_a_selection_file_next_to_the_scenario(tmp_path: Path) -> None:
    """A relative selection path is read from the projection scenario's folder."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "reform.yaml").write_text("based_on: quebec-2019\nname: reform\n", "utf-8")
    doc = _reference_doc()
    doc["selection"] = {"scenario": "reform.yaml"}
    prepared = prepare(load_scenario(_write(folder, doc)), horizon=2020)
    assert prepared.selection is not None
    assert prepared.selection.scenario == str(folder / "reform.yaml")
