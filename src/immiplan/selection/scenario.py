"""Selection scenarios: a grid, a pool, rounds (a plan to fill or published rounds to replay).

A scenario is a YAML file (format in docs/selection.md); the shipped ones live in
``data/selection/scenarios/`` and are named without their suffix (``quebec-2019``). A scenario
may start from another with ``based_on: NAME`` and change only some keys (mappings merge), which
is how a grid reform is written::

    based_on: quebec-2019
    name: quebec-2019-more-french
    grid_overrides:
      language.french: {oral: {B2: 10, C1: 12, C2: 14}}

:func:`run_scenario` builds the pool, scores it, holds the rounds and returns the rounds table
and the profile of the invited cohort.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import Field, StrictStr

from immiplan.errors import InputError
from immiplan.fields import (
    MAX_CANDIDATES,
    Candidates,
    Days,
    Flag,
    Months,
    Nclc,
    Rate,
    Seed,
    Share,
    Text,
    TextList,
    Year,
    check,
)
from immiplan.selection.cohort import CohortAssumptions, CohortProfile, cohort_profile
from immiplan.selection.grids import Grid, deep_merge, load_grid
from immiplan.selection.pool import POOL_KINDS, generate_pool
from immiplan.selection.rounds import (
    Conversion,
    RoundSpec,
    RoundsResult,
    Targeting,
    add_conversion,
    cadence,
    fill_plan,
    invitations_needed,
    run_rounds,
)
from immiplan.selection.schema import ROUNDS, Profiles, read_profiles
from immiplan.system.parameters import as_date, data_root, load_yaml

REPLAY_TARGETING = {
    "general": Targeting(),
    "federal_skilled_trades": Targeting(certificate_of_qualification=True),
    "provincial_nominee_program": Targeting(provincial_nomination=True),
}
"""Published Express Entry round types and the profiles each may invite."""


def scenarios_folder() -> Any:
    """Where the shipped selection scenarios are."""
    return data_root() / "selection" / "scenarios"


def scenario_names() -> list[str]:
    """The shipped selection scenarios."""
    return sorted(
        p.name[: -len(".yaml")] for p in scenarios_folder().iterdir() if p.name.endswith(".yaml")
    )


@dataclass(frozen=True)
class InflowPeriod:
    """Profiles submitted uniformly over [start, end)."""

    start: dt.date
    end: dt.date
    profiles: int


@dataclass(frozen=True)
class PoolSpec:
    """Where the candidates come from: a file, or a synthetic generator with its inflow."""

    validity_days: int = 365
    file: Path | None = None
    kind: str = "express-entry"
    seed: int = 0
    inflow: tuple[InflowPeriod, ...] = ()


@dataclass(frozen=True)
class PlanSpec:
    """A plan's admissions target to fill."""

    year: int
    admissions: float
    cadence_days: int = 14


@dataclass(frozen=True)
class SelectionScenario:
    """Everything a selection run needs."""

    name: str
    description: str
    grid: str
    grid_overrides: dict[str, Any]
    pool: PoolSpec
    targeting: Targeting
    require_pass: bool
    plan: PlanSpec | None
    replay: tuple[RoundSpec, ...]
    warm_up: tuple[RoundSpec, ...]
    conversion: Conversion | None
    cohort: CohortAssumptions
    source: str


def _mapping(node: Any, where: str, source: str) -> dict[str, Any]:
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        raise InputError("must be a mapping", source=source, field=where)
    return dict(node)


_SOURCE_KEYS = {"reference", "references", "note"}


def _known(raw: Mapping[str, Any], keys: set[str], where: str, source: str) -> None:
    """Fail on a key the format does not have (a typo would otherwise be ignored)."""
    unknown = sorted(set(raw) - keys - _SOURCE_KEYS)
    if unknown:
        raise InputError(
            f"unknown key (known: {', '.join(sorted(keys))})",
            source=source,
            field=f"{where}.{unknown[0]}",
        )


_MISSING: Any = object()


def _number(
    node: Mapping[str, Any],
    key: str,
    where: str,
    source: str,
    kind: Any,
    *,
    default: Any = _MISSING,
) -> Any:
    """``node[key]`` checked against a shared field type, or ``default`` when absent.

    The refusal names the full dotted path of the user's field (``plan.admissions``).
    """
    field_path = f"{where}.{key}" if where else key
    if key not in node:
        if default is _MISSING:
            raise InputError("missing", source=source, field=field_path)
        return default
    return check(kind, node[key], source=source, field=field_path)


