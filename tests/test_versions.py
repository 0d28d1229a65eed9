from __future__ import annotations

import pytest

from kbtools.versions import admits, parse_constraint


@pytest.mark.parametrize(("constraint", "version", "expected"), [
    ("<9.4", "9.3", True),
    ("<9.4", "9.4", False),
    ("<9.4", "9.6.1", False),
    ("0.14.1", "0.14.1", True),
    ("0.14.1", "0.14.2", False),
    ("0.14.x", "0.14.9", True),
    ("0.14.x", "0.15.0", False),
    (">=0.14,<0.15", "0.14.1", True),
    (">=5.3", "5.1", False),
])
def test_admits(constraint: str, version: str, expected: bool) -> None:
    assert admits(constraint, version) is expected


@pytest.mark.parametrize("bad", ["", "  ", "latest", "<<9", "9.4 or newer", ">=a.b"])
def test_bad_constraints_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(ValueError, match="version"):
        parse_constraint(bad)


def test_a_bad_version_to_match_is_refused() -> None:
    with pytest.raises(ValueError, match="not a version"):
        admits("<9.4", "nine")
