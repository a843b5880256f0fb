"""Outcome parameter files: a bad value, a missing field or a missing file is one InputError
naming the file, the field and the value (the loaders read ``parameters()``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from immiplan.errors import InputError
from immiplan.outcomes import francization, french, labour
from immiplan.system.parameters import ParameterTree, data_root, parameters

Loader = Callable[[], Any]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped parameters the outcome loaders read (caches cleared)."""
    root = tmp_path / "parameters"
    shutil.copytree(Path(str(data_root())) / "parameters", root)
    copy = ParameterTree(root)
    for module in (french, labour, francization):
        monkeypatch.setattr(module, "parameters", lambda: copy)
    _clear()
    yield root
    _clear()


def _clear() -> None:
    french.load_french_parameters.cache_clear()
    labour.load_labour_parameters.cache_clear()
    francization.load_francization_parameters.cache_clear()


def _edit(path: Path, day: str, change: Callable[[Any], Any]) -> None:
    doc = yaml.safe_load(path.read_text("utf-8"))
    key = next(k for k in doc["values"] if str(k) == day)
    doc["values"][key]["value"] = change(doc["values"][key]["value"])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _load_all() -> None:
    french.load_french_parameters()
    labour.load_labour_parameters()
    francization.load_francization_parameters()


@pytest.mark.parametrize(
    ("name", "day", "expected"),
    [
        # MIDI: 58.6 % of 2014 admissions knew French (29,478 / 50,293).
        ("provinces.qc.outcomes.french.admission_share", "2014-07-01", 0.586),
        # MIFI via Le Devoir: 40 % of adults without French enrolled in 2016, 32 % in 2019.
        ("provinces.qc.outcomes.francization.participation", "2016-07-01", 0.40),
        ("provinces.qc.outcomes.francization.participation", "2019-07-01", 0.32),
    ],
)
def test_the_shipped_values_are_the_published_ones(name: str, day: str, expected: float) -> None:
    _load_all()  # the loaders accept every shipped file
    assert parameters().get(name).at(day) == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize(
    ("file", "day", "change", "field", "value"),
    [
        ("french/admission_share", "2017-01-01", lambda v: 4.2, "values.2017-01-01.value", 4.2),
        (
            "french/skilled_worker_admission_share",
            "2010-01-01",
            lambda v: {**v, "share": -0.1},
            "values.2010-01-01.value.share",
            -0.1,
        ),
        (
            "francization/participation",
            "2019-01-01",
            lambda v: 32,
            "values.2019-01-01.value",
            32,
        ),
        (
            "labour/employment_rate_25_54",
            "2017-01-01",
            lambda v: {**v, "immigrants": "77.8 %"},
            "values.2017-01-01.value.immigrants",
            "77.8 %",
        ),
        (
            "francization/program_cost",
            "2016-04-01",
            lambda v: {**v, "low": -74e6},
            "values.2016-04-01.value.low",
            -74e6,
        ),
    ],
)
def test_a_bad_value_names_file_field_and_value(
    tree: Path, file: str, day: str, change: Callable[[Any], Any], field: str, value: Any
) -> None:
    _edit(tree / "provinces" / "qc" / "outcomes" / f"{file}.yaml", day, change)
    with pytest.raises(InputError) as info:
        _load_all()
    err = info.value
    assert err.source == f"parameters/provinces/qc/outcomes/{file}.yaml"
    assert err.field == field
    assert err.value == value
    assert str(value) in str(err)


def test_a_missing_field_is_named(tree: Path) -> None:
    _edit(
        tree
        / "provinces"
        / "qc"
        / "outcomes"
        / "francization"
        / "adults_admitted_without_french.yaml",
        "2010-01-01",
        lambda v: {k: x for k, x in v.items() if k != "without_french"},
    )
    with pytest.raises(InputError, match="missing field") as info:
        francization.load_francization_parameters()
    assert info.value.field == "values.2010-01-01.value.without_french"


def test_a_missing_file_is_named(tree: Path) -> None:
    (tree / "provinces" / "qc" / "outcomes" / "labour" / "relative_participation.yaml").unlink()
    with pytest.raises(InputError, match="missing parameter file") as info:
        labour.load_labour_parameters()
    assert (
        info.value.source == "parameters/provinces/qc/outcomes/labour/relative_participation.yaml"
    )
