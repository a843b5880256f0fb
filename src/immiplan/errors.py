"""User-facing errors.

A user's mistake (a malformed plan, an unknown category, a negative level...) raises
:class:`InputError`. The command line prints its message on one line and exits with
status 2, with no traceback. Programming errors stay ordinary exceptions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class InputError(Exception):
    """Bad input from a user, naming where it is: the file, the field and the value.

    Parameters
    ----------
    message:
        What is wrong, in plain words.
    source:
        The file (or the named object, such as a plan name) the bad input came from.
    field:
        The dotted path of the offending field inside the source, if any.
    value:
        The offending value, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        field: str | None = None,
        value: Any = None,
        has_value: bool | None = None,
    ) -> None:
        self.message = message
        self.source = str(source) if source is not None else None
        self.field = field
        self.value = value
        self.has_value = value is not None if has_value is None else has_value
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.field:
            where.append(f"field '{self.field}'")
        if self.has_value:
            where.append(f"value {self.value!r}")
        prefix = ": ".join([", ".join(where)]) if where else ""
        return f"{prefix}: {self.message}" if prefix else self.message

    def located(self, source: str | Path) -> InputError:
        """Return the same error attributed to ``source`` when it has none yet."""
        if self.source is None:
            self.source = str(source)
        return self
