"""Turn the bytes of one entry file into front-matter data with positions, and body halves.

This module knows the body's layout (the language markers, the section headings, fenced code)
but not the front matter's fields: checking those is the model's job. It guarantees that what
comes out is plain data (dicts, lists, scalars) built without YAML anchors, aliases or custom
tags, with the line and column of every key and value, so that later checks can point at the
exact place of a problem.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools.errors import Problem
from kbtools.langs import LANGS
from kbtools.rules import problem

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 10

LANG_MARKER = re.compile(r"^<!--\s*lang:\s*([A-Za-z-]+)\s*-->\s*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

# Canonical section keys and their headings in each language, in the order they appear.
SECTIONS: dict[str, dict[str, str]] = {
    "cause": {"zh": "原因", "en": "Cause"},
    "diagnosis": {"zh": "排查", "en": "Diagnosis"},
    "fix": {"zh": "解决", "en": "Fix"},
    "workaround": {"zh": "规避", "en": "Workaround"},
    "notes": {"zh": "备注", "en": "Notes"},
}
REQUIRED_SECTIONS = ("cause", "fix")

Loc = tuple[object, ...]


def _loader() -> type:
    """PyYAML's safe loader, imported on first use: `kb show` reads an entry from the index with
    this module's body types and fence scanner, and no YAML."""
    import yaml

    # The C loader is several times faster; the pure-Python one gives the same marks.
    loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader



