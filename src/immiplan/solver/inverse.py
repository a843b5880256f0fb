"""The inverse planner: the admissions that meet targets, by a linear programme.

1. Build the context (the assumptions, once per base) and the decision (what moves).
2. Linearise: impulse responses of every primitive count to every variable
   (:mod:`immiplan.solver.responses`).
3. Compile the targets into linear rows: a count ``Σ c·ind OP Σ c·ind`` is affine in ``z``;
   a ratio ``s·num/den OP x`` is ``num − (x/s)·den OP 0``.
4. Solve with :func:`scipy.optimize.linprog` (HiGHS): the least (or most) admissions within
   the bounds, the yearly change bound and the targets. A single constant level is a
   one-variable programme: the root of its binding row.
5. Project forward at the answer. Where the affine model missed (a cap that binds at the
   answer and not at the point of linearisation: transitions from the NPR stock), linearise
   again at the answer and solve again, until the forward run matches.
6. Verify with the projection's and the outcomes' own indicator code; report which targets
   bind, their shadow prices, or, when no level within the bounds meets them, the closest
   achievable value and the level that reaches it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import linprog

from immiplan.errors import InputError
from immiplan.outcomes.indicators import OutcomeArrays, OutcomeModels, outcome_indicators
from immiplan.projection.engine import ProjectionOutputs, project
from immiplan.projection.indicators import indicator_table
from immiplan.projection.state import CATEGORIES
from immiplan.solver.context import Context, build_context
from immiplan.solver.decision import Decision, Shape, build_decision
from immiplan.solver.indicators import INDICATORS, PRIMITIVES, Indicator, official_values
from immiplan.solver.responses import Linearisation, linearise, unit_admissions
from immiplan.solver.targets import Target, Term, parse_target
from immiplan.system.regimes import regime as get_regime

FloatArray = NDArray[np.float64]
Objective = Literal["min-total", "max-total", "min-each-year"]
OBJECTIVES = ("min-total", "max-total", "min-each-year")
"""``min-total``: the fewest admissions over the decision years; ``max-total``: the most;
``min-each-year``: the fewest in the first year, then in the next, and so on (the UN's
"minimal replacement migration", year after year), a sequence of linear programmes."""

__all__ = ["Solution", "TargetResult", "Verification", "solve", "solve_decision"]

FULL_RELINEARISATION = 4
"""Up to this many variables, a cap that changes state triggers new impulse responses."""
MAX_CHORDS = 3
"""Chord steps (re-anchored model, same responses) before new impulse responses."""
MAX_ITERATIONS = 12
"""Linearisations at most (the affine model is exact between caps; a few suffice)."""
AFFINE_TOLERANCE = 1e-9
"""Largest relative gap between the affine prediction of a target's terms and the forward
run that counts as a match."""
HOLD_TOLERANCE = 1e-7
"""Relative slack with which a target counts as met in the forward run (LP tolerances)."""

_INDEX = {name: i for i, name in enumerate(PRIMITIVES)}


@dataclass(frozen=True)
class _Row:
    """One linear row ``a·z  sense  b`` of a target in one year."""

    target: int
    year: int | None
    a: FloatArray
    b: float
    sense: str
    norm: float
    ratio: tuple[Indicator, int, float] | None = None  # (indicator, year, threshold)


@dataclass(frozen=True)
class TargetResult:
    """How one target stands at the answer.

    Attributes
    ----------
    text:
        The target as written.
    holds:
        Whether it holds in the forward projection at the answer.
    binding_years:
        Years where it binds (a positive shadow price).
    shadow_price:
        Objective change (admissions in total over the decision years) per ``shadow_unit``
        of tightening in every binding year, or ``None``.
    shadow_unit:
        The unit of tightening, in words.
    worst_year:
        The year where the target has the least margin.
    value, required:
        The indicator side and the other side in that year (forward projection).
    words:
        A plain-language sentence.
    """

    text: str
    holds: bool
    binding_years: tuple[int, ...]
    shadow_price: float | None
    shadow_unit: str
    worst_year: int | None
    value: float
    required: float
    words: str
    words_fr: str = ""

    def words_in(self, lang: str = "en") -> str:
        """The sentence in ``lang`` (``en`` or ``fr``)."""
        return self.words_fr if lang == "fr" and self.words_fr else self.words


@dataclass(frozen=True)
class Verification:
    """The forward check of the answer.

    ``max_relative_error``: largest gap between the linear programme's prediction of a
    target's terms and the forward projection (the outcomes' own code), relative;
    ``iterations``: linear programmes solved (each checked by a forward run);
    ``linearisations``: sets of impulse responses built; ``capped``: projection steps where
    transitions from the NPR stock were capped by the stock (at some ages) at the answer;
    ``engine_runs``: projections run in all.
    """

    max_relative_error: float
    iterations: int
    linearisations: int
    capped: tuple[int, ...]
    engine_runs: int


@dataclass(frozen=True)
class Solution:
    """The answer of a solve (see :func:`solve`).

    Attributes
    ----------
    status:
        ``met`` (every target holds) or ``infeasible`` (no level within the bounds meets
        them; the answer is then the closest achievable).
    variables:
        The decision variables ``z``.
    levels:
        One row per decision year: ``controlled`` (the province's part), ``total`` and
        each category.
    indicators:
        One row per year of every indicator at the answer (forward projection).
    targets:
        One :class:`TargetResult` per target.
    verification:
        The forward check.
    """

    status: Literal["met", "infeasible"]
    context: Context
    decision: Decision
    target_list: tuple[Target, ...]
    objective: Objective
    variables: FloatArray
    levels: pd.DataFrame
    indicators: pd.DataFrame
    targets: tuple[TargetResult, ...]
    verification: Verification
    outputs: ProjectionOutputs = field(repr=False)

    @property
    def feasible(self) -> bool:
        """Whether every target is met."""
        return self.status == "met"

    @property
    def constant_level(self) -> float | None:
        """The province's yearly level for a constant shape with a given mix."""
        if self.decision.shape == "constant":
            return float(self.levels["controlled"].iloc[0])
        return None

    def summary(self, lang: str = "en") -> list[str]:
        """The answer in plain words, one sentence a line, in ``lang`` (``en`` or ``fr``)."""
        fr = lang == "fr"
        d = self.decision

        def n(value: float) -> str:
            return _num(value, lang)

        lines = []
        span = f"{int(d.years[0])}–{int(d.years[-1])}"
        cats = ", ".join(d.controlled)
        who = (
            f"les catégories de la province sous {d.regime.name} ({cats})"
            if fr
            else f"the province's categories under {d.regime.name} ({cats})"
        )
        closest = self.status == "infeasible"
        if closest:
            lines.append(
                f"Aucun niveau pour {who} dans les bornes ({n(d.lower)} à {n(d.upper)} par "
                f"année) ne respecte toutes les cibles sur {span}."
                if fr
                else f"No level of {who} within the bounds ({n(d.lower)}–{n(d.upper)} a year) "
                f"meets every target over {span}."
            )
        if fr:
            verb = "s'en approche le plus" if closest else "respecte toutes les cibles"
        else:
            verb = "comes closest" if closest else "meets every target"
        if d.shape == "constant":
            level = float(self.levels["controlled"].iloc[0])
            total = self.levels["total"]
            low, high = float(total.min()), float(total.max())
            spread = (
                n(low)
                if round(low) == round(high)
                else (f"{n(low)} à {n(high)}" if fr else f"{n(low)}–{n(high)}")
            )
            lines.append(
                f"Un niveau constant de {n(level)} par année pour {who} {verb} ({spread} "
                f"admissions par année avec les catégories d'Ottawa), {span}."
                if fr
                else f"A constant {n(level)} a year for {who} {verb} ({spread} admissions a year "
                f"with Ottawa's categories), {span}."
            )
        else:
            c = self.levels["controlled"]
            lines.append(
                f"Une trajectoire de {n(c.min())} à {n(c.max())} par année pour {who} {verb} : "
                f"{n(c.sum())} au total sur {span} (moyenne {n(c.mean())})."
                if fr
                else f"A path of {n(c.min())}–{n(c.max())} a year for {who} {verb}: "
                f"{n(c.sum())} in all over {span} (mean {n(c.mean())})."
            )
        for result in self.targets:
            lines.append(result.words_in(lang))
        v = self.verification
        error = f"{v.max_relative_error:.1e}"
        if fr:
            check = (
                "Vérifié par une projection complète : les valeurs du programme linéaire "
                f"concordent avec elle à {error} près (en relatif)"
                + (
                    "."
                    if v.max_relative_error <= 1e-6
                    else " seulement : le modèle affine n'a pas convergé; la réponse est "
                    "approximative."
                )
                + (
                    " Les transitions depuis les résidents non permanents sont plafonnées par "
                    "leur effectif à certains âges, et le plafond a bougé entre la première "
                    "estimation et la réponse : le modèle affine a été reconstruit à la réponse "
                    f"({v.iterations} programmes résolus)."
                    if v.iterations > 1
                    else ""
                )
            )
        else:
            check = (
                "Checked by a full forward projection: the linear programme's values agree with "
                f"it to {error} (relative)"
                + (
                    "."
                    if v.max_relative_error <= 1e-6
                    else " only: the affine model did not converge; treat the answer as "
                    "approximate."
                )
                + (
                    " Transitions from the NPR stock are capped by the stock at some ages, and "
                    "the cap moved between the first guess and the answer: the affine model was "
                    f"rebuilt at the answer ({v.iterations} programmes solved)."
                    if v.iterations > 1
                    else ""
                )
            )
        lines.append(check)
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly answer."""
        return {
            "status": self.status,
            "context": self.context.metadata(),
            "regime": self.decision.regime.name,
            "shape": self.decision.shape,
            "mix": self.decision.mix_source,
            "objective": self.objective,
            "bounds": [self.decision.lower, self.decision.upper],
            "levels": self.levels.to_dict(orient="records"),
            "targets": [
                {
                    "target": t.text,
                    "holds": t.holds,
                    "binding_years": list(t.binding_years),
                    "shadow_price": t.shadow_price,
                    "shadow_unit": t.shadow_unit,
                    "worst_year": t.worst_year,
                    "value": t.value,
                    "required": t.required,
                    "words": t.words,
                    "words_fr": t.words_fr,
                }
                for t in self.targets
            ],
            "verification": {
                "max_relative_error": self.verification.max_relative_error,
                "iterations": self.verification.iterations,
                "linearisations": self.verification.linearisations,
                "npr_capped_years": list(self.verification.capped),
                "engine_runs": self.verification.engine_runs,
            },
            "summary": self.summary(),
            "summary_fr": self.summary("fr"),
        }


# --- Targets into rows ------------------------------------------------------------------


def _affine(
    lin: Linearisation, ind: Indicator, part: tuple[str, ...], yi: int
) -> tuple[float, FloatArray]:
    """A sum of primitives at year index ``yi``: value at ``z0`` and response ``(n,)``."""
    rows = [_INDEX[p] for p in part]
    return float(lin.base[rows, yi].sum()), np.asarray(lin.responses[:, rows, yi].sum(axis=1))


def _value_at(values: dict[str, pd.Series], name: str, year: int) -> float:
    series = values[name]
    if year not in series.index:
        return float("nan")
    return float(series.loc[year])


def _check_years(target: Target, context: Context, field: str) -> None:
    for term in target.terms:
        years = (
            [term.when]
            if isinstance(term.when, int)
            else list(term.when)
            if isinstance(term.when, tuple)
            else []
        )
        term_flow = bool(term.indicator and INDICATORS[term.indicator].flow)
        top = context.horizon - 1 if term_flow else context.horizon
        for y in years:
            if not context.first_year <= y <= top:
                raise InputError(
                    f"year {y} lies outside the base year {context.first_year} and the horizon "
                    f"{top}" + (" (flows end a year before the horizon)" if term_flow else ""),
                    field=field,
                    value=target.text,
                )


class _Compiler:
    def __init__(
        self, context: Context, decision: Decision, targets: Sequence[Target], fields: Sequence[str]
    ) -> None:
        self.context = context
        self.decision = decision
        self.targets = list(targets)
        self.fields = list(fields)
        self.window = (int(decision.years[0]), context.horizon)
        for t, f in zip(targets, fields, strict=True):
            _check_years(t, context, f)
        self._zero: dict[str, pd.Series] | None = None
        self._zero_peaks: dict[str, float] = {}
        self.zero_runs = 0
        self.years = [self._years(t) for t in targets]

    def _years(self, target: Target) -> list[int | None]:
        """The years a target holds in: its window, from the year its reference peaks."""
        if not target.each_year:
            return [None]
        flow = any(t.indicator and INDICATORS[t.indicator].flow for t in target.terms)
        first, last = target.window or self.window
        last = min(last, self.context.horizon - 1 if flow else self.context.horizon)
        for term in target.terms:
            if term.when == "max_without_immigration" and term.indicator:
                # The reference level is kept from the year it is reached (UN III, IV, VI).
                first = max(first, self.peak_year(term.indicator))
        return list(range(first, last + 1))

    def peak_year(self, name: str) -> int:
        """The year the no-admission projection reaches its highest ``name``."""
        series = self.zero_values()[name].loc[self.context.first_year : self.context.horizon]
        return int(series.index[int(np.argmax(series.to_numpy()))])

    def zero_peak(self, name: str) -> float:
        """The highest ``name`` of the no-admission projection over the years projected
        (``max_without_immigration``), read once per indicator: every row and year of a
        target compares with it."""
        if name not in self._zero_peaks:
            series = self.zero_values()[name]
            lo, hi = self.context.first_year, self.context.horizon
            self._zero_peaks[name] = float(series.loc[lo:hi].max())
        return self._zero_peaks[name]

    def zero_values(self) -> dict[str, pd.Series]:
        """Indicators of the projection with no admissions from the first decision year."""
        if self._zero is None:
            ctx = self.context
            key = ("without immigration", tuple(int(y) for y in self.decision.years))
            if key not in ctx.memo:
                calendar = {y: v.copy() for y, v in ctx.levels.items()}
                for y in self.decision.years:
                    calendar[int(y)] = np.zeros_like(calendar[int(y)])
                outputs = project(ctx.with_immigrants(ctx.immigrants(calendar)))
                ctx.memo[key] = forward_values(ctx, outputs)
                self.zero_runs += 1
            self._zero = ctx.memo[key]
        return self._zero

    def term_year(self, term: Term, year: int | None) -> int:
        if term.when == "each" or isinstance(term.when, tuple):
            assert year is not None
            return year
        if term.when == "base":
            return self.context.first_year
        assert isinstance(term.when, int)
        return term.when

    def constant_of(
        self, term: Term, year: int | None, lin: Linearisation, field: str, text: str
    ) -> float:
        """The value of a term the plan must not move (a number, a base-year level)."""
        if term.indicator is None:
            return term.coefficient
        ind = INDICATORS[term.indicator]
        if term.when == "max_without_immigration":
            return term.coefficient * self.zero_peak(ind.name)
        y = self.term_year(term, year)
        yi = y - self.context.first_year
        num, dnum = _affine(lin, ind, ind.numerator, yi)
        if ind.ratio:
            den, dden = _affine(lin, ind, ind.denominator, yi)
            value = ind.scale * num / den
            slope = ind.scale * (dnum - value / ind.scale * dden) / den
        else:
            value, slope = ind.scale * num, ind.scale * dnum
        if np.abs(slope).max(initial=0.0) * UNIT_CHECK > 1e-9 * max(abs(value), 1e-12):
            raise InputError(
                f"{ind.name}[{y}] moves with the plan: a ratio can only be compared with "
                "numbers or levels the plan does not move (the base year, "
                "max_without_immigration(...))",
                field=field,
                value=text,
            )
        return term.coefficient * value

    def rows(self, lin: Linearisation) -> list[_Row]:
        out: list[_Row] = []
        z0 = lin.z0
        for k, (target, where) in enumerate(zip(self.targets, self.fields, strict=True)):
            ratio_side = None
            for side_name, side in (("lhs", target.lhs), ("rhs", target.rhs)):
                if len(side) == 1 and side[0].indicator and INDICATORS[side[0].indicator].ratio:
                    other = target.rhs if side_name == "lhs" else target.lhs
                    movable = side[0].when == "each" or isinstance(side[0].when, tuple)
                    if ratio_side is None or movable:
                        ratio_side = (side_name, side[0], other)
            for year in self.years[k]:
                if ratio_side is not None:
                    out.append(self._ratio_row(k, target, where, year, ratio_side, lin))
                    continue
                const = 0.0
                size = 0.0
                a = np.zeros(self.decision.n)
                for sign, side in ((1.0, target.lhs), (-1.0, target.rhs)):
                    for term in side:
                        if term.indicator is None:
                            const += sign * term.coefficient
                            size += abs(term.coefficient)
                            continue
                        if term.when == "max_without_immigration":
                            value = self.constant_of(term, year, lin, where, target.text)
                            const += sign * value
                            size += abs(value)
                            continue
                        ind = INDICATORS[term.indicator]
                        yi = self.term_year(term, year) - self.context.first_year
                        value, slope = _affine(lin, ind, ind.numerator, yi)
                        const += sign * term.coefficient * ind.scale * value
                        size += abs(term.coefficient * ind.scale * value)
                        a += sign * term.coefficient * ind.scale * slope
                # lhs − rhs = const + a·(z − z0)  OP 0   ⇔   a·z  OP  a·z0 − const
                b = float(a @ z0 - const)
                # Rows are scaled by the size of their terms: shortfalls become relative.
                norm = max(0.5 * size, 1.0)
                out.append(_Row(k, year, a, b, target.operator, norm))
        return out

    def _ratio_row(
        self,
        k: int,
        target: Target,
        field: str,
        year: int | None,
        ratio_side: tuple[str, Term, tuple[Term, ...]],
        lin: Linearisation,
    ) -> _Row:
        side_name, term, other = ratio_side
        ind = INDICATORS[term.indicator or ""]
        threshold = sum(self.constant_of(t, year, lin, field, target.text) for t in other)
        threshold /= term.coefficient
        sense = target.operator
        if term.coefficient < 0 and sense != "==":
            sense = "<=" if sense == ">=" else ">="
        if side_name == "rhs" and sense != "==":
            sense = "<=" if sense == ">=" else ">="
        y = self.term_year(term, year)
        yi = y - self.context.first_year
        num, dnum = _affine(lin, ind, ind.numerator, yi)
        den, dden = _affine(lin, ind, ind.denominator, yi)
        x = threshold / ind.scale
        # num − x·den  sense  0, with both affine in z
        a = dnum - x * dden
        const = num - x * den
        b = float(a @ lin.z0 - const)
        return _Row(k, y, a, b, sense, max(den, 1.0), (ind, y, threshold))


UNIT_CHECK = 1000.0
"""Admissions over which a level 'the plan does not move' must stay put (to 1e-9)."""


# --- The linear programme ---------------------------------------------------------------


def _structure(
    decision: Decision,
) -> tuple[list[FloatArray], list[float], list[tuple[float, float]]]:
    """Rows ``A z ≤ b`` for the bounds on yearly totals and changes; variable bounds."""
    tm = decision.totals  # (D, n)
    rows: list[FloatArray] = []
    rhs: list[float] = []
    for d in range(tm.shape[0]):
        rows += [tm[d], -tm[d]]
        rhs += [decision.upper, -decision.lower]
    if decision.max_change is not None:
        delta = decision.max_change
        first = tm[0]
        rows += [first, -first]
        rhs += [decision.previous + delta, delta - decision.previous]
        for d in range(1, tm.shape[0]):
            step = tm[d] - tm[d - 1]
            rows += [step, -step]
            rhs += [delta, delta]
    var_bounds: list[tuple[float, float]] = []
    for name in decision.names:
        category = name.split(":")[-1]
        low, high = decision.category_bounds.get(category, (0.0, np.inf))
        var_bounds.append((low, high))
    return rows, rhs, var_bounds


def _split(rows: list[_Row]) -> tuple[list[int], list[int]]:
    ineq = [i for i, r in enumerate(rows) if r.sense != "=="]
    eq = [i for i, r in enumerate(rows) if r.sense == "=="]
    return ineq, eq


def _lp(decision: Decision, rows: list[_Row], objective: Objective) -> Any:
    s_rows, s_rhs, var_bounds = _structure(decision)
    ineq, eq = _split(rows)
    a_ub = [(-rows[i].a if rows[i].sense == ">=" else rows[i].a) / rows[i].norm for i in ineq]
    b_ub = [(-rows[i].b if rows[i].sense == ">=" else rows[i].b) / rows[i].norm for i in ineq]
    a_ub += s_rows
    b_ub += s_rhs
    problem = {
        "A_ub": np.array(a_ub) if a_ub else None,
        "b_ub": np.array(b_ub) if b_ub else None,
        "A_eq": np.array([rows[i].a / rows[i].norm for i in eq]) if eq else None,
        "b_eq": np.array([rows[i].b / rows[i].norm for i in eq]) if eq else None,
        "method": "highs",
    }
    cost = decision.totals.sum(axis=0)
    if objective != "min-each-year" or decision.shape == "constant":
        c = -cost if objective == "max-total" else cost
        return linprog(c, bounds=var_bounds, **problem)
    # Year after year: the least in each year given the years before (lexicographic).
    bounds = list(var_bounds)
    res = None
    for d in range(decision.totals.shape[0]):
        res = linprog(decision.totals[d], bounds=bounds, **problem)
        if res.status != 0:
            return res
        for j in np.flatnonzero(decision.totals[d]):
            value = float(res.x[j])
            bounds[j] = (value, value + 1e-9 * max(abs(value), 1.0))
    return res


def _closest(decision: Decision, rows: list[_Row]) -> FloatArray:
    """The variables that minimise the largest shortfall of any target row (scaled)."""
    s_rows, s_rhs, var_bounds = _structure(decision)
    n = decision.n
    a_ub: list[FloatArray] = []
    b_ub: list[float] = []
    for r in rows:
        senses = [">=", "<="] if r.sense == "==" else [r.sense]
        for sense in senses:
            # shortfall t ≥ (b − a·z)/norm for ≥ rows, (a·z − b)/norm for ≤ rows
            sign = 1.0 if sense == ">=" else -1.0
            a_ub.append(np.append(-sign * r.a / r.norm, -1.0))
            b_ub.append(-sign * r.b / r.norm)
    for row, rhs in zip(s_rows, s_rhs, strict=True):
        a_ub.append(np.append(row, 0.0))
        b_ub.append(rhs)
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    total = decision.totals.sum(axis=0)
    scale = max(float(np.abs(total).max()), 1.0) * max(decision.upper, 1.0)
    cost[:n] = 1e-9 * total / scale  # among equally close answers, the fewest admissions
    res = linprog(
        cost,
        A_ub=np.array(a_ub),
        b_ub=np.array(b_ub),
        bounds=[*var_bounds, (0.0, None)],
        method="highs",
    )
    if res.status != 0:
        raise InputError(
            "the bounds on levels and yearly changes contradict each other",
            field="--max-change",
            value=decision.max_change,
        )
    return np.asarray(res.x[:n], dtype=float)


# --- Forward verification --------------------------------------------------------------


def forward_values(context: Context, outputs: ProjectionOutputs) -> dict[str, pd.Series]:
    """Every indicator by year from a forward run, by the projection's and outcomes' code.

    A run without the French trait (a solve whose targets do not name French) leaves the
    French indicators missing (NaN).
    """
    sp = outputs.inputs.space
    ptab = indicator_table(
        outputs,
        immigrant_states=np.arange(sp.block.start, sp.block.stop),
        npr_state=outputs.inputs.npr_state,
    )
    arrays = OutcomeArrays.from_outputs(outputs, entry_french=context.entry_french)
    french = context.french if outputs.inputs.n_traits > 1 else None
    models = OutcomeModels(french, context.labour, context.francization)
    otab = outcome_indicators(arrays, models)
    return official_values(outputs, ptab, otab)


def _side_value(
    compiler: _Compiler, values: dict[str, pd.Series], terms: Sequence[Term], year: int | None
) -> float:
    total = 0.0
    for term in terms:
        if term.indicator is None:
            total += term.coefficient
        elif term.when == "max_without_immigration":
            total += term.coefficient * compiler.zero_peak(term.indicator)
        else:
            total += term.coefficient * _value_at(
                values, term.indicator, compiler.term_year(term, year)
            )
    return total


def _capped(outputs: ProjectionOutputs) -> tuple[int, ...]:
    inp = outputs.inputs
    demand = (inp.npr_transition_share[:, :, None, None] * inp.immigrants).sum(axis=(1, 2, 3))
    taken = outputs.npr_transitions.sum(axis=1)
    short = demand - taken > 1e-6 * np.maximum(demand, 1.0)
    return tuple(int(y) for y in np.asarray(inp.years[:-1])[short])


def _shadow_unit(ind: Indicator | None) -> tuple[str, float]:
    """The unit a shadow price is quoted per (a key of :data:`_UNITS`) and its size."""
    if ind is not None and ind.ratio and ind.name.startswith(("share", "french_share")):
        return "point_pct", 0.01
    if ind is not None and ind.ratio and ind.scale == 100.0:
        return "point", 1.0
    if ind is not None and ind.ratio:
        return "tenth", 0.1
    if ind is not None and ind.name == "francization_cost":
        return "million", 1e6
    return "thousand", 1000.0


def _describe(
    k: int,
    target: Target,
    rows: list[_Row],
    duals: dict[int, float],
    compiler: _Compiler,
    values: dict[str, pd.Series],
    objective: Objective,
    status: str,
    actual: FloatArray,
) -> TargetResult:
    mine = [(i, r) for i, r in enumerate(rows) if r.target == k]
    margins = []
    for _, r in mine:
        lhs = _side_value(compiler, values, target.lhs, r.year)
        rhs = _side_value(compiler, values, target.rhs, r.year)
        diff = lhs - rhs
        margin = (
            diff if target.operator == ">=" else -diff if target.operator == "<=" else -abs(diff)
        )
        scale = max(abs(lhs), abs(rhs), 1e-12)
        margins.append((margin / scale, r.year, lhs, rhs))
    worst = min(margins, key=lambda m: m[0])
    holds = worst[0] >= -HOLD_TOLERANCE
    ratio_ind = next((r.ratio[0] for _, r in mine if r.ratio is not None), None)
    count_ind = next((INDICATORS[t.indicator] for t in target.terms if t.indicator), None)
    unit_key, unit = _shadow_unit(ratio_ind or count_ind)
    first = compiler.context.first_year
    binding: list[int] = []
    price = 0.0
    for i, r in mine:
        m = duals.get(i, 0.0)
        if abs(m) <= 1e-12:
            continue
        binding.append(int(r.year) if r.year is not None else _fixed_year(target))
        if r.ratio is not None:
            rind, y, _ = r.ratio
            den = float(actual[[_INDEX[p] for p in rind.denominator], y - first].sum())
            price += abs(m) * den / rind.scale * unit
        else:
            price += abs(m) * unit
    ind = ratio_ind or count_ind
    if status == "infeasible":
        kind = "out" if not holds else "closest_met"
        years: list[int] = []
        binding = []
    elif objective == "min-each-year" and compiler.decision.shape == "path":
        # No shadow prices for a year-by-year objective: the rows that hold exactly bind.
        exact = [m[1] for m in margins if abs(m[0]) <= 1e-7]
        binding = [int(y) if y is not None else _fixed_year(target) for y in exact]
        kind = "exact" if binding else "room_every_year"
    else:
        kind = "binds" if binding else "room"
    years = sorted(set(binding))
    en, fr = (
        _words(
            kind,
            lang,
            text=target.text,
            worst=worst,
            ind=ind,
            unit=unit_key,
            fewer=objective == "max-total",
            years=years,
            price=price,
        )
        for lang in ("en", "fr")
    )
    return TargetResult(
        target.text,
        holds,
        tuple(years),
        price if kind == "binds" else None,
        _UNITS[unit_key]["en"],
        worst[1],
        worst[2],
        worst[3],
        en,
        fr,
    )


_UNITS: dict[str, dict[str, str]] = {
    "thousand": {"en": "1,000 persons", "fr": "1 000 personnes"},
    "point_pct": {"en": "percentage point", "fr": "point de pourcentage"},
    "point": {"en": "point", "fr": "point"},
    "tenth": {"en": "0.1", "fr": "0,1"},
    "million": {"en": "$1 million", "fr": "million de dollars"},
}
"""The unit a shadow price is quoted per, as a noun."""
_BY: dict[str, dict[str, str]] = {
    "thousand": {"en": "by 1,000 persons", "fr": "de 1 000 personnes"},
    "point_pct": {"en": "by one percentage point", "fr": "d'un point de pourcentage"},
    "point": {"en": "by one point", "fr": "d'un point"},
    "tenth": {"en": "by 0.1", "fr": "de 0,1"},
    "million": {"en": "by $1 million", "fr": "d'un million de dollars"},
}
"""The same, as the amount of a tightening."""


def _num(value: float, lang: str, digits: int = 0) -> str:
    """``66,831`` in English, ``66 831`` in French (decimal comma)."""
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _words(
    kind: str,
    lang: str,
    *,
    text: str,
    worst: tuple[float, int | None, float, float],
    ind: Indicator | None,
    unit: str,
    fewer: bool,
    years: list[int],
    price: float,
) -> str:
    """One target's sentence (see :func:`_describe`)."""
    fmt = _formatter(ind, lang)
    value, required = fmt(worst[2]), fmt(worst[3])
    if lang == "fr":
        quoted = f"« {text} »"
        when = f" en {worst[1]}" if worst[1] is not None else ""
        if kind == "out":
            return (
                f"{quoted} : hors d'atteinte dans les bornes; la valeur la plus proche est "
                f"{value} contre {required}{when}."
            )
        if kind == "closest_met":
            return f"{quoted} : respectée au point le plus proche (l'écart est ailleurs)."
        if kind == "exact":
            return (
                f"{quoted} est tenue exactement pendant {len(years)} année"
                f"{'s' if len(years) > 1 else ''} ({years[0]}–{years[-1]}) : le niveau de ces "
                "années est le plus bas qui la respecte (pas de prix implicite pour un objectif "
                "année par année)."
            )
        if kind == "room_every_year":
            return f"{quoted} est respectée avec de la marge chaque année."
        if kind == "binds":
            span = (
                f"{years[0]}"
                if len(years) == 1
                else f"{len(years)} années ({years[0]}–{years[-1]})"
            )
            return (
                f"{quoted} est contraignante en {span} : la resserrer {_BY[unit]['fr']} "
                f"{'chacune de ces années ' if len(years) > 1 else ''}"
                f"demanderait environ {_num(price, lang)} admissions "
                f"{'de moins' if fewer else 'de plus'} au total sur les années de décision."
            )
        return (
            f"{quoted} est respectée avec de la marge (marge la plus faible{when} : "
            f"{value} contre {required})."
        )
    quoted = f"“{text}”"
    when = f" in {worst[1]}" if worst[1] is not None else ""
    if kind == "out":
        return (
            f"{quoted}: out of reach within the bounds; the closest achievable is "
            f"{value} against {required}{when}."
        )
    if kind == "closest_met":
        return f"{quoted}: met at the closest answer (the shortfall is elsewhere)."
    if kind == "exact":
        return (
            f"{quoted} holds exactly in {len(years)} year{'s' if len(years) > 1 else ''} "
            f"({years[0]}–{years[-1]}): there the year's level is the least that keeps it "
            "(no shadow price for a year-by-year objective)."
        )
    if kind == "room_every_year":
        return f"{quoted} holds with room to spare in every year."
    if kind == "binds":
        span = f"{years[0]}" if len(years) == 1 else f"{len(years)} years ({years[0]}–{years[-1]})"
        return (
            f"{quoted} binds in {span}: tightening it {_BY[unit]['en']} "
            f"{'in each of those years ' if len(years) > 1 else ''}would take about "
            f"{_num(price, lang)} {'fewer' if fewer else 'more'} admissions in all over the "
            "decision years."
        )
    return f"{quoted} holds with room to spare (least margin{when}: {value} against {required})."


def _fixed_year(target: Target) -> int:
    years = [t.when for t in target.terms if isinstance(t.when, int)]
    return int(max(years)) if years else 0


def _formatter(ind: Indicator | None, lang: str = "en") -> Any:
    if ind is not None and ind.ratio and ind.name.startswith(("share", "french_share")):
        return lambda v: f"{_num(100 * v, lang, 2)} %"
    if ind is not None and ind.ratio:
        return lambda v: _num(v, lang, 3)
    return lambda v: _num(v, lang)


def _levels_frame(context: Context, decision: Decision, z: FloatArray) -> pd.DataFrame:
    levels = decision.levels(z)
    frame = pd.DataFrame({"year": decision.years.astype(int)})
    frame["controlled"] = decision.totals @ z
    frame["total"] = levels.sum(axis=1)
    for c, name in enumerate(CATEGORIES):
        frame[name] = levels[:, c]
    return frame


def _indicator_frame(values: dict[str, pd.Series]) -> pd.DataFrame:
    frame = pd.DataFrame(values)
    frame.index.name = "year"
    return frame.reset_index()


def solve_decision(
    context: Context,
    decision: Decision,
    targets: Sequence[Target],
    *,
    objective: Objective = "min-total",
    fields: Sequence[str] | None = None,
) -> Solution:
    """Solve for a built decision (see :func:`solve` for the parameters)."""
    if objective not in OBJECTIVES:
        raise InputError(
            f"the objective is one of {', '.join(OBJECTIVES)}", field="--objective", value=objective
        )
    if not targets:
        raise InputError("give at least one target", field="--target")
    names = list(fields) if fields is not None else ["--target"] * len(targets)
    _check_categories(decision, targets, names)
    compiler = _Compiler(context, decision, targets, names)
    full = context
    french = any(
        set(INDICATORS[t.indicator].numerator + INDICATORS[t.indicator].denominator)
        & context.primitives.needs_french
        for target in targets
        for t in target.terms
        if t.indicator
    )
    context = context.for_targets(french)
    needed = {
        p
        for target in targets
        for t in target.terms
        if t.indicator
        for p in INDICATORS[t.indicator].numerator + INDICATORS[t.indicator].denominator
    }
    context = dataclasses.replace(context, primitives=context.primitives.only(needed))
    units = unit_admissions(context, decision)
    z0 = decision.start.copy()
    lin = linearise(context, decision, z0, units)
    runs = decision.n + 1
    status: Literal["met", "infeasible"] = "met"
    relinearised = 1
    chords = 0
    for iteration in range(1, MAX_ITERATIONS + 1):
        rows = compiler.rows(lin)
        res = _lp(decision, rows, objective)
        if res.status == 0:
            status, z = "met", np.asarray(res.x, dtype=float)
        elif res.status == 2:
            status, z = "infeasible", _closest(decision, rows)
        else:
            raise RuntimeError(f"the linear programme failed: {res.message}")
        z = np.clip(z, 0.0, None)
        imm = context.immigrants(decision.calendar(context, z))
        outputs = project(context.with_immigrants(imm))
        runs += 1
        actual = context.primitives.of(outputs.population, imm, context.years)
        gap = _model_gap(compiler, lin.predict(z), actual, rows)
        if gap <= AFFINE_TOLERANCE or iteration == MAX_ITERATIONS:
            break
        # A cap changed state between the point and the answer: rebuild the affine model at
        # the answer. Few variables: new impulse responses there (exact again). Many: keep
        # the responses and re-anchor the model on the forward run (a chord step, one run),
        # which converges fast because a cap moves the responses very little.
        if decision.n <= FULL_RELINEARISATION or chords >= MAX_CHORDS:
            lin = linearise(context, decision, z, units)
            runs += decision.n
            relinearised += 1
            chords = 0
        else:
            lin = Linearisation(z, actual, lin.responses)
            chords += 1
    values = forward_values(full, outputs)
    context = full
    duals: dict[int, float] = {}
    sequential = objective == "min-each-year" and decision.shape == "path"
    if status == "met" and not sequential:
        ineq, eq = _split(rows)
        marg = np.asarray(res.ineqlin.marginals) if ineq else np.zeros(0)
        for pos, i in enumerate(ineq):
            duals[i] = float(marg[pos]) / rows[i].norm
        if eq:
            emarg = np.asarray(res.eqlin.marginals)
            for pos, i in enumerate(eq):
                duals[i] = float(emarg[pos]) / rows[i].norm
    results = tuple(
        _describe(k, t, rows, duals, compiler, values, objective, status, actual)
        for k, t in enumerate(targets)
    )
    rel = _term_gap(compiler, lin, z, values, rows)
    return Solution(
        status=status,
        context=context,
        decision=decision,
        target_list=tuple(targets),
        objective=objective,
        variables=z,
        levels=_levels_frame(context, decision, z),
        indicators=_indicator_frame(values),
        targets=results,
        verification=Verification(
            rel, iteration, relinearised, _capped(outputs), runs + compiler.zero_runs
        ),
        outputs=outputs,
    )


def _term_values(
    compiler: _Compiler, prims: FloatArray, rows: list[_Row]
) -> list[tuple[str, int, float]]:
    """The value of every indicator term of the target rows from primitive counts."""
    out = []
    first = compiler.context.first_year
    for row in rows:
        target = compiler.targets[row.target]
        for term in target.terms:
            if term.indicator is None or term.when == "max_without_immigration":
                continue
            ind = INDICATORS[term.indicator]
            y = compiler.term_year(term, row.year)
            num = prims[[_INDEX[p] for p in ind.numerator], y - first].sum()
            if ind.ratio:
                den = prims[[_INDEX[p] for p in ind.denominator], y - first].sum()
                out.append((ind.name, y, float(ind.scale * num / den)))
            else:
                out.append((ind.name, y, float(ind.scale * num)))
    return out


def _model_gap(
    compiler: _Compiler, predicted: FloatArray, actual: FloatArray, rows: list[_Row]
) -> float:
    """Largest relative gap of the target terms between two sets of primitive counts."""
    model = _term_values(compiler, predicted, rows)
    real = _term_values(compiler, actual, rows)
    return max(
        (abs(m[2] - r[2]) / max(abs(r[2]), 1e-12) for m, r in zip(model, real, strict=True)),
        default=0.0,
    )


def _term_gap(
    compiler: _Compiler,
    lin: Linearisation,
    z: FloatArray,
    values: dict[str, pd.Series],
    rows: list[_Row],
) -> float:
    """Largest relative gap between the LP's indicator values and the forward run's,
    computed by the projection's and the outcomes' own code."""
    worst = 0.0
    for name, year, model in _term_values(compiler, lin.predict(z), rows):
        official = _value_at(values, name, year)
        worst = max(worst, abs(model - official) / max(abs(official), 1e-12))
    return worst


def _check_categories(decision: Decision, targets: Sequence[Target], fields: Sequence[str]) -> None:
    for target, name in zip(targets, fields, strict=True):
        for term in target.terms:
            category = INDICATORS[term.indicator].category if term.indicator else None
            if category is not None and category not in decision.controlled:
                raise InputError(
                    f"under '{decision.regime.name}' Ottawa selects {category}: its admissions "
                    "stay at their path, so a target on them is not the province's to meet",
                    field=name,
                    value=target.text,
                )


def solve(
    targets: Sequence[str | Target],
    *,
    base: str = "quebec-2018",
    years: tuple[int, int] = (2019, 2066),
    regime: str = "accord-1991",
    shape: Shape = "constant",
    mix: str | None = None,
    objective: Objective = "min-total",
    bounds: tuple[float, float] | None = None,
    category_bounds: dict[str, tuple[float, float]] | None = None,
    max_change: float | None = None,
    scenario: str | None = None,
    probability: float | None = None,
    draws: int = 200,
    seed: int = 1,
) -> Any:
    """The admissions that meet ``targets`` (see the module docstring).

    Parameters
    ----------
    targets:
        Target expressions (:mod:`immiplan.solver.targets`) or names of shipped target
        sets (``un-iii`` … ``un-vi``, :func:`immiplan.solver.shipped_targets`).
    base:
        A base known to the project (``immiplan.solver.known_bases()``).
    years:
        First and last calendar year of the decision; the last is the horizon.
    regime:
        Who selects what (``immiplan plan regimes``); Ottawa's categories keep their path.
    shape:
        ``constant``: one level for every year; ``path``: one level a year.
    mix:
        ``plan:NAME[:YEAR]``, ``free``, ``category=share,...``, or ``None`` (the
        assumptions' own mix).
    objective:
        ``min-total`` (fewest admissions) or ``max-total``.
    bounds:
        Lowest and highest level of the province's part a year (default 0 to 10 % of the
        base population).
    category_bounds:
        With ``mix="free"``: ``{category: (low, high)}`` a year.
    max_change:
        Largest change of the province's level from one year to the next.
    scenario:
        The assumptions (default: the base's, :func:`immiplan.solver.default_scenario`).
    probability, draws, seed:
        With ``probability``: meet the targets with that probability over ``draws``
        trajectories of the ensembles' model (seed ``seed``):
        :func:`immiplan.solver.chance.solve_chance`, a constant level.

    Returns
    -------
    Solution
        The levels, indicators, binding targets and shadow prices, or the closest
        achievable answer when no level within the bounds meets the targets
        (a :class:`~immiplan.solver.chance.ChanceSolution` with ``probability``).

    Examples
    --------
    >>> answer = solve(["population_20_64 >= population_20_64[base]"])  # doctest: +SKIP
    >>> answer.constant_level  # doctest: +SKIP
    """
    from immiplan.solver.shipped import expand_targets

    texts, fields = expand_targets(targets)
    parsed = [
        t if isinstance(t, Target) else parse_target(t, f)
        for t, f in zip(texts, fields, strict=True)
    ]
    first, last = int(years[0]), int(years[1])
    if last < first:
        raise InputError(
            "the years run backwards (first:last)", field="--years", value=f"{first}:{last}"
        )
    context = build_context(base, scenario, last)
    decision = build_decision(
        context,
        get_regime(regime),
        (first, last),
        shape=shape,
        mix=mix,
        bounds=bounds,
        category_bounds=category_bounds,
        max_change=max_change,
    )
    if probability is not None:
        from immiplan.solver.chance import solve_chance

        return solve_chance(
            context, decision, parsed, fields, probability=probability, draws=draws, seed=seed
        )
    return solve_decision(context, decision, parsed, objective=objective, fields=fields)
