"""The numbered rules: every problem that ``kb`` reports is made here, from its rule.

A rule has a stable code, a summary, a fix, *why* it exists, a severity and a failing example.
Checks create problems with :func:`problem` (or :meth:`Rule.problem`), looked up by code: an
unknown code raises, and the severity is the rule's, never the caller's.

Each rule's example is a folder under ``kbtools/rule_examples/<code>/`` holding the files, laid
out as in a knowledge base, that make the rule fire (``kb rules KB031`` prints them; a test runs
each through the check that owns the rule and asserts that exactly that code fires). Two names in
a folder are not copied as they are: ``before/`` holds files committed before the branch that
``kb check-pr`` reviews, and ``setup.sh`` is run in the knowledge base after the copy, for what a
file cannot hold (a named pipe, a file over the size cap).

Codes are stable: a rule that is dropped is marked retired here, and its code is never reused.
The table in CONTRIBUTING.md is generated from this list (``kb rules --markdown``) and a test
keeps the two in step. To add a rule: add it here with its example folder, then make the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kbtools.errors import Problem

EXAMPLES = Path(__file__).resolve().parent / "rule_examples"
# The knowledge base each example is copied into: its product list.
EXAMPLE_BASE = EXAMPLES / "_kb"
SETUP = "setup.sh"
BEFORE = "before"
CHECKERS = {"validate": "kb validate", "check-pr": "kb check-pr", "fmt": "kb fmt", "site": "the site build"}


class UnknownRule(LookupError):
    """A check asked for a code that the table does not define: a bug in the check."""


@dataclass(frozen=True)
class ExampleFile:
    path: str  # relative to the example folder
    text: str
    role: str = ""  # "before": committed before the branch; "setup": run after the copy; "": a file


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    fix: str
    why: str
    severity: str = "error"  # a "warning" is printed but does not fail `kb validate`
    checked_by: str = "validate"  # a key of CHECKERS: the command that reports the rule

    def problem(self, path: Path, line: int, col: int, message: str, *, field: str = "") -> Problem:
        return Problem(path, line, col, self.code, message, field=field, severity=self.severity)

    @property
    def example(self) -> Path:
        """The folder of the rule's failing example."""
        return EXAMPLES / self.code

    def example_files(self) -> list[ExampleFile]:
        """The files of the example in the order they are laid out: ``before/``, the rest, ``setup.sh``."""
        files = []
        for path in self.example.rglob("*"):
            if not path.is_file():
                continue
            name = path.relative_to(self.example).as_posix()
            role = "before" if name.startswith(BEFORE + "/") else "setup" if name == SETUP else ""
            text = path.read_bytes().decode("utf-8", errors="replace")
            files.append(ExampleFile(name, text, role))
        order = {"before": 0, "": 1, "setup": 2}
        return sorted(files, key=lambda f: (order[f.role], f.path))


