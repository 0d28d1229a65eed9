"""One search index per language.

mkdocs-static-i18n builds the languages one after the other and then writes their entries into
one shared index, so the English site found Chinese pages first. Here each language's entries
are kept as its build finishes, and at the end each language gets an index of its own pages,
with search settings for that language, at ``search/search_index.json`` under the language's
root. Material's search fetches the index from the page's ``base``, the site root; on the pages
of the other languages :func:`rebase` points ``base`` at the language's root instead.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

# Material's own search is for titles and prose; pasted errors go to the paste box (kb-paste.js).
# Configured for identifiers all the same: no stemmer (it cut `directive` to `direct` and code words
# to stems no one types), and the separator splits on code punctuation as well as on words: `:`,
# `-`, brackets, quotes, slashes, and a dot unless a digit follows (`5.1` stays one word,
# `directive.` at the end of a sentence does not keep its dot). Chinese text is cut into words by
# jieba at build time (Material's search plugin does this when jieba is installed) and joined with
# U+200B, so the separator splits on that too. Query syntax (`host:port`, `-O2`) is taken out of the
# query before lunr parses it (kb-lunr-query.js).
_SEPARATOR = (r"[\s\u200b\u3000\-、。，．？！；：（）「」《》,:;!=\[\]()\"'/\\|<>{}@#*+~^`]+"
              r"|\.(?![0-9])|&[lg]t;")
SETTINGS: dict[str, dict[str, Any]] = {
    "zh": {"lang": ["en"], "separator": _SEPARATOR, "pipeline": []},
    "en": {"lang": ["en"], "separator": _SEPARATOR, "pipeline": ["stopWordFilter"]},
}


def _search_plugin(config: Any) -> Any:
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        if plugin is not None and hasattr(plugin, "search_index"):
            return plugin
    return None


def capture(config: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """This build's search entries (copied: static-i18n empties the list later) and its site root."""
    plugin = _search_plugin(config)
    if plugin is None:
        return None
    index = plugin.search_index
    entries = getattr(index, "_entries", None) or getattr(index, "entries", None) or []
    return config.site_dir, [dict(e) for e in entries]


def index_document(lang: str, entries: list[dict[str, Any]], fields: dict[str, Any]) -> str:
    settings = SETTINGS.get(lang, SETTINGS["en"])
    return json.dumps({"config": {**settings, "fields": fields}, "docs": entries},
                      ensure_ascii=False, separators=(",", ":"), default=str)


def write_split(config: Any, captured: dict[str, tuple[str, list[dict[str, Any]]]], default_lang: str) -> None:
    plugin = _search_plugin(config)
    fields = dict(plugin.config.fields) if plugin is not None else {}
    for lang, (site_dir, entries) in captured.items():
        folder = site_dir
        if lang != default_lang:
            folder = os.path.join(site_dir, lang)
            # Results are resolved against the language root now, so drop the language folder.
            entries = [{**e, "location": str(e.get("location", "")).removeprefix(f"{lang}/")} for e in entries]
        path = os.path.join(folder, "search", "search_index.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(index_document(lang, entries, fields))


_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL)


def _htmlsafe(data: Any) -> str:
    # As Jinja's `tojson` writes it, so that the script element cannot be closed from inside.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def rebase(html: str, lang: str) -> str:
    """Point Material's ``base`` at the language's root in a page of a non-default language."""
    def replace(match: re.Match[str]) -> str:
        try:
            data = json.loads(match.group(2))
        except ValueError:
            return match.group(0)
        base = str(data.get("base") or ".")
        # With the trailing slash, `new URL("search/search_index.json", base)` stays inside it.
        data["base"] = f"{base}/{lang}/" if base != "." else f"{lang}/"
        return match.group(1) + _htmlsafe(data) + match.group(3)

    return _CONFIG.sub(replace, html, count=1)


_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')


def drop_alternate_links(html: str) -> str:
    """Remove the ``<link rel="alternate" hreflang>`` tags from a page's head.

    Material's script fetches ``sitemap.xml`` below every such link, expecting each to be a
    language's root; static-i18n makes them the page itself in each language, so every page
    logged 404s. The language menu keeps its per-page links and lands on the same entry.
    """
    head, sep, body = html.partition("</head>")
    return _ALTERNATE.sub("", head) + sep + body if sep else html


def copy_sitemaps(site_dir: str, langs: list[str]) -> None:
    """Give each language root the site's sitemap: Material fetches it from the page's base."""
    source = os.path.join(site_dir, "sitemap.xml")
    if not os.path.isfile(source):
        return
    for lang in langs:
        with open(source, "rb") as src, open(os.path.join(site_dir, lang, "sitemap.xml"), "wb") as dst:
            dst.write(src.read())
