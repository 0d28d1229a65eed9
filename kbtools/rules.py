"""The numbered validation rules.

Codes are stable: a rule that is dropped is marked retired here, and its code is never reused.
The table in CONTRIBUTING.md is generated from this list (``kb rules --markdown``) and a test
keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    fix: str
    severity: str = "error"  # a "warning" is printed but does not fail `kb validate`


RULES: tuple[Rule, ...] = (
    Rule("KB001", "encoding", "The file is not valid UTF-8, or starts with a byte-order mark.",
         "Save the file as UTF-8 without BOM."),
    Rule("KB002", "file-size", "The file is larger than the size cap (256 KiB).",
         "Split the entry, or move long logs to a reference."),
    Rule("KB003", "front-matter", "The file does not start with a `---` front matter block closed by `---`.",
         "Start the file with `---`, the YAML fields, then `---`."),
    Rule("KB004", "yaml-syntax", "The front matter is not valid YAML (the parser's own line and column are given).",
         "Fix the YAML at the position shown; quote strings that contain `: ` or start with `[`, `{`, `*`, `&`."),
    Rule("KB005", "yaml-features", "The front matter uses YAML anchors, aliases, custom tags, or nests deeper than 10 levels.",
         "Write each value out in full; anchors and tags are not allowed in entries."),
    Rule("KB006", "duplicate-key", "A key appears twice in the same mapping.",
         "Keep one of the two keys."),
    Rule("KB007", "special-file", "A named pipe, device or socket lies under `entries/` (or an entry is a "
         "symlink to one).", "Remove it: only entry files and `products.yml` belong under `entries/`."),
    Rule("KB008", "unclosed-quote", "A quoted YAML value is never closed (reported where the quote opens, not "
         "where YAML gives up).", "Close the quote on the same value, or write the value without quotes."),
    Rule("KB010", "required-field", "A required field is missing or empty.",
         "Add the field; `kb new` writes a complete skeleton."),
    Rule("KB011", "field-type", "A field has the wrong type or a value outside its allowed set.",
         "Use the type shown in the message (see the field table)."),
    Rule("KB012", "unknown-field", "A field that the entry format does not define.",
         "Remove it, or fix its spelling (the message suggests the closest field)."),
    Rule("KB013", "id", "The id is not a lowercase slug, or differs from the file name.",
         "Name the file `<id>.md` and use only `a-z`, `0-9` and single hyphens."),
    Rule("KB014", "duplicate-id", "Two entries have the same id.",
         "Ids are unique across the whole knowledge base: rename one."),
    Rule("KB015", "location", "The entry is not at `entries/<product>/<id>.md`, or its product is unknown.",
         "Move the file under the folder of its product, listed in `entries/products.yml`."),
    Rule("KB016", "component", "The component is not one of the product's components.",
         "Use a component listed for the product in `entries/products.yml`."),
    Rule("KB017", "title-length", "A title is longer than 200 characters.",
         "Keep the title to the gist of the error; put the rest in the cause."),
    Rule("KB020", "language", "A text field or the body lacks one of the two languages (zh, en).",
         "Give every title in `zh` and `en`, and write both `<!-- lang: zh -->` and `<!-- lang: en -->` halves."),
    Rule("KB021", "sections", "A language half lacks a required section (cause, fix) or has an unknown or repeated one.",
         "Use the `##` headings of the format: 原因/Cause, 排查/Diagnosis, 解决/Fix, 规避/Workaround, 备注/Notes."),
    Rule("KB022", "placeholder", "A placeholder left by `kb new` (`TODO`) is still in the entry.",
         "Replace every TODO with real content."),
    Rule("KB024", "text-direction", "A title or other text field holds a bidirectional control character "
         "(U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which makes it display other than it reads.",
         "Remove the control character; right-to-left text needs none in these fields."),
    Rule("KB030", "version", "A version constraint in `environment`, or a release in `fixed_in`, does not parse.",
         "Write a PEP 440 specifier (`<9.4`, `>=0.14,<0.15`), a version (`0.14.1`) or a series (`0.14.x`)."),
    Rule("KB031", "url", "A URL is not a well-formed http(s) address, or holds `<`, `>`, `\"` or the like; or a link "
         "in the body is neither http(s) nor relative as a browser reads it (entities decoded, tabs, newlines and "
         "leading spaces dropped, case ignored: `javascript&#58;`, `java&#9;script:`, `JaVaScRiPt:`, `data:`).",
         "Use a full `https://` address; percent-encode characters such as `<` and `>`."),
    Rule("KB032", "date", "A date is not a valid YYYY-MM-DD date, lies in the future, or `updated` is before `created`.",
         "Write dates as YYYY-MM-DD."),
    Rule("KB033", "related", "A `related` id names no entry in the knowledge base, or the entry itself, or is "
         "listed twice.",
         "Use the id of an existing entry (the file name without `.md`)."),
    Rule("KB040", "html", "HTML in a text field, or body Markdown that renders (with the site's Markdown settings) "
         "to a tag or attribute outside the allowlist of entry pages: raw HTML, images, event handlers, styles, "
         "`{…}` attribute lists.",
         "Write Markdown instead; put HTML-like error text and braces inside code blocks or backticks."),
    Rule("KB041", "duplicate-symptom", "Two entries claim the same symptom output.",
         "Merge the entries, or make each symptom the text that is specific to its problem."),
    Rule("KB042", "link-work", "Brackets that do not close (`[`, `](`) would make the Markdown renderer walk more "
         "than 1,000,000 characters (it walks from each to its match, or to the end of the paragraph: quadratic).",
         "Close the brackets, escape them as `\\[`, or put the text in a code block."),
    Rule("KB043", "render-cost", "The body renders to more than 512 KiB of HTML, or takes more than 0.8 s of CPU to "
         "render and check (long runs of markup characters such as `&`, `<a`, `\\`, `*a` or `>`).",
         "Shorten the text, or put it in a code block."),
    Rule("KB050", "translation-drift", "The code blocks of the zh and en halves differ (`kb validate`), or a pull "
         "request changed one half of an entry and not the other (`kb check-pr`).",
         "Make the code blocks byte-identical in both halves, and carry every change over to the other language.",
         severity="warning"),
    Rule("KB051", "likely-duplicate", "`kb check-pr`: a symptom of a new entry finds an existing entry first in "
         "`kb search`, with a score above the duplicate threshold.",
         "Add what is new to the existing entry instead, or make the symptom the text specific to this problem.",
         severity="warning"),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def markdown_table() -> str:
    lines = ["| Code | Rule | What it checks | How to fix |", "| --- | --- | --- | --- |"]
    for rule in RULES:
        summary = f"Warning: {rule.summary}" if rule.severity == "warning" else rule.summary
        lines.append(f"| {rule.code} | {rule.name} | {summary} | {rule.fix} |")
    return "\n".join(lines) + "\n"
