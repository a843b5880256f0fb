"""Canada's Comprehensive Ranking System (Express Entry), vectorised over a profile table.

Blocks (facts/selection.md §2.1): A core human capital (age, education, first and second
official language, Canadian work), B spouse factors, C skill transferability (education group,
foreign-work group, certificate of qualification; each group capped at 50, the block at 100),
D additional points (capped at 600). Maximum 1,200.

Choices where the grid leaves room (also in docs/selection.md):

* ``first_official_language = auto`` scores as first the language giving more first-language
  points (English on a tie), as a candidate would declare it. The spouse's language is scored
  the same way, on the better of the spouse's two languages.
* Skill transferability reads the first official language.
* French additional points: ``bilingual`` needs English CLB 5+ on all four abilities; any other
  English result (including a mix of levels) gives ``french_only``.
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
    ARRANGED_EMPLOYMENT,
    CANADIAN_EDUCATION,
    CRS_EDUCATION,
    EDUCATION,
    Profiles,
)

LEVELS = (
    "less_than_secondary",
    "secondary",
    "one_year",
    "two_year",
    "bachelor",
    "two_or_more",
    "master",
    "doctorate",
)
"""The CRS education rows, lowest first."""

_MAX_AGE = 120
_MAX_YEARS = 60

LAYOUT: tuple[Factor, ...] = (
    Factor("age", "core", "age", ("age", "has_spouse")),
    Factor("education", "core", "level of education", ("education",)),
    Factor("first_language", "core", "first official language", ()),
    Factor("second_language", "core", "second official language", ()),
    Factor("canadian_work", "core", "Canadian work experience", ("canadian_work_years",)),
    Factor("spouse_education", "spouse", "spouse: level of education", ("spouse_education",)),
    Factor("spouse_language", "spouse", "spouse: first official language", ()),
    Factor(
        "spouse_canadian_work",
        "spouse",
        "spouse: Canadian work experience",
        ("spouse_canadian_work_years",),
    ),
    Factor("education_language", "transferability", "education × official language", ()),
    Factor("education_canadian_work", "transferability", "education × Canadian work", ()),
    Factor("education_cap", "transferability", "education group cap", ()),
    Factor("foreign_language", "transferability", "foreign work × official language", ()),
    Factor("foreign_canadian_work", "transferability", "foreign work × Canadian work", ()),
    Factor("foreign_cap", "transferability", "foreign work group cap", ()),
    Factor("certificate", "transferability", "certificate of qualification × language", ()),
    Factor("transferability_cap", "transferability", "skill transferability cap", ()),
    Factor("sibling", "additional", "sibling in Canada", ("sibling_in_canada",)),
    Factor("french", "additional", "French-language skills", ()),
    Factor(
        "canadian_education",
        "additional",
        "Canadian post-secondary education",
        ("canadian_education",),
    ),
    Factor("arranged_employment", "additional", "arranged employment", ("arranged_employment",)),
    Factor(
        "provincial_nomination", "additional", "provincial nomination", ("provincial_nomination",)
    ),
    Factor("additional_cap", "additional", "additional points cap", ()),
)


def _tiers(starts: list[int], upto: int) -> np.ndarray:
    return step_table(starts, list(range(len(starts))), upto)


def _by_spouse(entry: dict[str, list[int]], key: str, upto: int) -> np.ndarray:
    """A [has_spouse, value] lookup from a band table with with/without-spouse points."""
    return np.stack(
        [
            step_table(entry[key], entry["without_spouse"], upto),
            step_table(entry[key], entry["with_spouse"], upto),
        ]
    )


class CrsGrid(LookupGrid):
    """The CRS at one date, as lookup arrays."""

    system = "crs"
    layout = LAYOUT

    def __init__(self, name: str, params: GridParameters) -> None:
        super().__init__(name, params)
        p = params
        self.age = _by_spouse(p("core.age"), "from_age", _MAX_AGE)
        education = p("core.education")
        self.education = np.stack(
            [
                keyed(education["without_spouse"], LEVELS, "education"),
                keyed(education["with_spouse"], LEVELS, "education"),
            ]
        )
        # Profile education code -> CRS row index.
        self.level = np.array(
            [LEVELS.index(CRS_EDUCATION[code]) for code in EDUCATION], dtype=np.int8
        )
        self.first_language = _by_spouse(p("core.first_language"), "from_clb", 12)
        second = p("core.second_language")
        self.second_language = step_table(second["from_clb"], second["points"], 12)
        self.second_cap = np.array(
            [second["cap_without_spouse"], second["cap_with_spouse"]], dtype=np.int16
        )
        self.canadian_work = _by_spouse(p("core.canadian_work"), "from_years", _MAX_YEARS)

        self.spouse_education = keyed(p("spouse.education"), LEVELS, "spouse education")
        spouse_language = p("spouse.language")
        self.spouse_language = step_table(
            spouse_language["from_clb"], spouse_language["points"], 12
        )
        self.spouse_language_cap = int(spouse_language["cap"])
        spouse_work = p("spouse.canadian_work")
        self.spouse_work = step_table(spouse_work["from_years"], spouse_work["points"], _MAX_YEARS)

        group = p("transferability.education")
        self.education_tier = keyed(group["education_tier"], LEVELS, "education tier")
        self.education_language_tier = _tiers(group["language_tier_from_min_clb"], 12)
        self.education_work_tier = _tiers(group["canadian_work_tier_from_years"], _MAX_YEARS)
        self.education_with_language = np.array(group["with_language"], dtype=np.int16)
        self.education_with_work = np.array(group["with_canadian_work"], dtype=np.int16)
        self.education_cap = int(group["cap"])
        group = p("transferability.foreign_work")
        self.foreign_tier = _tiers(group["foreign_work_tier_from_years"], _MAX_YEARS)
        self.foreign_language_tier = _tiers(group["language_tier_from_min_clb"], 12)
        self.foreign_work_tier = _tiers(group["canadian_work_tier_from_years"], _MAX_YEARS)
        self.foreign_with_language = np.array(group["with_language"], dtype=np.int16)
        self.foreign_with_work = np.array(group["with_canadian_work"], dtype=np.int16)
        self.foreign_cap = int(group["cap"])
        certificate = p("transferability.certificate")
        self.certificate = step_table(
            certificate["language_tier_from_min_clb"], certificate["points"], 12
        )
        self.transferability_cap = int(p("transferability.cap"))

        self.sibling = int(p("additional.sibling"))
        french = p("additional.french")
        self.french_only = int(french["french_only"])
        self.bilingual = int(french["bilingual"])
        self.french_min_nclc = int(french["min_nclc"])
        self.english_min_clb = int(french["min_clb_english"])
        canadian_education = p("additional.canadian_education")
        self.canadian_education = np.array(
            [0] + [int(canadian_education[k]) for k in CANADIAN_EDUCATION[1:]], dtype=np.int16
        )
        arranged = p("additional.arranged_employment")
        self.arranged = np.array(
            [0] + [int(arranged[k]) for k in ARRANGED_EMPLOYMENT[1:]], dtype=np.int16
        )
        self.nomination = int(p("additional.provincial_nomination"))
        self.additional_cap = int(p("additional.cap"))
        self.maximum = int(p("maximum"))

    # -- scoring ------------------------------------------------------------------------------

    def _languages(self, prof: Profiles, spouse_idx: np.ndarray) -> dict[str, np.ndarray]:
        french = [prof[f"french_{a}"] for a in ABILITIES]
        english = [prof[f"english_{a}"] for a in ABILITIES]
        table = self.first_language
        french_first_pts = sum(
            table[spouse_idx, np.minimum(v, 12)].astype(np.int16) for v in french
        )
        english_first_pts = sum(
            table[spouse_idx, np.minimum(v, 12)].astype(np.int16) for v in english
        )
        choice = prof["first_official_language"]
        french_first = (choice == 1) | ((choice == 2) & (french_first_pts > english_first_pts))
        second = self.second_language
        french_second = sum(lookup(second, v) for v in french)
        english_second = sum(lookup(second, v) for v in english)
        french_min = np.minimum.reduce(french)
        english_min = np.minimum.reduce(english)
        return {
            "french_first": french_first,
            "first": np.where(french_first, french_first_pts, english_first_pts),
            "second_raw": np.where(french_first, english_second, french_second),
            "first_min": np.where(french_first, french_min, english_min),
            "french_min": french_min,
            "english_min": english_min,
        }

    def score(self, prof: Profiles) -> ScoreTable:
        """Score every row of ``prof`` under this CRS."""
        spouse = prof["has_spouse"]
        s = spouse.astype(np.intp)
        level = self.level[prof["education"]]
        f: dict[str, np.ndarray] = {}
        f["age"] = self.age[s, np.minimum(prof["age"], _MAX_AGE)]
        f["education"] = self.education[s, level]
        lang = self._languages(prof, s)
        f["first_language"] = lang["first"].astype(np.int16)
        f["second_language"] = np.minimum(lang["second_raw"], self.second_cap[s]).astype(np.int16)
        cwe = np.minimum(prof["canadian_work_years"], _MAX_YEARS)
        f["canadian_work"] = self.canadian_work[s, cwe]

        zero = np.int16(0)
        spouse_level = self.level[prof["spouse_education"]]
        f["spouse_education"] = np.where(spouse, self.spouse_education[spouse_level], zero)
        spouse_french = sum(
            lookup(self.spouse_language, prof[f"spouse_french_{a}"]) for a in ABILITIES
        )
        spouse_english = sum(
            lookup(self.spouse_language, prof[f"spouse_english_{a}"]) for a in ABILITIES
        )
        spouse_lang = np.minimum(
            np.maximum(spouse_french, spouse_english), self.spouse_language_cap
        )
        f["spouse_language"] = np.where(spouse, spouse_lang, zero).astype(np.int16)
        f["spouse_canadian_work"] = np.where(
            spouse, lookup(self.spouse_work, prof["spouse_canadian_work_years"]), zero
        )

        first_min = lang["first_min"]
        education_tier = self.education_tier[level]
        f["education_language"] = self.education_with_language[
            education_tier, self.education_language_tier[first_min]
        ]
        f["education_canadian_work"] = self.education_with_work[
            education_tier, self.education_work_tier[cwe]
        ]
        group = f["education_language"] + f["education_canadian_work"]
        f["education_cap"] = (np.minimum(group, self.education_cap) - group).astype(np.int16)
        foreign_tier = self.foreign_tier[np.minimum(prof["foreign_work_years"], _MAX_YEARS)]
        f["foreign_language"] = self.foreign_with_language[
            foreign_tier, self.foreign_language_tier[first_min]
        ]
        f["foreign_canadian_work"] = self.foreign_with_work[
            foreign_tier, self.foreign_work_tier[cwe]
        ]
        group = f["foreign_language"] + f["foreign_canadian_work"]
        f["foreign_cap"] = (np.minimum(group, self.foreign_cap) - group).astype(np.int16)
        f["certificate"] = np.where(
            prof["certificate_of_qualification"], lookup(self.certificate, first_min), zero
        )
        block = sum(
            f[k]
            for k in (
                "education_language",
                "education_canadian_work",
                "education_cap",
                "foreign_language",
                "foreign_canadian_work",
                "foreign_cap",
                "certificate",
            )
        )
        f["transferability_cap"] = (np.minimum(block, self.transferability_cap) - block).astype(
            np.int16
        )

        f["sibling"] = np.where(prof["sibling_in_canada"], np.int16(self.sibling), zero)
        french_ok = lang["french_min"] >= self.french_min_nclc
        english_ok = lang["english_min"] >= self.english_min_clb
        f["french"] = np.where(
            french_ok,
            np.where(english_ok, np.int16(self.bilingual), np.int16(self.french_only)),
            zero,
        )
        f["canadian_education"] = self.canadian_education[prof["canadian_education"]]
        f["arranged_employment"] = self.arranged[prof["arranged_employment"]]
        f["provincial_nomination"] = np.where(
            prof["provincial_nomination"], np.int16(self.nomination), zero
        )
        block = sum(
            f[k]
            for k in (
                "sibling",
                "french",
                "canadian_education",
                "arranged_employment",
                "provincial_nomination",
            )
        )
        f["additional_cap"] = (np.minimum(block, self.additional_cap) - block).astype(np.int16)

        factors = {factor.name: f[factor.name].astype(np.int16, copy=False) for factor in LAYOUT}
        total = np.zeros(len(prof), dtype=np.int16)
        for values in factors.values():
            total += values
        return ScoreTable(
            grid=self.name,
            system=self.system,
            date=self.date,
            ids=prof.ids,
            factors=factors,
            total=total,
            layout=LAYOUT,
        )

    # -- explanation --------------------------------------------------------------------------

    def describe_inputs(self, prof: Profiles, row: int) -> dict[str, str]:
        """The inputs of each factor for one row, in words (for :func:`explain`)."""
        one = prof.take([row])
        s = one["has_spouse"].astype(np.intp)
        lang = self._languages(one, s)
        table = self.score(one)
        v = {name: int(values[0]) for name, values in table.factors.items()}
        french_first = bool(lang["french_first"][0])
        first, second = ("french", "english") if french_first else ("english", "french")

        def levels(prefix: str) -> str:
            return "/".join(str(int(one[f"{prefix}_{a}"][0])) for a in ABILITIES)

        education = str(one.labels("education")[0])
        spouse = bool(one["has_spouse"][0])
        level = LEVELS[int(self.level[one["education"][0]])]
        first_min = int(lang["first_min"][0])
        language_tier = int(self.education_language_tier[first_min])
        cwe = int(one["canadian_work_years"][0])
        foreign = int(one["foreign_work_years"][0])
        edu_sum = v["education_language"] + v["education_canadian_work"]
        foreign_sum = v["foreign_language"] + v["foreign_canadian_work"]
        transfer_sum = (
            edu_sum + v["education_cap"] + foreign_sum + v["foreign_cap"] + v["certificate"]
        )
        additional_sum = sum(
            v[k]
            for k in (
                "sibling",
                "french",
                "canadian_education",
                "arranged_employment",
                "provincial_nomination",
            )
        )
        out = {
            "age": f"{int(one['age'][0])} years, {'with' if spouse else 'without'} spouse",
            "education": f"{education} (CRS row '{level}')",
            "first_language": f"{first} L/S/R/W {levels(first)}",
            "second_language": (
                f"{second} L/S/R/W {levels(second)} (sum "
                f"{int(lang['second_raw'][0])}, cap {int(self.second_cap[s[0]])})"
            ),
            "canadian_work": f"{cwe} years",
            "education_language": (
                f"education tier {int(self.education_tier[LEVELS.index(level)])}"
                f", language tier {language_tier} (lowest first-language "
                f"level {first_min})"
            ),
            "education_canadian_work": (
                f"education tier "
                f"{int(self.education_tier[LEVELS.index(level)])}, "
                f"Canadian work {cwe} years"
            ),
            "education_cap": f"group sum {edu_sum}, cap {self.education_cap}",
            "foreign_language": f"foreign work {foreign} years, language tier {language_tier}",
            "foreign_canadian_work": f"foreign work {foreign} years, Canadian work {cwe} years",
            "foreign_cap": f"group sum {foreign_sum}, cap {self.foreign_cap}",
            "certificate": (
                f"certificate of qualification, lowest first-language level {first_min}"
                if one["certificate_of_qualification"][0]
                else "no certificate"
            ),
            "transferability_cap": f"block sum {transfer_sum}, cap {self.transferability_cap}",
            "sibling": "yes" if one["sibling_in_canada"][0] else "no",
            "french": (f"French L/S/R/W {levels('french')}, English L/S/R/W {levels('english')}"),
            "canadian_education": str(one.labels("canadian_education")[0]),
            "arranged_employment": str(one.labels("arranged_employment")[0]),
            "provincial_nomination": "yes" if one["provincial_nomination"][0] else "no",
            "additional_cap": f"block sum {additional_sum}, cap {self.additional_cap}",
        }
        if spouse:
            out["spouse_education"] = str(one.labels("spouse_education")[0])
            out["spouse_language"] = (
                f"French L/S/R/W {levels('spouse_french')}, English "
                f"L/S/R/W {levels('spouse_english')} (better one counts)"
            )
            out["spouse_canadian_work"] = f"{int(one['spouse_canadian_work_years'][0])} years"
        else:
            for key in ("spouse_education", "spouse_language", "spouse_canadian_work"):
                out[key] = "no accompanying spouse"
        return out
