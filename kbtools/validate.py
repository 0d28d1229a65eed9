"""The checks behind ``kb validate``: one file at a time, then across the whole knowledge base.

Every check appends :class:`~kbtools.errors.Problem` objects, made from their rule with
:func:`kbtools.rules.problem`, and carries on, so that a contributor sees all that is wrong at
once. To add a rule: its code, why and example folder in :mod:`kbtools.rules`, then its check here
(a rule about one field's value is one function in ``VALUE_RULES``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from kbtools.errors import Problem, display_path
from kbtools.model import Entry, FrontMatter, Product, Section
from kbtools.parse import FENCE, LANGS, REQUIRED_SECTIONS, SECTIONS, Half, ParsedFile, YamlFile, blank_code, dotted, fence_roles
from kbtools.render_check import check_rendered
from kbtools.rules import problem
from kbtools.versions import is_release, parse_constraint

FIELDS = list(FrontMatter.model_fields)
PLACEHOLDER = re.compile(r"\bTODO\b")
# A tag opener in a plain-text field: `<b>`, `</p>`, `<!-- -->`, `<?php`. Autolinks (`<https://…>`) are allowed.
HTML_TAG = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|/[A-Za-z]|!|\?)")
AUTOLINK = re.compile(r"<https?://[^\s<>]+>")
# The longest real title has 125 characters (en; 108 in zh). 200 leaves that room to grow by half
# again, and is what a search result shows of a line (kbtools.cli.search.MAX_LINE): past it a
# title is a paragraph, and a 200 KB one fills every page that lists it.
MAX_TITLE_CHARS = 200
# Characters that reorder the text around them when displayed (the "Trojan Source" controls):
# in a title they make a page or a search result show something other than what was reviewed.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

_SUBFIELDS: dict[str, list[str]] = {
    "title": list(LANGS),
    "symptoms": ["output", "command", "log"],
    "references": ["url", "title"],
    "source": ["title", "author", "url", "section"],
}


def check_products(yf: YamlFile) -> tuple[dict[str, Product], list[Problem]]:
    problems = list(yf.problems)
    products: dict[str, Product] = {}
    if yf.data is None:
        return products, problems
    if not isinstance(yf.data, dict):
        problems.append(problem("KB011", yf.path, 1, 1, "products.yml must map product ids to their description"))
        return products, problems
    for name, value in yf.data.items():
        try:
            products[name] = Product.model_validate(value)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (name, *err["loc"])
                line, col = yf.where(loc)
                problems.append(problem("KB011", yf.path, line, col,
                                        f"{'.'.join(map(str, loc))}: {err['msg']}"))
    return products, problems


def check_file(parsed: ParsedFile, products: Mapping[str, Product], entries_dir: Path, *,
               html: bool = True) -> tuple[Entry | None, list[Problem]]:
    """All the checks that need only this file (and the product list).

    ``html=False`` skips rendering the body to check its HTML: the search index needs only the
    fields, and rendering every entry would double the time of a rebuild."""
    problems = list(parsed.problems)
    if parsed.data is None:
        return None, problems
    path, data = parsed.path, parsed.data
    _check_structure(parsed, problems)
    _check_values(parsed, products, entries_dir, problems)
    _check_body(parsed, problems, html)
    if any(p.severity == "error" for p in problems):
        return None, problems
    body = {
        lang: {key: Section(key=s.key, heading=s.heading, text=s.text, line=s.line)
               for key, s in half.sections.items()}
        for lang, half in parsed.halves.items()
    }
    try:
        entry = Entry.model_validate({**data, "path": path, "body": body})
    except ValidationError as exc:  # pragma: no cover - FrontMatter already accepted the same data
        problems.append(problem("KB011", path, 1, 1, str(exc)))
        return None, problems
    return entry, problems


def _check_structure(parsed: ParsedFile, problems: list[Problem]) -> None:
    """Required fields, types and unknown fields, as the model defines them."""
    try:
        FrontMatter.model_validate(parsed.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.append(_from_pydantic(parsed, err))


def _from_pydantic(parsed: ParsedFile, err: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    name = dotted(loc)
    if kind == "missing":
        line, col = parsed.key_where(loc[:-1]) if len(loc) > 1 else (2, 1)
        return problem("KB010", parsed.path, line, col, f"required field `{name}` is missing", field=name)
    if kind == "extra_forbidden":
        line, col = parsed.key_where(loc)
        key = str(loc[-1])
        allowed = FIELDS if len(loc) == 1 else _SUBFIELDS.get(str(loc[0]), [])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else f"; allowed here: {', '.join(allowed)}"
        return problem("KB012", parsed.path, line, col, f"unknown field `{name}`{hint}", field=name)
    line, col = parsed.where(loc)
    if kind in ("string_too_short", "too_short"):
        return problem("KB010", parsed.path, line, col, f"`{name}` must not be empty", field=name)
    if kind == "string_pattern_mismatch":
        code = "KB013" if loc == ("id",) else "KB011"
        return problem(code, parsed.path, line, col,
                       f"`{name}` must be a lowercase slug (a-z, 0-9, single hyphens), got {_show(err.get('input'))}",
                       field=name)
    if kind == "value_error":
        msg = str(err["msg"]).removeprefix("Value error, ")
        return problem("KB010", parsed.path, line, col, f"`{name}`: {msg}", field=name)
    if kind == "literal_error":
        return problem("KB011", parsed.path, line, col,
                       f"`{name}` must be {err['ctx']['expected']}, got {_show(err.get('input'))}", field=name)
    if kind.startswith("date") and isinstance(err.get("input"), dt.datetime):
        return problem("KB032", parsed.path, line, col, f"`{name}` must be a date (YYYY-MM-DD) without a time",
                       field=name)
    if kind.startswith("date"):
        return problem("KB032", parsed.path, line, col,
                       f"`{name}` must be a date written YYYY-MM-DD, got {_show(err.get('input'))}", field=name)
    expected = {
        "string_type": "text", "dict_type": "a mapping of `key: value` lines", "model_type": "a mapping of fields",
        "list_type": "a list (`- item` lines or `[a, b]`)", "model_attributes_type": "a mapping of fields",
    }.get(kind)
    msg = f"`{name}` must be {expected}, got {_kind(err.get('input'))}" if expected else f"`{name}`: {err['msg']}"
    return problem("KB011", parsed.path, line, col, msg, field=name)


@dataclass
class _Values:
    """One entry's front matter, as the value rules see it: each adds what it finds with ``add``."""

    parsed: ParsedFile
    products: Mapping[str, Product]
    entries_dir: Path
    problems: list[Problem]

    @property
    def data(self) -> Mapping[str, Any]:
        return self.parsed.data or {}

    def add(self, loc: tuple[object, ...], code: str, message: str) -> None:
        self.problems.append(problem(code, self.parsed.path, *self.parsed.where(loc), message, field=dotted(loc)))


