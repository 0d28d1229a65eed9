"""Version constraints of an entry's ``environment``: parsed, checked, and matched.

A constraint is a PEP 440 specifier set (``<9.4``, ``>=0.14,<0.15``), a bare version
(``0.14.1`` means exactly that release) or a release series (``0.14.x`` means ``==0.14.*``).
"""

from __future__ import annotations

import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_SERIES = re.compile(r"^\s*(\d+(?:\.\d+)*)\.[xX*]\s*$")
_BARE = re.compile(r"^\s*\d+(?:\.\d+)*\S*\s*$")


def parse_constraint(text: str) -> SpecifierSet:
    """Parse one constraint; raises ValueError with a readable reason."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty version constraint")
    series = _SERIES.match(text)
    if series:
        return SpecifierSet(f"=={series.group(1)}.*")
    if _BARE.match(text) and not any(op in text for op in "<>=!~,"):
        try:
            return SpecifierSet(f"=={Version(text.strip())}")
        except InvalidVersion:
            raise ValueError(f"`{text}` is not a version") from None
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise ValueError(f"`{text}` is not a version constraint") from None


def admits(constraint: str, version: str) -> bool:
    """Whether ``version`` satisfies ``constraint`` (pre-releases included)."""
    try:
        wanted = Version(version)
    except InvalidVersion:
        raise ValueError(f"`{version}` is not a version") from None
    return parse_constraint(constraint).contains(wanted, prereleases=True)


def is_release(text: str) -> bool:
    """Whether ``text`` names one release (``3.4.0``), as ``fixed_in`` needs."""
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True
