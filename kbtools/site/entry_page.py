"""One entry -> the Markdown of its page in one language.

Pure functions over :class:`kbtools.model.Entry`: no MkDocs, no files. Links to other pages are
relative ``.md`` paths from the entry's page (so that MkDocs checks them in ``--strict``), links
to the outside world are absolute. An entry's page sits at :func:`kbtools.urls.entry_file` below
each language folder of the docs dir: the same path as the entry's file in the repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbtools.model import Entry, Product
from kbtools.parse import SECTIONS
from kbtools.site import markdown as md
from kbtools.site.labels import label, other_lang
from kbtools.urls import entry_file


@dataclass(frozen=True)
class SiteContext:
    """What a page needs to know about the site around it."""

    products: dict[str, Product]
    titles: dict[str, tuple[str, dict[str, str]]]  # id -> (product, {lang: title}) of every entry
    edit_base: str  # e.g. https://github.com/o/r/edit/main/ ; "" when the repo is unknown

    def edit_url(self, repo_path: str) -> str:
        return self.edit_base + repo_path if self.edit_base else ""


def component_page_path(product: str, component: str) -> str:
    return f"components/{product}/{component}.md"


TAGS_PAGE = "tags.md"
VERBATIM = "kb-verbatim"  # the custom fence of fences.py: escaped text, no highlighting
NOTE_PAGE = "note.md"


def render_entry(entry: Entry, lang: str, ctx: SiteContext) -> str:
    here = entry_file(entry.product, entry.id)
    parts = [f"# {md.text(entry.title.get(lang))}"]
    if entry.status != "verified":
        kind = "warning" if entry.status == "draft" else "danger"
        parts.append(f'!!! {kind} "{label(lang, "status." + entry.status)}"\n\n'
                     f'    {label(lang, "status_note." + entry.status)}')
    parts.append(_symptoms(entry, lang))
    parts += _sections(entry, lang, ctx)
    parts.append(_versions(entry, lang))
    parts.append(_details(entry, lang, ctx, here))
    if entry.related:
        parts.append(_related(entry, lang, ctx, here))
    if entry.references:
        items = "\n".join(f"- {md.link(ref.title, ref.url)}" for ref in entry.references)
        parts.append(f"## {label(lang, 'references')}\n\n{items}")
    if entry.source is not None:
        parts.append(_source(entry, lang, here))
    url = ctx.edit_url(entry_file(entry.product, entry.id))
    if url:
        parts.append(f"## {label(lang, 'edit')}\n\n"
                     + label(lang, "edit_text", path=entry_file(entry.product, entry.id), url=md.target(url)))
    return "\n\n".join(parts) + "\n"


def _symptoms(entry: Entry, lang: str) -> str:
    out = [f"## {label(lang, 'symptoms')}"]
    for symptom in entry.symptoms:
        if symptom.command is not None:
            out.append(f"**{label(lang, 'command')}**\n\n{md.fence(symptom.command, VERBATIM)}")
        if symptom.log is not None:
            out.append(label(lang, "log_line", label=label(lang, "log"), log=md.text(symptom.log)))
        out.append(f"**{label(lang, 'output')}**\n\n{md.fence(symptom.output, VERBATIM)}")
    return "\n\n".join(out)


def _sections(entry: Entry, lang: str, ctx: SiteContext) -> list[str]:
    """The body sections in the format's order; a section missing in ``lang`` falls back, visibly."""
    other = other_lang(lang)
    out = []
    for key, headings in SECTIONS.items():
        mine = entry.body.get(lang, {}).get(key)
        theirs = entry.body.get(other, {}).get(key)
        if mine is not None and mine.text.strip():
            out.append(f"## {headings[lang]}\n\n{mine.text.strip()}")
        elif theirs is not None and theirs.text.strip():
            notice = label(lang, "fallback", url=md.target(ctx.edit_url(entry_file(entry.product, entry.id)) or "#"))
            out.append(f"## {headings[lang]}\n\n"
                       f'!!! info "{label(lang, "fallback_title")}"\n\n    {notice}\n\n'
                       # Marked with its own language, for screen readers, fonts and translation tools.
                       f'<div lang="{other}" markdown>\n\n{theirs.text.strip()}\n\n</div>')
    return out


def _versions(entry: Entry, lang: str) -> str:
    head = f"## {label(lang, 'versions')}"
    if not entry.environment:
        return f"{head}\n\n{label(lang, 'no_versions')}"
    rows = [f"| {label(lang, 'software')} | {label(lang, 'constraint')} |", "| --- | --- |"]
    rows += [f"| {md.text(name)} | {md.text(spec)} |" for name, spec in entry.environment.items()]
    text = head + "\n\n" + "\n".join(rows)
    if entry.fixed_in:
        fixed = ", ".join(f"{md.text(name)} {md.text(version)}" for name, version in entry.fixed_in.items())
        text += "\n\n" + label(lang, "fixed_in_line", label=label(lang, "fixed_in"), fixed=fixed)
    return text


def _details(entry: Entry, lang: str, ctx: SiteContext, here: str) -> str:
    colon = label(lang, "colon")
    product = ctx.products.get(entry.product)
    product_name = product.name if product else entry.product
    component = product.components.get(entry.component) if product else None
    component_name = component.get(lang) if component else entry.component
    component_link = md.link(f"{product_name} › {component_name}",
                             md.relative(here, component_page_path(entry.product, entry.component)))
    tags = " · ".join(f"[{md.code_span(tag)}]({md.relative(here, TAGS_PAGE)}#{tag})" for tag in entry.tags)
    lines = [
        f"- **{label(lang, 'status')}**{colon}{label(lang, 'status.' + entry.status)}"
        f" — {label(lang, 'status_note.' + entry.status)}",
        f"- **{label(lang, 'component')}**{colon}{component_link}",
    ]
    if tags:
        lines.append(f"- **{label(lang, 'tags')}**{colon}{tags}")
    lines.append(f"- **{label(lang, 'created')}**{colon}{entry.created.isoformat()}"
                 f" · **{label(lang, 'updated')}**{colon}{entry.updated.isoformat()}")
    return f"## {label(lang, 'details')}\n\n" + "\n".join(lines)


def _related(entry: Entry, lang: str, ctx: SiteContext, here: str) -> str:
    items = []
    for other_id in entry.related:
        known = ctx.titles.get(other_id)
        if known is None:  # validation reports it; the page still builds
            items.append(f"- {md.code_span(other_id)}")
            continue
        product, titles = known
        items.append(f"- {md.link(titles[lang], md.relative(here, entry_file(product, other_id)))}")
    return f"## {label(lang, 'related')}\n\n" + "\n".join(items)


def _source(entry: Entry, lang: str, here: str) -> str:
    source = entry.source
    assert source is not None
    line = label(lang, "source_text", author=md.text(source.author), title=md.text(source.title),
                 url=md.target(source.url))
    if source.section:
        line += label(lang, "source_section", section=md.text(source.section))
    line += label(lang, "full_stop")
    note = md.relative(here, NOTE_PAGE)
    more = label(lang, "note_link", url=note)
    return f"## {label(lang, 'source')}\n\n{line} {more}"
