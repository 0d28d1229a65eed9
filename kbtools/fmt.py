"""``kb fmt``: rewrite an entry into the one canonical layout, without changing its content.

Canonical means: front-matter fields in the order of the model, one quoting rule for every
scalar, symptom outputs as ``|`` block scalars, LF line endings, one blank line around each
``##`` section heading and a single trailing newline. Everything else (the text of each section,
every character of every value) is kept exactly.

The emitter is hand-written rather than ``yaml.safe_dump`` because the dumper cannot be told to
use block scalars for outputs only, nor to keep the flow lists (``tags: [a, b]``) people write.
Safety does not depend on the emitter being right: every scalar is read back before it is used,
and the whole result is parsed again and compared with the original before anything is written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kbtools.errors import Problem
from kbtools.model import FrontMatter, Reference, Source
from kbtools.parse import ParsedFile, parse_entry_bytes
from kbtools.rules import problem

FIELD_ORDER: tuple[str, ...] = tuple(FrontMatter.model_fields)
# Nested mappings follow their model too, except symptoms: the spec and every entry give where the
# text came from (command, log) before the text itself, which is long and reads best last.
SUBFIELD_ORDER: dict[str, tuple[str, ...]] = {
    "title": ("zh", "en"),
    "symptoms": ("command", "log", "output"),
    "references": tuple(Reference.model_fields),
    "source": tuple(Source.model_fields),
}
FLOW_LISTS = ("tags", "related")  # short lists of slugs: one line reads better than one per item
QUOTED_VALUES = ("environment", "fixed_in")  # versions: `9.4` unquoted would be a number

_FLOW_ITEM = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
INDENT = "  "

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class CannotFormat(Exception):
    """The file is valid but cannot be put in canonical form without losing something."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


# --------------------------------------------------------------------------- scalars

def _printable(ch: str) -> bool:
    """YAML 1.1's printable set (what the reader accepts raw), minus the line breaks other than LF
    that a block or plain scalar would turn into a newline."""
    o = ord(ch)
    if ch in "\r\x85\u2028\u2029\ufeff":
        return False
    return ch in "\t\n" or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0",
            "\x07": "\\a", "\x08": "\\b", "\x0b": "\\v", "\x0c": "\\f", "\x1b": "\\e",
            "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar that holds any string exactly, on one line."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def _reads_back(snippet: str, value: object) -> bool:
    try:
        loaded = yaml.load(snippet, Loader=_Loader)
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == value and type(loaded.get("k")) is type(value)


def plain_or_quoted(text: str) -> str:
    """The scalar as written without quotes when YAML reads that back as the same string,
    otherwise double-quoted. The choice depends on the text alone, so formatting is idempotent."""
    if text and text == text.strip() and "\n" not in text and all(_printable(c) for c in text) \
            and _reads_back(f"k: {text}\n", text):
        return text
    return double_quoted(text)


def block_scalar(text: str, indent: str) -> list[str] | None:
    """``|`` header and content lines holding ``text`` exactly, or None when no block scalar can
    (control characters, or whitespace that YAML would read differently)."""
    if not text or not all(_printable(c) for c in text):
        return None
    trailing = len(text) - len(text.rstrip("\n"))
    content = text[: len(text) - trailing]
    if not content:
        return None
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    lines = content.split("\n")
    first = next((line for line in lines if line), "")
    # A first line that starts with a space would be taken for deeper indentation: say how deep.
    indicator = "2" if first.startswith(" ") else ""
    body = [indent + line if line else "" for line in lines] + [""] * max(trailing - 1, 0)
    header = f"|{indicator}{chomp}"
    check = "k: " + header + "\n" + "".join(INDENT + line[len(indent):] + "\n" if line else "\n" for line in body)
    if not _reads_back(check, text):
        return None
    return [header, *body]


