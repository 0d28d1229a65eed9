"""The one error type for bad entries, and the error for a knowledge base that cannot be used.

Validation never stops at the first problem: every check appends a :class:`Problem`, and the
front ends print them all as ``path:line:col: KBnnn message``. Problems are made from their rule
(:func:`kbtools.rules.problem`), which gives the severity.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Styles a piece of text for the terminal (kbtools.term.Painter): text, then style names.
Paint = Callable[..., str]


def display_path(path: Path, root: Path | None = None) -> str:
    """``path`` relative to ``root`` when it lies inside it, as given first: a symlink is shown
    where it is, not where it points."""
    if root is not None:
        pairs = ((Path(os.path.abspath(path)), Path(os.path.abspath(root))),
                 (Path(os.path.realpath(path)), Path(os.path.realpath(root))))
        for candidate, base in pairs:
            try:
                return candidate.relative_to(base).as_posix()
            except ValueError:
                pass
    return path.as_posix()


def _plain(text: str, *styles: str) -> str:
    return text


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
        return display_path(self.path, root)

    def format(self, root: Path | None = None, paint: Paint = _plain) -> str:
        """``path:line:col: KBnnn message`` (``warning:`` before the message of a warning)."""
        where = f"{self.display_path(root)}:{self.line}:{self.col}:"
        colour = "red" if self.severity == "error" else "yellow"
        level = "" if self.severity == "error" else f"{self.severity}: "
        return f"{paint(where, 'bold')} {paint(self.code, colour, 'bold')} {level}{self.message}"

    def github_annotation(self, root: Path | None = None) -> str:
        """The problem as a GitHub Actions workflow command, which shows it on the pull request's diff."""
        level = "error" if self.severity == "error" else "warning"
        return (f"::{level} file={_escape(self.display_path(root), True)},line={self.line},"
                f"col={self.col},title={_escape(self.code, True)}::{_escape(self.message)}")

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


def _escape(value: str, prop: bool = False) -> str:
    # Workflow commands end at a line break; in a property, `:` and `,` end the value.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


class EntryError(Exception):
    """Raised by the library when entries are bad; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        first = self.problems[0].format() if self.problems else "invalid entry"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class KBError(Exception):
    """The knowledge base itself cannot be used: not found, unreadable, no entries folder."""
