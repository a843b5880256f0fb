"""The profile of a selected cohort: who the invited candidates and their families are.

A cohort is the principal applicants chosen by invitation rounds together with the family on
their profiles: the accompanying spouse (``has_spouse``, ``spouse_age``, ``spouse_sex``) and
children (``children_0_12``, ``children_13_21``). The profile gives

* the age-sex distribution of all these persons at admission, ages 0..100 (100 = 100+) by
  sex (female, male), the layout of the projection's state (docs/architecture.md);
* the share who know French, principal applicants and spouses by their French test, children
  by their parents (assumption below);
* the education mix of principal applicants and spouses, the sex ratio and family size.

Assumptions (docs/selection.md, "Cohort profile"): a person *knows French* when their French
listening and speaking are both at NCLC ``french_min_nclc`` or more (default 5, the Quebec
scale's intermediate B1); a child knows French when either parent does; children's ages are
spread evenly over their band (0–12, 13–21) and their sexes split by ``child_male_share``; a
spouse with ``spouse_sex = opposite`` is of the principal applicant's other sex; everyone is
``years_to_admission`` older at admission than at invitation. Every principal applicant counts
once: approval is assumed not to depend on the profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from immiplan.errors import InputError
from immiplan.selection.schema import EDUCATION, SEXES, Profiles

if TYPE_CHECKING:  # xarray is imported where a Dataset is built (0.15 s)
    import xarray as xr

AGES = np.arange(101)


@dataclass(frozen=True)
class CohortAssumptions:
    """How a cohort's persons are counted (see the module docstring)."""

    french_min_nclc: int = 5
    years_to_admission: int = 0
    child_male_share: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.french_min_nclc <= 12:
            raise InputError(
                "an NCLC level is 0–12", field="cohort.french_min_nclc", value=self.french_min_nclc
            )
        if self.years_to_admission < 0:
            raise InputError(
                "cannot be negative",
                field="cohort.years_to_admission",
                value=self.years_to_admission,
            )
        if not 0 <= self.child_male_share <= 1:
            raise InputError(
                "a share is in [0, 1]", field="cohort.child_male_share", value=self.child_male_share
            )


@dataclass(frozen=True)
class CohortProfile:
    """Who a selected cohort is, per principal applicant and in total."""

    principals: int
    persons: float
    age_sex: np.ndarray
    """Persons by sex (0 female, 1 male) and age 0..100: shape (2, 101)."""
    french_persons: float
    principal_french_share: float
    education: dict[str, float]
    spouse_education: dict[str, float]
    principal_female_share: float
    spouses: int
    children: int
    assumptions: CohortAssumptions = field(default_factory=CohortAssumptions)

    @property
    def persons_per_principal(self) -> float:
        """Persons admitted per principal applicant (1 + accompanying family)."""
        return self.persons / self.principals if self.principals else float("nan")

    @property
    def french_share(self) -> float:
        """Share of all persons who know French (the French-at-admission share)."""
        return self.french_persons / self.persons if self.persons else float("nan")

    @property
    def mean_age(self) -> float:
        """Mean age at admission of all persons."""
        ages = self.age_sex.sum(axis=0)
        return float((ages * AGES).sum() / ages.sum()) if ages.sum() else float("nan")

    def distribution(self) -> np.ndarray:
        """The age-sex distribution as shares summing to 1, shape (2, 101)."""
        total = self.age_sex.sum()
        return self.age_sex / total if total else self.age_sex.copy()

    def to_dataarray(self, persons: float | None = None) -> xr.DataArray:
        """The age-sex profile as an ``xarray.DataArray`` with dims (sex, age).

        With ``persons`` the shares are scaled to that many admissions (a plan's economic
        target, say); without, they are shares summing to 1.
        """
        import xarray as xr

        values = self.distribution() * (1.0 if persons is None else float(persons))
        return xr.DataArray(
            values,
            dims=("sex", "age"),
            coords={"sex": list(SEXES), "age": AGES},
            name="economic_admissions",
            attrs={"french_share": self.french_share, "principals": self.principals},
        )

    def age_groups(self) -> pd.DataFrame:
        """Shares by the age groups IRCC publishes (<15, 15–24, 25–44, 45–64, 65+)."""
        by_age = self.distribution().sum(axis=0)
        edges = [
            (0, 14, "<15"),
            (15, 24, "15–24"),
            (25, 44, "25–44"),
            (45, 64, "45–64"),
            (65, 100, "65+"),
        ]
        return pd.DataFrame(
            {
                "age group": [label for _, _, label in edges],
                "share": [float(by_age[a : b + 1].sum()) for a, b, _ in edges],
            }
        )

    def summary(self) -> pd.DataFrame:
        """The cohort in a few lines: measure and value."""
        female = float(self.age_sex[0].sum() / self.age_sex.sum()) if self.persons else float("nan")
        degree = sum(
            self.education.get(k, 0.0) for k in ("bachelor", "two_or_more", "master", "doctorate")
        )
        rows = [
            ("principal applicants", self.principals),
            ("persons (with accompanying family)", round(self.persons, 1)),
            ("persons per principal applicant", round(self.persons_per_principal, 3)),
            ("accompanying spouses", self.spouses),
            ("accompanying children", self.children),
            ("share knowing French, all persons", round(self.french_share, 4)),
            ("share knowing French, principal applicants", round(self.principal_french_share, 4)),
            ("share female, all persons", round(female, 4)),
            ("share female, principal applicants", round(self.principal_female_share, 4)),
            ("mean age at admission", round(self.mean_age, 2)),
            ("principal applicants with a bachelor's or more", round(degree, 4)),
        ]
        rows += [
            (f"age {row['age group']}", round(float(row["share"]), 4))
            for _, row in self.age_groups().iterrows()
        ]
        return pd.DataFrame(rows, columns=["measure", "value"])


