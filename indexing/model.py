"""The typed nouns that carry a publication through load → structure → chunk → store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("jaarbericht", "onderzoeksrapport", "tussenbericht", "nieuws")


@dataclass(frozen=True)
class Publication:
    """One entry of `corpus/publications.toml`."""

    id: str
    title: str
    kind: str
    publisher: str
    date: str
    file: Path
    url: str | None = None
    short_title: str | None = None
    hints: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def label(self) -> str:
        """How citations name the publication."""
        return self.short_title or self.title


@dataclass(frozen=True)
class Page:
    """Text of one physical page (PDF), or the whole text of a file without pages."""

    number: int | None
    label: str | None
    text: str


@dataclass(frozen=True)
class Document:
    """A loaded publication: its pages, and whether those carry real page numbers."""

    publication: Publication
    pages: list[Page]
    paged: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)


@dataclass
class Section:
    """A stretch of a publication with one place in its structure (never spans two parts)."""

    publication: Publication
    title: str
    paragraphs: list[str]
    order: int = 0
    chapter: str | None = None
    subsection: str | None = None
    wegwijzer: int | None = None
    wegwijzer_title: str | None = None
    part: str | None = None
    story_title: str | None = None
    story_author: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    page_label_start: str | None = None
    page_label_end: str | None = None

    @property
    def key(self) -> str:
        """A readable, stable identifier of the place (used in chunk ids)."""
        bits = [self.chapter or "", self.title]
        if self.wegwijzer is not None:
            bits = [f"ww{self.wegwijzer}", self.part or "intro", self.story_title or ""]
        elif self.subsection:
            bits.append(self.subsection)
        return "/".join(b for b in bits if b)


@dataclass(frozen=True)
class Passage:
    """A chunk: the text a user reads, its context header and all its metadata."""

    chunk_id: str
    header: str
    text: str
    metadata: dict[str, Any]

    @property
    def embedded_text(self) -> str:
        """What the embedder and BM25 see: the header, then the passage."""
        return f"{self.header}\n\n{self.text}"
