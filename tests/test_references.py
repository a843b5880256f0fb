"""Every number that ships with immiplan carries its source, and every source says where it
was read: a reference's ``url`` is its publisher's own address, a restatement sits under ``via``.

The publisher → domains table (``tests/data/publishers.yaml``) is independent of the loader:
it says which web domains belong to whom, so a Le Devoir address under an ISQ publisher fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from pydantic import ValidationError

from immiplan.system.parameters import data_root
from immiplan.system.references import (
    REFERENCE_KEYS,
    Reference,
    parse_references,
    sidecar_reference,
    unreferenced_numbers,
)

DATA = Path(str(data_root()))
YAML_FILES = sorted(p for p in DATA.rglob("*.yaml") if not p.name.endswith(".source.yaml"))
ALL_YAML = sorted(DATA.rglob("*.yaml"))
CSV_FILES = sorted(DATA.rglob("*.csv"))
TABLE = Path(__file__).parent / "data" / "publishers.yaml"


def _domains() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entry in yaml.safe_load(TABLE.read_text(encoding="utf-8"))["publishers"]:
        for name in entry["names"]:
            assert name not in out, f"{name} listed twice in {TABLE.name}"
            out[name] = list(entry["domains"])
    return out


DOMAINS = _domains()


def _raw_references(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every raw reference mapping in a parsed document, with its dotted path."""
    if isinstance(node, dict):
        for key in REFERENCE_KEYS:
            value = node.get(key)
            here = f"{path}.{key}" if path else key
            if isinstance(value, list):
                for index, item in enumerate(value):
                    yield f"{here}[{index}]", item
            elif value is not None:
                yield here, value
        for key, child in node.items():
            if key not in REFERENCE_KEYS:
                yield from _raw_references(child, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _raw_references(child, f"{path}[{index}]")


def _on(url: str, domains: list[str]) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def address_problems(ref: Reference) -> list[str]:
    """What is wrong with where ``ref`` points (empty when nothing is)."""
    problems = []
    own = DOMAINS.get(ref.publisher)
    if own is None:
        return [f"publisher {ref.publisher!r} is not in {TABLE.name}"]
    if ref.url and not _on(ref.url, own):
        problems.append(f"url {ref.url} is not on {ref.publisher}'s own domains {own}")
    if ref.via is not None:
        theirs = DOMAINS.get(ref.via.publisher)
        if theirs is None:
            problems.append(f"via publisher {ref.via.publisher!r} is not in {TABLE.name}")
        elif not _on(ref.via.url, theirs):
            problems.append(f"via url {ref.via.url} is not on {ref.via.publisher}'s {theirs}")
        if _on(ref.via.url, own):
            problems.append(f"via url {ref.via.url} is the publisher's own: make it the url")
    return problems


def _shipped_references() -> list[tuple[str, str, Any]]:
    out = []
    for file in ALL_YAML:
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
        for where, raw in _raw_references(doc):
            out.append((str(file.relative_to(DATA)), where, raw))
    return out


SHIPPED = _shipped_references()


def test_data_folder_is_not_empty() -> None:
    assert len(YAML_FILES) >= 15
    # The CSV sidecars, the parameter files, the plans and the scenarios all cite.
    assert len(SHIPPED) >= 200


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


def test_every_shipped_reference_is_well_formed() -> None:
    bad = []
    for file, where, raw in SHIPPED:
        try:
            Reference.model_validate(raw)
        except ValidationError as exc:
            bad.append(f"{file} {where}: {exc.errors()[0]['msg']}")
    assert not bad, bad[:5]


def test_every_address_belongs_to_who_it_is_cited_as() -> None:
    """The publisher and the address never contradict each other (restatements are ``via``)."""
    bad = []
    for file, where, raw in SHIPPED:
        for problem in address_problems(Reference.model_validate(raw)):
            bad.append(f"{file} {where}: {problem}")
    assert not bad, "\n".join(bad[:10])


def test_restatements_are_cited_as_such() -> None:
    # Press and consultants' pages are never the publisher of a government figure: a
    # publisher named "as reproduced by" or "(secondary)" hides the original in a string.
    for file, where, raw in SHIPPED:
        publisher = str(raw.get("publisher", ""))
        for word in ("as reproduced", "as restated", "restating", "(secondary"):
            assert word not in publisher, f"{file} {where}: {publisher!r}: use via"


def test_the_domain_check_catches_a_press_address_under_an_agency() -> None:
    ref = Reference(
        publisher="Institut de la statistique du Québec",
        document="Le bilan démographique du Québec, édition 2019",
        date="2019-12-04",
        url="https://www.ledevoir.com/societe/568789",
    )
    assert address_problems(ref) == [
        "url https://www.ledevoir.com/societe/568789 is not on Institut de la statistique du "
        "Québec's own domains ['statistique.quebec.ca', 'stat.gouv.qc.ca']"
    ]
    moved = Reference.model_validate(
        {
            "publisher": "Institut de la statistique du Québec",
            "document": "Le bilan démographique du Québec, édition 2019",
            "date": "2019-12-04",
            "via": {
                "publisher": "Le Devoir",
                "document": "news article",
                "date": "2019-12-04",
                "url": "https://www.ledevoir.com/societe/568789",
            },
        }
    )
    assert address_problems(moved) == []
    assert moved.link == "https://www.ledevoir.com/societe/568789"
    assert "read in Le Devoir" in moved.cite()


def test_the_domain_check_catches_an_own_address_hidden_under_via() -> None:
    ref = Reference.model_validate(
        {
            "publisher": "Statistics Canada",
            "document": "Table 17-10-0005-01",
            "date": "2019-09-30",
            "via": {
                "publisher": "Le Devoir",
                "document": "x",
                "date": "2019",
                "url": "https://www150.statcan.gc.ca/t1/tbl1/en/tv.action?pid=1710000501",
            },
        }
    )
    problems = address_problems(ref)
    assert any("make it the url" in p for p in problems)
    assert any("not on Le Devoir's" in p for p in problems)


@pytest.mark.parametrize(
    "bad",
    [
        {"publisher": "p", "document": "d", "date": True},
        {"publisher": "p", "document": "d", "date": [2019]},
        {"publisher": 3, "document": "d", "date": "2019"},
        {"publisher": "", "document": "d", "date": "2019"},
        {"publisher": "p", "document": "d", "date": "2019", "via": "Le Devoir"},
        {"publisher": "p", "document": "d", "date": "2019", "via": {"publisher": "Le Devoir"}},
        {"publisher": "p", "document": "d", "date": "2019", "extra": 1},
    ],
)
def test_a_malformed_reference_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Reference.model_validate(bad)


def test_the_checker_catches_an_unreferenced_number() -> None:
    doc = {
        "values": {"2018": {"value": 3}},
        "nested": {"reference": {"publisher": "p", "document": "d", "date": "2018"}, "x": 1},
    }
    assert list(unreferenced_numbers(doc)) == ["values.2018.value"]


def test_a_reference_must_be_complete_to_count() -> None:
    doc = {"reference": {"publisher": "only a publisher"}, "x": 1}
    assert list(unreferenced_numbers(doc)) == ["x"]