def _knows_french(listening: np.ndarray, speaking: np.ndarray, level: int) -> np.ndarray:
    return (listening >= level) & (speaking >= level)


def _shares(codes: np.ndarray, labels: tuple[str, ...]) -> dict[str, float]:
    if codes.size == 0:
        return {}
    counts = np.bincount(codes.astype(np.intp), minlength=len(labels)) / codes.size
    return {label: float(c) for label, c in zip(labels, counts, strict=True) if c > 0}


def cohort_profile(
    selected: Profiles, assumptions: CohortAssumptions | None = None
) -> CohortProfile:
    """The profile of the cohort whose principal applicants are the rows of ``selected``."""
    a = assumptions or CohortAssumptions()
    shift = int(a.years_to_admission)
    grid = np.zeros((2, 101), dtype=float)

    sex = selected["sex"].astype(np.intp)
    age = np.minimum(selected["age"].astype(np.intp) + shift, 100)
    grid += np.bincount(sex * 101 + age, minlength=202).reshape(2, 101)

    spouse = selected["has_spouse"]
    spouse_sex = selected["spouse_sex"].astype(np.intp)
    spouse_sex = np.where(spouse_sex == 2, 1 - sex, spouse_sex)[spouse]
    spouse_age = np.minimum(selected["spouse_age"].astype(np.intp) + shift, 100)[spouse]
    grid += np.bincount(spouse_sex * 101 + spouse_age, minlength=202).reshape(2, 101)

    young = float(selected["children_0_12"].sum())
    older = float(selected["children_13_21"].sum())
    split = np.array([1.0 - a.child_male_share, a.child_male_share])[:, None]
    for count, low, high in ((young, 0, 12), (older, 13, 21)):
        if count:
            ages = np.minimum(np.arange(low, high + 1) + shift, 100)
            per_age = np.zeros(101)
            np.add.at(per_age, ages, count / (high - low + 1))
            grid += split * per_age[None, :]

    level = a.french_min_nclc
    principal_fr = _knows_french(selected["french_listening"], selected["french_speaking"], level)
    spouse_fr = spouse & _knows_french(
        selected["spouse_french_listening"], selected["spouse_french_speaking"], level
    )
    children = selected["children_0_12"].astype(np.int64) + selected["children_13_21"].astype(
        np.int64
    )
    family_fr = principal_fr | spouse_fr
    french_persons = float(principal_fr.sum() + spouse_fr.sum() + children[family_fr].sum())

    n = len(selected)
    return CohortProfile(
        principals=n,
        persons=float(grid.sum()),
        age_sex=grid,
        french_persons=french_persons,
        principal_french_share=float(principal_fr.mean()) if n else float("nan"),
        education=_shares(selected["education"], EDUCATION),
        spouse_education=_shares(selected["spouse_education"][spouse], EDUCATION),
        principal_female_share=float((sex == 0).mean()) if n else float("nan"),
        spouses=int(spouse.sum()),
        children=int(children.sum()),
        assumptions=a,
    )