RULES: tuple[Rule, ...] = (
    Rule("KB001", "encoding",
         summary="The file is not valid UTF-8, or starts with a byte-order mark.",
         fix="Save the file as UTF-8 without BOM.",
         why="Every tool that reads entries (git, the site, search) assumes UTF-8; a byte-order mark would end up "
             "inside the first field name."),
    Rule("KB002", "file-size",
         summary="The file is larger than the size cap (256 KiB).",
         fix="Split the entry, or move long logs to a reference.",
         why="Every command reads entries whole; the cap keeps one runaway log from slowing down or exhausting `kb"
             " validate`, the index and the site."),
    Rule("KB003", "front-matter",
         summary="The file does not start with a `---` front matter block closed by `---`.",
         fix="Start the file with `---`, the YAML fields, then `---`.",
         why="The fields live in the front matter; without its two `---` lines nothing tells them from the body."),
    Rule("KB004", "yaml-syntax",
         summary="The front matter is not valid YAML (the parser's own line and column are given).",
         fix="Fix the YAML at the position shown; quote strings that contain `: ` or start with `[`, `{`, `*`, "
             "`&`.",
         why="An entry whose front matter does not parse has no fields at all: it cannot be indexed or shown."),
    Rule("KB005", "yaml-features",
         summary="The front matter uses YAML anchors, aliases, custom tags, or nests deeper than 10 levels.",
         fix="Write each value out in full; anchors and tags are not allowed in entries.",
         why='Anchors, aliases and tags let a few lines expand into huge or surprising values (the "billion '
             'laughs"), and hide the real value from a reviewer.'),
    Rule("KB006", "duplicate-key",
         summary="A key appears twice in the same mapping.",
         fix="Keep one of the two keys.",
         why="YAML keeps only the last of two equal keys and drops the first without a word: what the reviewer "
             "read is not what is stored."),
    Rule("KB007", "special-file",
         summary="A named pipe, device or socket lies under `entries/` (or an entry is a symlink to one).",
         fix="Remove it: only entry files and `products.yml` belong under `entries/`.",
         why="Reading a pipe or a device can hang or never end; only regular files are entries."),
    Rule("KB008", "unclosed-quote",
         summary="A quoted YAML value is never closed (reported where the quote opens, not where YAML gives up).",
         fix="Close the quote on the same value, or write the value without quotes.",
         why="YAML reports an unclosed quote where it gives up, often many lines later; the opening quote is where"
             " the fix is."),
    Rule("KB010", "required-field",
         summary="A required field is missing or empty.",
         fix="Add the field; `kb new` writes a complete skeleton.",
         why="Search, the site and the export rely on these fields; an entry without them cannot be found or "
             "shown."),
    Rule("KB011", "field-type",
         summary="A field has the wrong type or a value outside its allowed set.",
         fix="Use the type shown in the message (see the field table).",
         why="A value of the wrong type (a number for a version, text for a list) breaks filters and pages in ways"
             " hard to trace back."),
    Rule("KB012", "unknown-field",
         summary="A field that the entry format does not define.",
         fix="Remove it, or fix its spelling (the message suggests the closest field).",
         why="Every tool ignores a misspelt field, so what it was meant to say is lost."),
    Rule("KB013", "id",
         summary="The id is not a lowercase slug, or differs from the file name.",
         fix="Name the file `<id>.md` and use only `a-z`, `0-9` and single hyphens.",
         why="The id is the entry's address on the site and in `related`; tying it to the file name makes the file"
             " easy to find."),
    Rule("KB014", "duplicate-id",
         summary="Two entries have the same id.",
         fix="Ids are unique across the whole knowledge base: rename one.",
         why="Two entries with one id would share one page address and make `related` links ambiguous."),
    Rule("KB015", "location",
         summary="The entry is not at `entries/<product>/<id>.md`, or its product is unknown.",
         fix="Move the file under the folder of its product, listed in `entries/products.yml`.",
         why="The folder says which product an entry belongs to, and the product list drives the site's navigation"
             " and `--product`."),
    Rule("KB016", "component",
         summary="The component is not one of the product's components.",
         fix="Use a component listed for the product in `entries/products.yml`.",
         why="Components group entries on the site and in `--component`; a component outside the list makes a "
             "group of one."),
    Rule("KB017", "title-length",
         summary="A title is longer than 200 characters.",
         fix="Keep the title to the gist of the error; put the rest in the cause.",
         why="Titles are shown in every list and search result; a paragraph-long title fills every page that lists"
             " it."),
    Rule("KB020", "language",
         summary="A text field or the body lacks one of the two languages (zh, en).",
         fix="Give every title in `zh` and `en`, and write both `<!-- lang: zh -->` and `<!-- lang: en -->` "
             "halves.",
         why="The knowledge base is bilingual: each reader must find the whole entry in their language."),
    Rule("KB021", "sections",
         summary="A language half lacks a required section (cause, fix) or has an unknown or repeated one.",
         fix="Use the `##` headings of the format: 原因/Cause, 排查/Diagnosis, 解决/Fix, 规避/Workaround, 备注/Notes.",
         why="Readers and search rely on the same sections in every entry; the cause and the fix are what make an "
             "entry useful."),
    Rule("KB022", "placeholder",
         summary="A placeholder left by `kb new` (`TODO`) is still in the entry.",
         fix="Replace every TODO with real content.",
         why="`kb new` writes TODO where content is missing; an entry published with one is unfinished."),
    Rule("KB024", "text-direction",
         summary="A title or other text field holds a bidirectional control character (U+202A–U+202E, U+2066–U+2069, "
                 "U+200E, U+200F, U+061C), which makes it display other than it reads.",
         fix="Remove the control character; right-to-left text needs none in these fields.",
         why='Direction controls make text display other than it reads ("Trojan Source"): pages and results would '
             'show something other than what was reviewed.'),
    Rule("KB030", "version",
         summary="A version constraint in `environment`, or a release in `fixed_in`, does not parse.",
         fix="Write a PEP 440 specifier (`<9.4`, `>=0.14,<0.15`), a version (`0.14.1`) or a series (`0.14.x`).",
         why="Versions drive `kb search --env`; a constraint that does not parse matches nothing."),
    Rule("KB031", "url",
         summary='A URL is not a well-formed http(s) address, or holds `<`, `>`, `"` or the like; or a link in the '
                 'body is neither http(s) nor relative as a browser reads it (entities decoded, tabs, newlines and '
                 'leading spaces dropped, case ignored: `javascript&#58;`, `java&#9;script:`, `JaVaScRiPt:`, `data:`).',
         fix="Use a full `https://` address; percent-encode characters such as `<` and `>`.",
         why="Readers follow these links and the site renders them; a malformed or non-http(s) address is broken "
             "at best and a script at worst."),
    Rule("KB032", "date",
         summary="A date is not a valid YYYY-MM-DD date, lies in the future, or `updated` is before `created`.",
         fix="Write dates as YYYY-MM-DD.",
         why="Dates tell how current an entry is and order the lists; an impossible date misleads."),
    Rule("KB033", "related",
         summary="A `related` id names no entry in the knowledge base, or the entry itself, or is listed twice.",
         fix="Use the id of an existing entry (the file name without `.md`).",
         why="A related link that leads nowhere, or back to the same entry, is a dead end for the reader."),
    Rule("KB040", "html",
         summary="HTML in a text field, or body Markdown that renders (with the site's Markdown settings) to a tag or "
                 "attribute outside the allowlist of entry pages: raw HTML, images, event handlers, styles, `{…}` "
                 "attribute lists.",
         fix="Write Markdown instead; put HTML-like error text and braces inside code blocks or backticks.",
         why="Entry pages are served to everyone; HTML, images and attribute lists could run scripts, load "
             "trackers or break the page."),
    Rule("KB041", "duplicate-symptom",
         summary="Two entries claim the same symptom output.",
         fix="Merge the entries, or make each symptom the text that is specific to its problem.",
         why="Two entries that claim the same output split the answer: search shows both, and neither is complete."),
    Rule("KB042", "link-work",
         summary="Brackets that do not close (`[`, `](`) would make the Markdown renderer walk more than 1,000,000 "
                 "characters (it walks from each to its match, or to the end of the paragraph: quadratic).",
         fix="Close the brackets, escape them as `\\[`, or put the text in a code block.",
         why="Unclosed brackets make the Markdown renderer's work grow with the square of the text: a few "
             "kilobytes can stall the site build."),
    Rule("KB043", "render-cost",
         summary="The body renders to more than 512 KiB of HTML, or takes more than 0.8 s of CPU to render and check "
                 "(long runs of markup characters such as `&`, `<a`, `\\`, `*a` or `>`).",
         fix="Shorten the text, or put it in a code block.",
         why="A body that renders to megabytes, or takes seconds to render, makes the site slow to build and to "
             "load."),
    Rule("KB050", "translation-drift",
         summary="The code blocks of the zh and en halves differ (`kb validate`), or a pull request changed one half "
                 "of an entry and not the other (`kb check-pr`).",
         fix="Make the code blocks byte-identical in both halves, and carry every change over to the other "
             "language.",
         why="Both halves carry the same commands, configuration and logs; when one is edited alone, the other "
             "falls out of date.",
         severity="warning"),
    Rule("KB051", "likely-duplicate",
         summary="`kb check-pr`: a symptom of a new entry finds an existing entry first in `kb search`, with a score "
                 "above the duplicate threshold.",
         fix="Add what is new to the existing entry instead, or make the symptom the text specific to this "
             "problem.",
         why="A second entry for a problem the knowledge base already explains splits the answer in two.",
         severity="warning", checked_by="check-pr"),
    Rule("KB060", "fmt-lossless",
         summary="`kb fmt`: a valid entry cannot be rewritten into the canonical layout without losing something (a "
                 "YAML comment in the front matter, or a value that would read back differently).",
         fix="Move the comment into the body (or drop it), then run `kb fmt` again.",
         why="`kb fmt` rewrites files in place; it must never drop or change a word of what the contributor wrote.",
         checked_by="fmt"),
    Rule("KB070", "note-order",
         summary="The site's `note-order.yml` is not a `notes:` list of notes, each with `title`, `author`, `url`, "
                 "`created` and a list of `sections`.",
         fix="Give each note all five keys; `sections` lists the note's `##` headings in order.",
         why="The site rebuilds each original note's table of contents from this file; a note without them cannot "
             "be shown.",
         checked_by="site"),
    Rule("KB071", "note-section",
         summary="A heading listed for a note in `note-order.yml` is the `source.section` of no entry with that note's"
                 " `url`.",
         fix="Correct the heading, or set `source.section` (and `source.url`) of the entry it belongs to.",
         why="The note's table of contents on the site would list a heading that leads to no entry.",
         severity="warning", checked_by="site"),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule(code: str) -> Rule:
    try:
        return BY_CODE[code]
    except KeyError:
        raise UnknownRule(f"no rule {code!r}; the codes are listed by `kb rules`") from None


def problem(code: str, path: Path, line: int, col: int, message: str, *, field: str = "") -> Problem:
    """A problem of rule ``code`` (UnknownRule for a code the table lacks), with the rule's severity."""
    return rule(code).problem(path, line, col, message, field=field)


def markdown_table() -> str:
    lines = ["| Code | Rule | What it checks | How to fix |", "| --- | --- | --- | --- |"]
    for each in RULES:
        summary = f"Warning: {each.summary}" if each.severity == "warning" else each.summary
        link = f"[{each.code}]({each.example.relative_to(EXAMPLES.parent.parent).as_posix()}/)"
        lines.append(f"| {link} | {each.name} | {summary} | {each.fix} |")
    return "\n".join(lines) + "\n"
