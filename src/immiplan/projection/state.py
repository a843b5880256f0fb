"""The fixed layout of the projection state.

The engine works on one NumPy array per date, ``P[state, trait, sex, age]``:

``state`` (46 for Quebec)
    A flattened (group, duration) pair, in this order::

        0          non_immigrant            (duration 0 only)
        1 ..  11   economic, durations 0..9, 10+
        12 .. 22   family,   durations 0..9, 10+
        23 .. 33   refugees, durations 0..9, 10+
        34 .. 44   other,    durations 0..9, 10+
        45         npr                      (duration 0 only)

    that is ``1 + 4 × 11 + 1 = 46`` states. The immigrant states form one contiguous
    *block* that reshapes, without a copy, to ``(category, duration)``. ``duration`` is the
    number of completed years since landing on 1 July: people who land between 1 July of
    year *t* and 30 June of *t + 1* are at duration 0 on 1 July of *t + 1*; the last
    duration (10 = "10+") absorbs itself.
``trait`` (``K``, default 1)
    An optional extra characteristic carried through every operation (knowledge of French
    for :mod:`immiplan.outcomes`: ``K = 2``, 0 = cannot, 1 = can conduct a conversation).
``sex``
    ``female``, ``male`` (a one-sex configuration has a single "both sexes" row).
``age``
    Completed years on 1 July, ``0..100``; 100 is the open group "100+".

The public :class:`xarray.Dataset` exposes named dimensions ``year, group, duration, sex,
age`` (``trait`` too when ``K > 1``), as in ``docs/architecture.md``: :meth:`StateSpace.unflatten`
turns the compact axis into ``(group, duration)`` with zeros where a group has no duration.

The same engine runs other configurations through a :class:`StateSpace`: the ISQ
reproduction is one state ("population"), one sex, no durations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

SEXES: tuple[str, ...] = ("female", "male")
"""Sex order of every sex axis."""
N_AGES = 101
"""Single years 0..100, the last open ("100+")."""
AGES = np.arange(N_AGES)
CATEGORIES: tuple[str, ...] = ("economic", "family", "refugees", "other")
"""Admission categories, the immigrant groups (top-level category codes)."""
N_DURATIONS = 11
"""Years since landing 0..9 and 10 = "10+"."""
DURATIONS = np.arange(N_DURATIONS)
GROUPS: tuple[str, ...] = ("non_immigrant", *CATEGORIES, "npr")
"""The named groups of the Dataset, in order."""

__all__ = [
    "AGES",
    "CATEGORIES",
    "DURATIONS",
    "GROUPS",
    "N_AGES",
    "N_DURATIONS",
    "QUEBEC",
    "SEXES",
    "StateSpace",
    "one_group",
]


@dataclass(frozen=True)
class StateSpace:
    """Which states the compact ``state`` axis holds and how they advance each year.

    The axis is ``leading`` single states, then a block of ``len(categories) ×
    n_durations`` immigrant states (category-major), then ``trailing`` single states.
    Each year a single state stays itself; a block state at duration ``d`` moves to
    ``d + 1`` (the last duration absorbs itself); new immigrants of category ``c`` enter
    at ``(c, 0)``.

    Attributes
    ----------
    leading, trailing:
        Names of the single states before and after the block.
    categories:
        Names of the block's categories (possibly empty).
    n_durations:
        Durations per category (the last open).
    newborn_state:
        Index of the state that births enter.
    sexes:
        Names of the sex axis.
    """

    leading: tuple[str, ...]
    categories: tuple[str, ...]
    n_durations: int
    trailing: tuple[str, ...]
    newborn_state: int = 0
    sexes: tuple[str, ...] = SEXES

    @property
    def n_states(self) -> int:
        """Length of the compact state axis."""
        return len(self.leading) + len(self.categories) * self.n_durations + len(self.trailing)

    @property
    def block(self) -> slice:
        """The slice of the state axis holding the immigrant block."""
        start = len(self.leading)
        return slice(start, start + len(self.categories) * self.n_durations)

    @property
    def n_sexes(self) -> int:
        """Length of the sex axis."""
        return len(self.sexes)

    def state(self, group: str, duration: int = 0) -> int:
        """Index on the compact axis of ``group`` (at ``duration`` for a category)."""
        if group in self.leading:
            return self.leading.index(group)
        if group in self.categories:
            if not 0 <= duration < self.n_durations:
                raise ValueError(f"duration {duration} outside 0..{self.n_durations - 1}")
            return self.block.start + self.categories.index(group) * self.n_durations + duration
        if group in self.trailing:
            return self.block.stop + self.trailing.index(group)
        raise ValueError(f"unknown group {group!r}")

    def entry_states(self) -> NDArray[np.intp]:
        """Index of the duration-0 state of each category (where immigrants enter)."""
        starts = self.block.start + np.arange(len(self.categories)) * self.n_durations
        return np.asarray(starts, dtype=np.intp)

    @property
    def groups(self) -> tuple[str, ...]:
        """Group names in Dataset order: leading, categories, trailing."""
        return (*self.leading, *self.categories, *self.trailing)

    def group_of_state(self) -> NDArray[np.intp]:
        """For each compact state, the index of its group in :attr:`groups`."""
        out = [*range(len(self.leading))]
        for c in range(len(self.categories)):
            out.extend([len(self.leading) + c] * self.n_durations)
        base = len(self.leading) + len(self.categories)
        out.extend(base + i for i in range(len(self.trailing)))
        return np.asarray(out, dtype=np.intp)

    def duration_of_state(self) -> NDArray[np.intp]:
        """For each compact state, its duration (0 for the single states)."""
        out = [0] * len(self.leading)
        for _ in self.categories:
            out.extend(range(self.n_durations))
        out.extend([0] * len(self.trailing))
        return np.asarray(out, dtype=np.intp)

    def unflatten(self, array: FloatArray, axis: int) -> FloatArray:
        """Expand the compact state ``axis`` of ``array`` into ``(group, duration)``.

        Single states sit at duration 0; their other durations are zero.
        """
        moved = np.moveaxis(np.asarray(array), axis, 0)
        n_dur = max(self.n_durations, 1)
        out = np.zeros((len(self.groups), n_dur, *moved.shape[1:]), dtype=moved.dtype)
        out[self.group_of_state(), self.duration_of_state()] = moved
        return np.moveaxis(out, (0, 1), (axis, axis + 1))

    def flatten(self, array: FloatArray, axis: int) -> FloatArray:
        """Inverse of :meth:`unflatten`: ``(group, duration)`` at ``axis, axis+1`` to states."""
        moved = np.moveaxis(np.asarray(array), (axis, axis + 1), (0, 1))
        return np.moveaxis(moved[self.group_of_state(), self.duration_of_state()], 0, axis)


QUEBEC = StateSpace(
    leading=("non_immigrant",),
    categories=CATEGORIES,
    n_durations=N_DURATIONS,
    trailing=("npr",),
)
"""The Quebec layout: 46 states (see the module docstring)."""


def one_group(name: str = "population", sexes: tuple[str, ...] = ("both",)) -> StateSpace:
    """A single-state layout (one group, one duration), e.g. the ISQ reproduction.

    The single state is a one-category block with one duration, so immigrants enter it
    and births are born into it.
    """
    return StateSpace(leading=(), categories=(name,), n_durations=1, trailing=(), sexes=sexes)
