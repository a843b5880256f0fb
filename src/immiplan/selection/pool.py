"""Candidate pools: load one, or generate a synthetic one with a seed.

A synthetic pool is labelled as such: every row has ``synthetic = true`` and the
:class:`~immiplan.selection.schema.Profiles` object has ``synthetic=True``. Its distributions
(age, sex, family, education, French and English levels, work experience, job offers,
nominations) come from ``data/selection/synthetic-pools.yaml``, one set per *kind*:

* ``express-entry``: entrants to the federal Express Entry pool, tuned so that replaying the
  2018–2019 rounds leaves a pool whose CRS distribution on 2019-04-12 is close to the one IRCC
  published (:func:`snapshot_fit`), with cut-off scores near the published ones;
* ``arrima``: entrants to Quebec's Arrima bank of expressions of interest, tuned so that the
  cohort invited under the PRTQ grid knows French about as often as Quebec's skilled workers
  did (75.4 %, 2010–2014) and has about 3.1 persons per file.

These distributions are modelling assumptions, not published microdata; docs/selection.md
writes down each target and how close the generated pool comes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from immiplan.errors import InputError
from immiplan.selection.schema import (
    ABILITIES,
    COLUMNS,
    JOB_OFFER_REGIONS,
    Profiles,
    codes,
)
from immiplan.system.parameters import as_date, data_root, load_yaml

POOL_KINDS = ("express-entry", "arrima")


@cache
def pool_calibration(kind: str) -> dict[str, Any]:
    """The generator's distributions for ``kind`` (from synthetic-pools.yaml)."""
    doc = load_yaml(data_root() / "selection" / "synthetic-pools.yaml")
    kinds = doc["kinds"]
    if kind not in kinds:
        raise InputError(f"unknown pool kind (known: {', '.join(kinds)})", field="kind", value=kind)
    return dict(kinds[kind])


def _choice(rng: np.random.Generator, shares: Mapping[str, float], size: int) -> np.ndarray:
    """Draw labels with the given shares (normalised)."""
    labels = list(shares)
    p = np.array([float(shares[k]) for k in labels])
    return np.array(labels, dtype=object)[rng.choice(len(labels), size=size, p=p / p.sum())]


def _levels(
    rng: np.random.Generator, latent: np.ndarray, spec: Mapping[str, Any], floor: int
) -> list[np.ndarray]:
    """Four ability levels around a latent level (rounded, clipped to floor..12)."""
    noise = float(spec["ability_sd"])
    out = []
    for _ in ABILITIES:
        level = np.rint(latent + rng.normal(0.0, noise, latent.size))
        out.append(np.clip(level, floor, 12).astype(np.int16))
    return out


def _ages(rng: np.random.Generator, spec: Mapping[str, Any], size: int) -> np.ndarray:
    starts = np.asarray(spec["starts"])
    ends = np.asarray(spec["ends"])
    shares = np.asarray(spec["shares"], dtype=float)
    band = rng.choice(len(starts), size=size, p=shares / shares.sum())
    return rng.integers(starts[band], ends[band] + 1).astype(np.int16)


def _language(
    rng: np.random.Generator,
    spec: Mapping[str, Any],
    size: int,
    lift: np.ndarray,
    floor: np.ndarray | int | None = None,
) -> list[np.ndarray]:
    """Levels for one language: a share of candidates has a test, the others 0.

    Levels are clipped below at ``floor`` (default: the spec's ``floor``), which may differ
    by candidate.
    """
    has = rng.random(size) < float(spec.get("share", 1.0))
    latent = rng.normal(float(spec["mean"]), float(spec["sd"]), size) + lift
    levels = _levels(rng, latent, spec, 0)
    low = int(spec.get("floor", 0)) if floor is None else floor
    return [np.where(has, np.maximum(level, low), 0).astype(np.int16) for level in levels]


