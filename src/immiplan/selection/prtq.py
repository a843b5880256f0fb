"""Quebec's Regular Skilled Worker Program grid (PRTQ), vectorised over a profile table.

Factors (facts/quebec-immigration.md §5): 1 training (education, area of training), 2
experience, 3 age, 4 languages (French, English), 5 stay and family in Quebec, 6 accompanying
spouse, 7 validated job offer, 8 children, 9 financial self-sufficiency. A candidate is
selected when the education and self-sufficiency cut-offs are met, the employability subtotal
(factors 1–7) reaches its threshold and the total reaches the passing score; thresholds differ
with and without an accompanying spouse.

French levels: profiles give NCLC levels 0–12, read as the Quebec scale's 12 levels, which pair
into CEFR levels (1–2 A1, 3–4 A2, 5–6 B1, 7–8 B2, 9–10 C1, 11–12 C2); the grid scores CEFR levels.
"""

from __future__ import annotations

import numpy as np

from immiplan.selection.grids import (
    Factor,
    GridParameters,
    LookupGrid,
    ScoreTable,
    keyed,
    lookup,
    step_table,
)
from immiplan.selection.schema import (
    ABILITIES,
    AREAS,
    EDUCATION,
    JOB_OFFER_REGIONS,
    PRTQ_EDUCATION,
    QUEBEC_STAY,
    Profiles,
)

LEVELS = (
    "none",
    "secondary_general",
    "secondary_vocational",
    "postsecondary_general_2y",
    "postsecondary_technical_1y",
    "postsecondary_technical_2y",
    "postsecondary_technical_3y",
    "university_1y",
    "university_2y",
    "university_3y",
    "master",
    "doctorate",
)
"""The PRTQ education rows."""

CEFR = ("below_A1", "A1", "A2", "B1", "B2", "C1", "C2")
NCLC_TO_CEFR = np.array([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6], dtype=np.int8)
"""Quebec scale / NCLC level 0..12 -> index into :data:`CEFR` (two levels per CEFR level)."""

_MAX_AGE = 120

LAYOUT: tuple[Factor, ...] = (
    Factor("education", "training", "level of education", ("education",)),
    Factor("area_of_training", "training", "area of training", ("area_of_training",)),
    Factor("experience", "experience", "work experience", ("experience_months",)),
    Factor("age", "age", "age", ("age",)),
    Factor("french", "languages", "French", ()),
    Factor("english", "languages", "English", ()),
    Factor("stay", "quebec", "stay in Quebec", ("quebec_stay",)),
    Factor("family", "quebec", "family in Quebec", ("family_in_quebec",)),
    Factor("spouse_education", "spouse", "spouse: level of education", ("spouse_education",)),
    Factor("spouse_area", "spouse", "spouse: area of training", ("spouse_area_of_training",)),
    Factor("spouse_age", "spouse", "spouse: age", ("spouse_age",)),
    Factor("spouse_french", "spouse", "spouse: French", ()),
    Factor("job_offer", "job_offer", "validated job offer", ("job_offer_region",)),
    Factor("children", "children", "children", ("children_0_12", "children_13_21")),
    Factor(
        "self_sufficiency", "self_sufficiency", "financial self-sufficiency", ("self_sufficiency",)
    ),
)

EMPLOYABILITY = tuple(f.name for f in LAYOUT if f.block not in ("children", "self_sufficiency"))
"""The factors counted against the employability threshold."""


