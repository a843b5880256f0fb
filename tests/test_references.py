"""Every number that ships with immiplan carries its source."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from immiplan.system.parameters import data_root, parameters
from immiplan.system.references import (
    Reference,
    parse_references,
    sidecar_reference,
    unreferenced_numbers,
)

DATA = Path(str(data_root()))
YAML_FILES = sorted(p for p in DATA.rglob("*.yaml") if not p.name.endswith(".source.yaml"))
CSV_FILES = sorted(DATA.rglob("*.csv"))


def test_data_folder_is_not_empty() -> None:
    assert len(YAML_FILES) >= 15


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_every_number_in_yaml_has_a_reference(path: Path) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = list(unreferenced_numbers(doc))
    assert not missing, f"{path.relative_to(DATA)}: numbers without a reference: {missing[:5]}"


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_every_csv_has_a_source_sidecar(path: Path) -> None:
    sidecar = sidecar_reference(path)
    assert sidecar.is_file(), f"{path.relative_to(DATA)} has no {sidecar.name}"
    refs = parse_references(yaml.safe_load(sidecar.read_text(encoding="utf-8")))
    assert refs and all(isinstance(r, Reference) for r in refs)


def test_the_checker_catches_an_unreferenced_number() -> None:
    doc = {
        "values": {"2018": {"value": 3}},
        "nested": {"reference": {"publisher": "p", "document": "d", "date": "2018"}, "x": 1},
    }
    assert list(unreferenced_numbers(doc)) == ["values.2018.value"]


def test_a_reference_must_be_complete_to_count() -> None:
    doc = {"reference": {"publisher": "only a publisher"}, "x": 1}
    assert list(unreferenced_numbers(doc)) == ["x"]


@pytest.mark.parametrize("name", parameters().names())
def test_every_parameter_value_has_a_reference(name: str) -> None:
    param = parameters().get(name)
    for item in param.values:
        if item.value is not None:
            assert item.references, f"{name} {item.start}"