def _check_values(parsed: ParsedFile, products: Mapping[str, Product], entries_dir: Path,
                  problems: list[Problem]) -> None:
    """The rules about the values of fields, which the model's types cannot say."""
    values = _Values(parsed, products, entries_dir, problems)
    for check in VALUE_RULES:
        check(values)


def _id_is_the_file_name(v: _Values) -> None:  # KB013
    entry_id, path = v.data.get("id"), v.parsed.path
    if isinstance(entry_id, str) and entry_id != path.stem:
        v.add(("id",), "KB013", f"id `{entry_id}` differs from the file name `{path.name}`; "
                                f"rename the file to `{entry_id}.md` or change the id")


def _location(v: _Values) -> None:  # KB015
    product = v.data.get("product")
    try:
        relative = Path(os.path.realpath(v.parsed.path)).relative_to(os.path.realpath(v.entries_dir))
    except ValueError:
        relative = None
    if relative is None:
        v.add((), "KB015", "entry lies outside the `entries/` folder (a symlink pointing elsewhere?)")
    elif len(relative.parts) != 2:
        v.add((), "KB015", f"entry must be at `entries/<product>/<id>.md`, not `entries/{relative.as_posix()}`")
    elif isinstance(product, str) and relative.parts[0] != product:
        v.add(("product",), "KB015", f"product `{product}` but the file is in `entries/{relative.parts[0]}/`")
    if isinstance(product, str) and product not in v.products:
        close = difflib.get_close_matches(product, list(v.products), n=1)
        hint = f"; did you mean `{close[0]}`?" if close else f"; known products: {', '.join(sorted(v.products))}"
        v.add(("product",), "KB015", f"unknown product `{product}`{hint} (products are listed in entries/products.yml)")