def _scalar(value: object, quoted: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return double_quoted(value) if quoted else plain_or_quoted(value)
    # Numbers and datetimes never pass validation; dump them the way YAML itself would.
    return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()


# --------------------------------------------------------------------------- front matter

def _ordered(mapping: dict[str, Any], order: Sequence[str]) -> list[str]:
    known = [k for k in order if k in mapping]
    return known + [k for k in mapping if k not in order]


def _value_lines(key: str, value: Any, indent: str, path: tuple[str, ...]) -> list[str]:
    """The lines of ``key: value`` at ``indent``."""
    top = path[0] if path else key
    if isinstance(value, dict):
        if not value:
            return [f"{indent}{key}: {{}}"]
        lines = [f"{indent}{key}:"]
        order = SUBFIELD_ORDER.get(top, ()) if len(path) <= 1 else ()
        for sub in _ordered(value, order):
            lines += _value_lines(sub, value[sub], indent + INDENT, (*path, key))
        return lines
    if isinstance(value, list):
        if not value:
            return [f"{indent}{key}: []"]
        if top in FLOW_LISTS and not path and all(isinstance(v, str) and _FLOW_ITEM.match(v) for v in value):
            # A slug such as `1` or `true` still needs quotes to stay text.
            return [f"{indent}{key}: [{', '.join(plain_or_quoted(v) for v in value)}]"]
        lines = [f"{indent}{key}:"]
        for item in value:
            lines += _item_lines(item, indent + INDENT, (*path, key))
        return lines
    if isinstance(value, str) and (key == "output" or "\n" in value):
        block = block_scalar(value, indent + INDENT)
        if block is not None:
            return [f"{indent}{key}: {block[0]}", *block[1:]]
    return [f"{indent}{key}: {_scalar(value, quoted=top in QUOTED_VALUES and bool(path))}"]


def _item_lines(item: Any, indent: str, path: tuple[str, ...]) -> list[str]:
    """One ``- item`` of a block sequence; a mapping's keys line up after the dash."""
    if isinstance(item, dict) and item:
        lines: list[str] = []
        for sub in _ordered(item, SUBFIELD_ORDER.get(path[0], ())):
            lines += _value_lines(sub, item[sub], indent + INDENT, path)
        lines[0] = indent + "- " + lines[0][len(indent) + 2:]
        return lines
    if isinstance(item, str) and "\n" in item:
        block = block_scalar(item, indent + INDENT)
        if block is not None:
            return [f"{indent}- {block[0]}", *block[1:]]
    if isinstance(item, (dict, list)):
        # Lists of lists never validate; keep them readable YAML all the same.
        return [f"{indent}- {yaml.safe_dump(item, default_flow_style=True, allow_unicode=True).strip()}"]
    return [f"{indent}- {_scalar(item)}"]


def front_matter_lines(data: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key in _ordered(data, FIELD_ORDER):
        lines += _value_lines(key, data[key], "", ())
    return lines


# --------------------------------------------------------------------------- body

def body_lines(parsed: ParsedFile) -> list[str]:
    lines: list[str] = []
    for half in parsed.halves.values():
        lines += ["", f"<!-- lang: {half.lang} -->"]
        if half.preamble.strip():
            lines += [half.preamble, ""]
        for index, section in enumerate(half.sections.values()):
            if index or half.preamble.strip():
                lines.append("")
            lines.append(f"## {section.heading}")
            if section.text:
                lines += ["", section.text]
    return lines


def body_view(parsed: ParsedFile) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """What of the body counts as content: each half's sections and their exact text."""
    return [(half.lang, half.preamble.strip(),
             [(s.key, s.heading, s.text) for s in half.sections.values()])
            for half in parsed.halves.values()]


# --------------------------------------------------------------------------- the whole file

def yaml_comments(parsed: ParsedFile) -> list[int]:
    """Lines of the front matter holding a YAML comment, which the data does not carry."""
    lines = parsed.text.split("\n")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    except StopIteration:
        return []
    text = "\n".join(lines[1:end]) + "\n"
    if "#" not in text:
        return []
    inside: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.ScalarToken):
                inside.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:  # pragma: no cover - only valid files get here
        return []
    found: list[int] = []
    for match in re.finditer("#", text):
        if not any(start <= match.start() < stop for start, stop in inside):
            line = text.count("\n", 0, match.start()) + 2  # +1 for 1-based, +1 for the `---` line
            if line not in found:
                found.append(line)
    return found


def format_parsed(parsed: ParsedFile) -> str:
    """The canonical text of a parsed, valid entry. Raises CannotFormat rather than lose content."""
    if parsed.data is None:
        raise CannotFormat(1, "the front matter could not be read")
    comments = yaml_comments(parsed)
    if comments:
        raise CannotFormat(comments[0], "the front matter has a YAML comment, which kb fmt would drop; "
                                        "move what it says into the entry, or delete it")
    text = "\n".join(["---", *front_matter_lines(parsed.data), "---", *body_lines(parsed)]) + "\n"
    again = parse_entry_bytes(parsed.path, text.encode("utf-8"))
    if again.problems or again.data != parsed.data or body_view(again) != body_view(parsed) \
            or _types(again.data) != _types(parsed.data):
        raise CannotFormat(1, "kb fmt could not write this entry without changing its content "
                              "(a bug in kb fmt: please report it with the file)")
    return text


def _types(value: Any) -> Any:
    """The shape of the data with every scalar's type: `1` and `"1"` compare equal as data
    only by accident of Python, never in YAML."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__


@dataclass
class Outcome:
    """What ``kb fmt`` made of one file."""

    path: Path
    original: bytes
    formatted: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.formatted is not None and self.formatted.encode("utf-8") != self.original

    def diff(self, label: str) -> str:
        old = self.original.decode("utf-8", errors="replace")
        new = self.formatted if self.formatted is not None else old
        lines = difflib.unified_diff(_keep_ends(old), _keep_ends(new), f"a/{label}", f"b/{label}")
        out = []
        for line in lines:
            # Make invisible differences visible: a CR, or a missing newline at the end.
            if line.endswith("\r\n"):
                line = line[:-2] + "␍\n"
            if not line.endswith("\n"):
                line += "\n\\ No newline at end of file\n"
            out.append(line)
        return "".join(out)


def _keep_ends(text: str) -> list[str]:
    # Split on LF alone: str.splitlines would also split on characters that are content here.
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def format_files(root: Path, files: Iterable[Path]) -> list[Outcome]:
    """Validate the files against the KB at ``root`` and format those without errors."""
    from kbtools.load import load_kb
    from kbtools.parse import read_capped, read_entry_file

    files = list(files)
    kb = load_kb(root, only=files)
    errors: dict[Path, list[Problem]] = {}
    for found in kb.problems:
        if found.severity == "error":
            errors.setdefault(Path(os.path.realpath(found.path)), []).append(found)
    outcomes = []
    for path in files:
        # Read as validation does: never a device, a pipe or an oversized file.
        outcome = Outcome(path, read_capped(path, []) or b"")
        outcomes.append(outcome)
        if errors.get(Path(os.path.realpath(path))):
            outcome.problems = errors[Path(os.path.realpath(path))]
            continue
        parsed = read_entry_file(path)
        if parsed.problems:  # pragma: no cover - load_kb reported these already
            outcome.problems = parsed.problems
            continue
        try:
            outcome.formatted = format_parsed(parsed)
        except CannotFormat as exc:
            outcome.problems = [problem("KB060", path, exc.line, 1, exc.message)]
    return outcomes


class NotWritten(Exception):
    """The canonical text was not written, and the file is as it was; the message says why."""


def write_formatted(outcome: Outcome) -> None:
    """Replace the file with its canonical text, atomically (a reader sees the old file or the new,
    never half of one). Refuses with :class:`NotWritten` to overwrite what may be someone's work:
    a symbolic link (the file it points to may lie outside the KB), or a file that changed after
    it was read (an editor saved it meanwhile: their version wins)."""
    from kbtools.atomic import write_text

    if outcome.formatted is None:
        raise NotWritten("not formatted; fix the problems first")
    if not outcome.changed:
        return
    if outcome.path.is_symlink():
        raise NotWritten("is a symbolic link; format the file it points to")
    if outcome.path.read_bytes() != outcome.original:
        raise NotWritten("changed while formatting; left alone, run kb fmt again")
    write_text(outcome.path, outcome.formatted, overwrite=True)