def fence_roles(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Each line with its role: ``"fence"`` (a marker that opens or closes a fenced code block),
    ``"code"`` (inside one) or ``"prose"``. The one fence scanner: every reader of entry bodies
    builds on it, so that all of them split code from prose alike. A fence closes only with the
    same character, at least as long, and nothing after it, as CommonMark says (so a ```` block can
    show ``` lines); an unclosed fence runs to the end."""
    fence: str | None = None
    for line in lines:
        match = FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                yield "fence", line
            else:
                yield "prose", line
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                and not line.strip()[len(match.group(1)):].strip():
            fence = None
            yield "fence", line
        else:
            yield "code", line


def fenced_lines(markdown: str) -> Iterator[tuple[bool, str]]:
    """Each line of ``markdown`` that is not a fence marker, with whether it is inside a fenced
    code block (see :func:`fence_roles`)."""
    for role, line in fence_roles(markdown.splitlines()):
        if role != "fence":
            yield role == "code", line


def blank_code(text: str) -> str:
    """``text`` with every line of fenced code, fence markers included, made empty: what is left is
    prose at its own line numbers (lines split at ``\n`` only, so that numbers match the file)."""
    return "\n".join(line if role == "prose" else "" for role, line in fence_roles(text.split("\n")))


@dataclass
class Section:
    key: str
    heading: str
    text: str
    line: int  # line of the heading in the file
    text_line: int = 0  # line of the first character of `text` (blank lines after the heading skipped)


@dataclass
class Half:
    lang: str
    line: int  # line of the marker
    sections: dict[str, Section] = field(default_factory=dict)
    preamble: str = ""  # text between the marker and the first heading


class _Positions:
    """Lookup of the line and column of a value by its location (a tuple of keys and indexes)."""

    positions: dict[Loc, tuple[int, int]]

    def where(self, loc: Loc) -> tuple[int, int]:
        """The position of the deepest known prefix of ``loc`` (the file's line 1 if none)."""
        for end in range(len(loc), -1, -1):
            pos = self.positions.get(tuple(loc[:end]))
            if pos is not None:
                return pos
        return (1, 1)


@dataclass
class ParsedFile(_Positions):
    path: Path
    text: str
    data: dict[str, Any] | None
    positions: dict[Loc, tuple[int, int]]  # value positions; keys of mappings at loc + ("<key>",)
    body_line: int  # first line of the body
    halves: dict[str, Half]
    problems: list[Problem]

    def key_where(self, loc: Loc) -> tuple[int, int]:
        """Where the key of ``loc`` stands (falls back to its value, then its parent)."""
        pos = self.positions.get(tuple(loc) + ("<key>",))
        return pos if pos is not None else self.where(loc)


def read_entry_file(path: Path) -> ParsedFile:
    """Read and parse one entry file. Problems are collected, never raised."""
    problems: list[Problem] = []
    raw = read_capped(path, problems)
    if raw is None:
        return ParsedFile(path, "", None, {}, 1, {}, problems)
    return parse_entry_bytes(path, raw)


def read_capped(path: Path, problems: list[Problem]) -> bytes | None:
    """The bytes of a regular file of at most MAX_FILE_BYTES, or None with the problem noted.

    A symlink to a device or a named pipe (``/dev/zero``, a FIFO) must not hang the reader, and
    a file that grows after ``stat`` must not be read whole: hence the type check, the
    non-blocking open and the bounded read.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.append(problem("KB007", path, 1, 1, f"{special_kind(info.st_mode)}, not a regular file; "
                                                         "only entry files belong under entries/"))
            return None
        if info.st_size > MAX_FILE_BYTES:
            problems.append(problem("KB002", path, 1, 1,
                                    f"file is {info.st_size} bytes, over the {MAX_FILE_BYTES // 1024} KiB cap"))
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.append(problem("KB001", path, 1, 1, f"cannot read file: {exc.strerror or exc}"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(problem("KB002", path, 1, 1, f"file is over the {MAX_FILE_BYTES // 1024} KiB cap"))
        return None
    return raw


def special_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, kind in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "a special file"


def parse_entry_bytes(path: Path, raw: bytes) -> ParsedFile:
    problems: list[Problem] = []
    empty = ParsedFile(path, "", None, {}, 1, {}, problems)
    if len(raw) > MAX_FILE_BYTES:
        problems.append(problem("KB002", path, 1, 1,
                                f"file is {len(raw)} bytes, over the {MAX_FILE_BYTES // 1024} KiB cap"))
        return empty
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(problem("KB001", path, 1, 1, "file starts with a UTF-8 byte-order mark; save it without BOM"))
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(problem("KB001", path, line, col,
                                f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"))
        return empty
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(problem("KB001", path, line, 1, "file contains a NUL byte; entries are text"))
        return ParsedFile(path, text, None, {}, 1, {}, problems)
    # CRLF is accepted (editors on Windows write it) and read as LF; `kb fmt` writes LF.
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        problems.append(problem("KB003", path, 1, 1, "file must start with a `---` line opening the front matter"))
        return ParsedFile(path, text, None, {}, 1, {}, problems)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    except StopIteration:
        problems.append(problem("KB003", path, 1, 1, "front matter opened by `---` on line 1 is never closed by `---`"))
        return ParsedFile(path, text, None, {}, 1, {}, problems)
    yaml_text = "\n".join(lines[1:end]) + "\n"
    data, positions = _parse_yaml(path, yaml_text, line_offset=1, problems=problems)
    body_line = end + 2
    halves = _split_body(path, lines[end + 1:], body_line, problems)
    return ParsedFile(path, text, data, positions, body_line, halves, problems)


def _parse_yaml(path: Path, text: str, line_offset: int,
                problems: list[Problem]) -> tuple[dict[str, Any] | None, dict[Loc, tuple[int, int]]]:
    import yaml

    def pos(mark: Any) -> tuple[int, int]:
        return (mark.line + 1 + line_offset, mark.column + 1)

    # First pass over the events: refuse anchors, aliases, tags and deep nesting before anything
    # is built, so that an alias bomb costs nothing.
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_loader()):
            if isinstance(event, yaml.AliasEvent):
                problems.append(problem("KB005", path, *pos(event.start_mark),
                                        f"YAML alias `*{event.anchor}` is not allowed; write the value out"))
                return None, {}
            anchor = getattr(event, "anchor", None)
            if anchor:
                problems.append(problem("KB005", path, *pos(event.start_mark),
                                        f"YAML anchor `&{anchor}` is not allowed; write the value out"))
                return None, {}
            tag = getattr(event, "tag", None)
            if tag and not getattr(event, "implicit", True) and tag != "!" and not (
                isinstance(event, yaml.ScalarEvent) and event.implicit[1]
            ):
                problems.append(problem("KB005", path, *pos(event.start_mark),
                                        f"YAML tag `{tag}` is not allowed in entries"))
                return None, {}
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(problem("KB005", path, *pos(event.start_mark),
                                            f"values nest deeper than {MAX_DEPTH} levels"))
                    return None, {}
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        node = yaml.compose(text, Loader=_loader())
    except yaml.MarkedYAMLError as exc:
        if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
            # YAML notices the missing quote where the text ends, often many lines further on;
            # the mistake is where the quote opens.
            line, col = pos(exc.context_mark)
            quote = text.split("\n")[exc.context_mark.line][exc.context_mark.column:][:1] or "quote"
            problems.append(problem("KB008", path, line, col,
                                    f"the {quote} opened here is never closed ({exc.problem})"))
            return None, {}
        mark = exc.problem_mark or exc.context_mark
        line, col = pos(mark) if mark is not None else (1 + line_offset, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        problems.append(problem("KB004", path, line, col, f"YAML syntax error: {what}"))
        return None, {}
    except yaml.YAMLError as exc:
        problems.append(problem("KB004", path, 1 + line_offset, 1, f"YAML syntax error: {exc}"))
        return None, {}
    if node is None:
        problems.append(problem("KB010", path, 1 + line_offset, 1, "front matter is empty"))
        return None, {}
    positions: dict[Loc, tuple[int, int]] = {}
    constructor = yaml.SafeLoader("")
    value = _build(path, node, (), positions, constructor, pos, problems)
    if not isinstance(value, dict):
        problems.append(problem("KB011", path, *pos(node.start_mark),
                                "front matter must be a mapping of `field: value` lines"))
        return None, positions
    return value, positions


def _build(path: Path, node: Any, loc: Loc, positions: dict[Loc, tuple[int, int]],
           constructor: Any, pos: Any, problems: list[Problem]) -> Any:
    import yaml

    positions[loc] = pos(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = pos(key_node.start_mark)
                problems.append(problem("KB011", path, line, col, "mapping keys must be plain words"))
                continue
            key = key_node.value
            if key in result:
                first = positions.get(loc + (key, "<key>"), (0, 0))[0]
                line, col = pos(key_node.start_mark)
                problems.append(problem("KB006", path, line, col,
                                        f"duplicate key `{key}` (first given on line {first})",
                                        field=dotted(loc + (key,))))
                continue
            positions[loc + (key, "<key>")] = pos(key_node.start_mark)
            result[key] = _build(path, value_node, loc + (key,), positions, constructor, pos, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(path, item, loc + (i,), positions, constructor, pos, problems)
                for i, item in enumerate(node.value)]
    try:
        return constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        line, col = pos(node.start_mark)
        problems.append(problem("KB011", path, line, col,
                                f"cannot read value `{node.value[:40]}`: {exc}", field=dotted(loc)))
        return None


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if part == "<key>":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _split_body(path: Path, lines: list[str], first_line: int, problems: list[Problem]) -> dict[str, Half]:
    """Split the body at the language markers, and each half at its ``##`` headings."""
    halves: dict[str, Half] = {}
    current: Half | None = None
    section: Section | None = None
    buffer: list[str] = []
    orphan_line = first_line  # where text that belongs to no half would start

    def flush() -> None:
        joined = "\n".join(buffer)
        text = joined.strip("\n")
        if section is not None:
            section.text = text
            section.text_line = section.line + 1 + len(joined) - len(joined.lstrip("\n"))
        elif current is not None:
            current.preamble = text
        elif text.strip():
            # Text that follows a rejected marker is no more "before the first marker" than it is
            # on the body's first line: point at the text itself.
            line = orphan_line + next(i for i, b in enumerate(buffer) if b.strip())
            where = "before the first `<!-- lang: zh -->` marker" if orphan_line == first_line \
                else f"after the rejected marker on line {orphan_line - 1}"
            problems.append(problem("KB020", path, line, 1, f"body text {where} belongs to no language"))
        buffer.clear()

    for offset, (role, line) in enumerate(fence_roles(lines)):
        lineno = first_line + offset
        if role != "prose":  # language markers and headings inside code blocks are code
            buffer.append(line)
            continue
        marker = LANG_MARKER.match(line.strip())
        if marker:
            flush()
            lang = marker.group(1)
            section = None
            if lang not in LANGS:
                problems.append(problem("KB020", path, lineno, 1,
                                        f"unknown language `{lang}` in marker; use one of: {', '.join(LANGS)}"))
                current, orphan_line = None, lineno + 1
                continue
            if lang in halves:
                problems.append(problem("KB020", path, lineno, 1,
                                        f"second `<!-- lang: {lang} -->` half (first on line {halves[lang].line})"))
                current, orphan_line = None, lineno + 1
                continue
            current = halves[lang] = Half(lang, lineno)
            continue
        if line.startswith("## ") and current is not None:
            flush()
            heading = line[3:].strip()
            key = next((k for k, names in SECTIONS.items() if names[current.lang] == heading), None)
            if key is None:
                names = "、".join(n[current.lang] for n in SECTIONS.values()) if current.lang == "zh" \
                    else ", ".join(n[current.lang] for n in SECTIONS.values())
                other = next((k for k, n in SECTIONS.items() if heading in n.values()), None)
                hint = f" (that is the {'Chinese' if current.lang == 'en' else 'English'} heading)" if other else ""
                problems.append(problem("KB021", path, lineno, 1,
                                        f"unknown section `## {heading}` in the {current.lang} half{hint}; "
                                        f"use one of: {names}"))
                section = Section("", heading, "", lineno)  # kept out of the half: reported above
                continue
            if key in current.sections:
                problems.append(problem("KB021", path, lineno, 1,
                                        f"section `## {heading}` appears twice in the {current.lang} half "
                                        f"(first on line {current.sections[key].line})"))
                section = Section("", heading, "", lineno)
                continue
            section = current.sections[key] = Section(key, heading, "", lineno)
            continue
        buffer.append(line)
    flush()
    return halves


@dataclass
class YamlFile(_Positions):
    path: Path
    data: Any
    positions: dict[Loc, tuple[int, int]]
    problems: list[Problem]


def read_yaml_file(path: Path) -> YamlFile:
    """Read a plain YAML file (such as ``products.yml``) with the same safety rules as entries."""
    problems: list[Problem] = []
    raw = read_capped(path, problems)
    if raw is None:
        return YamlFile(path, None, {}, problems)
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        problems.append(problem("KB001", path, raw[: exc.start].count(b"\n") + 1, 1, "not valid UTF-8"))
        return YamlFile(path, None, {}, problems)
    data, positions = _parse_yaml(path, text.lstrip("\ufeff"), line_offset=0, problems=problems)
    return YamlFile(path, data, positions, problems)