class PrtqGrid(LookupGrid):
    """The PRTQ at one date, as lookup arrays."""

    system = "prtq"
    layout = LAYOUT

    def __init__(self, name: str, params: GridParameters) -> None:
        super().__init__(name, params)
        p = params
        education = keyed(p("training.education"), LEVELS, "education")
        self.level = np.array([LEVELS.index(PRTQ_EDUCATION[c]) for c in EDUCATION], dtype=np.int8)
        self.education = education[self.level]
        self.area = keyed(p("training.area"), AREAS, "area of training")
        experience = p("experience")
        self.experience = step_table(experience["from_months"], experience["points"], 600)
        age = p("age")
        self.age = step_table(age["from_age"], age["points"], _MAX_AGE)
        french = p("language.french")
        self.french_oral = keyed(french["oral"], CEFR, "French")[NCLC_TO_CEFR]
        self.french_written = keyed(french["written"], CEFR, "French")[NCLC_TO_CEFR]
        english = p("language.english")
        self.english_oral = step_table(english["from_clb"], english["oral"], 12)
        self.english_written = step_table(english["from_clb"], english["written"], 12)
        self.stay = keyed(p("quebec.stay"), QUEBEC_STAY, "stay")
        self.family = int(p("quebec.family"))
        self.spouse_education = keyed(p("spouse.education"), LEVELS, "spouse education")[self.level]
        self.spouse_area = keyed(p("spouse.area"), AREAS, "spouse area of training")
        spouse_age = p("spouse.age")
        self.spouse_age = step_table(spouse_age["from_age"], spouse_age["points"], _MAX_AGE)
        self.spouse_french = keyed(p("spouse.french")["oral"], CEFR, "spouse French")[NCLC_TO_CEFR]
        self.job_offer = keyed(p("job_offer"), JOB_OFFER_REGIONS, "job offer")
        children = p("children")
        self.per_young_child = int(children["per_child_12_or_under"])
        self.per_older_child = int(children["per_child_13_to_21"])
        self.children_max = int(children["maximum"])
        self.self_sufficiency = int(p("self_sufficiency"))
        cutoffs = p("thresholds.cutoffs")
        self.education_cutoff = int(cutoffs["education"])
        self.self_sufficiency_cutoff = int(cutoffs["self_sufficiency"])
        employability = p("thresholds.employability")
        self.employability = np.array(
            [employability["single"], employability["with_spouse"]], dtype=np.int16
        )
        passing = p("thresholds.passing")
        self.passing = np.array([passing["single"], passing["with_spouse"]], dtype=np.int16)
        self.maximum = int(p("maximum"))

    def score(self, prof: Profiles) -> ScoreTable:
        """Score every row of ``prof``; ``checks`` says who passes and why not."""
        spouse = prof["has_spouse"]
        zero = np.int16(0)
        f: dict[str, np.ndarray] = {}
        f["education"] = self.education[prof["education"]]
        f["area_of_training"] = self.area[prof["area_of_training"]]
        f["experience"] = lookup(self.experience, prof["experience_months"])
        f["age"] = lookup(self.age, prof["age"])
        f["french"] = (
            lookup(self.french_oral, prof["french_listening"])
            + lookup(self.french_oral, prof["french_speaking"])
            + lookup(self.french_written, prof["french_reading"])
            + lookup(self.french_written, prof["french_writing"])
        )
        f["english"] = (
            lookup(self.english_oral, prof["english_listening"])
            + lookup(self.english_oral, prof["english_speaking"])
            + lookup(self.english_written, prof["english_reading"])
            + lookup(self.english_written, prof["english_writing"])
        )
        f["stay"] = self.stay[prof["quebec_stay"]]
        f["family"] = np.where(prof["family_in_quebec"], np.int16(self.family), zero)
        f["spouse_education"] = np.where(
            spouse, self.spouse_education[prof["spouse_education"]], zero
        )
        f["spouse_area"] = np.where(spouse, self.spouse_area[prof["spouse_area_of_training"]], zero)
        f["spouse_age"] = np.where(spouse, lookup(self.spouse_age, prof["spouse_age"]), zero)
        f["spouse_french"] = np.where(
            spouse,
            lookup(self.spouse_french, prof["spouse_french_listening"])
            + lookup(self.spouse_french, prof["spouse_french_speaking"]),
            zero,
        )
        f["job_offer"] = self.job_offer[prof["job_offer_region"]]
        children = (
            prof["children_0_12"].astype(np.int32) * self.per_young_child
            + prof["children_13_21"].astype(np.int32) * self.per_older_child
        )
        f["children"] = np.minimum(children, self.children_max).astype(np.int16)
        f["self_sufficiency"] = np.where(
            prof["self_sufficiency"], np.int16(self.self_sufficiency), zero
        )

        factors = {factor.name: f[factor.name].astype(np.int16, copy=False) for factor in LAYOUT}
        total = np.zeros(len(prof), dtype=np.int16)
        for values in factors.values():
            total += values
        employability = np.zeros(len(prof), dtype=np.int16)
        for name in EMPLOYABILITY:
            employability += factors[name]
        s = spouse.astype(np.intp)
        education_ok = factors["education"] >= self.education_cutoff
        sufficiency_ok = factors["self_sufficiency"] >= self.self_sufficiency_cutoff
        employability_ok = employability >= self.employability[s]
        passing_ok = total >= self.passing[s]
        checks = {
            "employability": employability,
            "education_cutoff_met": education_ok,
            "self_sufficiency_cutoff_met": sufficiency_ok,
            "employability_threshold_met": employability_ok,
            "passing_score_met": passing_ok,
            "selected": education_ok & sufficiency_ok & employability_ok & passing_ok,
        }
        return ScoreTable(
            grid=self.name,
            system=self.system,
            date=self.date,
            ids=prof.ids,
            factors=factors,
            total=total,
            checks=checks,
            layout=LAYOUT,
            summary_checks=("employability", "selected"),
        )

    def describe_inputs(self, prof: Profiles, row: int) -> dict[str, str]:
        """The inputs of each factor for one row, in words (for :func:`explain`)."""
        one = prof.take([row])

        def value(name: str) -> int:
            return int(one[name][0])

        def label(name: str) -> str:
            return str(one.labels(name)[0])

        def area(name: str) -> str:
            section = label(name)
            return "no listed area" if section == "none" else f"section {section}"

        def cefr(level: int) -> str:
            return f"{level} ({CEFR[int(NCLC_TO_CEFR[min(level, 12)])]})"

        spouse = bool(one["has_spouse"][0])
        s = int(spouse)
        out = {
            "education": f"{label('education')} (PRTQ row "
            f"'{LEVELS[int(self.level[one['education'][0]])]}'; cut-off "
            f"{self.education_cutoff})",
            "area_of_training": area("area_of_training"),
            "experience": f"{value('experience_months')} months",
            "age": f"{value('age')} years",
            "french": ", ".join(f"{a} {cefr(value(f'french_{a}'))}" for a in ABILITIES),
            "english": "CLB L/S/R/W " + "/".join(str(value(f"english_{a}")) for a in ABILITIES),
            "stay": label("quebec_stay"),
            "family": "yes" if one["family_in_quebec"][0] else "no",
            "job_offer": label("job_offer_region"),
            "children": (
                f"{value('children_0_12')} aged 0–12, {value('children_13_21')} aged "
                f"13–21 (max {self.children_max})"
            ),
            "self_sufficiency": "contract signed" if one["self_sufficiency"][0] else "no contract",
        }
        if spouse:
            out["spouse_education"] = label("spouse_education")
            out["spouse_area"] = area("spouse_area_of_training")
            out["spouse_age"] = f"{value('spouse_age')} years"
            out["spouse_french"] = (
                f"listening {cefr(value('spouse_french_listening'))}, "
                f"speaking {cefr(value('spouse_french_speaking'))}"
            )
        else:
            for key in ("spouse_education", "spouse_area", "spouse_age", "spouse_french"):
                out[key] = "no accompanying spouse"
        out["check:employability"] = f"threshold {int(self.employability[s])}"
        out["check:employability_threshold_met"] = f"threshold {int(self.employability[s])}"
        out["check:passing_score_met"] = f"passing score {int(self.passing[s])}"
        return out
