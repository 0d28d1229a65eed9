"""The MkDocs plugin `kb`: thin hooks that hand the work to the rest of ``kbtools.site``.

Order of a build (mkdocs-static-i18n runs one build per language, the others nested in the
first one's ``on_post_build``):

- ``on_pre_build`` (outer build only): load the KB with the library's loader, stop the build
  with every ``path:line:col`` problem if an entry is invalid, and write the generated pages.
- ``on_files``: add ``kb.json`` (the export) and the error search's data to the default language's build.
- ``on_page_markdown``: fill the ``<!-- kb:... -->`` marks of hand-written pages; point each
  page's edit button at the file a contributor edits.
- ``on_page_content``: pass each entry page's HTML through the allowlist sanitizer.
- ``on_post_build``: keep each language's search entries, then give each language its own index.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.kb")
STYLESHEET = "assets/stylesheets/kb.css"  # shipped in theme/, copied by MkDocs with the theme
# The error search: the engine, then the paste box that uses it (theme/assets/javascripts/).
SCRIPTS = ("assets/javascripts/kb-search.js", "assets/javascripts/kb-paste.js", "assets/javascripts/kb-lunr-query.js")


class KBPluginConfig(Config):
    root = c.Optional(c.Type(str))  # the folder holding entries/; default: the folder of mkdocs.yml
    branch = c.Type(str, default="main")  # for edit and source links
    export = c.Type(str, default="kb.json")


class KBPlugin(BasePlugin[KBPluginConfig]):
    def __init__(self) -> None:
        self.root = Path.cwd()
        self.listing: Any = None
        self.search_entries: dict[str, tuple[str, list[dict[str, Any]]]] = {}

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _i18n(config: MkDocsConfig) -> Any:
        return config.plugins.get("i18n")

    def _lang(self, config: MkDocsConfig) -> str:
        i18n = self._i18n(config)
        if i18n is not None and getattr(i18n, "current_language", None):
            return str(i18n.current_language)
        return str(config.theme.get("language") or "zh")

    def _default_lang(self, config: MkDocsConfig) -> str:
        i18n = self._i18n(config)
        return str(getattr(i18n, "default_language", None) or config.theme.get("language") or "zh")

    def _nested(self, config: MkDocsConfig) -> bool:
        """True inside the builds that static-i18n runs for the other languages."""
        return bool(getattr(self._i18n(config), "building", False))

    def _repo_base(self, config: MkDocsConfig, kind: str) -> str:
        if not config.repo_url:
            return ""
        return f"{config.repo_url.rstrip('/')}/{kind}/{self.config.branch}/"

    # -- hooks ------------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.root = (base / self.config.root).resolve() if self.config.root else base.resolve()
        # Our template overrides come before the theme's own (see theme/partials/*.html).
        theme_dir = str(Path(__file__).parent / "theme")
        if theme_dir not in config.theme.dirs:
            config.theme.dirs.insert(0, theme_dir)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        for script in SCRIPTS:
            if script not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(script)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        from kbtools.site.labels import label

        # One Markdown configuration serves every language; the heading links' tooltip is the
        # only text it prints, so it is set per language build here.
        config.mdx_configs.setdefault("toc", {})["permalink_title"] = label(self._lang(config), "permalink")
        if self._nested(config):
            return  # pages were written once, by the outer build
        from kbtools.errors import EntryError
        from kbtools.site.build import prepare, refusal

        try:
            self.listing, report = prepare(self.root, Path(config.docs_dir), self._repo_base(config, "edit"),
                                           self._repo_base(config, "blob"),
                                           export_href=self._export_href(config),
                                           new_file_base=self._repo_base(config, "new").rstrip("/"))
        except EntryError as exc:  # invalid entries: every problem, then stop
            raise PluginError(refusal(exc, self.root, Path(config.docs_dir))) from None
        for line in report.notices:
            log.info(line)
        log.info(f"kb: {len(self.listing.entries)} entries; {len(report.written)} pages written, "
                 f"{report.unchanged} unchanged, {len(report.removed)} removed")

    def _export_href(self, config: MkDocsConfig) -> str:
        # The export lives once, at the site root; other languages sit one folder down.
        return self.config.export if self._lang(config) == self._default_lang(config) else "../" + self.config.export

    @event_priority(-150)  # after static-i18n (-100) has sorted the files per language
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.listing is not None and self._lang(config) == self._default_lang(config):
            from kbtools.site.build import export_text
            from kbtools.site.searchdata import DATA_PATH, search_data_text

            files.append(File.generated(config, self.config.export,
                                        content=export_text(self.root, self.listing, config.site_url)))
            files.append(File.generated(config, DATA_PATH, content=search_data_text(self.root, self.listing.entries)))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        from kbtools.site.build import edit_path
        from kbtools.site.listings import expand

        src = getattr(page.file, "norm_src_uri", page.file.src_uri)
        repo_path = edit_path(src, page.file.src_uri, self.root, Path(config.docs_dir))
        edit = self._repo_base(config, "edit")
        page.edit_url = edit + repo_path if edit and repo_path else None
        if self.listing is None or "<!--" not in markdown:
            return markdown
        self.listing.export_href = self._export_href(config)
        text, unknown = expand(markdown, self._lang(config), src, self.listing)
        for name in unknown:
            log.warning(f"{page.file.src_uri}: unknown mark `<!-- kb:{name} -->`")
        return text

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # The second line of defence behind `kb validate`: an entry page's HTML passes the
        # allowlist sanitizer before the theme wraps it (kbtools.markup.sanitize).
        from kbtools.markup import sanitize

        src = getattr(page.file, "norm_src_uri", page.file.src_uri)
        return sanitize(html) if src.startswith("entries/") else html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        from kbtools.site.langmenu import relative_language_links
        from kbtools.site.searchsplit import drop_alternate_links, rebase

        output = relative_language_links(drop_alternate_links(output), page.abs_url or "/")
        lang = self._lang(config)
        return output if lang == self._default_lang(config) else rebase(output, lang)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        from kbtools.site.pages import hand_written_dirs

        # The build writes its generated pages into the docs dir; a watch over all of it would see
        # that output and start a second, useless rebuild after every edit. Watch the folders that
        # people edit instead: the hand-written part of the docs dir, the entries and the guides.
        docs_dir = Path(config.docs_dir)
        server.unwatch(str(docs_dir))
        for folder, recursive in hand_written_dirs(docs_dir):
            server.watch(str(folder), recursive=recursive)
        server.watch(str(self.root / "entries"))
        for name in ("CONTRIBUTING.md", "CONTRIBUTING.zh.md"):
            if (self.root / name).exists():
                server.watch(str(self.root / name))
        return server

    @event_priority(-50)  # after the search plugin wrote this language's index, before static-i18n merges
    def _keep_search_entries(self, *, config: MkDocsConfig) -> None:
        from kbtools.site.searchsplit import capture

        captured = capture(config)
        if captured is not None:
            self.search_entries[self._lang(config)] = captured

    @event_priority(-200)  # after static-i18n built the other languages and merged the indexes
    def _split_search_index(self, *, config: MkDocsConfig) -> None:
        if self._nested(config) or len(self.search_entries) < 2:
            return
        from kbtools.site.searchsplit import copy_sitemaps, write_split

        write_split(config, self.search_entries, self._default_lang(config))
        copy_sitemaps(config.site_dir, [lang for lang in self.search_entries if lang != self._default_lang(config)])

    on_post_build = CombinedEvent(_keep_search_entries, _split_search_index)
