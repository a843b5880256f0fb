"""The embedded Quebec 2018 base data reproduces the published figures it was built from."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml

from immiplan.errors import InputError
from immiplan.projection.base import AGES, CATEGORIES, BaseData
from immiplan.projection.bases import ROLES, base_path, load_base
from immiplan.projection.builders.quebec_2018 import build_quebec_2018, derived_tables
from immiplan.projection.lifetable import life_table
from immiplan.system.references import parse_references, sidecar_reference

FOLDER = Path(str(base_path("quebec-2018")))
CSV_FILES = sorted(FOLDER.rglob("*.csv"))
DERIVED = {
    "fertility",
    "mortality",
    "mortality_calibration",
    "immigrant_profile",
    "immigrant_profile_by_category",
    "emigration_rates",
    "interprovincial_rates",
}

# Published five-year sums of the same ISQ single-year table (quebec-base-data §1b),
# (males, females), to check the typed single years.
FIVE_YEAR_2018 = [
    (223_607, 214_298), (234_820, 225_218), (216_958, 208_966), (215_534, 206_473),
    (260_213, 244_482), (285_039, 266_610), (270_316, 261_343), (292_785, 284_312),
    (278_894, 270_495), (263_721, 256_800), (295_742, 291_271), (322_283, 321_188),
    (297_344, 300_211), (246_513, 253_844), (197_827, 211_375), (131_104, 149_794),
    (80_856, 106_063), (48_037, 77_566), (17_407, 40_388), (3_552, 12_061),
]  # fmt: skip


@pytest.fixture(scope="module")
def base() -> BaseData:
    return load_base("quebec-2018")


def test_population_totals_are_the_published_ones(base: BaseData) -> None:
    assert base.population[0].sum() == 4_204_741
    assert base.population[1].sum() == 4_182_891
    assert base.population.sum() == 8_387_632
    assert base.population[:, 100].tolist() == [1_983, 339]  # 100+


def test_population_five_year_groups_match(base: BaseData) -> None:
    for group, (males, females) in enumerate(FIVE_YEAR_2018):
        ages = slice(5 * group, 5 * group + 5)
        assert base.population[1, ages].sum() == males, f"men {5 * group}"
        assert base.population[0, ages].sum() == females, f"women {5 * group}"


def test_fertility_reaches_the_2018_tfr(base: BaseData) -> None:
    assert base.asfr.sum() == pytest.approx(1.586, abs=1e-9)
    assert np.all(base.asfr[15:50] > 0)
    assert not base.asfr[:15].any() and not base.asfr[50:].any()
    mean_age = float(np.sum((AGES + 0.5) * base.asfr) / base.asfr.sum())
    assert mean_age == pytest.approx(30.64, abs=0.01)  # ISQ publishes 30.7 for 2018
    assert abs(mean_age - 30.7) < 0.1


def test_fertility_keeps_the_2017_group_shape(base: BaseData) -> None:
    published_2017 = np.array([6.0, 37.1, 96.9, 104.5, 50.9, 10.8, 0.8]) / 1000
    groups = base.asfr[15:50].reshape(7, 5).mean(axis=1)
    assert groups == pytest.approx(published_2017 * 1.586 / (5 * published_2017.sum()), rel=1e-9)


def test_births_implied_by_fertility(base: BaseData) -> None:
    births = float(base.asfr @ base.population[0])
    assert births == pytest.approx(83_840, rel=0.03)
    assert births == pytest.approx(83_825, abs=1)


@pytest.mark.parametrize(("row", "sex", "e0"), [(0, "female", 84.2), (1, "male", 80.7)])
def test_mortality_gives_the_published_e0(base: BaseData, row: int, sex: str, e0: float) -> None:
    table = life_table(base.mx[row], sex=sex)
    assert table.e0 == pytest.approx(e0, abs=1e-6)
    assert base.e0[row] == e0
    assert 0.99 < base.mortality_factors[row] < 1.01


def test_deaths_implied_by_mortality(base: BaseData) -> None:
    deaths = float(np.sum(base.mx * base.population))
    assert deaths == pytest.approx(68_600, rel=0.03)
    assert deaths == pytest.approx(68_418, abs=1)


def test_mortality_keeps_isq_group_rates_before_calibration(base: BaseData) -> None:
    graduated = base.mx / base.mortality_factors[:, None]
    # ISQ 2018, per 1,000: 0, 50-54, 75-79 by sex.
    assert graduated[:, 0] * 1000 == pytest.approx([4.1, 4.4])
    for start, female, male in [(50, 2.1, 3.1), (75, 24.1, 35.2)]:
        ages = slice(start, start + 5)
        rates = (graduated[:, ages] * base.population[:, ages]).sum(1)
        assert rates / base.population[:, ages].sum(1) * 1000 == pytest.approx([female, male])
    assert np.all(np.diff(base.mx[:, 60:]) > 0)  # rising with age from 60


def test_migration_profiles_are_shares(base: BaseData) -> None:
    assert base.immigrant_profile.sum() == pytest.approx(1.0)
    assert base.immigrant_profile.min() >= 0
    assert base.immigrant_profile[0].sum() == pytest.approx(0.5038, abs=1e-4)
    assert base.category_profiles.shape == (4, 2, 101)
    for index, category in enumerate(CATEGORIES):
        assert base.category_profiles[index].sum() == pytest.approx(1.0)
        assert np.array_equal(base.category_profile(category), base.category_profiles[index])
    # ISQ's 44,797 immigrants: the profile gives back the five-year counts.
    counts = base.immigrant_profile.sum(axis=0) * 44_797
    assert counts[25:30].sum() == pytest.approx(5_938, rel=1e-9)
    assert counts[90:].sum() == pytest.approx(7, rel=1e-9)
    # Canada 2014 by category: 0.1 % of economic immigrants were 65+, 11.9 % of family.
    assert base.category_profile("economic")[:, 65:].sum() == pytest.approx(0.001)
    assert base.category_profile("family")[:, 65:].sum() == pytest.approx(0.119 / 0.999)
    with pytest.raises(InputError, match="unknown immigrant category"):
        base.category_profile("students")


def test_migration_rates_reproduce_the_year_totals(base: BaseData) -> None:
    net_emigrants = float(np.sum(base.emigration_rates * base.population))
    assert net_emigrants == pytest.approx(4_875, rel=0.01)
    interprovincial = float(np.sum(base.interprovincial_rates * base.population))
    assert interprovincial == pytest.approx(-4_089, rel=0.01)
    assert base.interprovincial_rates[0] == pytest.approx(base.interprovincial_rates[1])
    assert np.any(base.emigration_rates[:, 15:25] < 0)  # net return of young adults


def test_indicators_and_srb(base: BaseData) -> None:
    assert base.srb == pytest.approx(191_222 / 182_085, abs=1e-4)
    assert base.indicators["births"] == 83_840
    assert base.indicators["deaths"] == 68_600
    assert base.indicators["tfr"] == 1.586


def test_base_data_is_frozen(base: BaseData) -> None:
    assert base.ages.tolist() == list(range(101))
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.srb = 1.0


def test_every_file_has_references(base: BaseData) -> None:
    assert set(base.references) == set(ROLES)
    for refs in base.references.values():
        assert refs and all(r.publisher and r.document and r.date for r in refs)


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: str(p.relative_to(FOLDER)))
def test_every_csv_has_a_sourced_sidecar(path: Path) -> None:
    sidecar = sidecar_reference(path)
    assert sidecar.is_file(), f"{path.name} has no sidecar"
    raw = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    refs = parse_references(raw)
    assert refs, f"{sidecar.name} names no reference"
    assert raw.get("method"), f"{sidecar.name} says nothing of its method"
    publishers = " ".join(r.publisher for r in refs)
    assert any(
        name in publishers
        for name in ("Statistics Canada", "Institut de la statistique", "MSSS", "Citizenship")
    )
    assert "shared" not in sidecar.read_text(encoding="utf-8")
    if path.stem in DERIVED - {"mortality_calibration"}:
        assert raw.get("assumption"), f"{sidecar.name} must state its assumption"


def test_shipped_files_follow_from_the_sources() -> None:
    rebuilt = derived_tables(build_quebec_2018())
    assert set(rebuilt) == DERIVED
    for name, rows in rebuilt.items():
        shipped = (FOLDER / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert shipped[0].split(",") == rows[0], name
        assert len(shipped) == len(rows), name
        for line, row in zip(shipped[1:], rows[1:], strict=True):
            cells = line.split(",")
            assert cells[0] == row[0]
            numbers = [float(c) for c in cells[1:]]
            assert numbers == pytest.approx([float(c) for c in row[1:]], rel=1e-7), name


def test_a_broken_file_is_an_input_error(tmp_path: Path) -> None:
    from immiplan.projection.builders.quebec_2018 import read_table

    with pytest.raises(InputError, match="missing base-data file"):
        read_table(tmp_path, "population")
