"""Index pages: the lists that lead to entries (home, browse, tags, components, the original note).

Committed pages under ``kb/<lang>/`` carry the prose and mark where a list goes with a comment
such as ``<!-- kb:recent -->``; :func:`expand` replaces each mark. Component pages have no prose
and are generated whole by :func:`component_page`. Entries are linked from these pages rather
than listed in the navigation: a navigation of 1,000 entries made every page carry it, and the
build five times slower.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from kbtools.load import KB
from kbtools.model import Entry
from kbtools.site import markdown as md
from kbtools.site.entry_page import (
    NOTE_PAGE,
    TAGS_PAGE,
    SiteContext,
    component_page_path,
)
from kbtools.site.labels import label
from kbtools.site.notes import Note
from kbtools.urls import entry_file

# A mark stands on its own line for a block (a list), or inside a line for a single link.
DIRECTIVE = re.compile(r"<!--\s*kb:([a-z-]+)\s*-->")
HOME_PER_COMPONENT = 8  # the home page shows this many per component and links to the rest
RECENT = 10


@dataclass
class Listing:
    """Everything the index pages draw on."""

    entries: list[Entry]
    ctx: SiteContext
    notes: list[Note] = field(default_factory=list)
    contributing: dict[str, str] = field(default_factory=dict)  # lang -> Markdown of the guide
    export_href: str = ""  # where the JSON export is, relative to the language root
    kb: KB | None = None  # the loaded KB, for the export


def expand(text: str, lang: str, page: str, listing: Listing) -> tuple[str, list[str]]:
    """Replace every ``<!-- kb:NAME -->`` line; return the text and the names that are unknown."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        render = DIRECTIVES.get(match.group(1))
        if render is None:
            unknown.append(match.group(1))
            return match.group(0)
        return render(listing, lang, page)

    return DIRECTIVE.sub(replace, text), unknown


def _entry_item(entry: Entry, lang: str, page: str, *, date: bool = False) -> str:
    item = f"- {md.link(entry.title.get(lang), md.relative(page, entry_file(entry.product, entry.id)))}"
    if entry.status != "verified":
        item += f" · *{label(lang, 'status.' + entry.status)}*"
    if date:
        item += f" · {_date(entry)}"
    return item


def _date(entry: Entry) -> str:
    # Our own markup around a date we format: nothing from the entry to escape. The class keeps
    # the date on one line (a date broken as `2026-` / `11-26` is hard to read).
    return f'<span class="kb-date">{entry.updated.isoformat()}</span>'


def _versions(entry: Entry, lang: str) -> str:
    """The affected versions in a few words: the entry's own product first, then the fix."""
    names = sorted(entry.environment, key=lambda name: name != entry.product)
    parts = [f"{md.text(name)} {md.code_span(entry.environment[name])}" for name in names[:2]]
    if len(names) > 2:
        parts.append("…")
    for name, version in entry.fixed_in.items():
        parts.append(f"{label(lang, 'fixed_in')} {md.text(name)} {md.code_span(version)}")
    return "<br>".join(parts) if parts else "—"


def _status(entry: Entry, lang: str) -> str:
    text = label(lang, "status." + entry.status)
    return text if entry.status == "verified" else f"*{text}*"


def _table(entries: list[Entry], lang: str, page: str) -> str:
    """Entries as a table that scans at 60+ entries: title, status, versions, last update."""
    head = (f"| {label(lang, 'entry')} | {label(lang, 'status')} | {label(lang, 'versions_short')} | "
            f"{label(lang, 'updated')} |\n| --- | --- | --- | --- |")
    rows = [f"| {md.link(e.title.get(lang), md.relative(page, entry_file(e.product, e.id)))} | "
            f"{_status(e, lang)} | {_versions(e, lang)} | {_date(e)} |" for e in entries]
    return head + "\n" + "\n".join(rows)


def _newest_first(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (-e.updated.toordinal(), -e.created.toordinal(), e.id))


def _grouped(entries: list[Entry]) -> dict[tuple[str, str], list[Entry]]:
    groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in _newest_first(entries):
        groups[(entry.product, entry.component)].append(entry)
    return groups


