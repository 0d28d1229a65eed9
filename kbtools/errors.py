"""The one error type for bad entries, and the error for a knowledge base that cannot be used.

Validation never stops at the first problem: every check appends a :class:`Problem`, and the
front ends print them all as ``path:line:col: KBnnn message``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one entry file, at a line and column (both 1-based)."""

    path: Path
    line: int
    col: int
    code: str
    message: str
    field: str = dataclasses.field(default="", compare=False)
    severity: str = dataclasses.field(default="error", compare=False)  # "error" or "warning"

    def display_path(self, root: Path | None = None) -> str:
        if root is not None:
            # The path as given first: a symlink is shown where it is, not where it points.
            pairs = ((Path(os.path.abspath(self.path)), Path(os.path.abspath(root))),
                     (Path(os.path.realpath(self.path)), Path(os.path.realpath(root))))
            for path, base in pairs:
                try:
                    return path.relative_to(base).as_posix()
                except ValueError:
                    pass
        return self.path.as_posix()

    def format(self, root: Path | None = None) -> str:
        where = f"{self.display_path(root)}:{self.line}:{self.col}"
        level = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {self.code} {level}{self.message}"

    def to_dict(self, root: Path | None = None) -> dict[str, object]:
        return {
            "path": self.display_path(root),
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "field": self.field,
            "severity": self.severity,
            "message": self.message,
        }


class EntryError(Exception):
    """Raised by the library when entries are bad; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        first = self.problems[0].format() if self.problems else "invalid entry"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class KBError(Exception):
    """The knowledge base itself cannot be used: not found, unreadable, no entries folder."""
