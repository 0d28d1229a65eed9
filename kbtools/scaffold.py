"""``kb new``: a skeleton entry in the right folder, complete but for its TODO placeholders.

Every TODO is caught by rule KB022, so a skeleton cannot be merged unfinished; once they are
filled in, the file passes ``kb validate``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kbtools.atomic import write_text
from kbtools.errors import KBError
from kbtools.fmt import block_scalar, double_quoted
from kbtools.locate import ENTRIES
from kbtools.model import SLUG

# File names stop at 255 bytes, and the file is first written under a temporary name 17 bytes
# longer than `<id>.md`: 200 leaves room, and is five times the longest id in the KB (41).
MAX_ID_CHARS = 200


@dataclass
class NewEntry:
    product: str
    component: str
    id: str
    title_zh: str = "TODO 中文标题：报错的要点"
    title_en: str = "TODO English title: the gist of the error"
    output: str = "TODO paste the error text here, exactly as it was printed"
    command: str = ""
    log: str = ""


def _quote(text: str) -> str:
    """A YAML scalar for one line of text: JSON strings are valid YAML and keep every character."""
    return json.dumps(text, ensure_ascii=False)


# Colour and cursor codes of a terminal (CSI and OSC sequences): copied along with an error message,
# they are not part of its text, and YAML does not allow the ESC character unescaped.
_TERMINAL_CODES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def clean_output(text: str) -> str:
    """Error text as pasted from a terminal, made the text an entry holds: without colour codes,
    with LF line ends (a CR alone, as from a progress line, ends a line too)."""
    text = _TERMINAL_CODES.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _output_lines(text: str) -> str:
    """``output:`` and its value: a ``|`` block when one holds the text exactly (a first line that
    starts with spaces gets an indentation indicator), else a double-quoted scalar."""
    text = text.rstrip("\n") + "\n"
    block = block_scalar(text, "      ")
    if block is None:
        return f"    output: {double_quoted(text)}\n"
    return f"    output: {block[0]}\n" + "".join(line + "\n" for line in block[1:])


def render(new: NewEntry, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    origin = (f"    command: {_quote(new.command)}\n" if new.command else "") + \
             (f"    log: {_quote(new.log)}\n" if new.log else "")
    if not origin:
        origin = f"    command: {_quote('TODO the command that printed it (or use log: where it was logged)')}\n"
    return f"""---
id: {new.id}
title:
  zh: {_quote(new.title_zh)}
  en: {_quote(new.title_en)}
product: {new.product}
component: {new.component}
symptoms:
{origin.replace("    ", "  - ", 1)}{_output_lines(clean_output(new.output))}environment: {{}}
status: draft
tags: []
related: []
references: []
created: {today.isoformat()}
updated: {today.isoformat()}
---

<!-- lang: zh -->
## 原因

TODO 用自己的话说明出错的原因。

## 解决

TODO 写出解决步骤；命令和配置放在代码块里，保持原样。

<!-- lang: en -->
## Cause

TODO Say in your own words why the error happens.

## Fix

TODO Give the steps that fix it; commands and config go in code blocks, verbatim.
"""


def create(root: Path, new: NewEntry, products: Mapping[str, object] | None = None) -> Path:
    """Write the skeleton to ``entries/<product>/<id>.md``; never replaces an existing file."""
    for name, value in (("id", new.id), ("product", new.product), ("component", new.component)):
        if not re.match(SLUG, value):
            raise KBError(f"--{name} `{value}` is not a lowercase slug (a-z, 0-9, single hyphens)")
    if len(new.id) > MAX_ID_CHARS:
        raise KBError(f"--id is {len(new.id)} characters; keep it to {MAX_ID_CHARS} at most (it is the file name)")
    if products is not None:
        if new.product not in products:
            raise KBError(f"unknown product `{new.product}`; known: {', '.join(sorted(products))} "
                          f"(add new products to {ENTRIES}/products.yml)")
        components = getattr(products[new.product], "components", {})
        if new.component not in components:
            raise KBError(f"unknown component `{new.component}` for {new.product}; "
                          f"known: {', '.join(components)}")
    existing = sorted((root / ENTRIES).glob(f"*/{new.id}.md"))
    if existing:
        raise KBError(f"{existing[0]} already exists: ids are unique across products. "
                      "Edit that entry, or choose another --id")
    target = root / ENTRIES / new.product / f"{new.id}.md"
    try:
        write_text(target, render(new), overwrite=False)
    except FileExistsError:
        raise KBError(f"{target} already exists; edit it, or choose another --id") from None
    except OSError as exc:
        raise KBError(f"cannot create {target}: {exc.strerror or exc}") from None
    return target
