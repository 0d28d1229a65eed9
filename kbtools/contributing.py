"""The rule table inside CONTRIBUTING.md and CONTRIBUTING.zh.md, kept in step with kbtools.rules.

The table sits between two marker comments; ``python -m kbtools.contributing`` rewrites it in
both guides (atomically), and tests/test_contributing.py fails while a guide is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kbtools.atomic import write_text
from kbtools.rules import markdown_table

BEGIN = "<!-- BEGIN kb rules -->"
END = "<!-- END kb rules -->"
GUIDES = ("CONTRIBUTING.md", "CONTRIBUTING.zh.md")


def with_rule_table(text: str) -> str:
    """``text`` with the current rule table between the markers (ValueError without them)."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no `{BEGIN}` … `{END}` markers")
    return text[: start + len(BEGIN)] + "\n" + markdown_table() + text[end:]


def main(root: Path) -> int:
    for name in GUIDES:
        path = root / name
        text = path.read_text(encoding="utf-8")
        updated = with_rule_table(text)
        if updated != text:
            write_text(path, updated, overwrite=True)
            print(f"{name}: rule table updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(__file__).resolve().parent.parent))
