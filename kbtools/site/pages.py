"""Which generated files the docs dir should hold, and writing them without needless churn.

MkDocs and mkdocs-static-i18n only see pages that exist as files under the docs dir (pages made
in memory are dropped by static-i18n), so entry and component pages are written to disk before
each build. A file is rewritten only when its text changed: that keeps `mkdocs serve` from
rebuilding in a loop on its own output, and keeps modification times meaningful.

A new kind of generated page is a function that renders it (like
:func:`kbtools.site.entry_page.render_entry` or :func:`kbtools.site.listings.component_page`),
a loop in :func:`plan` that places it, and its words in :mod:`kbtools.site.labels`; a list inside a
hand-written page is a ``<!-- kb:name -->`` mark instead (:data:`kbtools.site.listings.DIRECTIVES`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kbtools.site.entry_page import component_page_path, render_entry
from kbtools.site.labels import LANGS, label, other_lang
from kbtools.site.listings import Listing, component_page
from kbtools.urls import entry_file

# Folders below kb/<lang>/ that hold only generated pages; anything else there is stale.
GENERATED_DIRS = ("entries", "components")


@dataclass
class SyncReport:
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    unchanged: int = 0


def plan(listing: Listing, langs: tuple[str, ...] = LANGS) -> dict[str, str]:
    """Generated pages as {path below the docs dir: Markdown}."""
    out: dict[str, str] = {}
    for lang in langs:
        for entry in listing.entries:
            out[f"{lang}/{entry_file(entry.product, entry.id)}"] = render_entry(entry, lang, listing.ctx)
        for product_id, product in listing.ctx.products.items():
            for component_id in product.components:
                out[f"{lang}/{component_page_path(product_id, component_id)}"] = \
                    component_page(listing, lang, product_id, component_id)
    return out


def sync(docs_dir: Path, pages: dict[str, str], langs: tuple[str, ...] = LANGS) -> SyncReport:
    """Make the generated folders of ``docs_dir`` hold exactly ``pages``."""
    report = SyncReport()
    for rel, text in pages.items():
        path = docs_dir / rel
        data = text.encode("utf-8")
        try:
            if path.read_bytes() == data:
                report.unchanged += 1
                continue
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside and rename, so that a watcher never picks up half a page.
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        report.written.append(path)
    wanted = {docs_dir / rel for rel in pages}
    for lang in langs:
        for folder in GENERATED_DIRS:
            top = docs_dir / lang / folder
            if not top.is_dir():
                continue
            for path in sorted(top.rglob("*.md")):
                if path not in wanted:
                    path.unlink()
                    report.removed.append(path)
            for sub in sorted((p for p in top.rglob("*") if p.is_dir()), reverse=True):
                if not any(sub.iterdir()):
                    sub.rmdir()
    return report


def hand_written_dirs(docs_dir: Path, langs: tuple[str, ...] = LANGS) -> list[tuple[Path, bool]]:
    """The folders of ``docs_dir`` that hold what people write, as (folder, recursive) pairs:
    everything but the generated folders below each language's folder."""
    out: list[tuple[Path, bool]] = [(docs_dir, False)]
    for child in sorted(p for p in docs_dir.iterdir() if p.is_dir()):
        if child.name not in langs:
            out.append((child, True))
            continue
        out.append((child, False))
        out += [(sub, True) for sub in sorted(p for p in child.iterdir() if p.is_dir())
                if sub.name not in GENERATED_DIRS]
    return out


_LINK = re.compile(r"(\]\(|^\[[^\]]+\]:\s*)(?!https?:|mailto:|#|/)([^)\s]+)", re.MULTILINE)


def contributing_pages(root: Path, blob_base: str, new_file_base: str = "") -> dict[str, str]:
    """The contributing guide per language, from CONTRIBUTING.zh.md / CONTRIBUTING.md at the root.

    Relative links in the guides point at repository files, which are not pages of the site:
    they are turned into links to the repository. A language without its own guide shows the
    other one under a notice that links to creating the missing file (``new_file_base``: the
    repository's "new file" address, ``…/new/main``), and with neither the page says where the
    guide will be.
    """
    files = {"zh": root / "CONTRIBUTING.zh.md", "en": root / "CONTRIBUTING.md"}
    texts: dict[str, str] = {}
    for lang, path in files.items():
        try:
            texts[lang] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    out: dict[str, str] = {}
    for lang in LANGS:
        other = other_lang(lang)
        if lang in texts:
            body = texts[lang]
        elif other in texts:
            notice = label(lang, "fallback", url=f"{new_file_base}?filename={files[lang].name}" if new_file_base else "#")
            body = f'!!! info "{label(lang, "fallback_title")}"\n\n    {notice}\n\n{texts[other]}'
        else:
            body = label(lang, "no_guide")
        if blob_base:
            body = _LINK.sub(lambda m: m.group(1) + blob_base + m.group(2).removeprefix("./"), body)
        out[lang] = body
    return out
