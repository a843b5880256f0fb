"""Properties that hold for any profile: bounds, monotonicity, rows scored independently."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from immiplan.selection import EDUCATION, Profiles, from_frame, load_grid
from immiplan.selection.schema import (
    AREAS,
    ARRANGED_EMPLOYMENT,
    CANADIAN_EDUCATION,
    JOB_OFFER_REGIONS,
    QUEBEC_STAY,
)

LEVEL = st.integers(0, 12)


@st.composite
def profiles(draw: Any, max_rows: int = 6) -> pd.DataFrame:
    n = draw(st.integers(1, max_rows))
    rows = []
    for i in range(n):
        spouse = draw(st.booleans())
        row: dict[str, Any] = {
            "id": f"p{i}",
            "age": draw(st.integers(0, 80)),
            "has_spouse": spouse,
            "education": draw(st.sampled_from(EDUCATION)),
            "area_of_training": draw(st.sampled_from(AREAS)),
            "canadian_work_years": draw(st.integers(0, 12)),
            "foreign_work_years": draw(st.integers(0, 20)),
            "experience_months": draw(st.integers(0, 80)),
            "certificate_of_qualification": draw(st.booleans()),
            "canadian_education": draw(st.sampled_from(CANADIAN_EDUCATION)),
            "arranged_employment": draw(st.sampled_from(ARRANGED_EMPLOYMENT)),
            "provincial_nomination": draw(st.booleans()),
            "sibling_in_canada": draw(st.booleans()),
            "job_offer_region": draw(st.sampled_from(JOB_OFFER_REGIONS)),
            "quebec_stay": draw(st.sampled_from(QUEBEC_STAY)),
            "family_in_quebec": draw(st.booleans()),
            "self_sufficiency": draw(st.booleans()),
            "children_0_12": draw(st.integers(0, 4)),
            "children_13_21": draw(st.integers(0, 4)),
            "first_official_language": draw(st.sampled_from(["english", "french", "auto"])),
            "spouse_age": draw(st.integers(18, 70)),
            "spouse_education": draw(st.sampled_from(EDUCATION)),
            "spouse_area_of_training": draw(st.sampled_from(AREAS)),
            "spouse_canadian_work_years": draw(st.integers(0, 6)),
        }
        for prefix in ("", "spouse_"):
            for lang in ("french", "english"):
                for ability in ("listening", "speaking", "reading", "writing"):
                    row[f"{prefix}{lang}_{ability}"] = draw(LEVEL)
        rows.append(row)
    return pd.DataFrame(rows)


def encode(frame: pd.DataFrame) -> Profiles:
    return from_frame(frame, uses=("crs", "prtq"))


@settings(max_examples=60, deadline=None)
@given(frame=profiles())
def test_scores_stay_within_the_grid(frame: pd.DataFrame) -> None:
    table = encode(frame)
    for name in ("crs-2019", "crs-2021", "crs-2025", "prtq-2018"):
        grid = load_grid(name)
        total = grid.score(table).total
        assert (total >= 0).all() and (total <= grid.maximum).all(), name


@settings(max_examples=40, deadline=None)
@given(frame=profiles(max_rows=4), seed=st.integers(0, 2**16))
def test_a_candidates_score_depends_on_that_candidate_only(frame: pd.DataFrame, seed: int) -> None:
    # Scored alone, in a table, or in another order: the same points (the vectorised scorer
    # never mixes rows). Independent of explain, which reuses the scorer.
    order = np.random.default_rng(seed).permutation(len(frame))
    shuffled = frame.iloc[order].reset_index(drop=True)
    for name in ("crs-2019", "prtq-2018"):
        grid = load_grid(name)
        together = dict(zip(encode(frame).ids, grid.score(encode(frame)).total, strict=True))
        reordered = grid.score(encode(shuffled)).total
        assert [together[i] for i in encode(shuffled).ids] == list(reordered)
        for i in range(len(frame)):
            alone = encode(frame.iloc[[i]].reset_index(drop=True))
            assert grid.score(alone).total[0] == together[alone.ids[0]]


@settings(max_examples=60, deadline=None)
@given(frame=profiles(), ability=st.sampled_from(["listening", "speaking", "reading", "writing"]))
def test_better_english_never_lowers_the_crs(frame: pd.DataFrame, ability: str) -> None:
    # With English declared first, a higher English level only adds points (first language,
    # transferability tiers and the bilingual bonus all rise with it).
    frame = frame.assign(first_official_language="english")
    column = f"english_{ability}"
    better = frame.assign(**{column: np.minimum(frame[column] + 1, 12)})
    grid = load_grid("crs-2019")
    assert (grid.score(encode(better)).total >= grid.score(encode(frame)).total).all()


@settings(max_examples=60, deadline=None)
@given(frame=profiles(), ability=st.sampled_from(["listening", "speaking", "reading", "writing"]))
def test_better_french_never_lowers_the_prtq(frame: pd.DataFrame, ability: str) -> None:
    column = f"french_{ability}"
    better = frame.assign(**{column: np.minimum(frame[column] + 1, 12)})
    grid = load_grid("prtq-2018")
    assert (grid.score(encode(better)).total >= grid.score(encode(frame)).total).all()


@settings(max_examples=30, deadline=None)
@given(frame=profiles(), seed=st.integers(0, 1000))
def test_row_order_does_not_matter(frame: pd.DataFrame, seed: int) -> None:
    order = np.random.default_rng(seed).permutation(len(frame))
    shuffled = frame.iloc[order].reset_index(drop=True)
    for name in ("crs-2019", "prtq-2018"):
        grid = load_grid(name)
        assert np.array_equal(
            grid.score(encode(frame)).total[order], grid.score(encode(shuffled)).total
        )
