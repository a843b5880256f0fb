"""Target expressions: ``population_20_64 >= population_20_64[2018]`` and the like.

Grammar (spaces free; ``≥``/``≤`` accepted)::

    target  := side OP side              OP: >=  <=  ==  =
    side    := term (('+' | '-') term)*
    term    := number ['%'] | [number ['*']] ref
    ref     := NAME ['[' when ']'] | 'max_without_immigration' '(' NAME ')'
    when    := YEAR | YEAR ':' YEAR | 'base'

A reference without ``[...]`` is the indicator in *each year* of the target's window (the
years of the solve, or the ``[A:B]`` range written in the target); ``NAME[YEAR]`` is its
value in that one year; ``NAME[base]`` in the base year. ``max_without_immigration(NAME)`` is
the highest value the indicator reaches from the base year to the horizon when no one is
admitted from the first year of the solve (the reference level of the UN's *Replacement
Migration* scenarios III, IV and VI). ``25%`` is 0.25.

A ratio indicator (a share, a support or dependency ratio) must stand alone on its side,
against numbers or levels the plan does not move: ``support_ratio >= 3``. Sums and
differences of counts are free: ``population[2050] - population[2018] >= 500000``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from immiplan.errors import InputError
from immiplan.solver.indicators import indicator

__all__ = ["Reference", "Target", "Term", "parse_target"]

Operator = Literal[">=", "<=", "=="]
When = int | tuple[int, int] | Literal["each", "base", "max_without_immigration"]


@dataclass(frozen=True)
class Term:
    """``coefficient × indicator[when]``, or a bare number when ``indicator`` is ``None``."""

    coefficient: float
    indicator: str | None = None
    when: When = "each"


Reference = Term


@dataclass(frozen=True)
class Target:
    """A parsed target: ``Σ lhs  OP  Σ rhs``."""

    text: str
    lhs: tuple[Term, ...]
    operator: Operator
    rhs: tuple[Term, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every term, right-hand side included."""
        return (*self.lhs, *self.rhs)

    @property
    def window(self) -> tuple[int, int] | None:
        """The ``[A:B]`` range written in the target, if any."""
        ranges = {t.when for t in self.terms if isinstance(t.when, tuple)}
        return next(iter(ranges)) if ranges else None

    @property
    def each_year(self) -> bool:
        """Whether the target holds in every year of a window (not at one year)."""
        return any(t.when == "each" or isinstance(t.when, tuple) for t in self.terms)


_TOKEN = re.compile(
    r"\s*(?:(?P<op>>=|<=|==|=|≥|≤)|(?P<num>\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<sym>[-+*%\[\]():]))"
)
_OPS = {">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", "==": "==", "=": "=="}


def _tokens(text: str, field: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        match = _TOKEN.match(stripped, pos)
        if match is None or match.end() == pos:
            raise InputError(
                f"malformed target: cannot read {stripped[pos:].strip()[:20]!r}",
                field=field,
                value=text,
            )
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field
        self.tokens = _tokens(text, field)
        self.i = 0

    def fail(self, why: str) -> InputError:
        return InputError(f"malformed target: {why}", field=self.field, value=self.text)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.fail("it ends too early")
        if (kind is not None and token[0] != kind) or (value is not None and token[1] != value):
            raise self.fail(f"unexpected {token[1]!r}")
        self.i += 1
        return token

    def side(self) -> list[Term]:
        terms = [self.term(1.0)]
        while (token := self.peek()) is not None and token[1] in "+-" and token[0] == "sym":
            self.i += 1
            terms.append(self.term(-1.0 if token[1] == "-" else 1.0))
        return terms

    def number(self) -> float:
        return float(self.take("num")[1].replace("_", ""))

    def term(self, sign: float) -> Term:
        token = self.peek()
        if token is None:
            raise self.fail("a term is missing")
        if token == ("sym", "-"):
            self.i += 1
            sign = -sign
            token = self.peek()
            if token is None:
                raise self.fail("a term is missing")
        if token[0] == "num":
            value = self.number()
            nxt = self.peek()
            if nxt == ("sym", "%"):
                self.i += 1
                return Term(sign * value / 100.0)
            if nxt == ("sym", "*"):
                self.i += 1
                return self.reference(sign * value)
            if nxt is not None and nxt[0] == "name":
                return self.reference(sign * value)
            return Term(sign * value)
        if token[0] == "name":
            return self.reference(sign)
        raise self.fail(f"unexpected {token[1]!r}")

    def reference(self, coefficient: float) -> Term:
        name = self.take("name")[1]
        if name == "max_without_immigration":
            self.take("sym", "(")
            inner = self.take("name")[1]
            self.take("sym", ")")
            indicator(inner, self.field)
            return Term(coefficient, inner, "max_without_immigration")
        indicator(name, self.field)
        if self.peek() != ("sym", "["):
            return Term(coefficient, name, "each")
        self.take("sym", "[")
        token = self.peek()
        when: When
        if token == ("name", "base"):
            self.i += 1
            when = "base"
        else:
            first = self.year()
            if self.peek() == ("sym", ":"):
                self.i += 1
                last = self.year()
                if last < first:
                    raise InputError(
                        "a year range must run forward (first:last)",
                        field=self.field,
                        value=f"{first}:{last}",
                    )
                when = (first, last)
            else:
                when = first
        self.take("sym", "]")
        return Term(coefficient, name, when)

    def year(self) -> int:
        token = self.take("num")[1]
        if not token.isdigit():
            raise self.fail(f"a year must be a whole number, got {token!r}")
        return int(token)


def parse_target(text: str, field: str = "target") -> Target:
    """Parse one target expression (see the module docstring).

    Raises
    ------
    InputError
        A malformed expression or an unknown indicator, naming ``field`` and the text.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("a target must be a non-empty expression", field=field, value=text)
    parser = _Parser(text, field)
    lhs = parser.side()
    op = parser.take("op")[1]
    rhs = parser.side()
    if parser.peek() is not None:
        raise parser.fail(f"unexpected {parser.peek()[1]!r} after the target")  # type: ignore[index]
    target = Target(text.strip(), tuple(lhs), _OPS[op], tuple(rhs))  # type: ignore[arg-type]
    if not any(t.indicator for t in target.terms):
        raise InputError("a target must name an indicator", field=field, value=text)
    ranges = {t.when for t in target.terms if isinstance(t.when, tuple)}
    if len(ranges) > 1:
        raise InputError("a target may give one year range only", field=field, value=text)
    ratios = [t for t in target.terms if t.indicator and indicator(t.indicator).ratio]
    if ratios:
        alone = (len(lhs) == 1 and lhs[0] in ratios) or (len(rhs) == 1 and rhs[0] in ratios)
        if not alone or len(ratios) > 2:
            raise InputError(
                "a ratio (share, support or dependency ratio) must stand alone on one side, "
                "against numbers or fixed levels, e.g. 'support_ratio >= 3'",
                field=field,
                value=text,
            )
    return target
