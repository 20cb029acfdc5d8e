"""What an index holds, built once from its passages (pure): publications → sections → parts,
and the routekaart's wegwijzers with their stories, pages and research pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .places import (
    HANDREIKING_PART, RESEARCH_PART, Place, format_pages, format_research_pages, wegwijzer_label,
)


@dataclass
class PartSummary:
    name: str
    chunks: int = 0
    stories: list[dict[str, str]] = field(default_factory=list)
    research_pages: list[int] = field(default_factory=list)


@dataclass
class SectionSummary:
    title: str
    chapter: str | None
    wegwijzer: int | None
    wegwijzer_title: str | None
    pages: list[int] | None = None  # [first, last] printed page over all its passages
    chunks: int = 0
    parts: list[PartSummary] = field(default_factory=list)
    subsections: list[str] = field(default_factory=list)
    page_labels: list[str] | None = None  # [first, last] printed label ('iv'), from a PDF
    division: str | None = None  # the part of a book it is in ('Deel A')

    def extend_pages(self, place: Place) -> None:
        """Widen the page range to hold `place` (a PDF gives each page its own passages)."""
        self.pages = _widen(self.pages, place.pages)
        if place.page_labels:  # passages come in reading order: the first label stays first
            first, last = place.page_labels
            self.page_labels = [self.page_labels[0] if self.page_labels else first, last]


@dataclass
class PublicationSummary:
    id: str
    title: str
    kind: str
    source_file: str
    chunks: int = 0
    sections: list[SectionSummary] = field(default_factory=list)

    @property
    def wegwijzers(self) -> list[SectionSummary]:
        return [s for s in self.sections if s.wegwijzer is not None]


@dataclass
class Wegwijzer:
    """One wegwijzer of the routekaart, as the index holds it."""

    number: int
    title: str
    pages: list[int] | None = None
    stories: list[tuple[str, str | None]] = field(default_factory=list)
    research_pages: list[int] = field(default_factory=list)  # of its 'Uit het onderzoek' part
    handreiking: list[str] = field(default_factory=list)  # texts of its 'Een handreiking' part

    @property
    def label(self) -> str:
        pages = format_pages(self.pages)
        return f"Wegwijzer {self.number} · {self.title}" + (f" · {pages}" if pages else "")


def _widen(pages: list[int] | None, more: list[int] | None) -> list[int] | None:
    """The [first, last] page range holding both ranges."""
    if not (pages and more):
        return pages or more
    return [min(pages[0], more[0]), max(pages[1], more[1])]


def _merge(pages: list[int], more: Sequence[int]) -> list[int]:
    return sorted(set(pages) | set(more))


def reading_order(metadatas: Sequence[Mapping[str, Any]]) -> list[int]:
    """Indexes of the passages in publication, section and chunk order."""
    return sorted(range(len(metadatas)), key=lambda i: (
        metadatas[i].get("publication_id", ""), metadatas[i].get("section_order", 0),
        metadatas[i].get("chunk_index", 0)))


@dataclass
class Catalog:
    """Publications and wegwijzers of one index generation."""

    publications: list[PublicationSummary]
    wegwijzers: list[Wegwijzer]

    @classmethod
    def from_passages(cls, metadatas: Sequence[Mapping[str, Any]],
                      texts: Sequence[str] | None = None) -> "Catalog":
        """Build from stored passage metadata (and texts, for the handreiking of each wegwijzer)."""
        publications: dict[str, PublicationSummary] = {}
        sections: dict[tuple[str, str], SectionSummary] = {}
        stops: dict[int, Wegwijzer] = {}
        for i in reading_order(metadatas):
            place = Place.from_metadata(metadatas[i])
            _add_to_outline(publications, sections, place)
            if place.wegwijzer is not None:
                _add_to_routekaart(stops, place, texts[i] if texts is not None else None)
        return cls(list(publications.values()), [stops[n] for n in sorted(stops)])

    @property
    def publication_titles(self) -> dict[str, str]:
        return {p.id: p.title for p in self.publications}

    @property
    def wegwijzer_titles(self) -> dict[int, str]:
        return {stop.number: stop.title for stop in self.wegwijzers}

    @property
    def wegwijzer_numbers(self) -> list[int]:
        return [stop.number for stop in self.wegwijzers]

    def wegwijzer(self, number: int) -> Wegwijzer | None:
        return next((stop for stop in self.wegwijzers if stop.number == number), None)


def _add_to_outline(publications: dict[str, PublicationSummary],
                    sections: dict[tuple[str, str], SectionSummary], place: Place) -> None:
    pid = place.publication_id
    publication = publications.setdefault(pid, PublicationSummary(
        pid, place.publication_title or pid, place.kind, place.source_file))
    publication.chunks += 1
    key = (pid, f"{place.chapter or ''}|{place.section or ''}")
    section = sections.get(key)
    if section is None:
        section = sections[key] = SectionSummary(place.section or "", place.chapter,
                                                 place.wegwijzer, place.wegwijzer_title,
                                                 division=place.division)
        publication.sections.append(section)
    section.chunks += 1
    section.extend_pages(place)
    if place.subsection and place.subsection not in section.subsections:
        section.subsections.append(place.subsection)
    if place.part:
        part = next((p for p in section.parts if p.name == place.part), None)
        if part is None:
            part = PartSummary(place.part)
            section.parts.append(part)
        part.chunks += 1
        story = {"title": place.story_title, "author": place.story_author}
        if story["title"] and story not in part.stories:
            part.stories.append(story)
        part.research_pages = _merge(part.research_pages, place.research_pages)


def _add_to_routekaart(stops: dict[int, Wegwijzer], place: Place, text: str | None) -> None:
    number = int(place.wegwijzer)  # type: ignore[arg-type]
    stop = stops.setdefault(number, Wegwijzer(
        number=number, title=place.wegwijzer_title or f"Wegwijzer {number}"))
    stop.pages = _widen(stop.pages, place.pages)
    story = (place.story_title, place.story_author)
    if place.story_title and story not in stop.stories:
        stop.stories.append(story)
    if place.part == RESEARCH_PART:
        stop.research_pages = _merge(stop.research_pages, place.research_pages)
    if place.part == HANDREIKING_PART and text is not None:
        stop.handreiking.append(text)


# --- the lines of `wegwijzer inspect` ------------------------------------------------------------


def publication_line(publication: PublicationSummary) -> tuple[str, str]:
    """(title, ' (kind, file, N passages)') for a publication."""
    return publication.title, (f" ({publication.kind}, {publication.source_file}, "
                               f"{publication.chunks} passages)")


def section_line(section: SectionSummary) -> str:
    """'Wegwijzer 4 'Ken het netwerk' · p. 41–44 · 12 passages' (a PDF's labels: 'p. iv–vi')."""
    pages = format_pages(section.pages, section.page_labels) or "geen pagina's"
    name = (section.title if section.wegwijzer is None
            else wegwijzer_label(section.wegwijzer, section.wegwijzer_title))
    return f"{name} · {pages} · {section.chunks} passages"


def outline_lines(publication: PublicationSummary) -> list[tuple[int, str]]:
    """(depth, line) for `inspect`: a book's parts and chapters, each with its printed pages,
    above their sections; then each section's parts and subsections."""
    lines: list[tuple[int, str]] = []
    heads: list[str | None] = [None, None]
    for section in publication.sections:
        depth = 0
        for level, head in enumerate((section.division, section.chapter)):
            if not head or head == section.title:
                continue
            if head != heads[level]:
                heads[level:] = [head, None][: 2 - level]
                within = [s for s in publication.sections
                          if (s.division, s.chapter)[level] == head]
                lines.append((depth, _heading_line(head, within)))
            depth += 1
        lines.append((depth, section_line(section)))
        lines += [(depth + 1, part_line(part)) for part in section.parts]
        lines += [(depth + 1, subsection) for subsection in section.subsections]
    return lines


def _heading_line(head: str, sections: list[SectionSummary]) -> str:
    pages: list[int] | None = None
    for section in sections:
        pages = _widen(pages, section.pages)
    labelled = [s.page_labels for s in sections if s.page_labels]
    labels = [labelled[0][0], labelled[-1][1]] if labelled else None
    return f"{head} · " + (format_pages(pages, labels) or "geen pagina's")


def part_line(part: PartSummary) -> str:
    """'Een verhaal: 3 passages · 'title' (author) · onderzoeksrapport p. 182'."""
    extra = ""
    if part.stories:
        extra += " · " + "; ".join(f"'{s['title']}' ({s['author']})" for s in part.stories)
    if part.research_pages:
        extra += " · " + format_research_pages(part.research_pages)
    return f"{part.name}: {part.chunks} passages{extra}"