PlanAdmissions = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=0.0, le=float(MAX_CANDIDATES))
]
"""Admissions a selection plan fills: finite, 0 to 5 million."""
PersonsPerPrincipal = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=1.0, le=20.0)]
"""Persons admitted per principal applicant (the applicant and the family): 1 to 20."""


def _date(value: Any, where: str, source: str) -> dt.date:
    try:
        return as_date(value)
    except InputError as exc:
        raise InputError(exc.message, source=source, field=where, value=value) from exc


_TARGETING_TYPES: dict[str, Any] = {
    "validated_job_offer": Flag,
    "outside_montreal": Flag,
    "regions": TextList,
    "min_french_nclc": Nclc | None,
    "occupations": TextList,
    "certificate_of_qualification": Flag,
    "provincial_nomination": Flag,
    "arranged_employment": Flag,
}


def _targeting(node: Any, where: str, source: str) -> Targeting:
    raw = _mapping(node, where, source)
    known = set(Targeting.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(
            f"unknown targeting key (known: {', '.join(sorted(known))})",
            source=source,
            field=f"{where}.{unknown[0]}",
        )
    values: dict[str, Any] = {}
    for key, value in raw.items():
        checked = check(_TARGETING_TYPES[key], value, source=source, field=f"{where}.{key}")
        values[key] = tuple(checked) if isinstance(checked, list) else checked
    try:
        return Targeting(**values)
    except InputError as exc:
        field = exc.field or ""
        if field.startswith("targeting."):
            field = f"{where}.{field[len('targeting.') :]}"
        raise InputError(exc.message, source=source, field=field, value=exc.value) from None


def _pool(node: Any, base: Path | None, source: str) -> PoolSpec:
    raw = _mapping(node, "pool", source)
    _known(raw, {"validity_days", "file", "synthetic"}, "pool", source)
    validity = _number(raw, "validity_days", "pool", source, Days, default=365)
    if "file" in raw:
        path = Path(_number(raw, "file", "pool", source, Text))
        if not path.is_absolute() and base is not None:
            path = base / path
        return PoolSpec(validity_days=validity, file=path)
    synthetic = _mapping(raw.get("synthetic"), "pool.synthetic", source)
    if not synthetic:
        raise InputError("give either 'file' or 'synthetic'", source=source, field="pool")
    _known(synthetic, {"kind", "seed", "inflow"}, "pool.synthetic", source)
    kind = _number(synthetic, "kind", "pool.synthetic", source, Text, default="express-entry")
    if kind not in POOL_KINDS:
        raise InputError(
            f"unknown pool kind (known: {', '.join(POOL_KINDS)})",
            source=source,
            field="pool.synthetic.kind",
            value=kind,
        )
    periods = []
    inflow = synthetic.get("inflow", [])
    if not isinstance(inflow, list):
        raise InputError(
            "must be a list of periods ({from, to, profiles})",
            source=source,
            field="pool.synthetic.inflow",
            value=inflow,
        )
    for i, item in enumerate(inflow):
        where = f"pool.synthetic.inflow[{i}]"
        item = _mapping(item, where, source)
        _known(item, {"from", "to", "profiles"}, where, source)
        start = _date(item.get("from"), f"{where}.from", source)
        end = _date(item.get("to"), f"{where}.to", source)
        if end <= start:
            raise InputError("'to' must come after 'from'", source=source, field=f"{where}.to")
        count = _number(item, "profiles", where, source, Candidates)
        periods.append(InflowPeriod(start, end, count))
    if not periods:
        raise InputError(
            "a synthetic pool needs at least one inflow period",
            source=source,
            field="pool.synthetic.inflow",
        )
    total = sum(period.profiles for period in periods)
    if total > MAX_CANDIDATES:
        raise InputError(
            f"a pool holds at most {MAX_CANDIDATES:,} profiles in all",
            source=source,
            field="pool.synthetic.inflow",
            value=total,
        )
    return PoolSpec(
        validity_days=validity,
        kind=kind,
        seed=_number(synthetic, "seed", "pool.synthetic", source, Seed, default=0),
        inflow=tuple(periods),
    )


def _replay(name: str, source: str) -> tuple[RoundSpec, ...]:
    path = data_root() / "selection" / f"{name}.csv"
    if not path.is_file():
        raise InputError(
            "no such published round table", source=source, field="rounds.replay", value=name
        )
    table = pd.read_csv(path, dtype={"round": str})
    specs = []
    for record in table.to_dict(orient="records"):
        specs.append(
            RoundSpec(
                date=dt.date.fromisoformat(str(record["date"])),
                size=int(record["invitations"]),
                targeting=REPLAY_TARGETING[str(record["round_type"])],
                label=str(record["round_type"]),
                number=str(record["round"]),
                published_cutoff=int(record["minimum_crs"]),
            )
        )
    return tuple(specs)


def _warm_up(node: Any, source: str) -> tuple[RoundSpec, ...]:
    raw = _mapping(node, "rounds.warm_up", source)
    if not raw:
        return ()
    _known(raw, {"from", "to", "cadence_days", "size"}, "rounds.warm_up", source)
    start = _date(raw.get("from"), "rounds.warm_up.from", source)
    end = _date(raw.get("to"), "rounds.warm_up.to", source)
    every = _number(raw, "cadence_days", "rounds.warm_up", source, Days, default=14)
    size = _number(raw, "size", "rounds.warm_up", source, Candidates)
    return tuple(
        RoundSpec(day, size, label="warm-up", counted=False) for day in cadence(start, end, every)
    )


def _conversion(node: Any, source: str) -> Conversion | None:
    raw = _mapping(node, "conversion", source)
    if not raw:
        return None
    _known(
        raw,
        {
            "invitation_to_selection",
            "selection_to_admission",
            "persons_per_principal",
            "months_to_selection",
            "months_to_admission",
        },
        "conversion",
        source,
    )
    try:
        return Conversion(
            invitation_to_selection=_number(
                raw, "invitation_to_selection", "conversion", source, Rate
            ),
            selection_to_admission=_number(
                raw, "selection_to_admission", "conversion", source, Rate
            ),
            persons_per_principal=_number(
                raw, "persons_per_principal", "conversion", source, PersonsPerPrincipal
            ),
            months_to_selection=_number(raw, "months_to_selection", "conversion", source, Months),
            months_to_admission=_number(raw, "months_to_admission", "conversion", source, Months),
        )
    except InputError as exc:
        raise exc.located(source) from None


def _resolve_document(
    name_or_path: str | Path, seen: tuple[str, ...] = ()
) -> tuple[dict[str, Any], str, Path | None]:
    """The scenario's YAML mapping (merged over its ``based_on`` parent), its name, folder."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise InputError("no such scenario file", source=path)
        doc, where, base = load_yaml(path), str(path), path.parent
    else:
        shipped = scenarios_folder() / f"{text}.yaml"
        if not shipped.is_file():
            known = ", ".join(scenario_names())
            raise InputError(
                f"unknown selection scenario (shipped: {known}; or a path to a YAML file)",
                value=text,
            )
        doc, where, base = load_yaml(shipped), text, None
    if not isinstance(doc, Mapping):
        raise InputError("a scenario file must be a mapping", source=where)
    doc = dict(doc)
    parent = doc.pop("based_on", None)
    if parent is not None:
        if str(parent) in seen:
            raise InputError(
                "scenarios based on each other in a loop",
                source=where,
                field="based_on",
                value=parent,
            )
        base_doc, _, parent_base = _resolve_document(str(parent), (*seen, where))
        doc = deep_merge(base_doc, doc)
        base = base if base is not None else parent_base
    return doc, where, base


KNOWN_KEYS = {
    "name",
    "description",
    "grid",
    "grid_overrides",
    "pool",
    "plan",
    "rounds",
    "conversion",
    "cohort",
    "reference",
    "references",
    "note",
}


def load_scenario(name_or_path: str | Path) -> SelectionScenario:
    """Read a selection scenario: a shipped name or a path to a YAML file."""
    doc, source, base = _resolve_document(name_or_path)
    unknown = sorted(set(doc) - KNOWN_KEYS)
    if unknown:
        raise InputError(
            f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))})", source=source, field=unknown[0]
        )
    if "grid" not in doc:
        raise InputError("missing", source=source, field="grid")
    grid = _number(doc, "grid", "", source, Text)
    overrides = _mapping(doc.get("grid_overrides"), "grid_overrides", source)
    rounds = _mapping(doc.get("rounds"), "rounds", source)
    _known(
        rounds, {"cadence_days", "require_pass", "targeting", "replay", "warm_up"}, "rounds", source
    )
    plan_node = _mapping(doc.get("plan"), "plan", source)
    _known(plan_node, {"year", "admissions"}, "plan", source)
    replay = (
        _replay(_number(rounds, "replay", "rounds", source, Text), source)
        if "replay" in rounds
        else ()
    )
    plan = None
    if plan_node:
        plan = PlanSpec(
            year=_number(plan_node, "year", "plan", source, Year),
            admissions=float(_number(plan_node, "admissions", "plan", source, PlanAdmissions)),
            cadence_days=_number(rounds, "cadence_days", "rounds", source, Days, default=14),
        )
    if (plan is None) == (not replay):
        raise InputError(
            "give either a plan to fill or rounds.replay (not both)", source=source, field="plan"
        )
    conversion = _conversion(doc.get("conversion"), source)
    if plan is not None and conversion is None:
        raise InputError(
            "filling a plan needs a conversion (rates, family size, lags)",
            source=source,
            field="conversion",
        )
    cohort_node = _mapping(doc.get("cohort"), "cohort", source)
    _known(cohort_node, {"french_min_nclc", "child_male_share"}, "cohort", source)
    try:
        cohort = CohortAssumptions(
            french_min_nclc=_number(
                cohort_node, "french_min_nclc", "cohort", source, Nclc, default=5
            ),
            years_to_admission=(conversion.lag_months // 12 if conversion else 0),
            child_male_share=float(
                _number(cohort_node, "child_male_share", "cohort", source, Share, default=0.5)
            ),
        )
    except InputError as exc:
        raise exc.located(source) from None
    scenario = SelectionScenario(
        name=_number(doc, "name", "", source, Text, default=str(name_or_path)),
        description=_number(doc, "description", "", source, StrictStr, default="").strip(),
        grid=grid,
        grid_overrides=overrides,
        pool=_pool(doc.get("pool"), base, source),
        targeting=_targeting(rounds.get("targeting"), "rounds.targeting", source),
        require_pass=_number(rounds, "require_pass", "rounds", source, Flag, default=False),
        plan=plan,
        replay=replay,
        warm_up=_warm_up(rounds.get("warm_up"), source),
        conversion=conversion,
        cohort=cohort,
        source=source,
    )
    try:
        load_grid(scenario.grid, scenario.grid_overrides)
    except InputError as exc:
        # The grid names its own fields ("overrides", "grid"); the user wrote grid_overrides.
        field = exc.field or ""
        if field.startswith("overrides"):
            field = "grid_overrides" + field[len("overrides") :]
        raise InputError(
            exc.message,
            source=source,
            field=field or None,
            value=exc.value,
            has_value=exc.has_value,
        ) from None
    return scenario


def build_pool(spec: PoolSpec) -> Profiles:
    """The scenario's pool: read from its file, or generated period by period."""
    if spec.file is not None:
        return read_profiles(spec.file, uses=("crs", "prtq", ROUNDS))
    parts = [
        generate_pool(
            period.profiles,
            kind=spec.kind,
            seed=spec.seed + i,
            start=period.start,
            end=period.end,
            id_prefix=f"S{i}-",
        )
        for i, period in enumerate(spec.inflow)
    ]
    return Profiles.concat(parts)


@dataclass
class ScenarioResult:
    """A selection scenario's outcome."""

    scenario: SelectionScenario
    grid: Grid
    pool: Profiles
    scores: np.ndarray
    rounds: pd.DataFrame
    result: RoundsResult
    cohort: CohortProfile
    notes: list[str] = field(default_factory=list)

    def invited(self) -> Profiles:
        """The invited principal applicants (the cohort's rows)."""
        return self.pool.take(self.result.invited)

    def totals(self) -> pd.DataFrame:
        """Invitations (and selections, admissions when a conversion is given) by year."""
        frame = self.rounds.copy()
        frame["year"] = frame["date"].str[:4]
        columns = [c for c in ("invitations", "selections", "admissions") if c in frame]
        return frame.groupby("year", as_index=False)[columns].sum()


def run_scenario(scenario: SelectionScenario | str | Path) -> ScenarioResult:
    """Build the pool, score it, hold the rounds and profile the invited cohort."""
    sc = scenario if isinstance(scenario, SelectionScenario) else load_scenario(scenario)
    grid = load_grid(sc.grid, sc.grid_overrides)
    pool = build_pool(sc.pool)
    table = grid.score(pool)
    eligible = table.checks.get("selected") if sc.require_pass else None
    target_mask = sc.targeting.mask(pool)
    if target_mask is not None:
        eligible = target_mask if eligible is None else eligible & target_mask
    notes: list[str] = []
    if sc.plan is not None and sc.conversion is not None:
        frame, result = fill_plan(
            pool,
            table.total,
            year=sc.plan.year,
            target_admissions=sc.plan.admissions,
            conversion=sc.conversion,
            cadence_days=sc.plan.cadence_days,
            validity_days=sc.pool.validity_days,
            eligible=eligible,
            warm_up=sc.warm_up,
        )
        frame = frame.drop(columns=["published_cutoff"])
        needed = invitations_needed(sc.plan.admissions, sc.conversion)
        notes.append(
            f"{needed:,} invitations needed for {sc.plan.admissions:,.0f} admissions "
            f"in {sc.plan.year} ({sc.conversion.persons_per_invitation:.3f} persons "
            "admitted per invitation)"
        )
    else:
        result = run_rounds(
            pool,
            table.total,
            [*sc.warm_up, *sc.replay],
            validity_days=sc.pool.validity_days,
            eligible=eligible,
        )
        frame = add_conversion(result, sc.conversion) if sc.conversion else result.rounds
        frame = frame.copy()
        frame["difference"] = frame["cutoff"] - frame["published_cutoff"]
        general = frame[frame["type"] == "general"]["difference"].dropna().astype(float)
        if len(general):
            notes.append(
                f"general rounds: simulated cut-off minus published, mean "
                f"{general.mean():+.1f}, mean absolute {general.abs().mean():.1f} "
                f"points over {len(general)} rounds"
            )
    notes.extend(result.notes)
    cohort = cohort_profile(pool.take(result.invited), sc.cohort)
    if sc.conversion is not None and cohort.principals:
        notes.append(
            f"the invited cohort has {cohort.persons_per_principal:.2f} persons per "
            f"principal applicant; the conversion assumes "
            f"{sc.conversion.persons_per_principal:.2f}"
        )
    if pool.synthetic:
        origin = (
            f"read from {sc.pool.file}"
            if sc.pool.file is not None
            else f"{sc.pool.kind}, seed {sc.pool.seed}"
        )
        notes.append(
            f"synthetic pool ({origin}, {len(pool):,} profiles): results describe "
            "the model, not real candidates"
        )
    return ScenarioResult(
        scenario=sc,
        grid=grid,
        pool=pool,
        scores=table.total,
        rounds=frame,
        result=result,
        cohort=cohort,
        notes=notes,
    )


_PROFILES: dict[str, CohortProfile] = {}
"""Cohort profiles already computed, by :func:`_profile_key`."""


def _profile_key(name_or_path: str | Path) -> str:
    """What a scenario's cohort depends on: its merged document, its folder, its pool file."""
    doc, _, base = _resolve_document(name_or_path)
    stamp: list[int] = []
    pool = doc.get("pool")
    if isinstance(pool, Mapping) and "file" in pool:
        path = Path(str(pool["file"]))
        if not path.is_absolute() and base is not None:
            path = base / path
        if path.is_file():
            info = path.stat()
            stamp = [info.st_mtime_ns, info.st_size]
    return json.dumps([doc, str(base), stamp], sort_keys=True, default=str)


def economic_profile(
    scenario: SelectionScenario | str | Path, *, cached: bool = True
) -> CohortProfile:
    """The economic category's admission profile implied by a selection scenario.

    The projection uses ``profile.to_dataarray()`` (shares by sex and age, dims ``(sex, age)``,
    summing to 1) as the age-sex profile of economic admissions and ``profile.french_share`` as
    their French-at-admission share (docs/selection.md, "How the projection uses the cohort").

    Running a scenario takes about 0.12–0.2 s (``quebec-2019``); the result is kept, so asking
    again for the same scenario name or file (unchanged, and its pool file too) only re-reads
    the YAML: about 2 ms. Each call returns its own copy. ``cached=False`` always runs the
    scenario; a :class:`SelectionScenario` object is always run.
    """
    if isinstance(scenario, SelectionScenario) or not cached:
        return run_scenario(scenario).cohort
    key = _profile_key(scenario)
    if key not in _PROFILES:
        _PROFILES[key] = run_scenario(scenario).cohort
    kept = _PROFILES[key]
    return replace(
        kept,
        age_sex=kept.age_sex.copy(),
        education=dict(kept.education),
        spouse_education=dict(kept.spouse_education),
    )
