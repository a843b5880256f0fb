"""The vendored JavaScript: the versions Altair writes for, licensed, inlinable."""

from __future__ import annotations

from importlib import resources

import altair as alt
import pytest
from altair.vegalite.v6 import display

from immiplan.report.build import (
    STATIC_SCRIPTS,
    VEGA_VERSION,
    VEGAEMBED_VERSION,
    VEGALITE_VERSION,
)

STATIC = resources.files("immiplan.report").joinpath("static")


def test_vendored_versions_are_those_altair_writes_for() -> None:
    assert f"v{VEGALITE_VERSION}" == alt.SCHEMA_VERSION
    assert VEGA_VERSION.split(".")[0] == display.VEGA_VERSION
    assert VEGAEMBED_VERSION.split(".")[0] == display.VEGAEMBED_VERSION


@pytest.mark.parametrize(
    ("name", "marker"),
    [
        ("vega.min.js", f'version="{VEGA_VERSION}"'),
        ("vega-lite.min.js", f'var n="{VEGALITE_VERSION}"'),
        ("vega-embed.min.js", f'const pn="{VEGAEMBED_VERSION}"'),
    ],
)
def test_each_script_is_the_version_it_claims(name: str, marker: str) -> None:
    source = STATIC.joinpath(name).read_text("utf-8")
    assert marker in source
    assert "</script" not in source.lower()
    assert "sourceMappingURL" not in source  # no request for a map that is not shipped


def test_every_script_ships_with_its_licence() -> None:
    assert STATIC_SCRIPTS == ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
    for package in ("vega", "vega-lite", "vega-embed"):
        licence = STATIC.joinpath(f"LICENSE-{package}.txt").read_text("utf-8")
        assert "University of Washington Interactive Data Lab" in licence
