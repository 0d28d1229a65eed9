"""The published site: entries rendered as MkDocs pages in 中文 and English.

``plugin`` holds the MkDocs hooks and nothing else; ``render`` turns one entry into the Markdown
of its page, ``listings`` writes the index pages (home, browse, tags, components, the note),
``pages`` decides which files to write, and ``searchsplit`` gives each language its own index.
Nothing outside ``plugin`` imports MkDocs, so the rendering can be tested, and later moved to
another engine, without it.
"""
