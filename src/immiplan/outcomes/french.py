"""Knowledge of French as a trait of the projected population.

The engine carries a trait axis of size ``K = 2``: trait 0 = cannot conduct a conversation
in French, trait 1 = can (the census question on knowledge of official languages). This
module turns the dated parameters of ``data/parameters/provinces/<code>/outcomes/french/``
(the base's jurisdiction, read at its dates) into the engine's arrays, in its layout
(compact states ``(S, K, X, A)``, see :mod:`immiplan.projection.state`):

* **Entry shares** (:meth:`FrenchModel.entry_shares`): the share of a step's admissions who
  know French, by category. The all-category share is the plan's
  ``french_knowledge_target`` when the plan has one, otherwise the published share of the
  admission year. It is split by category with one common shift on the logit scale of the
  reference shares, solved so that the admissions-weighted mean equals the all-category
  share (so shares stay in [0, 1] and rise together). Reference shares: economic = skilled
  workers' 75.4 % (2010–2014, MIDI); family, refugees and other share one value that makes
  the 2010–2014 admissions reproduce the published all-category shares of those years
  (assumption: no by-category share was found). Uniform over sex and age (assumption).
* **Acquisition** (:meth:`FrenchModel.transition`): the yearly probability of moving from
  "cannot" to "can", applied by the engine after survival, by state, sex and age at the
  start of the step:

  - immigrants in their first year after landing (duration 0 on 1 July): a *first-year
    acquisition* ``φ``, combined with the francization route for adults 16+
    (participation of their admission year × share reaching oral autonomy, VGQ):
    ``1 − (1 − φ)(1 − participation·autonomy)``. ``φ`` is calibrated (Brent's method) so
    that immigrants landed in the five years before the 2016 Census reach the published
    80.7 %; it absorbs both real first-year learning and the gap between what immigrants
    declare at admission and what the census records (docs/outcomes.md);
  - immigrant children of school age (5–15): the schooling probability at every duration
    (assumption, Charter of the French language);
  - non-immigrants: at age 0 the share ``L`` of newborns counted as French-speaking by the
    language they learn at home (newborns enter "cannot", the engine's default trait);
  - non-permanent residents and other cells: none.
* **Base population** (:meth:`FrenchModel.base_population`): the 1 July base-year split.
  Immigrants at duration ``d``: the entry share of their landing year followed through the
  same transitions; 10+ landed before the published series starts and take the mean of the
  published shares up to ten years before the base (assumption). Non-permanent residents:
  the admission share of the base year (assumption). Non-immigrants: the level ``L`` at
  every age from 1, solved so that the whole population reproduces the census share
  (94.5 % in 2016); age 0 is held at "cannot" in the state and counted the census way by
  :func:`known_french`.

Timing: a step runs from 1 July of ``y`` to 1 July of ``y + 1``; its admissions take the
values of calendar year ``y + 1`` (the step's midpoint, 1 January).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from immiplan.errors import InputError
from immiplan.outcomes import _checks
from immiplan.projection.state import CATEGORIES, N_AGES, StateSpace
from immiplan.system.parameters import DatedValue, Parameter, parameters

FloatArray = NDArray[np.float64]

__all__ = [
    "ADULT_AGE",
    "CAN",
    "CANNOT",
    "N_TRAITS",
    "TRAITS",
    "FrenchCalibration",
    "FrenchModel",
    "FrenchParameters",
    "calibrate_french",
    "category_admissions",
    "known_french",
    "load_french_parameters",
    "reference_category_shares",
    "split_by_category",
]

TRAITS: tuple[str, ...] = ("cannot", "can")
"""Names of the trait axis: cannot / can conduct a conversation in French."""
CANNOT, CAN = 0, 1
N_TRAITS = 2
ADULT_AGE = 16
"""First age of the francization route (the VGQ counts adults 16 and over)."""
RECENT_DURATIONS = 5
"""Durations 0..4 on 1 July: landed in the five years before (the census's recent immigrants)."""
_LOGIT_BOUND = 40.0
_BISECTIONS = 64


@dataclass(frozen=True)
class FrenchParameters:
    """The French parameters, checked (every share in [0, 1]).

    Attributes
    ----------
    admission_share:
        Dated all-category share of admissions knowing French (calendar years).
    economic_share:
        Skilled workers' share, standing for the economic category.
    reference_years:
        First and last admission year of ``economic_share`` (2010, 2014).
    school_acquisition:
        Yearly probability for school-age children (1/year).
    school_ages:
        First and last age (on 1 July) of schooling, inclusive.
    participation:
        Dated share of non-French adult immigrants who enrol in French courses, by admission
        year.
    oral_autonomy:
        Share of students reaching oral autonomy.
    census_total, census_total_year:
        Share of the whole population knowing French, and its census year (calibration
        target of the base population).
    census_recent, census_recent_year:
        Share of recent immigrants (landed in the five years before) knowing French, and its
        census year (calibration target of the first-year acquisition).
    """

    admission_share: Parameter
    economic_share: float
    reference_years: tuple[int, int]
    school_acquisition: float
    school_ages: tuple[int, int]
    participation: Parameter
    oral_autonomy: float
    census_total: float
    census_total_year: int
    census_recent: float
    census_recent_year: int

    def __post_init__(self) -> None:
        _checks.dated_shares(self.admission_share)
        _checks.dated_shares(self.participation)
        _checks.share(self.economic_share, "outcomes.french.skilled_worker_admission_share")
        _checks.share(self.school_acquisition, "outcomes.french.school_acquisition")
        _checks.share(self.oral_autonomy, "outcomes.francization.oral_autonomy_share")
        _checks.share(self.census_total, "outcomes.french.census_share_total")
        _checks.share(self.census_recent, "outcomes.french.census_share_recent_immigrants")
        first, last = self.school_ages
        if not 0 <= first <= last < N_AGES:
            raise InputError(
                "school ages must satisfy 0 <= first <= last <= 100",
                field="outcomes.french.school_acquisition.school_ages",
                value=self.school_ages,
            )
        if self.reference_years[0] > self.reference_years[1]:
            raise InputError(
                "the reference period ends before it starts",
                field="outcomes.french.skilled_worker_admission_share",
                value=self.reference_years,
            )

    def admission_share_at(self, year: int) -> float:
        """Published all-category share of ``year``'s admissions (last value carried)."""
        return _at_or_first(self.admission_share, year)

    def participation_at(self, year: int) -> float:
        """Francization participation of ``year``'s admissions (last value carried; years
        before the first value take the first value, an assumption)."""
        return _at_or_first(self.participation, year)


def _at_or_first(parameter: Parameter, year: int) -> float:
    """The value in force in ``year``, or the first value for earlier years."""
    first = parameter.values[0]
    if year < first.start.year:
        return float(first.value)
    return float(parameter.at(year))


@cache
def load_french_parameters(
    branch: str | None = None, census: dt.date | None = None, when: dt.date | None = None
) -> FrenchParameters:
    """Read ``<branch>/outcomes/french/`` (and the francization participation).

    Parameters
    ----------
    branch:
        The jurisdiction's parameter branch (``provinces.qc``); default the default base's.
    census:
        Date of the census whose shares calibrate the model (a base's
        ``calibration.french_census``); default the default base's.
    when:
        The base date, at which the other values are read; default the default base's.

    Raises
    ------
    InputError
        A missing file or field, a value missing at the date, or a value out of range,
        naming the file (``parameters/.../outcomes/french/....yaml``), the field
        (``values.DATE.value``) and the value.
    """
    branch, when, manifest = _checks.branch_defaults(branch, when)
    census = manifest.calibration.french_census if census is None else census
    tree = parameters()

    def read(name: str) -> Parameter:
        return _checks.read(tree, f"{branch}.outcomes.{name}")

    admission = _checks.checked_all(read("french.admission_share"))
    worker = read("french.skilled_worker_admission_share")
    worker_entry = _checks.at(worker, when)
    school = read("french.school_acquisition")
    ages = school.metadata.get("school_ages", {})
    if not isinstance(ages, Mapping):
        raise InputError(
            "school_ages must map first and last to ages",
            source=_checks.parameter_file(school.name),
            field="school_ages",
            value=ages,
        )
    total_param = read("french.census_share_total")
    total = _census_value(total_param, census)
    recent_param = read("french.census_share_recent_immigrants")
    recent = _census_value(recent_param, census)
    participation = _checks.checked_all(read("francization.participation"))
    autonomy = read("francization.oral_autonomy_share")
    return FrenchParameters(
        admission_share=admission,
        economic_share=_checks.checked(worker, worker_entry, key="share"),
        reference_years=(
            _checks.year_of(worker, worker_entry, "first_year"),
            _checks.year_of(worker, worker_entry, "last_year"),
        ),
        school_acquisition=_checks.checked(school, _checks.at(school, when)),
        school_ages=(int(ages.get("first", 5)), int(ages.get("last", 15))),
        participation=participation,
        oral_autonomy=_checks.checked(autonomy, _checks.at(autonomy, when)),
        census_total=_checks.checked(total_param, total),
        census_total_year=total.start.year,
        census_recent=_checks.checked(recent_param, recent),
        census_recent_year=recent.start.year,
    )


def _census_value(parameter: Parameter, census: dt.date) -> DatedValue:
    """The value dated exactly at the census (a census share is of its own day)."""
    entry = next((v for v in parameter.values if v.start == census), None)
    if entry is None:
        raise InputError(
            f"needs a value for the census of {census.isoformat()}",
            source=_checks.parameter_file(parameter.name),
            field="values",
            value=census.isoformat(),
        )
    return entry


# --- Admissions by category -------------------------------------------------------------


@cache
def category_admissions(
    jurisdiction: str | None = None, mix_years: tuple[int, int] | None = None
) -> dict[int, tuple[float, ...]]:
    """Published admissions by calendar year and category (:data:`CATEGORIES` order).

    Years that published only a total take the mean category mix of ``mix_years`` (a base's
    ``history.mix_years``, the same assumption as the projection's base split); both default
    to the default base's.
    """
    from immiplan.plans.admissions import history_table
    from immiplan.projection.bases import DEFAULT_BASE, load_manifest

    manifest = load_manifest(DEFAULT_BASE)
    jurisdiction = manifest.jurisdiction if jurisdiction is None else jurisdiction
    first, last = manifest.history.mix_years if mix_years is None else mix_years
    table = history_table(jurisdiction)
    mix_rows = [
        [float(table[y][c] or 0.0) for c in CATEGORIES]
        for y in range(first, last + 1)
        if y in table
    ]
    mix = np.sum(mix_rows, axis=0)
    mix = mix / mix.sum()
    out: dict[int, tuple[float, ...]] = {}
    for year, row in table.items():
        levels = [row[c] for c in CATEGORIES]
        if all(v is not None for v in levels):
            out[year] = tuple(float(v) for v in levels)  # type: ignore[arg-type]
        elif row.get("total") is not None:
            out[year] = tuple(float(row["total"]) * mix)  # type: ignore[arg-type]
    return out


def _step_weights(calendar: Mapping[int, tuple[float, ...]], start_year: int) -> FloatArray:
    """Admissions by category of the step from 1 July ``start_year`` (half of each year)."""
    halves = [calendar[y] for y in (start_year, start_year + 1) if y in calendar]
    if not halves:
        raise InputError("no published admissions for this period", value=start_year)
    return np.asarray(np.mean(halves, axis=0), dtype=float)


def reference_category_shares(
    params: FrenchParameters, calendar: Mapping[int, tuple[float, ...]]
) -> FloatArray:
    """Reference shares knowing French by category, ``(4,)``.

    Economic = the skilled workers' share; family, refugees and other share the value that
    makes the reference years' admissions reproduce the published all-category shares
    (French knowers of the period = Σ share(year) × admissions(year)).
    """
    first, last = params.reference_years
    rows = np.array([calendar[y] for y in range(first, last + 1)], dtype=float)
    totals = rows.sum(axis=1)
    knowers = sum(
        params.admission_share_at(y) * n
        for y, n in zip(range(first, last + 1), totals, strict=True)
    )
    economic = rows[:, 0].sum()
    others = rows[:, 1:].sum()
    rest = (knowers - params.economic_share * economic) / others
    if not 0.0 <= rest <= 1.0:
        raise InputError(
            f"the skilled workers' share {params.economic_share:.3f} cannot be reconciled with "
            f"the all-category shares of {first}–{last} (the other categories would need "
            f"{rest:.3f})",
            field="outcomes.french.skilled_worker_admission_share",
            value=params.economic_share,
        )
    return np.array([params.economic_share, rest, rest, rest])


def split_by_category(
    all_share: FloatArray | float, weights: FloatArray, reference: FloatArray
) -> FloatArray:
    """Shares by category whose weighted mean is ``all_share`` (common logit shift).

    Parameters
    ----------
    all_share:
        All-category share(s) knowing French, scalar or ``(T,)``, each in [0, 1].
    weights:
        Admissions by category, ``(C,)`` or ``(T, C)`` (persons; only proportions matter).
    reference:
        Reference shares by category, ``(C,)``.

    Returns
    -------
    numpy.ndarray
        ``(T, C)`` (or ``(C,)`` for a scalar ``all_share``): ``expit(logit(reference) + δ_t)``
        with ``δ_t`` found by bisection (monotone in ``δ``) to within 1e-12.
    """
    scalar = np.ndim(all_share) == 0
    target = _checks.share_array(np.atleast_1d(all_share), "french_knowledge_target")
    ref = np.clip(_checks.share_array(reference, "reference shares"), 1e-9, 1.0 - 1e-9)
    w = np.asarray(weights, dtype=float)
    w = np.broadcast_to(w, (target.size, ref.size))
    if np.any(w < 0.0) or np.any(w.sum(axis=1) <= 0.0):
        raise InputError("category weights must be non-negative and not all zero", field="weights")
    w = w / w.sum(axis=1, keepdims=True)
    base = np.log(ref / (1.0 - ref))
    lo = np.full(target.size, -_LOGIT_BOUND)
    hi = np.full(target.size, _LOGIT_BOUND)
    # Vectorised bisection: the weighted mean rises strictly with δ.
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        mean = np.sum(w / (1.0 + np.exp(-(base + mid[:, None]))), axis=1)
        above = mean > target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    delta = 0.5 * (lo + hi)
    out = 1.0 / (1.0 + np.exp(-(base[None, :] + delta[:, None])))
    out = np.where(target[:, None] <= 0.0, 0.0, np.where(target[:, None] >= 1.0, 1.0, out))
    return out[0] if scalar else out


# --- Calibration --------------------------------------------------------------------------


@dataclass(frozen=True)
class FrenchCalibration:
    """The two calibrated values and the fit they give.

    Attributes
    ----------
    first_year:
        ``φ``, probability of acquiring French during the first year after landing (all
        ages; combined with the francization route for adults).
    recent_target, recent_fit:
        Census share of recent immigrants knowing French and the share ``φ`` reproduces.
    recent_entry:
        Admissions-weighted entry share of those recent immigrants (before acquisition).
    non_immigrant:
        ``L``, share of non-immigrants (ages 1+, and newborns by home language) knowing
        French; set in :meth:`FrenchModel.base_population`.
    """

    first_year: float
    recent_target: float
    recent_fit: float
    recent_entry: float
    iterations: int


def _transition_by_duration(
    params: FrenchParameters,
    first_year: float,
    participation: float | FloatArray,
    n_durations: int,
) -> FloatArray:
    """Immigrants' yearly acquisition probability by duration and age, ``(D, A)``; with a
    participation by year ``(T,)``, ``(T, D, A)``."""
    ages = np.arange(N_AGES)
    part = np.asarray(participation, dtype=float)[..., None]  # ([T,] 1)
    course = np.where(ages >= ADULT_AGE, part * params.oral_autonomy, 0.0)  # ([T,] A)
    out = np.zeros((*part.shape[:-1], n_durations, N_AGES))
    out[..., 0, :] = 1.0 - (1.0 - first_year) * (1.0 - course)
    first, last = params.school_ages
    school = (ages >= first) & (ages <= last)
    out[..., school] = 1.0 - (1.0 - out[..., school]) * (1.0 - params.school_acquisition)
    return out


def _remaining(trans: FloatArray, duration: int) -> FloatArray:
    """Share still unable after ``duration`` transitions, by age on arrival at duration 0.

    ``trans`` is ``(D, A)``; a person at duration 0 and age ``a`` on 1 July is at duration
    ``j`` and age ``a + j`` ``j`` years later. Returns ``(A,)`` indexed by the age at
    duration 0 (ages past 100 stay at 100).
    """
    ages = np.arange(N_AGES)
    out = np.ones(N_AGES)
    for j in range(duration):
        out *= 1.0 - trans[min(j, trans.shape[0] - 1), np.minimum(ages + j, N_AGES - 1)]
    return out


def _recent_share(
    params: FrenchParameters,
    first_year: float,
    calendar: Mapping[int, tuple[float, ...]],
    profiles: FloatArray,
    reference: FloatArray,
) -> tuple[float, float]:
    """Share of recent immigrants knowing French at the census date, and their entry share.

    Cohorts of the five steps before 1 July of the census year (durations 0..4), weighted by
    their admissions by category and age-sex profile (mortality and departures aside).
    """
    census = params.census_recent_year
    known = 0.0
    entry_known = 0.0
    total = 0.0
    for d in range(RECENT_DURATIONS):
        start = census - 1 - d  # the step from 1 July `start` lands at duration 0 on 1 July start+1
        weights = _step_weights(calendar, start)
        year = start + 1
        entry = split_by_category(params.admission_share_at(year), weights, reference)
        trans = _transition_by_duration(params, first_year, params.participation_at(year), d + 1)
        left = _remaining(trans, d)  # by age at duration 0 (= age at landing + 1)
        # profiles[c, x, a']: age a' at the start of the landing step -> a' + 1 at duration 0.
        cohort = weights[:, None, None] * profiles  # (C, X, A)
        at0 = np.zeros_like(cohort)
        at0[..., 1:] = cohort[..., :-1]
        at0[..., -1] += cohort[..., -1]
        unable = (1.0 - entry)[:, None, None] * left[None, None, :]
        known += float(np.sum(at0 * (1.0 - unable)))
        entry_known += float(np.sum(at0 * entry[:, None, None]))
        total += float(at0.sum())
    return known / total, entry_known / total


def calibrate_french(
    params: FrenchParameters,
    profiles: FloatArray,
    calendar: Mapping[int, tuple[float, ...]] | None = None,
) -> FrenchCalibration:
    """Solve the first-year acquisition ``φ`` for the census share of recent immigrants.

    Parameters
    ----------
    params:
        French parameters.
    profiles:
        Age-sex profile of each category's admissions, ``(4, X, 101)`` (each sums to 1;
        age on 1 July at the start of the landing step).
    calendar:
        Admissions by calendar year and category; default :func:`category_admissions`.

    Returns
    -------
    FrenchCalibration
        ``φ`` from :func:`scipy.optimize.brentq` on [0, 1] (to 1e-12).
    """
    cal = category_admissions() if calendar is None else calendar
    reference = reference_category_shares(params, cal)
    prof = np.asarray(profiles, dtype=float)

    def gap(phi: float) -> float:
        return _recent_share(params, phi, cal, prof, reference)[0] - params.census_recent

    low, high = gap(0.0), gap(1.0)
    if low > 0.0 or high < 0.0:
        raise InputError(
            f"no first-year acquisition in [0, 1] reproduces {params.census_recent:.3f} "
            f"(it spans {low + params.census_recent:.3f}–{high + params.census_recent:.3f})",
            field="outcomes.french.census_share_recent_immigrants",
            value=params.census_recent,
        )
    phi, info = optimize.brentq(gap, 0.0, 1.0, xtol=1e-12, full_output=True)
    fit, entry = _recent_share(params, float(phi), cal, prof, reference)
    return FrenchCalibration(
        first_year=float(phi),
        recent_target=params.census_recent,
        recent_fit=fit,
        recent_entry=entry,
        iterations=int(info.iterations),
    )


# --- The model: engine arrays ---------------------------------------------------------------


@dataclass(frozen=True)
class BaseFit:
    """How the base population's French split was made and what it gives (1 July, base year).

    Attributes
    ----------
    non_immigrant:
        ``L``, solved so that :attr:`total` equals the census target.
    total, immigrants, recent_immigrants, npr:
        Shares knowing French (whole population with age 0 counted the census way;
        immigrants; immigrants landed under 5 years; non-permanent residents).
    old_entry:
        Entry share assumed for immigrants landed ten years or more before.
    """

    non_immigrant: float
    total: float
    immigrants: float
    recent_immigrants: float
    npr: float
    old_entry: float


@dataclass(frozen=True)
class FrenchModel:
    """Parameters + calibration → the engine's French arrays for one base year.

    Build it with :meth:`build`. Every method returns NumPy arrays in the engine's layout.
    """

    params: FrenchParameters
    calibration: FrenchCalibration
    reference: FloatArray
    calendar: Mapping[int, tuple[float, ...]] = field(repr=False)
    non_immigrant: float = float("nan")

    @classmethod
    def build(
        cls,
        profiles: FloatArray,
        params: FrenchParameters | None = None,
        calendar: Mapping[int, tuple[float, ...]] | None = None,
    ) -> FrenchModel:
        """Calibrate ``φ`` (the base-year ``L`` is set by :meth:`base_population`)."""
        p = load_french_parameters() if params is None else params
        cal = category_admissions() if calendar is None else calendar
        return cls(
            params=p,
            calibration=calibrate_french(p, profiles, cal),
            reference=reference_category_shares(p, cal),
            calendar=cal,
        )

    # Entry ---------------------------------------------------------------------------------

    def all_category_shares(
        self, base_year: int, steps: int, targets: Mapping[int, float] | None = None
    ) -> FloatArray:
        """All-category admission share of each step, ``(T,)``.

        Step ``i`` (1 July ``base_year + i`` to 1 July next) takes calendar year
        ``base_year + i + 1``: the plan's target for that year when given, else the plan's
        last earlier target (a plan's policy is taken to persist), else the published share.
        """
        out = np.empty(steps)
        given = {} if targets is None else dict(targets)
        for year, value in given.items():
            _checks.share(value, f"french_knowledge_target ({year})")
        known = sorted(given)
        for i in range(steps):
            year = base_year + i + 1
            earlier = [y for y in known if y <= year]
            out[i] = given[earlier[-1]] if earlier else self.params.admission_share_at(year)
        return out

    def entry_shares(self, all_shares: FloatArray, weights: FloatArray) -> FloatArray:
        """Shares knowing French by step and category, ``(T, C)``; see :func:`split_by_category`."""
        return np.atleast_2d(
            split_by_category(np.asarray(all_shares, float), weights, self.reference)
        )

    @staticmethod
    def entry_traits(entry: FloatArray, n_sexes: int = 2) -> FloatArray:
        """Engine ``entry_traits``: ``entry`` (``(..., C)``) → ``(..., C, X, A, 2)``."""
        e = _checks.share_array(entry, "entry shares")
        out = np.empty((*e.shape, n_sexes, N_AGES, N_TRAITS))
        out[..., CAN] = e[..., None, None]
        out[..., CANNOT] = 1.0 - out[..., CAN]
        return out

    def npr_share(self, base_year: int) -> float:
        """Share of non-permanent residents knowing French: the base year's admission share."""
        return self.params.admission_share_at(base_year)

    def npr_traits(self, base_year: int, n_sexes: int = 2) -> FloatArray:
        """Engine ``npr_entry_traits``, ``(X, A, 2)`` (assumption: as the admissions)."""
        share = self.npr_share(base_year)
        out = np.empty((n_sexes, N_AGES, N_TRAITS))
        out[..., CAN] = share
        out[..., CANNOT] = 1.0 - share
        return out

    # Transitions ---------------------------------------------------------------------------

    def transition(
        self, space: StateSpace, base_year: int, steps: int, non_immigrant: float | None = None
    ) -> FloatArray:
        """Engine ``trait_transition``: ``(T, S, 1, X, A)`` yearly probabilities.

        Immigrant states follow :func:`_transition_by_duration` with the participation of
        the admission year of the cohort at duration 0 (calendar year ``base_year + i``);
        the non-immigrant state moves ``L`` of age 0 to "can"; other states do not move.
        """
        level = self._level(non_immigrant)
        n_d = space.n_durations
        out = np.zeros((steps, space.n_states, 1, space.n_sexes, N_AGES))
        if "non_immigrant" in (*space.leading, *space.trailing):
            out[:, space.state("non_immigrant"), 0, :, 0] = level
        blk = space.block
        participation = np.array(
            [self.params.participation_at(base_year + i) for i in range(steps)]
        )
        trans = _transition_by_duration(
            self.params, self.calibration.first_year, participation, n_d
        )  # (T, D, A), the same for every category, trait row and sex
        block = out[:, blk].reshape(steps, len(space.categories), n_d, 1, space.n_sexes, N_AGES)
        block[...] = trans[:, None, :, None, None, :]
        out[:, blk] = block.reshape(steps, -1, 1, space.n_sexes, N_AGES)
        return out

    def _level(self, non_immigrant: float | None) -> float:
        value = self.non_immigrant if non_immigrant is None else non_immigrant
        if not np.isfinite(value):
            raise InputError(
                "the non-immigrant share is set by base_population(); call it first or pass one",
                field="non_immigrant",
            )
        return _checks.share(value, "non_immigrant")

    # Base population --------------------------------------------------------------------------

    def old_entry_share(self, base_year: int) -> float:
        """Entry share of immigrants landed ten years or more before the base (assumption).

        The mean of the published all-category values dated up to ``base_year − 10``.
        """
        limit = base_year - 10
        values = [
            float(v.value)
            for v in self.params.admission_share.values
            if v.value is not None and v.start.year <= limit
        ]
        if not values:
            raise InputError(
                f"no published admission share up to {limit} for the 10+ group",
                field="outcomes.french.admission_share",
            )
        return float(np.mean(values))

    def _reference_mix(self) -> FloatArray:
        """Admissions by category summed over the reference years (2010–2014)."""
        first, last = self.params.reference_years
        return np.sum([self.calendar[y] for y in range(first, last + 1)], axis=0)

    def base_shares(self, space: StateSpace, base_year: int) -> FloatArray:
        """Share knowing French of every immigrant and NPR cell, ``(S, X, A)`` (NaN elsewhere).

        Duration ``d`` on 1 July ``base_year``: landed in the step starting 1 July
        ``base_year − d − 1`` (calendar year ``base_year − d``), entry share split by that
        step's category mix, then ``d`` yearly transitions at ages ``a − d .. a − 1``. The
        open group (10+) lands with :meth:`old_entry_share` split by the reference years'
        mix, then ten transitions (none after ten years).
        """
        n_d = space.n_durations
        out = np.full((space.n_states, space.n_sexes, N_AGES), np.nan)
        ages = np.arange(N_AGES)
        blk = space.block.start
        open_group = n_d - 1 if n_d > 1 else None
        # Landing year, all-category share and category mix of every duration's cohort.
        years = [base_year - d for d in range(n_d)]
        shares = [
            self.old_entry_share(base_year)
            if d == open_group
            else self.params.admission_share_at(y)
            for d, y in enumerate(years)
        ]
        mixes = [
            self._reference_mix() if d == open_group else _step_weights(self.calendar, y - 1)
            for d, y in enumerate(years)
        ]
        entry = np.atleast_2d(split_by_category(np.array(shares), np.array(mixes), self.reference))
        for d, year in enumerate(years):
            trans = _transition_by_duration(
                self.params, self.calibration.first_year, self.params.participation_at(year), n_d
            )
            left = _remaining(trans, d)[np.clip(ages - d, 0, N_AGES - 1)]  # by age now
            states = blk + np.arange(len(space.categories)) * n_d + d
            out[states] = (1.0 - (1.0 - entry[d][:, None]) * left[None, :])[:, None, :]
        if "npr" in space.groups:
            out[space.state("npr")] = self.npr_share(base_year)
        return out

    def base_population(
        self, population: FloatArray, space: StateSpace, base_year: int
    ) -> tuple[FloatArray, BaseFit, FrenchModel]:
        """Split a base population ``(S, X, A)`` into ``(S, 2, X, A)``; solve ``L``.

        ``L`` is linear in the census share, so it is solved exactly:
        ``L = (target·N − known_others) / N_non_immigrant``.

        Returns
        -------
        tuple
            The split population, the fit, and this model with ``L`` set.
        """
        pop = np.asarray(population, dtype=float)
        shares = self.base_shares(space, base_year)
        known_others = np.nansum(pop * shares)
        ni = space.state("non_immigrant")
        non_imm = pop[ni].sum()
        level = (self.params.census_total * pop.sum() - known_others) / non_imm
        if not 0.0 <= level <= 1.0:
            raise InputError(
                f"the census share {self.params.census_total:.3f} needs a non-immigrant share of "
                f"{level:.3f}, outside [0, 1]",
                field="outcomes.french.census_share_total",
                value=self.params.census_total,
            )
        shares[ni] = level
        shares[ni, :, 0] = 0.0  # newborns enter "cannot"; counted at L by known_french
        split = np.empty((pop.shape[0], N_TRAITS, *pop.shape[1:]))
        split[:, CAN] = pop * shares
        split[:, CANNOT] = pop - split[:, CAN]
        model = FrenchModel(self.params, self.calibration, self.reference, self.calendar, level)
        imm = space.block
        recent = [
            space.block.start + c * space.n_durations + d
            for c in range(len(space.categories))
            for d in range(RECENT_DURATIONS)
        ]
        npr = space.state("npr") if "npr" in space.groups else None
        fit = BaseFit(
            non_immigrant=level,
            total=float(known_french(split[None], space, level).sum() / pop.sum()),
            immigrants=float(split[imm, CAN].sum() / pop[imm].sum()),
            recent_immigrants=float(split[recent, CAN].sum() / pop[recent].sum()),
            npr=float(split[npr, CAN].sum() / pop[npr].sum()) if npr is not None else float("nan"),
            old_entry=self.old_entry_share(base_year),
        )
        return split, fit, model


def known_french(population: FloatArray, space: StateSpace, non_immigrant: float) -> FloatArray:
    """Persons knowing French by year and state, the census way, ``(Y, S)``.

    ``population`` is ``(Y, S, 2, X, A)``. Age-0 non-immigrants are counted at the share
    ``non_immigrant`` (the census counts a child too young to speak by the language learned
    at home; the engine moves them at their first birthday).
    """
    pop = np.asarray(population, dtype=float)
    known = pop[:, :, CAN].sum(axis=(2, 3))
    if "non_immigrant" in space.groups:
        ni = space.state("non_immigrant")
        known[:, ni] += non_immigrant * pop[:, ni, CANNOT, :, 0].sum(axis=1)
    return np.asarray(known, dtype=float)
