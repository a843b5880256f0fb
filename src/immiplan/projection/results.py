"""A projection's results: an ``xarray.Dataset``, tidy tables, and files on disk.

:func:`run_scenario` loads a scenario, prepares the inputs, runs the engine and returns a
:class:`ProjectionResult`. Its :attr:`~ProjectionResult.dataset` has named dimensions
``year, group, duration, sex, age`` (and ``trait`` when the engine carried more than
one), the flows of each year on the same ``year`` axis (``NaN`` for the last year, whose
flows fall after the horizon), and the scenario's metadata (name, SHA-256 of the file,
immiplan version) as attributes, so a result is reproducible from its files.

:meth:`ProjectionResult.write` writes CSV and Parquet tables atomically: either every file
appears in the folder or, on any error, none does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from immiplan.errors import InputError
from immiplan.output import atomic_directory
from immiplan.projection.engine import ProjectionOutputs
from immiplan.projection.indicators import COLUMNS, indicator_table
from immiplan.projection.scenario import PreparedScenario
from immiplan.projection.state import AGES, CATEGORIES, QUEBEC

if TYPE_CHECKING:  # xarray is imported where a Dataset is built (0.15 s)
    import xarray as xr

__all__ = ["HEADLINE", "ProjectionResult", "check_population", "run_scenario"]

HEADLINE = (
    "year",
    "population",
    "births",
    "deaths",
    "immigrants",
    "net_emigration",
    "net_interprovincial",
    "npr_change",
    "npr_stock",
    "npr_transitions",
    "already_resident_share",
    "growth",
    "median_age",
    "share_65_plus",
    "dependency_ratio",
    "immigrant_share",
)
"""Columns of the headline table (every five years)."""


@dataclass(frozen=True)
class ProjectionResult:
    """A scenario's projection: inputs, engine outputs and derived tables.

    Attributes
    ----------
    prepared:
        The scenario and its engine inputs.
    outputs:
        The engine's arrays.
    source_text:
        The scenario file's text, written beside the results.
    trait_names:
        Names of the trait axis when the engine carried traits (``("cannot", "can")`` for
        knowledge of French, see :mod:`immiplan.outcomes`); ``None`` numbers them.
    """

    prepared: PreparedScenario
    outputs: ProjectionOutputs
    source_text: str = ""
    trait_names: tuple[str, ...] | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        """Scenario name, source, SHA-256, immiplan version, years, assumptions."""
        prep = self.prepared
        meta = dict(prep.metadata)
        meta["rate_factors"] = {
            "emigration": prep.rate_factors[0],
            "interprovincial": prep.rate_factors[1],
        }
        meta["retention_multipliers"] = {
            cat: [round(float(v), 6) for v in prep.retention.multipliers[i]]
            for i, cat in enumerate(CATEGORIES)
        }
        meta["retention_targets_5_year"] = dict(
            zip(CATEGORIES, prep.retention.targets_5.round(6).tolist(), strict=True)
        )
        meta["base_groups"] = {
            "recent_immigrants": round(prep.split.recent),
            "long_term_immigrants": round(prep.split.long_term),
            "npr": round(prep.split.npr),
        }
        return meta

    @property
    def first_year(self) -> int:
        """First year reported (the scenario's base year)."""
        return int(self.prepared.first_output_year)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """One row per year: population, components, age structure (see ``COLUMNS``)."""
        return indicator_table(
            self.outputs,
            immigrant_states=QUEBEC.block,
            npr_state=QUEBEC.state("npr"),
            canada=self._canada_by_engine_year(),
            tfr=self.prepared.tfr,
            e0=self.prepared.e0,
            first_year=self.first_year,
            **self._npr_flow_columns(),
        )

    def _npr_flow_columns(self) -> dict[str, Any]:
        """The NPR flow policy's entries and stock split by type, for the indicators."""
        flows = self.prepared.npr_flows
        if flows is None:
            return {}
        shares = flows.shares
        if self.outputs.population.shape[0] != shares.shape[0]:  # a reduced or longer run
            return {"npr_entries": flows.entries_by_type.sum(axis=1)}
        return {
            "npr_entries": flows.entries_by_type.sum(axis=1),
            "npr_types": flows.types,
            "npr_type_shares": shares,
        }

    def _canada_by_engine_year(self) -> np.ndarray | None:
        canada = self.prepared.canada
        if canada is None:
            return None
        years = self.outputs.years
        out = np.full(years.size, np.nan)
        out[years >= self.first_year] = canada
        return out

    def headline(self, every: int = 5) -> pd.DataFrame:
        """The headline columns every ``every`` years from the base year, and the last year."""
        frame = self.indicators
        years = frame["year"]
        keep = ((years - years.iloc[0]) % every == 0) | (years == years.iloc[-1])
        columns = [c for c in HEADLINE if c in frame]
        columns += [str(c) for c in frame.columns if str(c).startswith("npr_stock_")]
        if frame["npr_entries"].notna().any():
            columns[columns.index("npr_stock") + 1 : columns.index("npr_stock") + 1] = [
                "npr_entries",
                "npr_exits",
            ]
        if frame["share_of_parent"].notna().any():
            columns.append("share_of_parent")
        return frame.loc[keep, columns].reset_index(drop=True)

    @cached_property
    def dataset(self) -> xr.Dataset:
        """Populations and flows with named dimensions and coordinates."""
        import xarray as xr

        out = self.outputs
        keep = out.years >= self.first_year
        years = out.years[keep]
        space = out.inputs.space
        full = space.unflatten(out.population[keep], axis=1)  # (Y, G, D, K, X, A)
        dims = ["year", "group", "duration", "trait", "sex", "age"]
        coords: dict[str, Any] = {
            "year": years,
            "group": list(space.groups),
            "duration": np.arange(full.shape[2]),
            "trait": list(self.trait_names)
            if self.trait_names is not None and len(self.trait_names) == full.shape[3]
            else np.arange(full.shape[3]),
            "sex": list(space.sexes),
            "age": AGES,
        }
        population = xr.DataArray(full, dims=dims, coords=coords, name="population")
        if full.shape[3] == 1:
            population = population.isel(trait=0, drop=True)
        population.attrs = {"units": "persons", "description": "persons on 1 July"}
        n = years.size
        flows_index = np.nonzero(keep[:-1])[0]

        def flow(values: np.ndarray) -> np.ndarray:
            arr = np.full((n, *values.shape[1:]), np.nan)
            arr[: flows_index.size] = values[flows_index]
            return arr

        cats = list(space.categories)
        data = {
            "population": population,
            "births": (("year", "sex"), flow(out.births)),
            "deaths": (("year", "sex"), flow(out.deaths)),
            "immigrants": (("year", "category"), flow(out.immigrants)),
            "npr_transitions": (("year", "category"), flow(out.npr_transitions)),
            "net_emigration": (("year",), flow(out.emigration)),
            "net_interprovincial": (("year",), flow(out.interprovincial)),
            "npr_net_arrivals": (("year",), flow(out.npr_net)),
            "other_migration": (("year",), flow(out.other_migration)),
        }
        if out.npr_exits is not None:
            data["npr_exits"] = (("year",), flow(out.npr_exits))
        ds = xr.Dataset(data, coords={**coords, "category": cats})
        if "trait" not in ds["population"].dims:
            ds = ds.drop_vars("trait")
        for name in (
            "births",
            "deaths",
            "immigrants",
            "npr_transitions",
            "net_emigration",
            "net_interprovincial",
            "npr_net_arrivals",
            "other_migration",
        ):
            ds[name].attrs = {
                "units": "persons",
                "description": "flow from 1 July of the year to 30 June of the next",
            }
        ds.attrs = {k: _attr(v) for k, v in self.metadata.items()}
        return ds

    def population_by_age(self) -> pd.DataFrame:
        """Tidy table: ``year, sex, age, population``."""
        pop = self.dataset["population"].sum(dim=["group", "duration"])
        if "trait" in pop.dims:
            pop = pop.sum(dim="trait")
        return pop.to_dataframe().reset_index()[["year", "sex", "age", "population"]]

    def population_by_group(self) -> pd.DataFrame:
        """Tidy table: ``year, group, duration, population`` (cells that exist only)."""
        pop = self.dataset["population"].sum(dim=["sex", "age"])
        if "trait" in pop.dims:
            pop = pop.sum(dim="trait")
        frame = pop.to_dataframe().reset_index()
        exists = (frame["duration"] == 0) | frame["group"].isin(list(CATEGORIES))
        return frame.loc[exists, ["year", "group", "duration", "population"]].reset_index(drop=True)

    def population_cells(self) -> pd.DataFrame:
        """Tidy table of every state cell: ``year, group, duration, [trait,] sex, age``."""
        frame = self.dataset["population"].to_dataframe().reset_index()
        exists = (frame["duration"] == 0) | frame["group"].isin(list(CATEGORIES))
        return frame.loc[exists].reset_index(drop=True)

    def write(self, folder: str | Path) -> list[Path]:
        """Write the results into ``folder`` atomically; return the files written.

        Files: ``indicators``, ``population_by_age`` and ``population_by_group`` as CSV and
        Parquet; ``population_cells.parquet`` (every state cell); ``metadata.json``; and
        ``scenario.yaml``, the scenario's own text.
        """
        target = Path(folder)
        tables = {
            "indicators": self.indicators,
            "population_by_age": self.population_by_age(),
            "population_by_group": self.population_by_group(),
        }
        names: list[str] = []
        with atomic_directory(target) as staging:
            for name, frame in tables.items():
                frame.to_csv(staging / f"{name}.csv", index=False)
                frame.to_parquet(staging / f"{name}.parquet", index=False)
                names += [f"{name}.csv", f"{name}.parquet"]
            self.population_cells().to_parquet(staging / "population_cells.parquet", index=False)
            meta = dict(self.metadata)
            meta["columns"] = COLUMNS
            (staging / "metadata.json").write_text(
                json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n",
                encoding="utf-8",
            )
            names += ["population_cells.parquet", "metadata.json"]
            if self.source_text:
                (staging / "scenario.yaml").write_text(self.source_text, encoding="utf-8")
                names.append("scenario.yaml")
        return [target / name for name in names]


def _attr(value: Any) -> Any:
    if isinstance(value, str | int | float):
        return value
    return json.dumps(value, default=str)


def run_scenario(name: str | Path, *, horizon: int | None = None) -> ProjectionResult:
    """Load, prepare and project a scenario (shipped name or path), population only.

    A thin wrapper over :func:`immiplan.pipeline.run` with every outcome off.

    Parameters
    ----------
    name:
        A shipped scenario name (``quebec-2019-plan``) or a path to a scenario YAML file.
    horizon:
        Overrides the scenario's horizon (the last 1 July projected).

    Raises
    ------
    InputError
        On an unknown or invalid scenario.
    """
    from immiplan.pipeline import NO_OUTCOMES, run

    result: ProjectionResult = run(name, horizon=horizon, options=NO_OUTCOMES).projection
    return result


def check_population(outputs: ProjectionOutputs, source: str) -> None:
    """Refuse a projection whose net departures emptied some cell below zero.

    Raises
    ------
    InputError
        Naming the first year with a negative cell (``source`` is the scenario file).
    """
    negative = outputs.population.min(axis=(1, 2, 3, 4)) < -1e-6
    if negative.any():
        year = int(outputs.years[int(np.argmax(negative))])
        raise InputError(
            f"the scenario's net departures exceed the population of some cells by 1 July "
            f"{year} (e.g. NPR net arrivals more negative than the NPR stock)",
            source=source,
            field="npr.net_arrivals",
        )
