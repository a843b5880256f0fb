"""Invitation rounds over a pool of expressions of interest, and filling a plan with them.

The pool is every profile with a submission time: a profile is *in the pool* from its
submission until it expires (``validity_days`` later) or is invited. A round on a date invites
the ``size`` best-ranked profiles in the pool that its targeting allows, ranked by score
(highest first) and, at equal score, by submission time (earliest first): the published
Express Entry tie-break. A round cannot invite more than the pool holds; it then reports the
shortfall. Entries and expiries between rounds follow from the submission times, so a pool
generated over a period *is* the inflow.

The simulator sorts the pool once (``np.lexsort`` on score and submission time) and keeps it
sorted; a round scans the sorted arrays from the top until it has found ``size`` eligible
profiles, so a round costs little more than its size. Scores are fixed at entry: a candidate
whose circumstances change (a nomination, a new test) is a new entry.

:func:`fill_plan` turns a plan's admissions target into invitations: with ``p`` the share of
invited principal applicants who are selected (CSQ) and ``q`` the share of those admitted, and
``f`` persons per principal applicant, it invites ``ceil(target / (p × q × f))`` principals
in rounds dated so that, after the processing lags, their admissions fall in the plan year.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from immiplan.errors import InputError
from immiplan.selection.schema import ABILITIES, JOB_OFFER_REGIONS, Profiles

_DAY = 86_400
_ROUND_HOUR = 12 * 3600  # a round is held at noon UTC on its date


def _seconds(day: dt.date) -> int:
    return int(np.datetime64(day, "s").astype(np.int64)) + _ROUND_HOUR


def _iso(seconds: int | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    return str(np.datetime64(int(seconds), "s")) + "Z"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by a whole number of months (the day clipped to the month's length)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Targeting:
    """Which profiles a round may invite (every condition given must hold)."""

    validated_job_offer: bool = False
    """A validated Quebec job offer (``job_offer_region`` not ``none``)."""
    outside_montreal: bool = False
    """A validated job offer outside the Montreal CMA."""
    regions: tuple[str, ...] = ()
    """Job offers in these regions (``job_offer_region`` values)."""
    min_french_nclc: int | None = None
    """French at this NCLC level or more on all four abilities."""
    occupations: tuple[str, ...] = ()
    """Intended occupation among these NOC codes."""
    certificate_of_qualification: bool = False
    """Federal Skilled Trades rounds: a certificate of qualification."""
    provincial_nomination: bool = False
    """Provincial Nominee Program rounds: a nomination."""
    arranged_employment: bool = False
    """A federal offer of arranged employment."""

    def __post_init__(self) -> None:
        unknown = [r for r in self.regions if r not in JOB_OFFER_REGIONS]
        if unknown:
            raise InputError(
                f"unknown region (known: {', '.join(JOB_OFFER_REGIONS[1:])})",
                field="targeting.regions",
                value=unknown[0],
            )
        if self.min_french_nclc is not None and not 0 <= self.min_french_nclc <= 12:
            raise InputError(
                "an NCLC level is 0–12",
                field="targeting.min_french_nclc",
                value=self.min_french_nclc,
            )

    def is_open(self) -> bool:
        """True when the round is open to every profile."""
        return self == Targeting()

    def describe(self) -> str:
        """The conditions in words ('all' when none)."""
        parts = []
        if self.validated_job_offer:
            parts.append("validated job offer")
        if self.outside_montreal:
            parts.append("job offer outside the Montreal CMA")
        if self.regions:
            parts.append("job offer in " + ", ".join(self.regions))
        if self.min_french_nclc is not None:
            parts.append(f"French NCLC {self.min_french_nclc}+")
        if self.occupations:
            parts.append("NOC " + ", ".join(self.occupations))
        if self.certificate_of_qualification:
            parts.append("certificate of qualification (FST)")
        if self.provincial_nomination:
            parts.append("provincial nomination (PNP)")
        if self.arranged_employment:
            parts.append("arranged employment")
        return "; ".join(parts) or "all"

    def mask(self, prof: Profiles) -> np.ndarray | None:
        """The profiles this targeting allows (``None``: all)."""
        if self.is_open():
            return None
        ok = np.ones(len(prof), dtype=bool)
        region = prof["job_offer_region"]
        if self.validated_job_offer:
            ok &= region != 0
        if self.outside_montreal:
            ok &= region >= 2
        if self.regions:
            wanted = [JOB_OFFER_REGIONS.index(r) for r in self.regions]
            ok &= np.isin(region, wanted)
        if self.min_french_nclc is not None:
            lowest = np.minimum.reduce([prof[f"french_{a}"] for a in ABILITIES])
            ok &= lowest >= self.min_french_nclc
        if self.occupations:
            ok &= np.isin(prof["noc"], list(self.occupations))
        if self.certificate_of_qualification:
            ok &= prof["certificate_of_qualification"]
        if self.provincial_nomination:
            ok &= prof["provincial_nomination"]
        if self.arranged_employment:
            ok &= prof["arranged_employment"] != 0
        return ok


@dataclass(frozen=True)
class RoundSpec:
    """One invitation round to hold."""

    date: dt.date
    size: int
    targeting: Targeting = Targeting()
    label: str = ""
    number: str = ""
    published_cutoff: int | None = None
    counted: bool = True
    """False for warm-up rounds, run but not reported."""


@dataclass
class RoundsResult:
    """What a series of rounds did: one row per round, and who was invited in which round."""

    rounds: pd.DataFrame
    invited: np.ndarray
    """Row indices (into the pool) of invited profiles, in invitation order."""
    invited_round: np.ndarray
    """For each entry of ``invited``, the position of its round in ``rounds``."""
    notes: list[str] = field(default_factory=list)

    @property
    def total_invitations(self) -> int:
        """Invitations over the reported rounds."""
        return int(self.rounds["invitations"].sum())


class RoundSimulator:
    """A pool sorted once by rank, and rounds drawn from it one after another."""

    def __init__(
        self,
        prof: Profiles,
        scores: np.ndarray,
        *,
        validity_days: int = 365,
        eligible: np.ndarray | None = None,
    ) -> None:
        submitted = prof["submitted"]
        if len(prof) and submitted.min() < 0:
            first = int(np.flatnonzero(submitted < 0)[0])
            raise InputError(
                "rounds need a submission time for every profile",
                source=prof.source,
                field=f"row {first + 1}, column submitted",
            )
        if validity_days <= 0:
            raise InputError(
                "profiles must stay valid at least one day",
                field="validity_days",
                value=validity_days,
            )
        self.profiles = prof
        scores = np.asarray(scores)
        # Highest score first; at equal score, earliest submission first (the tie-break).
        self.order = np.lexsort((submitted, -scores.astype(np.int32)))
        self.scores = scores[self.order]
        self.entered = submitted[self.order]
        self.expires = self.entered + int(validity_days) * _DAY
        self.taken = np.zeros(len(prof), dtype=bool)
        if eligible is not None:
            # Ineligible profiles (say, failing the grid) stay in the pool but are never invited.
            self.taken |= ~np.asarray(eligible, dtype=bool)[self.order]
        self.ineligible = self.taken.copy()
        self._entered_sorted = np.sort(submitted)
        self._expires_sorted = self._entered_sorted + int(validity_days) * _DAY
        self._invited_expiry: list[np.ndarray] = []
        self._targets: dict[Targeting, np.ndarray | None] = {}
        self.invited_sorted_positions: list[np.ndarray] = []

    def _target(self, targeting: Targeting) -> np.ndarray | None:
        if targeting not in self._targets:
            mask = targeting.mask(self.profiles)
            self._targets[targeting] = None if mask is None else mask[self.order]
        return self._targets[targeting]

    def pool_size(self, day: dt.date) -> int:
        """Profiles in the pool at the time of a round on ``day`` (before it invites)."""
        t = _seconds(day)
        entered = int(np.searchsorted(self._entered_sorted, t, side="right"))
        expired = int(np.searchsorted(self._expires_sorted, t, side="right"))
        gone = sum(int(np.count_nonzero(e > t)) for e in self._invited_expiry)
        return entered - expired - gone

    def active(self, day: dt.date) -> np.ndarray:
        """Row indices (into the pool) of the profiles in the pool on ``day``."""
        t = _seconds(day)
        invited = np.zeros(len(self.order), dtype=bool)
        for positions in self.invited_sorted_positions:
            invited[positions] = True
        live = (self.entered <= t) & (self.expires > t) & ~invited
        return self.order[live]

    def draw(self, spec: RoundSpec) -> tuple[np.ndarray, int]:
        """Invite for one round: sorted positions of the invited, and the pool size before."""
        if spec.size < 0:
            raise InputError("a round cannot have a negative size", field="size", value=spec.size)
        before = self.pool_size(spec.date)
        t = _seconds(spec.date)
        target = self._target(spec.targeting)
        need = int(spec.size)
        found: list[np.ndarray] = []
        n = len(self.order)
        start = 0
        chunk = max(4 * need, 1 << 14)
        # Scan from the top of the ranking; most rounds stop within the first few chunks.
        while need > 0 and start < n:
            stop = min(n, start + chunk)
            ok = (self.entered[start:stop] <= t) & (self.expires[start:stop] > t)
            ok &= ~self.taken[start:stop]
            if target is not None:
                ok &= target[start:stop]
            hits = np.flatnonzero(ok)[:need] + start
            found.append(hits)
            need -= hits.size
            start = stop
            chunk *= 2
        chosen = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        self.taken[chosen] = True
        self._invited_expiry.append(self.expires[chosen])
        self.invited_sorted_positions.append(chosen)
        return chosen, before


def run_rounds(
    prof: Profiles,
    scores: np.ndarray,
    rounds: Sequence[RoundSpec],
    *,
    validity_days: int = 365,
    eligible: np.ndarray | None = None,
    carry_shortfall: bool = False,
) -> RoundsResult:
    """Hold ``rounds`` in date order over the pool; report invitations and cut-offs per round.

    ``eligible`` excludes profiles from every round (they still count in the pool size).
    With ``carry_shortfall`` a round that cannot fill its size passes the rest to the next.
    """
    sim = RoundSimulator(prof, scores, validity_days=validity_days, eligible=eligible)
    ordered = sorted(rounds, key=lambda r: r.date)
    rows: list[dict[str, object]] = []
    invited: list[np.ndarray] = []
    invited_round: list[np.ndarray] = []
    notes: list[str] = []
    carry = 0
    for spec in ordered:
        wanted = spec.size + (carry if spec.counted else 0)
        actual = (
            spec
            if wanted == spec.size
            else RoundSpec(
                spec.date,
                wanted,
                spec.targeting,
                spec.label,
                spec.number,
                spec.published_cutoff,
                spec.counted,
            )
        )
        chosen, before = sim.draw(actual)
        short = wanted - chosen.size
        carry = short if carry_shortfall and spec.counted else 0
        if not spec.counted:
            continue
        if short:
            notes.append(
                f"round {spec.number or spec.date.isoformat()}: the pool held only "
                f"{chosen.size:,} eligible profiles for {wanted:,} invitations"
            )
        position = len(rows)
        last = int(chosen[-1]) if chosen.size else None
        rows.append(
            {
                "round": spec.number or str(position + 1),
                "date": spec.date.isoformat(),
                "type": spec.label or "general",
                "targeting": spec.targeting.describe(),
                "pool": before,
                "planned": wanted,
                "invitations": int(chosen.size),
                "cutoff": int(sim.scores[last]) if last is not None else None,
                "tie_break": _iso(int(sim.entered[last]) if last is not None else None),
                "published_cutoff": spec.published_cutoff,
            }
        )
        invited.append(sim.order[chosen])
        invited_round.append(np.full(chosen.size, position, dtype=np.int32))
    frame = pd.DataFrame(
        rows,
        columns=[
            "round",
            "date",
            "type",
            "targeting",
            "pool",
            "planned",
            "invitations",
            "cutoff",
            "tie_break",
            "published_cutoff",
        ],
    )
    frame["cutoff"] = frame["cutoff"].astype("Int64")
    frame["published_cutoff"] = frame["published_cutoff"].astype("Int64")
    return RoundsResult(
        rounds=frame,
        invited=np.concatenate(invited) if invited else np.zeros(0, dtype=np.int64),
        invited_round=(
            np.concatenate(invited_round) if invited_round else np.zeros(0, dtype=np.int32)
        ),
        notes=notes,
    )


def cadence(first: dt.date, last: dt.date, every_days: int) -> list[dt.date]:
    """Round dates from ``first`` to ``last`` (inclusive), ``every_days`` apart."""
    if every_days <= 0:
        raise InputError(
            "rounds must be at least one day apart", field="cadence_days", value=every_days
        )
    out = []
    day = first
    while day <= last:
        out.append(day)
        day += dt.timedelta(days=every_days)
    return out


@dataclass(frozen=True)
class Conversion:
    """From invitation to admission: rates, family size and processing lags."""

    invitation_to_selection: float
    """Share of invited principal applicants who apply and are selected (CSQ)."""
    selection_to_admission: float
    """Share of selected principal applicants admitted as permanent residents."""
    persons_per_principal: float
    """Persons admitted per principal applicant (the applicant and accompanying family)."""
    months_to_selection: int
    """Months from invitation to selection (CSQ)."""
    months_to_admission: int
    """Months from selection to admission."""

    def __post_init__(self) -> None:
        for name in ("invitation_to_selection", "selection_to_admission"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise InputError(
                    "a rate must be in (0, 1]", field=f"conversion.{name}", value=value
                )
        if self.persons_per_principal < 1:
            raise InputError(
                "at least one person (the principal applicant) per file",
                field="conversion.persons_per_principal",
                value=self.persons_per_principal,
            )
        for name in ("months_to_selection", "months_to_admission"):
            if getattr(self, name) < 0:
                raise InputError(
                    "a lag cannot be negative",
                    field=f"conversion.{name}",
                    value=getattr(self, name),
                )

    @property
    def persons_per_invitation(self) -> float:
        """Persons admitted per invitation."""
        return (
            self.invitation_to_selection * self.selection_to_admission * self.persons_per_principal
        )

    @property
    def lag_months(self) -> int:
        """Months from invitation to admission."""
        return self.months_to_selection + self.months_to_admission


def invitations_needed(target_admissions: float, conversion: Conversion) -> int:
    """Principal applicants to invite so that expected admissions reach ``target_admissions``."""
    if target_admissions < 0:
        raise InputError(
            "an admissions target cannot be negative", field="target", value=target_admissions
        )
    return math.ceil(target_admissions / conversion.persons_per_invitation - 1e-9)


def plan_rounds(
    year: int,
    target_admissions: float,
    conversion: Conversion,
    *,
    cadence_days: int = 14,
    targeting: Targeting = Targeting(),
    label: str = "plan",
) -> list[RoundSpec]:
    """Rounds whose admissions, after the lags, fall in ``year`` and add up to the target.

    Rounds run every ``cadence_days`` over the year shifted back by the lag; the invitations
    are shared equally (the first rounds take the remainder).
    """
    start = add_months(dt.date(year, 1, 1), -conversion.lag_months)
    end = add_months(dt.date(year, 12, 31), -conversion.lag_months)
    dates = cadence(start, end, cadence_days)
    total = invitations_needed(target_admissions, conversion)
    base, extra = divmod(total, len(dates))
    return [
        RoundSpec(day, base + (1 if i < extra else 0), targeting, label, str(i + 1))
        for i, day in enumerate(dates)
    ]


def add_conversion(result: RoundsResult, conversion: Conversion) -> pd.DataFrame:
    """The rounds with expected selections (CSQ, persons) and admissions, and their dates."""
    frame = result.rounds.copy()
    principals = frame["invitations"] * conversion.invitation_to_selection
    frame["selections"] = principals * conversion.persons_per_principal
    frame["selection_date"] = [
        add_months(dt.date.fromisoformat(d), conversion.months_to_selection).isoformat()
        for d in frame["date"]
    ]
    frame["admissions"] = frame["selections"] * conversion.selection_to_admission
    frame["admission_date"] = [
        add_months(dt.date.fromisoformat(d), conversion.lag_months).isoformat()
        for d in frame["date"]
    ]
    return frame


def fill_plan(
    prof: Profiles,
    scores: np.ndarray,
    *,
    year: int,
    target_admissions: float,
    conversion: Conversion,
    cadence_days: int = 14,
    targeting: Targeting = Targeting(),
    validity_days: int = 365,
    eligible: np.ndarray | None = None,
    warm_up: Sequence[RoundSpec] = (),
) -> tuple[pd.DataFrame, RoundsResult]:
    """Invite enough candidates, in rounds, to deliver ``target_admissions`` in ``year``.

    Returns the rounds (with invitations, cut-off, expected selections and admissions and
    their dates) and the raw :class:`RoundsResult` (who was invited). A round the pool cannot
    fill passes its shortfall to the next round; what is still missing at the end is noted.
    """
    specs = plan_rounds(
        year, target_admissions, conversion, cadence_days=cadence_days, targeting=targeting
    )
    result = run_rounds(
        prof,
        scores,
        [*warm_up, *specs],
        validity_days=validity_days,
        eligible=eligible,
        carry_shortfall=True,
    )
    frame = add_conversion(result, conversion)
    needed = invitations_needed(target_admissions, conversion)
    got = result.total_invitations
    if got < needed:
        result.notes.append(
            f"the pool could not supply the plan: {got:,} of {needed:,} invitations "
            f"({got * conversion.persons_per_invitation:,.0f} of {target_admissions:,.0f} "
            "admissions)"
        )
    return frame, result
