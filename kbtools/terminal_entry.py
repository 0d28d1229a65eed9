"""An entry as text for the terminal (`kb show`): headings bold, code indented, links spelled out.

It renders an entry's view (:mod:`kbtools.entry_view`), whether it was read from the index or
checked from the file just now."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from kbtools.entry_view import View
from kbtools.parse import SECTIONS
from kbtools.terminal_labels import LABELS, LANG_NAMES

Paint = Callable[..., str]

_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")


def markdown(text: str, paint: Paint) -> list[str]:
    """Light terminal rendering of an entry's Markdown: enough to read, nothing lost."""
    from kbtools.parse import fenced_lines

    out: list[str] = []
    for in_code, line in fenced_lines(text):
        if in_code:
            out.append("    " + paint(line, "cyan"))
        elif line.startswith("#"):
            out.append(paint(line.lstrip("#").strip(), "bold"))
        else:
            line = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", line)
            if paint("x", "cyan") != "x":  # colour on: the colour marks the code, the backticks can go
                line = _INLINE_CODE.sub(lambda m: paint(m.group(1), "cyan"), line)
            out.append(line)
    return out


def render_entry(entry: View, langs: Sequence[str], paint: Paint, *, path: str, urls: dict[str, str]) -> str:
    """The whole entry in the given languages (one or both), front matter facts first."""
    ui = langs[0] if len(langs) == 1 else "en"
    h = LABELS[ui]
    lines: list[str] = []
    for lang in langs:
        lines.append(paint(entry["title"][lang], "bold"))
    lines.append(paint(f"{entry['id']} · {entry['product']}/{entry['component']} · {h['status']}: {entry['status']}",
                       "dim"))
    lines += ["", paint(h["symptoms"], "bold", "underline")]
    for symptom in entry["symptoms"]:
        origin = f"$ {symptom['command']}" if symptom["command"] else f"({symptom['log']})"
        lines.append("  " + paint(origin, "dim"))
        lines += ["    " + line for line in symptom["output"].rstrip("\n").splitlines()]
    if entry["environment"]:
        env = ", ".join(f"{name} {constraint}" for name, constraint in entry["environment"].items())
        lines += ["", f"{paint(h['environment'], 'bold')}: {env}"]
    if entry["fixed_in"]:
        fixed = ", ".join(f"{name} {version}" for name, version in entry["fixed_in"].items())
        lines.append(f"{paint(h['fixed_in'], 'bold')}: {fixed}")
    if entry["tags"]:
        lines.append(f"{paint(h['tags'], 'bold')}: {', '.join(entry['tags'])}")
    if entry["related"]:
        lines.append(f"{paint(h['related'], 'bold')}: {', '.join(entry['related'])}")
    for lang in langs:
        lines += ["", paint(f"── {LANG_NAMES[lang]} ──", "magenta")]
        for key in SECTIONS:
            section = entry["body"].get(lang, {}).get(key)
            if section is None:
                continue
            lines += ["", paint(section["heading"], "bold", "underline"), ""]
            lines += markdown(section["text"], paint)
    if entry["references"]:
        lines += ["", paint(h["references"], "bold")]
        lines += [f"  - {ref['title']} <{ref['url']}>" for ref in entry["references"]]
    source = entry["source"]
    if source:
        part = f", {source['section']}" if source["section"] else ""
        lines += ["", f"{paint(h['source'], 'bold')}: {source['title']}{part} — {source['author']} "
                      f"<{source['url']}>"]
    lines += ["", f"{paint(h['file_heading'], 'bold')}: {path}"]
    lines += [f"{paint(h['page_heading'], 'bold')}: {urls[lang]}" for lang in langs if lang in urls]
    return "\n".join(lines)
