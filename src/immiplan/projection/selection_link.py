"""The selection link: economic admissions shaped by a selection scenario.

A scenario's ``selection:`` block runs a selection scenario (:mod:`immiplan.selection`) and
takes the age-sex profile and French-at-admission share of the persons it selects for the
economic category, from ``from_year`` on (``docs/selection.md`` §8).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immiplan.errors import InputError
from immiplan.projection.schema import SelectionLink
from immiplan.projection.state import CATEGORIES, N_AGES, SEXES

FloatArray = NDArray[np.float64]

__all__ = ["EconomicSelection", "economic_selection", "engine_profile", "selection_source"]


@dataclass(frozen=True)
class EconomicSelection:
    """The economic admissions profile a selection scenario gives (``selection:`` block).

    Attributes
    ----------
    scenario:
        The selection scenario (shipped name or the file read).
    from_year:
        First calendar year of admissions it shapes.
    french_share:
        Share of the selected persons knowing French at admission.
    profile:
        Age-sex shares of the selected persons, ``(2, 101)``, summing to 1, in the engine's
        convention (age on 1 July at the start of the landing step; see :func:`engine_profile`).
    weight:
        Share of each step's economic admissions that come from calendar years on or after
        ``from_year``, ``(T,)``: those take ``profile`` and ``french_share``, the rest the
        historical ones.
    principals, persons, mean_age:
        The selected principal applicants, the persons with their families, and their mean
        age at admission (for reports).
    """

    scenario: str
    from_year: int
    french_share: float
    profile: FloatArray
    weight: FloatArray
    principals: int
    persons: float
    mean_age: float

    def to_metadata(self) -> dict[str, Any]:
        """JSON-friendly summary (recorded in the outputs' metadata)."""
        return {
            "scenario": self.scenario,
            "from_year": self.from_year,
            "french_share": round(self.french_share, 6),
            "principals": self.principals,
            "persons": round(self.persons, 1),
            "mean_age_at_admission": round(self.mean_age, 3),
        }


def engine_profile(at_admission: FloatArray) -> FloatArray:
    """Age-sex shares by age at admission → by age on 1 July at the start of the step.

    A person admitted at age ``a`` during the July–June step (admissions spread evenly
    over it) had their birthday since 1 July with probability one half, so half of age
    ``a`` moves to ``a − 1`` (age 0 stays at 0). Totals are kept.
    """
    shares = np.asarray(at_admission, dtype=float)
    out = 0.5 * shares
    out[..., :-1] += 0.5 * shares[..., 1:]
    out[..., 0] += 0.5 * shares[..., 0]
    return np.asarray(out / out.sum(), dtype=float)


def selection_source(name: str, source: str) -> str | Path:
    """The selection scenario to run: a shipped name or an existing file."""
    from immiplan.selection import scenario_names

    text = name.strip()
    if text in scenario_names():
        return text
    candidates = [Path(text)]
    if not Path(text).is_absolute():
        candidates.insert(0, Path(source).parent / text)
    for path in candidates:
        if path.is_file():
            return path
    raise InputError(
        f"unknown selection scenario: not a shipped one ({', '.join(scenario_names())}) "
        "or a selection scenario file",
        source=source,
        field="selection.scenario",
        value=name,
    )


def _run_selection(name: str | Path) -> tuple[FloatArray, float, int, float, float]:
    from immiplan.selection import economic_profile

    profile = economic_profile(name)
    shares = np.asarray(profile.to_dataarray().transpose("sex", "age").values, dtype=float)
    return (
        shares,
        float(profile.french_share),
        int(profile.principals),
        float(profile.persons),
        float(profile.mean_age),
    )


def economic_selection(
    link: SelectionLink,
    levels: dict[int, FloatArray],
    first: int,
    steps: int,
    source: str,
    *,
    default_from: int | None = None,
) -> EconomicSelection:
    """Run the linked selection scenario and weigh it into each step's economic admissions.

    Parameters
    ----------
    link:
        The scenario's ``selection`` block.
    levels:
        Calendar-year admissions by category (``prepare_levels``).
    first:
        Year of the first 1 July projected (the base data's).
    steps:
        Number of steps.
    source:
        The projection scenario's file, for error messages.
    default_from:
        ``from_year`` when the link gives none (default ``first + 1``).
    """
    target = selection_source(link.scenario, source)
    try:
        run = _run_selection(target)  # the selection package keeps the profiles it ran
    except InputError as exc:
        raise InputError(
            f"the selection scenario failed: {exc}",
            source=source,
            field="selection.scenario",
            value=link.scenario,
        ) from None
    shares, french, principals, persons, mean_age = run
    if shares.shape != (len(SEXES), N_AGES) or not np.isfinite(french) or shares.sum() <= 0:
        raise InputError(
            "the selection scenario selected nobody (no age-sex profile to use)",
            source=source,
            field="selection.scenario",
            value=link.scenario,
        )
    if link.from_year is not None:
        start = int(link.from_year)
    else:
        start = first + 1 if default_from is None else int(default_from)
    econ = CATEGORIES.index("economic")
    years = np.arange(first, first + steps)
    this = np.array([levels[int(y)][econ] for y in years])
    following = np.array([levels[int(y) + 1][econ] for y in years])
    selected = 0.5 * this * (years >= start) + 0.5 * following * (years + 1 >= start)
    total = 0.5 * (this + following)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(total > 0, selected / total, (years + 1 >= start).astype(float))
    return EconomicSelection(
        scenario=str(target),
        from_year=start,
        french_share=french,
        profile=engine_profile(shares),
        weight=np.asarray(weight, dtype=float),
        principals=principals,
        persons=persons,
        mean_age=mean_age,
    )
