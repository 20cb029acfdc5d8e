"""The typed nouns that carry a publication through load → structure → chunk → store."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .places import Place

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
class Line:
    """One line of a PDF page as it is set: its text, font size, weight and height on the page."""

    text: str
    size: float
    bold: bool
    top: float  # points from the top of the page


@dataclass(frozen=True)
class OutlineEntry:
    """A bookmark of a PDF: its depth (0 for the top level), title and physical page (1-based)."""

    level: int
    title: str
    page: int


@dataclass(frozen=True)
class Page:
    """Text of one physical page (PDF), or the whole text of a file without pages."""

    number: int | None
    label: str | None
    text: str
    lines: tuple[Line, ...] = ()  # a PDF page's lines with their layout, in reading order


@dataclass(frozen=True)
class Document:
    """A loaded publication: its pages, and whether those carry real page numbers."""

    publication: Publication
    pages: list[Page]
    paged: bool = False
    outline: tuple[OutlineEntry, ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)


@dataclass
class Section:
    """A stretch of a publication with one place in its structure (never spans two parts);
    chunking gives every passage of the section this place."""

    publication: Publication
    place: Place
    paragraphs: list[str] = field(default_factory=list)
    order: int = 0
    # A PDF's printed page labels (first, last) per paragraph; empty when the place's pages hold.
    pages: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, publication: Publication, title: str, paragraphs: list[str] | None = None,
           **where: Any) -> "Section":
        """A section titled `title` in `publication`, at the place `where` describes."""
        place = Place(publication_id=publication.id, publication_title=publication.label,
                      kind=publication.kind, source_file=publication.file.name,
                      publication_date=publication.date, section=title, **where)
        return cls(publication, place, list(paragraphs or []))

    @property
    def title(self) -> str:
        return self.place.section or ""

    def add(self, paragraph: str, pages: tuple[str, str]) -> None:
        """A paragraph printed on pages `pages` (first and last label)."""
        self.paragraphs.append(paragraph)
        self.pages.append(pages)

    def update(self, **changes: Any) -> None:
        """Move the section's place (e.g. its story once it is read)."""
        self.place = replace(self.place, **changes)

    @property
    def key(self) -> str:
        """A readable, stable identifier of the place (used in chunk ids)."""
        place = self.place
        bits = [place.chapter or "", self.title if self.title != place.chapter else ""]
        if place.wegwijzer is not None:
            bits = [f"ww{place.wegwijzer}", place.part or "intro", place.story_title or ""]
        elif place.subsection:
            bits.append(place.subsection)
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
