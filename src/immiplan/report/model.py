"""What a report is built from: plain typed objects, checked before anything is drawn.

The scenarios, projection and outcomes modules fill a :class:`ReportInput`; the report
reads nothing else. Languages are ISO 639-1 codes, ``"fr"`` and ``"en"``, and every
text meant for a reader is given in both.

Units, once for all: persons are counts of people (stocks on 1 July, flows over the
year from 1 July to 30 June); shares are fractions between 0 and 1 (the report writes
them as percentages); money is Canadian dollars per year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from immiplan.errors import InputError
from immiplan.report.i18n import INDICATORS, LANGUAGES, REGIMES
from immiplan.system.references import Reference

SERIES_COLUMNS: tuple[str, ...] = ("scenario", "year", "indicator", "value")
PLANS_KEY_COLUMNS: tuple[str, ...] = ("category", "label_fr", "label_en")
SELECTORS_COLUMNS: tuple[str, ...] = ("category", *REGIMES)
CUT_COLUMNS: tuple[str, ...] = ("regime", "category", "base", "new", "change", "change_pct")
TOTAL = "total"
"""The category code of a total row: shown in tables, left out of sums and bar charts."""

_SOURCE = "report input"


SELECTOR_KEYS: tuple[str, ...] = ("province", "federal")
"""Who may select a category (``data/system/regimes/*.yaml``)."""


@dataclass(frozen=True)
class ScenarioInfo:
    """One projected scenario as the reader sees it.

    Attributes
    ----------
    key:
        The scenario's identifier, as used in ``ReportInput.series["scenario"]``
        (``"plan-2018"``).
    label:
        Its short name per language, shown in legends and tables
        (``{"fr": "Plan 2018 (52 000)", "en": "2018 plan (52,000)"}``).
    description:
        One or two sentences per language saying what the scenario assumes.
    sources:
        The references behind this scenario's own numbers.
    assumptions:
        Per language, the scenario's assumptions in plain words, one per item.
    """

    key: str
    label: dict[str, str]
    description: dict[str, str]
    sources: list[Reference] = field(default_factory=list)
    assumptions: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ReportInput:
    """Everything a report shows.

    Attributes
    ----------
    scenarios:
        The scenarios, in the order the report shows them. The first is the reference
        scenario: the summary's differences are against it. Each has a distinct colour,
        the same in every chart.
    series:
        The projection in long form, one row per scenario, year and indicator, with
        columns ``scenario`` (a :attr:`ScenarioInfo.key`), ``year`` (int, the year that
        starts on 1 July), ``indicator`` (a key of
        :data:`immiplan.report.i18n.INDICATORS`) and ``value`` (in the indicator's unit:
        persons, a fraction 0–1 for shares, dollars per year for costs, years for ages).
        An indicator that is absent is left out of the report: no empty chart. Years
        outside ``base_year``..``horizon`` are left out too.
    plans:
        The plans side by side: columns ``category`` (a category code, see
        docs/architecture.md; ``"total"`` for a total row), ``label_fr``, ``label_en``
        (the category's name), then one column per plan or actual (``"2018 actual"``,
        ``"2019 plan"``...), in persons admitted in the year. Categories must not overlap
        (no parent beside its own sub-categories) so that the columns add up.
    selectors:
        Who selects each category: columns ``category``, ``accord-1991``,
        ``quebec-control`` and ``federal``, each regime column holding ``"province"`` (the
        report's :attr:`jurisdiction` selects) or ``"federal"``. It may be finer than the
        plans and the cut (sub-categories such as ``refugees.protected_in_canada`` beside
        top-level plan lines such as ``refugees``): see :meth:`selector`.
    cut:
        How the cut from a base plan to a new plan falls on each category under each
        regime: columns ``regime`` (a regime key, as the selectors columns),
        ``category``, ``base`` and ``new`` (persons admitted in the year), ``change``
        (``new - base``, persons) and ``change_pct`` (``100 * change / base``, in
        percent: ``-23.1`` is a 23.1 % cut; empty where ``base`` is 0). Every category but
        ``"total"`` must have a selector (see :meth:`selector`).
    sources:
        The references behind the inputs shared by every scenario (base population,
        rates, outcomes).
    assumptions:
        Per language, the assumptions shared by every scenario, one per item.
    base_year:
        The first projected year (the base population is on 1 July of that year).
    horizon:
        The last year shown; the summary describes that year.
    generated_by:
        How the report was made, shown in its footer (``"immiplan run --horizon 2040"``).
    plan_labels:
        Optional names per language for the plans' columns
        (``{"2019 plan": {"fr": "Plan 2019", "en": "2019 plan"}}``); a column without
        one is shown by its name.
    """

    scenarios: list[ScenarioInfo]
    series: pd.DataFrame
    plans: pd.DataFrame
    selectors: pd.DataFrame
    cut: pd.DataFrame
    sources: list[Reference]
    assumptions: dict[str, list[str]]
    base_year: int
    horizon: int
    generated_by: str
    plan_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    base_label: dict[str, str] = field(default_factory=dict)
    """The base and its date in words, per language (shown under the title), or empty."""
    extra_charts: list[Any] = field(default_factory=list)
    """Functions ``lang -> Chart`` adding charts to the report (the ensembles' fan charts,
    in the section ``population``); empty by default."""
    jurisdiction: str = "quebec"
    """The province the report is about (``data/system/jurisdictions.yaml``): its name and
    its parent's stand for ``province`` and ``federal`` in the selectors."""
    what_it_takes: tuple[Any, ...] | Callable[[], tuple[Any, ...]] = ()
    """The inverse planner's answers for the UN targets on the report's base and years
    (:func:`immiplan.solver.report.what_it_takes`), or a function giving them when the
    page is written (:func:`immiplan.report.build_report` calls it while the chart
    exporters work); empty: no "What would it take" section."""

    @property
    def plan_columns(self) -> list[str]:
        """The plans' value columns (every column after the category and its names)."""
        return [str(c) for c in self.plans.columns if c not in PLANS_KEY_COLUMNS]

    @property
    def scenario_keys(self) -> list[str]:
        """The scenario keys, reference first."""
        return [s.key for s in self.scenarios]

    def selector(self, category: str, regime: str) -> str | None:
        """Who selects ``category`` under ``regime``: ``"province"``, ``"federal"``,
        ``"shared"`` (some of its sub-categories each), or ``None`` when unknown.

        A category missing from :attr:`selectors` takes the selectors of the rows it
        covers: ``refugees`` covers ``refugees.*``, ``economic.caregivers+other_economic``
        covers both sub-categories; failing that, the row of its parent category.
        """
        table = dict(
            zip(
                self.selectors["category"].astype(str),
                self.selectors[regime].astype(str),
                strict=True,
            )
        )
        if category in table:
            return table[category]
        found = {value for code, value in table.items() if _covers(category, code)}
        if not found:
            found = {value for code, value in table.items() if category.startswith(code + ".")}
        if not found:
            return None
        return found.pop() if len(found) == 1 else "shared"

    def indicators(self) -> list[str]:
        """The indicators with at least one value in the series, in the report's order."""
        known = self.series.loc[self.series["value"].notna(), "indicator"]
        present = {str(name) for name in known.unique()}
        return [key for key in INDICATORS if key in present]

    def validate(self) -> None:
        """Raise :class:`InputError` naming the first thing a report cannot be built from."""
        if not isinstance(self.base_year, int | np.integer) or not isinstance(
            self.horizon, int | np.integer
        ):
            raise InputError("base_year and horizon must be whole years", source=_SOURCE)
        if self.horizon < self.base_year:
            raise InputError(
                f"the horizon ({self.horizon}) is before the base year ({self.base_year})",
                source=_SOURCE,
                field="horizon",
            )
        self._validate_scenarios()
        self._validate_series()
        self._validate_plans()
        self._validate_selectors()
        self._validate_cut()
        for lang in self.assumptions:
            if lang not in LANGUAGES:
                raise InputError(
                    f"unknown language; use one of: {', '.join(LANGUAGES)}",
                    source=_SOURCE,
                    field="assumptions",
                    value=lang,
                )

    # -- parts

    def _validate_scenarios(self) -> None:
        if not self.scenarios:
            raise InputError("no scenario to report", source=_SOURCE, field="scenarios")
        seen: set[str] = set()
        for scenario in self.scenarios:
            where = f"scenarios.{scenario.key}"
            if scenario.key in seen:
                raise InputError("scenario listed twice", source=_SOURCE, field=where)
            seen.add(scenario.key)
            for name in ("label", "description"):
                names = getattr(scenario, name)
                for lang in LANGUAGES:
                    if not str(names.get(lang, "")).strip():
                        raise InputError(
                            f"missing {name} in language '{lang}'",
                            source=_SOURCE,
                            field=f"{where}.{name}",
                        )
            for lang in scenario.assumptions:
                if lang not in LANGUAGES:
                    raise InputError(
                        f"unknown language; use one of: {', '.join(LANGUAGES)}",
                        source=_SOURCE,
                        field=f"{where}.assumptions",
                        value=lang,
                    )

    def _validate_series(self) -> None:
        frame = self.series
        _require_columns(frame, SERIES_COLUMNS, "series")
        # The distinct names first (a set of every row's name walked 5,000 strings twice).
        unknown = sorted({str(k) for k in frame["scenario"].unique()} - set(self.scenario_keys))
        if unknown:
            raise InputError(
                f"unknown scenario; the scenarios are: {', '.join(self.scenario_keys)}",
                source=_SOURCE,
                field="series.scenario",
                value=unknown[0],
            )
        indicators = {str(k) for k in frame["indicator"].unique()}
        strange = sorted(indicators - set(INDICATORS))
        if strange:
            raise InputError(
                f"unknown indicator; the report knows: {', '.join(INDICATORS)}",
                source=_SOURCE,
                field="series.indicator",
                value=strange[0],
            )
        for column in ("year", "value"):
            if not pd.api.types.is_numeric_dtype(frame[column]):
                raise InputError("must hold numbers", source=_SOURCE, field=f"series.{column}")
        if frame.duplicated(["scenario", "year", "indicator"]).any():
            row = frame[frame.duplicated(["scenario", "year", "indicator"])].iloc[0]
            raise InputError(
                "more than one value for a scenario, year and indicator",
                source=_SOURCE,
                field="series",
                value=f"{row['scenario']} {row['year']} {row['indicator']}",
            )
        share_names = [k for k in indicators if INDICATORS[k].unit == "share"]
        shares = frame[frame["indicator"].isin(share_names)]
        outside = shares[(shares["value"] < 0) | (shares["value"] > 1)]
        if not outside.empty:
            row = outside.iloc[0]
            raise InputError(
                "a share must be a fraction between 0 and 1",
                source=_SOURCE,
                field=f"series.{row['indicator']}",
                value=float(row["value"]),
            )
        if not frame.empty and not (frame["year"] == self.horizon).any():
            raise InputError(
                "the series have no value for the horizon year",
                source=_SOURCE,
                field="horizon",
                value=self.horizon,
            )

    def _validate_plans(self) -> None:
        _require_columns(self.plans, PLANS_KEY_COLUMNS, "plans")
        if not self.plan_columns:
            raise InputError("no plan column beside the category", source=_SOURCE, field="plans")
        for column in self.plan_columns:
            if not pd.api.types.is_numeric_dtype(self.plans[column]):
                raise InputError("must hold numbers", source=_SOURCE, field=f"plans.{column}")
        if self.plans["category"].duplicated().any():
            dup = self.plans.loc[self.plans["category"].duplicated(), "category"].iloc[0]
            raise InputError("category listed twice", source=_SOURCE, field="plans", value=dup)
        for column, names in self.plan_labels.items():
            if column not in self.plan_columns:
                raise InputError(
                    "a label for a plan column that does not exist",
                    source=_SOURCE,
                    field="plan_labels",
                    value=column,
                )
            for lang in LANGUAGES:
                if not str(names.get(lang, "")).strip():
                    raise InputError(
                        f"missing label in language '{lang}'",
                        source=_SOURCE,
                        field=f"plan_labels.{column}",
                    )

    def _validate_selectors(self) -> None:
        _require_columns(self.selectors, SELECTORS_COLUMNS, "selectors")
        for regime in REGIMES:
            values = set(self.selectors[regime].astype(str))
            bad = sorted(values - set(SELECTOR_KEYS))
            if bad:
                raise InputError(
                    f"who selects must be one of: {', '.join(SELECTOR_KEYS)}",
                    source=_SOURCE,
                    field=f"selectors.{regime}",
                    value=bad[0],
                )

    def _validate_cut(self) -> None:
        frame = self.cut
        _require_columns(frame, CUT_COLUMNS, "cut")
        bad = sorted(set(frame["regime"].astype(str)) - set(REGIMES))
        if bad:
            raise InputError(
                f"unknown regime; use one of: {', '.join(REGIMES)}",
                source=_SOURCE,
                field="cut.regime",
                value=bad[0],
            )
        for column in ("base", "new", "change", "change_pct"):
            if not pd.api.types.is_numeric_dtype(frame[column]):
                raise InputError("must hold numbers", source=_SOURCE, field=f"cut.{column}")
        for regime, category in zip(
            frame["regime"].astype(str), frame["category"].astype(str), strict=True
        ):
            if category != TOTAL and self.selector(category, regime) is None:
                raise InputError(
                    "category not in the selectors table, so nobody is known to select it",
                    source=_SOURCE,
                    field="cut.category",
                    value=category,
                )
        change = frame["new"] - frame["base"]
        off = frame[(change - frame["change"]).abs() > 0.5]
        if not off.empty:
            row = off.iloc[0]
            raise InputError(
                "change is not new - base",
                source=_SOURCE,
                field=f"cut.{row['regime']}.{row['category']}",
                value=float(row["change"]),
            )
        with_base = frame[frame["base"] != 0]
        expected = 100 * with_base["change"] / with_base["base"]
        # Half a point of slack lets a caller round to whole percents; a fraction given
        # instead of a percentage is still caught (it is off by 99 % of its value).
        wrong = with_base[(expected - with_base["change_pct"]).abs() > 0.5]
        if not wrong.empty:
            row = wrong.iloc[0]
            raise InputError(
                "change_pct is not 100 * change / base (a percentage, not a fraction)",
                source=_SOURCE,
                field=f"cut.{row['regime']}.{row['category']}",
                value=float(row["change_pct"]),
            )


def _covers(code: str, row: str) -> bool:
    """Whether category ``code`` includes the selectors row ``row``.

    ``economic`` covers ``economic.business``; ``refugees+other`` covers every
    sub-category of both; ``economic.caregivers+other_economic`` covers those two.
    """
    parts = code.split("+")
    top = parts[0].split(".", 1)[0] if "." in parts[0] else None
    names = [p if top is None or "." in p else f"{top}.{p}" for p in parts]
    return any(row == name or row.startswith(name + ".") for name in names)


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError("must be a table (pandas DataFrame)", source=_SOURCE, field=name)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(missing)}",
            source=_SOURCE,
            field=name,
        )
