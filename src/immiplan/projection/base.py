"""The base data of a projection: :class:`BaseData`, the arrays of one base.

:func:`immiplan.projection.bases.load_base` reads a base's folder (its manifest, the CSV files
it names, each with a ``<stem>.source.yaml`` sidecar naming the original publisher) into a
frozen :class:`BaseData` of NumPy arrays. Every age axis is single years ``0, 1, …, 100`` where
``100`` is the open group ``100+``; every sex axis is ``(female, male)``. How each shipped
base's files were made from their published sources is in :mod:`immiplan.projection.builders`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.system.references import Reference

FloatArray = NDArray[np.float64]

AGES = np.arange(101)
"""Single years of age 0..100 (100 = 100+)."""
SEXES = ("female", "male")
CATEGORIES = ("economic", "family", "refugees", "other")

__all__ = [
    "AGES",
    "CATEGORIES",
    "SEXES",
    "BaseData",
]


@dataclass(frozen=True)
class BaseData:
    """A base's population and rates on its base date, 1 July (ages 0..100+, sexes female, male).

    The units and periods below are those of every shipped base; each file's sidecar
    (:attr:`references`) says which year and publisher a base's numbers are.

    Attributes
    ----------
    ages:
        Single years of age ``0..100``; ``100`` is ``100+``.
    population:
        Persons on 1 July of the base year, shape ``(2, 101)``.
    asfr:
        Births per woman per year by single age of mother, shape ``(101,)`` (zero outside
        15–49); a July–June year; sums to the base year's TFR.
    srb:
        Sex ratio at birth, male births per female birth.
    mx:
        Central death rates, deaths per person-year, shape ``(2, 101)``; the 100+ value is
        the open-group rate (``L_100 = l_100 / m_100``); calibrated to the published e0.
    mortality_factors:
        The factors the graduated rates were multiplied by to reach the published e0,
        shape ``(2,)``.
    e0:
        Published life expectancy at birth of the base year the rates are calibrated to,
        ``(2,)``, years.
    immigrant_profile:
        Share of a year's immigrants (all categories) in each sex × age cell, ``(2, 101)``,
        summing to 1; age as tabulated by the source (age on 1 July at the start of the
        July–June year).
    category_profiles:
        The same by admission category, shape ``(4, 2, 101)`` in :data:`CATEGORIES` order;
        each category sums to 1.
    emigration_rates:
        Net emigrants per resident per year (positive = net loss), ``(2, 101)``;
        the year starting on the base date (see the sidecar).
    interprovincial_rates:
        Net interprovincial migrants per resident per year (positive = net gain, as
        published; Quebec's are mostly negative), ``(2, 101)``; same period.
    indicators:
        Published totals of the base year the files are checked against (``tfr``, ``births``,
        ``deaths``, ``mean_age_childbearing``, ``e0_female``, ``e0_male``...).
    references:
        The references of every file, keyed by its stem (``"population"``…).
    """

    ages: NDArray[np.int64]
    population: FloatArray
    asfr: FloatArray
    srb: float
    mx: FloatArray
    mortality_factors: FloatArray
    e0: FloatArray
    immigrant_profile: FloatArray
    category_profiles: FloatArray
    emigration_rates: FloatArray
    interprovincial_rates: FloatArray
    indicators: dict[str, float] = field(default_factory=dict)
    references: dict[str, tuple[Reference, ...]] = field(default_factory=dict)
    categories: tuple[str, ...] = CATEGORIES
    name: str = ""
    """The base's name (its folder under ``data/base``)."""
    manifest: Any = None
    """The base's :class:`~immiplan.projection.bases.BaseManifest`."""
    state: FloatArray | None = None
    """Persons by state, sex and age ``(S, X, A)`` where the base ships its split (a derived
    base); ``None`` where it is rebuilt from history (:mod:`immiplan.projection.base_split`)."""

    @property
    def year(self) -> int:
        """Year of the base date (1 July)."""
        return int(self.manifest.year)

    @property
    def jurisdiction(self) -> str:
        """The jurisdiction the base describes (``quebec``)."""
        return str(self.manifest.jurisdiction)

    def category_profile(self, category: str) -> FloatArray:
        """The ``(2, 101)`` age-sex profile of one admission category."""
        if category not in self.categories:
            raise InputError(
                f"unknown immigrant category (expected one of {', '.join(self.categories)})",
                value=category,
            )
        return self.category_profiles[self.categories.index(category)]