def generate_pool(
    size: int,
    *,
    kind: str = "express-entry",
    seed: int = 0,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    id_prefix: str = "S",
) -> Profiles:
    """A synthetic pool of ``size`` candidates of ``kind``, reproducible from ``seed``.

    Submission times are spread uniformly over [``start``, ``end``) (default: the year 2018).
    Ids are ``{id_prefix}{n}``. The result is labelled synthetic.
    """
    if size < 0:
        raise InputError("a pool size cannot be negative", field="size", value=size)
    spec = pool_calibration(kind)
    rng = np.random.default_rng(seed)
    n = int(size)
    first = as_date(start or "2018-01-01")
    last = as_date(end or "2019-01-01")
    if last <= first:
        raise InputError("the end must come after the start", field="end", value=str(last))

    data: dict[str, np.ndarray] = {}
    data["id"] = np.array([f"{id_prefix}{i}" for i in range(n)], dtype=object)
    t0 = np.datetime64(first, "s").astype(np.int64)
    t1 = np.datetime64(last, "s").astype(np.int64)
    data["submitted"] = rng.integers(t0, t1, n, dtype=np.int64)
    data["sex"] = np.where(rng.random(n) < float(spec["female_share"]), 0, 1).astype(np.int8)
    age = _ages(rng, spec["age"], n)
    data["age"] = age
    band = np.searchsorted(np.asarray(spec["age"]["starts"]), age, side="right") - 1
    spouse_p = np.asarray(spec["spouse_by_age_band"], dtype=float)[band]
    has_spouse = rng.random(n) < spouse_p
    data["has_spouse"] = has_spouse

    # One latent "strength" lifts education and both languages together: strong candidates
    # are strong on several factors, which fattens the top of the score distribution.
    strength = rng.normal(0.0, 1.0, n)
    education_spec = spec["education"]
    low = _choice(rng, education_spec["low"], n)
    high = _choice(rng, education_spec["high"], n)
    pick_high = strength + rng.normal(0.0, 1.0, n) > float(education_spec["threshold"])
    education = np.where(pick_high, high, low)
    # Skilled-trades candidates (a certificate of qualification) have their own schooling and
    # weaker language results: they are the Federal Skilled Trades rounds' pool.
    trades = spec["certificate"]
    certificate = rng.random(n) < float(trades["share"])
    education = np.where(certificate, _choice(rng, trades["education"], n), education)
    data["education"] = codes("education", education)
    data["certificate_of_qualification"] = certificate
    data["area_of_training"] = codes("area_of_training", _choice(rng, spec["area_of_training"], n))

    lift = float(spec["strength_language_lift"]) * strength
    english = _language(
        rng,
        spec["english"],
        n,
        lift + np.where(certificate, float(trades["english_shift"]), 0.0),
        np.where(certificate, int(trades["english_floor"]), int(spec["english"]["floor"])),
    )
    french = _language(rng, spec["french"], n, lift)
    for ability, e, f in zip(ABILITIES, english, french, strict=True):
        data[f"english_{ability}"] = e
        data[f"french_{ability}"] = f
    data["first_official_language"] = np.full(n, 2, dtype=np.int8)  # auto

    work = spec["canadian_work"]
    has_cwe = rng.random(n) < float(work["share"])
    years = np.array(list(work["years"]), dtype=np.int16)
    cwe = years[rng.choice(len(years), size=n, p=_norm(work["years"].values()))]
    data["canadian_work_years"] = np.where(has_cwe, cwe, 0).astype(np.int16)
    foreign = spec["foreign_work_years"]
    fyears = np.array(list(foreign), dtype=np.int16)
    data["foreign_work_years"] = fyears[rng.choice(len(fyears), size=n, p=_norm(foreign.values()))]
    total_years = data["canadian_work_years"] + data["foreign_work_years"]
    months = 12 * total_years.astype(np.int32) + rng.integers(0, 12, n)
    data["experience_months"] = np.minimum(months, 60).astype(np.int16)
    study = spec["canadian_education"]
    studied = has_cwe & (rng.random(n) < float(study["share_of_canadian_work"]))
    long_study = rng.random(n) < float(study["three_year_or_more_share"])
    data["canadian_education"] = np.where(studied, np.where(long_study, 2, 1), 0).astype(np.int8)
    offer = spec["arranged_employment"]
    draw = rng.random(n)
    data["arranged_employment"] = np.select(
        [draw < float(offer["noc_00"]), draw < float(offer["noc_00"]) + float(offer["noc_0ab"])],
        [1, 2],
        0,
    ).astype(np.int8)
    data["provincial_nomination"] = rng.random(n) < float(spec["provincial_nomination_share"])
    data["sibling_in_canada"] = rng.random(n) < float(spec["sibling_share"])

    quebec = spec["quebec"]
    data["quebec_stay"] = codes("quebec_stay", _choice(rng, quebec["stay"], n))
    data["family_in_quebec"] = rng.random(n) < float(quebec["family_share"])
    has_offer = rng.random(n) < float(quebec["job_offer_share"])
    in_montreal = rng.random(n) < float(quebec["job_offer_montreal_share"])
    regions = np.array(JOB_OFFER_REGIONS[2:], dtype=object)
    region = regions[rng.integers(0, len(regions), n)]
    where = np.where(in_montreal, "montreal_cma", region)
    data["job_offer_region"] = codes("job_offer_region", np.where(has_offer, where, "none"))
    data["self_sufficiency"] = np.ones(n, dtype=bool)

    children = spec["children"]
    mean = np.where(
        has_spouse, float(children["mean_with_spouse"]), float(children["mean_without_spouse"])
    )
    # Fewer children under 25, more from 30 on.
    mean = mean * np.clip((age.astype(float) - 20.0) / 12.0, 0.1, 1.0)
    count = rng.poisson(mean)
    young_share = np.clip((46.0 - age) / 16.0, 0.25, 1.0)
    young = rng.binomial(count, young_share)
    data["children_0_12"] = young.astype(np.int16)
    data["children_13_21"] = (count - young).astype(np.int16)
    nocs = np.array(spec["noc"], dtype=object)
    data["noc"] = nocs[rng.integers(0, len(nocs), n)]

    sp = spec["spouse"]
    gap = np.rint(rng.normal(float(sp["age_gap_mean"]), float(sp["age_gap_sd"]), n))
    data["spouse_age"] = np.where(has_spouse, np.clip(age + gap, 18, 80), 0).astype(np.int16)
    data["spouse_sex"] = np.full(n, 2, dtype=np.int8)  # opposite
    data["spouse_education"] = np.where(
        has_spouse, codes("education", _choice(rng, sp["education"], n)), 0
    ).astype(np.int8)
    data["spouse_area_of_training"] = np.where(
        has_spouse, codes("area_of_training", _choice(rng, spec["area_of_training"], n)), 7
    ).astype(np.int8)
    spouse_english = _language(rng, sp["english"], n, 0.5 * lift)
    spouse_french = _language(rng, sp["french"], n, 0.5 * lift)
    for ability, e, f in zip(ABILITIES, spouse_english, spouse_french, strict=True):
        data[f"spouse_english_{ability}"] = np.where(has_spouse, e, 0).astype(np.int16)
        data[f"spouse_french_{ability}"] = np.where(has_spouse, f, 0).astype(np.int16)
    spouse_cwe = rng.random(n) < float(sp["canadian_work_share"])
    data["spouse_canadian_work_years"] = np.where(
        has_spouse & spouse_cwe, rng.integers(1, 4, n), 0
    ).astype(np.int16)
    data["synthetic"] = np.ones(n, dtype=bool)
    missing = [c.name for c in COLUMNS if c.name not in data]
    if missing:  # a column added to the schema must be generated too
        raise RuntimeError(f"generate_pool does not fill {missing}")
    return Profiles(data, source=f"synthetic {kind} pool (seed {seed})", synthetic=True)


