"""The entry model: the one place that says which fields an entry has and what they hold.

``FrontMatter`` is the YAML part a contributor writes; its JSON Schema (``kb schema``) is committed
as ``entry.schema.json`` for editors. ``Entry`` adds what the loader derives from the file: its
path and the two language halves of the body.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Status = Literal["draft", "verified", "obsolete"]
Slug = Annotated[str, Field(pattern=SLUG)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Localized(_Strict):
    """A short text in both languages."""

    zh: str = Field(min_length=1, description="Chinese text")
    en: str = Field(min_length=1, description="English text")

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Symptom(_Strict):
    """What the person saw: the text as the program printed it, and where it came from."""

    output: str = Field(min_length=1, description="The error text, verbatim as printed (a `|` block).")
    command: str | None = Field(None, min_length=1, description="The command that printed it.")
    log: str | None = Field(None, min_length=1, description="Where it was logged, when no command printed it.")

    @model_validator(mode="after")
    def _has_origin(self) -> Symptom:
        if self.command is None and self.log is None:
            raise ValueError("give `command` (what was run) or `log` (where it was printed)")
        return self


class Reference(_Strict):
    url: str = Field(min_length=1, description="Full http(s) address.")
    title: str = Field(min_length=1, description="The page's title.")


class Source(_Strict):
    """Where the knowledge comes from; credited on the entry's page."""

    title: str = Field(min_length=1)
    author: str = Field(min_length=1)
    url: str = Field(min_length=1)
    section: str | None = Field(None, min_length=1, description="The heading of the part this entry comes from.")


class FrontMatter(_Strict):
    """The YAML front matter of an entry file ``entries/<product>/<id>.md``."""

    id: str = Field(pattern=SLUG, description="Stable id; equals the file name without `.md`. Never reused.")
    title: Localized
    product: str = Field(pattern=SLUG, description="A product of `entries/products.yml`; the entry's folder.")
    component: str = Field(pattern=SLUG, description="One of the product's components in `entries/products.yml`.")
    symptoms: list[Symptom] = Field(min_length=1)
    environment: dict[Slug, str] = Field(
        default_factory=dict,
        description="Software name -> version constraint (`<9.4`, `0.14.1`, `0.14.x`, `>=1.0,<2`).",
    )
    fixed_in: dict[Slug, str] = Field(
        default_factory=dict,
        description="Software name -> the first release that fixes the problem (`3.4.0`) where there is one.",
    )
    status: Status
    tags: list[Slug] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list, description="Ids of related entries.")
    references: list[Reference] = Field(default_factory=list)
    source: Source | None = None
    created: dt.date
    updated: dt.date


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str  # cause, diagnosis, fix, workaround, notes
    heading: str
    text: str
    line: int


class Entry(FrontMatter):
    """A loaded entry: the front matter, where it came from, and its body in each language."""

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True, arbitrary_types_allowed=True)

    path: Path = Field(exclude=True)
    body: dict[str, dict[str, Section]] = Field(exclude=True)  # lang -> section key -> section

    def section(self, lang: str, key: str) -> str:
        sections = self.body.get(lang, {})
        return sections[key].text if key in sections else ""


class Product(_Strict):
    name: str
    description: Localized
    components: dict[str, Localized]
