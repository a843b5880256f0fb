"""Fan charts for the report (``immiplan run --ensemble N``).

Each scenario runs the same trajectories (same seed: common random numbers), so the
difference between two plans, trajectory by trajectory, is the plan's effect with the
uncertainty it really carries, not the noise of two independent draws.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from immiplan.ensembles.charts import fan_chart, fan_frame
from immiplan.ensembles.run import EnsembleResult

__all__ = ["FAN_INDICATORS", "difference", "fan_chart_makers"]

FAN_INDICATORS: tuple[str, ...] = ("population", "population_20_64")
"""The indicators fanned in the report."""

_NAMES = {
    "population": {"fr": "Population", "en": "Population"},
    "population_20_64": {"fr": "Population de 20 à 64 ans", "en": "Population aged 20–64"},
}


def difference(a: EnsembleResult, b: EnsembleResult) -> EnsembleResult:
    """``b − a`` trajectory by trajectory (both must come from the same seed and count)."""
    if a.seed != b.seed or a.trajectories != b.trajectories or list(a.years) != list(b.years):
        raise ValueError("a difference needs two ensembles of the same seed, size and years")
    return dataclasses.replace(
        b, values=b.values - a.values, deterministic=b.deterministic - a.deterministic
    )


def fan_chart_makers(
    runs: Sequence[tuple[str, dict[str, str], EnsembleResult]], first_year: int
) -> list[Callable[[str], Any]]:
    """Functions ``lang -> Chart`` (shown in the report section ``population``) for ``(key, label, result)``.

    One fan per scenario and indicator of :data:`FAN_INDICATORS`, then the difference of the
    second scenario from the first.
    """
    from immiplan.report.charts import Chart

    makers: list[Callable[[str], Any]] = []

    def make(
        key: str,
        label: dict[str, str],
        result: EnsembleResult,
        indicator: str,
        diff: dict[str, str] | None,
    ) -> Callable[[str], Any]:
        def build(lang: str) -> Any:
            frame = fan_frame(result, indicator, first_year)
            name = _NAMES[indicator][lang]
            n = result.trajectories
            if diff is None:
                title = f"{name} — {label[lang]}"
                caption = {
                    "fr": f"Médiane, intervalles de 80 % et 95 % sur {n} trajectoires "
                    f"(graine {result.seed}); tirets : le scénario déterministe.",
                    "en": f"Median, 80 % and 95 % ranges over {n} trajectories (seed "
                    f"{result.seed}); dashes: the deterministic scenario.",
                }[lang]
            else:
                title = {
                    "fr": f"{name} : « {label[lang]} » moins « {diff[lang]} »",
                    "en": f"{name}: “{label[lang]}” minus “{diff[lang]}”",
                }[lang]
                caption = {
                    "fr": f"Écart entre les deux plans, trajectoire par trajectoire "
                    f"(mêmes tirages, {n} trajectoires) : l'effet du plan et son incertitude.",
                    "en": f"Difference between the two plans, trajectory by trajectory "
                    f"(same draws, {n} trajectories): the plan's effect and its uncertainty.",
                }[lang]
            chart = fan_chart(frame, title, name)
            spec = chart.to_dict()
            return Chart(f"fan-{key}-{indicator}", "population", title, caption, spec, frame)

        return build

    for key, label, result in runs:
        for indicator in FAN_INDICATORS:
            if indicator in result.indicators:
                makers.append(make(key, label, result, indicator, None))
    if len(runs) >= 2:
        (k0, l0, r0), (k1, l1, r1) = runs[0], runs[1]
        delta = difference(r0, r1)
        for indicator in FAN_INDICATORS:
            if indicator in delta.indicators:
                makers.append(make(f"{k1}-minus-{k0}", l1, delta, indicator, l0))
    return makers


def add_fans(
    data: Any, names: Sequence[str], trajectories: int, seed: int, horizon: int | None
) -> None:
    """Run every scenario's ensemble (population indicators) and add its fans to ``data``."""
    from immiplan.ensembles.model import calibrate
    from immiplan.ensembles.run import ensemble_base, run_ensemble
    from immiplan.projection.scenario import load_scenario, prepare

    model = calibrate().model
    runs = []
    for name, info in zip(names, data.scenarios, strict=True):
        prepared = prepare(load_scenario(name), horizon=horizon)
        base = ensemble_base(prepared, outcomes=False, model=model)
        result = run_ensemble(base, model, trajectories=trajectories, seed=seed)
        runs.append((info.key, dict(info.label), result))
    data.extra_charts = [*data.extra_charts, *fan_chart_makers(runs, int(data.base_year))]
