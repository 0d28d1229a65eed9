"""Terminal output: colour only on a TTY and never with NO_COLOR, and the one error-line format."""

from __future__ import annotations

import os
import sys
from typing import TextIO

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34",
          "magenta": "35", "cyan": "36", "underline": "4"}


def use_colour(stream: TextIO, force: bool | None = None) -> bool:
    if force is not None:
        return force
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


class Painter:
    """Wraps text in ANSI styles when colour is on, and passes it through untouched otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def error(message: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    paint = Painter(use_colour(out))
    print(f"{paint('kb: error:', 'red', 'bold')} {message}", file=out)


def warn(message: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    paint = Painter(use_colour(out))
    print(f"{paint('kb: warning:', 'yellow', 'bold')} {message}", file=out)