def _norm(values: Any) -> np.ndarray:
    p = np.array([float(v) for v in values])
    return p / p.sum()


@dataclass(frozen=True)
class Snapshot:
    """A published score distribution of a pool: bucket bounds and counts of profiles."""

    date: dt.date
    low: np.ndarray
    high: np.ndarray
    counts: np.ndarray

    @property
    def total(self) -> int:
        """Profiles in the pool."""
        return int(self.counts.sum())


@cache
def crs_snapshot_2019() -> Snapshot:
    """IRCC's CRS distribution of the Express Entry pool on 2019-04-12."""
    doc = load_yaml(data_root() / "selection" / "express-entry-pool-2019-04-12.yaml")
    table = np.array(doc["buckets"]["table"], dtype=np.int64)
    return Snapshot(as_date(doc["date"]), table[:, 0], table[:, 1], table[:, 2])


def snapshot_fit(scores: np.ndarray, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """Compare a pool's scores with a published snapshot, bucket by bucket.

    Columns: bucket, published and synthetic profiles, their shares and the difference in
    percentage points. ``frame.attrs`` holds the total variation distance (half the sum of
    absolute share differences: 0 is identical, 1 disjoint) and both totals.
    """
    snap = snapshot or crs_snapshot_2019()
    scores = np.asarray(scores)
    counts = np.array(
        [
            np.count_nonzero((scores >= lo) & (scores <= hi))
            for lo, hi in zip(snap.low, snap.high, strict=True)
        ]
    )
    published = snap.counts / snap.counts.sum()
    synthetic = counts / max(counts.sum(), 1)
    frame = pd.DataFrame(
        {
            "bucket": [f"{lo}–{hi}" for lo, hi in zip(snap.low, snap.high, strict=True)],
            "published": snap.counts,
            "synthetic": counts,
            "published_share": published,
            "synthetic_share": synthetic,
            "difference_pp": 100 * (synthetic - published),
        }
    )
    frame.attrs["total_variation"] = float(0.5 * np.abs(synthetic - published).sum())
    frame.attrs["published_total"] = int(snap.counts.sum())
    frame.attrs["synthetic_total"] = int(counts.sum())
    return frame