def products(listing: Listing, lang: str, page: str) -> str:
    groups = _grouped(listing.entries)
    out = []
    for product_id, product in listing.ctx.products.items():
        if not any(key[0] == product_id for key in groups):
            continue  # a product without entries yet would be a heading over nothing
        out.append(f"### {md.text(product.name)}\n\n{md.text(product.description.get(lang))}")
        for component_id, names in product.components.items():
            members = groups.get((product_id, component_id), [])
            if not members:
                continue
            target = md.relative(page, component_page_path(product_id, component_id))
            heading = f"#### [{md.text(names.get(lang))}]({target})"
            block = heading + "\n\n" + _table(members[:HOME_PER_COMPONENT], lang, page)
            if len(members) > HOME_PER_COMPONENT:
                more = label(lang, "all_n", n=len(members))
                block += f"\n\n[{more} →]({target})"
            out.append(block)
    return "\n\n".join(out) if out else label(lang, "none")


def recent(listing: Listing, lang: str, page: str) -> str:
    latest = _newest_first(listing.entries)[:RECENT]
    return "\n".join(_entry_item(e, lang, page, date=True) for e in latest) or label(lang, "none")


def stats(listing: Listing, lang: str, page: str) -> str:
    count = len(listing.entries)
    verified = sum(e.status == "verified" for e in listing.entries)
    return label(lang, "stats", count=count, verified=verified)


def tags(listing: Listing, lang: str, page: str) -> str:
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    for entry in sorted(listing.entries, key=lambda e: e.id):
        for tag in entry.tags:
            by_tag[tag].append(entry)
    if not by_tag:
        return label(lang, "none")
    names = sorted(by_tag)
    cloud = " · ".join(f"[{md.code_span(t)}](#{t}) ({len(by_tag[t])})" for t in names)
    sections = [f"## {md.text(t)} {{#{t}}}\n\n" + "\n".join(_entry_item(e, lang, page) for e in by_tag[t])
                for t in names]
    return cloud + "\n\n" + "\n\n".join(sections)


def note(listing: Listing, lang: str, page: str) -> str:
    out = []
    for item in listing.notes:
        link = md.link(label(lang, "note_title", title=item.title), item.url)
        credit = label(lang, "note_credit", author=md.text(item.author), created=md.text(item.created), link=link)
        rows = []
        for number, (heading, entry) in enumerate(item.sections, 1):
            if entry is None:
                rows.append(f"{number}. {md.text(heading)}")
            else:
                target = md.relative(page, entry_file(entry.product, entry.id))
                rows.append(label(lang, "note_row", number=number, heading_link=md.link(heading, target),
                                  title_link=md.link(entry.title.get(lang), target), heading_code=md.code_span(heading)))
        out.append(f"## {md.text(item.title)}\n\n{credit}\n\n" + "\n".join(rows))
    return "\n\n".join(out) or label(lang, "none")


def contributing(listing: Listing, lang: str, page: str) -> str:
    return listing.contributing.get(lang, "")


def export_link(listing: Listing, lang: str, page: str) -> str:
    # Raw HTML on purpose: the export is not a docs page, so MkDocs cannot check a Markdown link
    # to it, and `--strict` would fail on one. Our own href, no entry text: nothing to escape.
    href = md.relative(page, listing.export_href)
    text = label(lang, "export_link")
    return f'<a href="{href}">{text}</a>'


def component_page(listing: Listing, lang: str, product_id: str, component_id: str) -> str:
    """The generated page listing every entry of one component."""
    page = component_page_path(product_id, component_id)
    product = listing.ctx.products[product_id]
    members = _grouped(listing.entries).get((product_id, component_id), [])
    title = f"# {md.text(product.name)} › {md.text(product.components[component_id].get(lang))}"
    count = label(lang, "entries_count", n=len(members))
    items = _table(members, lang, page) if members else label(lang, "none")
    back = md.relative(page, "index.md")
    more = label(lang, "back_links", home=back, tags=md.relative(page, TAGS_PAGE))
    return f"{title}\n\n{count}\n\n{items}\n\n{more}\n"


DIRECTIVES: dict[str, Callable[[Listing, str, str], str]] = {
    "products": products,
    "recent": recent,
    "stats": stats,
    "tags": tags,
    "note": note,
    "contributing": contributing,
    "export-link": export_link,
}

__all__ = ["NOTE_PAGE", "Listing", "component_page", "expand"]