def _component(v: _Values) -> None:  # KB016
    product, component = v.data.get("product"), v.data.get("component")
    if isinstance(product, str) and product in v.products and isinstance(component, str):
        known = v.products[product].components
        if component not in known:
            close = difflib.get_close_matches(component, list(known), n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            v.add(("component",), "KB016", f"unknown component `{component}` for {product}; {hint}"
                                           f"known: {', '.join(known)}")


def _environment_versions(v: _Values) -> None:  # KB030
    environment = v.data.get("environment")
    if not isinstance(environment, dict):
        return
    for name, constraint in environment.items():
        if isinstance(constraint, str):
            try:
                parse_constraint(constraint)
            except ValueError as exc:
                v.add(("environment", name), "KB030", f"environment.{name}: {exc}; write e.g. `<9.4`, "
                                                      "`0.14.1`, `0.14.x` or `>=1.0,<2`")
        elif constraint is not None:
            v.add(("environment", name), "KB030",
                  f"environment.{name}: write the constraint as text in quotes, e.g. \"{constraint}\"")


def _fixed_in_releases(v: _Values) -> None:  # KB030
    fixed_in = v.data.get("fixed_in")
    if not isinstance(fixed_in, dict):
        return
    for name, version in fixed_in.items():
        if not (isinstance(version, str) and is_release(version)):
            v.add(("fixed_in", name), "KB030", f"fixed_in.{name}: `{version}` is not a release; write it in quotes, "
                                               "e.g. \"3.4.0\"")


def _urls_are_http(v: _Values) -> None:  # KB031
    for loc, url in _urls(v.data):
        reason = url_problem(url)
        if reason:
            v.add(loc, "KB031", f"{dotted(loc)}: {reason}")


def _dates(v: _Values) -> None:  # KB032
    today = dt.date.today()
    created, updated = v.data.get("created"), v.data.get("updated")
    for key, value in (("created", created), ("updated", updated)):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and value > today:
            v.add((key,), "KB032", f"`{key}` {value} lies in the future")
    # A datetime is reported as a type error, and comparing one with a date raises TypeError.
    if type(created) is dt.date and type(updated) is dt.date and updated < created:
        v.add(("updated",), "KB032", f"`updated` {updated} is before `created` {created}")


def _related_ids(v: _Values) -> None:  # KB033 (ids that name no entry: check_kb)
    related, entry_id = v.data.get("related"), v.data.get("id")
    if not isinstance(related, list):
        return
    if entry_id in related:
        v.add(("related", related.index(entry_id)), "KB033", "an entry cannot be related to itself")
    first_at: dict[object, int] = {}
    for i, rel in enumerate(related):
        if isinstance(rel, str) and rel in first_at:
            v.add(("related", i), "KB033", f"related id `{rel}` is listed twice (first as related[{first_at[rel]}])")
        elif isinstance(rel, str):
            first_at[rel] = i


def _title_length(v: _Values) -> None:  # KB017
    title = v.data.get("title")
    if isinstance(title, dict):
        for lang, text in title.items():
            if isinstance(text, str) and len(text) > MAX_TITLE_CHARS:
                v.add(("title", lang), "KB017", f"`title.{lang}` has {len(text)} characters; keep it to "
                                                f"{MAX_TITLE_CHARS} (put the rest in the cause)")


def _no_html_in_fields(v: _Values) -> None:  # KB040 (the body: _check_rendered)
    for loc, text in _plain_texts(v.data):
        if HTML_TAG.search(AUTOLINK.sub("", text)):
            v.add(loc, "KB040", f"`{dotted(loc)}` contains HTML; write plain text (put error text in `symptoms`)")


def _no_placeholder_in_fields(v: _Values) -> None:  # KB022 (the body: _check_placeholders)
    for loc, text in _plain_texts(v.data):
        if PLACEHOLDER.search(text):
            v.add(loc, "KB022", f"`{dotted(loc)}` still holds a TODO placeholder")


def _no_direction_controls(v: _Values) -> None:  # KB024
    for loc, text in _plain_texts(v.data):
        bidi = BIDI_CONTROLS.search(text)
        if bidi:
            v.add(loc, "KB024", f"`{dotted(loc)}` holds the text-direction control U+{ord(bidi.group()):04X}, "
                                "which makes the text display other than it reads; remove it")


# The value rules, in the order of the rule table. To add one: a function here, its code in
# kbtools.rules with an example folder.
VALUE_RULES: tuple[Callable[[_Values], None], ...] = (
    _id_is_the_file_name, _location, _component, _title_length, _no_placeholder_in_fields,
    _no_direction_controls, _environment_versions, _fixed_in_releases, _urls_are_http, _dates, _related_ids,
    _no_html_in_fields,
)


def _urls(data: Mapping[str, Any]) -> Iterable[tuple[tuple[object, ...], str]]:
    refs = data.get("references")
    if isinstance(refs, list):
        for i, ref in enumerate(refs):
            if isinstance(ref, dict) and isinstance(ref.get("url"), str):
                yield ("references", i, "url"), ref["url"]
    source = data.get("source")
    if isinstance(source, dict) and isinstance(source.get("url"), str):
        yield ("source", "url"), source["url"]


def _plain_texts(data: Mapping[str, Any]) -> Iterable[tuple[tuple[object, ...], str]]:
    """Text fields shown as plain text on pages (symptom output and commands are code: exempt)."""
    title = data.get("title")
    if isinstance(title, dict):
        for lang, text in title.items():
            if isinstance(text, str):
                yield ("title", lang), text
    refs = data.get("references")
    if isinstance(refs, list):
        for i, ref in enumerate(refs):
            if isinstance(ref, dict) and isinstance(ref.get("title"), str):
                yield ("references", i, "title"), ref["title"]
    source = data.get("source")
    if isinstance(source, dict):
        for key in ("title", "author", "section"):
            if isinstance(source.get(key), str):
                yield ("source", key), source[key]
    symptoms = data.get("symptoms")
    if isinstance(symptoms, list):
        for i, symptom in enumerate(symptoms):
            if isinstance(symptom, dict) and isinstance(symptom.get("log"), str):
                yield ("symptoms", i, "log"), symptom["log"]


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a well-formed absolute http(s) address, or None when it is."""
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return f"URL contains white space or control characters: {_show(url)}"
    unsafe = sorted({ch for ch in url if ch in '<>"`{}|\\^'})
    if unsafe:
        # Not valid in a URL (RFC 3986), and markup in HTML and Markdown: percent-encode them.
        return f"URL contains {', '.join(f'`{ch}`' for ch in unsafe)}; percent-encode it: {_show(url)}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"malformed URL {_show(url)}: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"only http(s) URLs are allowed, got {_show(url)}"
    if not host or ("." not in host and host != "localhost") or host.startswith(".") or ".." in host:
        return f"URL has no valid host: {_show(url)}"
    return None


def _check_body(parsed: ParsedFile, problems: list[Problem], html: bool) -> None:
    path = parsed.path
    if not parsed.halves and not any(p.code == "KB020" for p in problems):
        problems.append(problem("KB020", path, parsed.body_line, 1,
                                "the body has no language halves; start them with `<!-- lang: zh -->` "
                                "and `<!-- lang: en -->`"))
        return
    for lang in LANGS:
        if lang not in parsed.halves:
            problems.append(problem("KB020", path, parsed.body_line, 1,
                                    f"the body has no `<!-- lang: {lang} -->` half"))
    for lang, half in parsed.halves.items():
        if half.preamble.strip():
            problems.append(problem("KB021", path, half.line + 1, 1,
                                    f"text in the {lang} half before its first `##` section"))
        for key in REQUIRED_SECTIONS:
            section = half.sections.get(key)
            heading = SECTIONS[key][lang]
            if section is None:
                problems.append(problem("KB021", path, half.line, 1,
                                        f"the {lang} half has no `## {heading}` section"))
            elif not section.text.strip():
                problems.append(problem("KB021", path, section.line, 1, f"section `## {heading}` is empty"))
        for section in half.sections.values():
            _check_placeholders(path, section.text, section.text_line or section.line + 1, problems)
    if html:
        check_rendered(path, parsed.halves, problems)
    # With a half or a section missing, code blocks are bound to differ: that is already said.
    if not any(p.code in ("KB020", "KB021") for p in problems):
        _check_translation(parsed, problems)


@dataclass(frozen=True)
class CodeBlock:
    line: int  # line of the opening fence
    info: str  # the language after the fence, e.g. `bash`
    code: str


def code_blocks(half: Half) -> list[CodeBlock]:
    """The fenced code blocks of one language half, in order (split by :func:`kbtools.parse.fence_roles`;
    an unclosed fence runs to the end of its section)."""
    blocks: list[CodeBlock] = []
    for section in half.sections.values():
        first = section.text_line or section.line + 1
        opening: tuple[int, str] | None = None  # (line, info) of the block being read
        lines: list[str] = []
        for offset, (role, line) in enumerate(fence_roles(section.text.split("\n"))):
            if role == "code":
                lines.append(line)
            elif role == "fence" and opening is None:
                run = FENCE.match(line)
                assert run is not None  # fence_roles calls a line a fence only when FENCE matches it
                opening, lines = (first + offset, line.strip()[len(run.group(1)):].strip()), []
            elif role == "fence" and opening is not None:
                blocks.append(CodeBlock(opening[0], opening[1], "\n".join(lines)))
                opening = None
        if opening is not None:
            blocks.append(CodeBlock(opening[0], opening[1], "\n".join(lines)))
    return blocks


def translation_drift(parsed: ParsedFile) -> Problem | None:
    """The first code block that is not the same in both halves (they carry the same commands,
    config and logs; only the prose around them is translated)."""
    if "zh" not in parsed.halves or "en" not in parsed.halves:
        return None
    zh, en = code_blocks(parsed.halves["zh"]), code_blocks(parsed.halves["en"])
    for i, (a, b) in enumerate(zip(zh, en, strict=False)):
        if (a.info, a.code) != (b.info, b.code):
            what = "language" if a.code == b.code else "text"
            return problem("KB050", parsed.path, b.line, 1,
                           f"code block {i + 1} of the en half differs in {what} from the zh block on line "
                           f"{a.line}; code blocks must be the same in both halves")
    if len(zh) != len(en):
        longer, shorter = ("zh", "en") if len(zh) > len(en) else ("en", "zh")
        extra = (zh if longer == "zh" else en)[min(len(zh), len(en))]
        return problem("KB050", parsed.path, extra.line, 1,
                       f"the {longer} half has {max(len(zh), len(en))} code blocks, the {shorter} half "
                       f"{min(len(zh), len(en))}; this one has no counterpart")
    return None


def _check_translation(parsed: ParsedFile, problems: list[Problem]) -> None:
    drift = translation_drift(parsed)
    if drift is not None:
        problems.append(drift)


def _check_placeholders(path: Path, text: str, first_line: int, problems: list[Problem]) -> None:
    """TODO placeholders in prose; fenced code blocks and code spans are exempt."""
    prose = blank_code(text)
    blanked = blank_code_spans(prose)
    for offset, line in enumerate(blanked.split("\n")):
        todo = PLACEHOLDER.search(line)
        if todo:
            problems.append(problem("KB022", path, first_line + offset, todo.start() + 1,
                                    "a TODO placeholder is left here"))


_BACKTICK_RUN = re.compile(r"`+")


def blank_code_spans(text: str) -> str:
    """``text`` with every code span replaced by spaces (line breaks kept), in linear time.

    As CommonMark reads them: a run of n backticks opens a span that the next run of exactly n
    backticks closes; a run that nothing closes is literal. (A regex with a lazy body and a
    back-reference took minutes on a few thousand backticks.)
    """
    runs = [(m.start(), m.end()) for m in _BACKTICK_RUN.finditer(text)]
    closer: list[int] = [-1] * len(runs)
    last: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        size = runs[i][1] - runs[i][0]
        closer[i] = last.get(size, -1)
        last[size] = i
    out = list(text)
    i = 0
    while i < len(runs):
        j = closer[i]
        if j < 0:
            i += 1
            continue
        for k in range(runs[i][0], runs[j][1]):
            if out[k] != "\n":
                out[k] = " "
        i = j + 1
    return "".join(out)


def check_kb(entries: list[Entry], parsed: Mapping[Path, ParsedFile], known_ids: set[str] | None = None,
             root: Path | None = None) -> list[Problem]:
    """Checks across entries: duplicate ids, related ids, duplicate symptoms. Other files are named
    relative to ``root``."""

    def shown(path: Path) -> str:
        return display_path(path, root)

    problems: list[Problem] = []
    ids = set(known_ids or ()) | {e.id for e in entries}
    first_by_id: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.path.as_posix()):
        where = parsed.get(entry.path)
        if entry.id in first_by_id:
            line, col = where.where(("id",)) if where else (1, 1)
            problems.append(problem("KB014", entry.path, line, col,
                                    f"id `{entry.id}` is already used by {shown(first_by_id[entry.id].path)}",
                                    field="id"))
        else:
            first_by_id[entry.id] = entry
        for i, rel in enumerate(entry.related):
            if rel not in ids:
                close = difflib.get_close_matches(rel, sorted(ids), n=1)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                line, col = where.where(("related", i)) if where else (1, 1)
                problems.append(problem("KB033", entry.path, line, col, f"related id `{rel}` names no entry{hint}",
                                        field=f"related[{i}]"))
    seen: dict[str, tuple[Entry, int]] = {}
    # Oldest first, so that the entry blamed for a shared symptom is the one that came or changed
    # last: the one a pull request adds or edits, not the one it copied from.
    for entry in sorted(entries, key=lambda e: (e.updated, e.created, e.path.as_posix())):
        for i, symptom in enumerate(entry.symptoms):
            key = " ".join(symptom.output.split())
            if key in seen and seen[key][0].id != entry.id:
                other, j = seen[key]
                where = parsed.get(entry.path)
                line, col = where.where(("symptoms", i, "output")) if where else (1, 1)
                problems.append(problem("KB041", entry.path, line, col,
                                        f"symptoms[{i}] has the same output as {shown(other.path)} "
                                        f"symptoms[{j}]; merge the entries or keep the specific text",
                                        field=f"symptoms[{i}].output"))
            else:
                seen.setdefault(key, (entry, i))
    return problems


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"`{value}`"
    return text if len(text) <= 60 else text[:57] + "…"


def _kind(value: object) -> str:
    return {
        str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
        dict: "a mapping", type(None): "nothing (empty value)",
    }.get(type(value), type(value).__name__)
