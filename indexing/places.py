"""Where a passage sits, as one typed noun, and the one way to write it down (pure): only
`Place` reads and writes the metadata's keys, and citations and headers are formatted here."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

WEGWIJZER_NUMBERS = range(1, 11)  # the routekaart of the Jaarbericht has ten wegwijzers
RESEARCH_PART = "Uit het onderzoek"
HANDREIKING_PART = "Een handreiking"


@dataclass(frozen=True)
class Place:
    """Publication, chapter, section, wegwijzer, part, story, pages and research pages."""

    publication_id: str
    publication_title: str = ""
    kind: str = ""
    source_file: str = ""
    publication_date: str | None = None
    division: str | None = None  # a part of a book above its chapters ('Deel A')
    chapter: str | None = None
    section: str | None = None
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
    research_pages: tuple[int, ...] = ()

    def to_metadata(self) -> dict[str, Any]:
        """The store's metadata keys (None and empty values left out: Chroma stores neither)."""
        meta = {item.name: getattr(self, item.name) for item in fields(self)}
        meta["research_pages"] = list(self.research_pages) or None
        return {key: value for key, value in meta.items() if value is not None}

    @classmethod
    def from_metadata(cls, meta: Mapping[str, Any]) -> "Place":
        """The place of a stored passage (unknown keys, such as chunk ids, are ignored)."""
        values = {item.name: meta.get(item.name) for item in fields(cls) if item.name in meta}
        values["publication_id"] = str(meta.get("publication_id", ""))
        if "research_pages" in values:
            values["research_pages"] = tuple(values["research_pages"] or ())
        return cls(**values)

    @property
    def key(self) -> str:
        """Identifies the place: two passages of one part or subsection share it."""
        return (f"{self.publication_id}|{self.chapter}|{self.section}|{self.part}|"
                f"{self.story_title}|{self.subsection}")

    @property
    def heading(self) -> str | None:
        """The narrowest heading: the subsection, else the section."""
        return self.subsection or self.section

    @property
    def pages(self) -> list[int] | None:
        """[first, last] printed page, or None for a publication without pages."""
        if self.page_start is None:
            return None
        return [self.page_start, self.page_end if self.page_end is not None else self.page_start]

    @property
    def page_labels(self) -> list[str] | None:
        """[first, last] printed page label (e.g. 'iv'), when the PDF has labels."""
        if not self.page_label_start:
            return None
        return [self.page_label_start, self.page_label_end or self.page_label_start]


# --- formatting ---------------------------------------------------------------------------------


def format_pages(pages: list[int] | None, labels: list[str] | None = None) -> str | None:
    """'p. 41–44', 'p. 16' or, for printed labels that are not numbers, 'p. iv'."""
    if labels and not all(label.isdigit() for label in labels):
        pages = labels  # type: ignore[assignment]
    if not pages:
        return None
    first, last = pages
    return f"p. {first}" if first == last or last is None else f"p. {first}–{last}"


def format_research_pages(pages: list[int] | tuple[int, ...]) -> str | None:
    """'onderzoeksrapport p. 184, 185' for the research-report pages a passage quotes."""
    if not pages:
        return None
    return "onderzoeksrapport p. " + ", ".join(str(p) for p in sorted(pages))


def wegwijzer_label(number: int, title: str | None) -> str:
    """"Wegwijzer 4 'Ken het netwerk'"."""
    return f"Wegwijzer {number} '{title}'"


def format_part(part: str, story_title: str | None, story_author: str | None) -> str:
    """"Een verhaal ('Groene stroom of netwerkstoring?', Jan van Ginkel)"."""
    if not story_title:
        return part
    author = f", {story_author}" if story_author else ""
    return f"{part} ('{story_title}'{author})"


def describe_place(place: Place) -> str:
    """The citation line without its marker: publication · wegwijzer · part · pages · research."""
    bits = [place.publication_title]
    if place.wegwijzer is not None:
        bits.append(wegwijzer_label(place.wegwijzer, place.wegwijzer_title))
        if place.part:
            bits.append(format_part(place.part, place.story_title, place.story_author))
    elif place.heading and place.heading != place.publication_title:
        bits.append(place.heading)
    extras = (format_pages(place.pages, place.page_labels),
              format_research_pages(place.research_pages))
    return " · ".join(bits + [extra for extra in extras if extra])


def context_header(place: Place) -> str:
    """The header embedded with a passage: publication · chapter or wegwijzer · part · story."""
    bits = [place.publication_title]
    if place.wegwijzer is not None:
        bits.append(wegwijzer_label(place.wegwijzer, place.wegwijzer_title))
        if place.part:
            bits.append(place.part)
        if place.story_title:
            author = f" van {place.story_author}" if place.story_author else ""
            bits.append(f"'{place.story_title}'{author}")
    else:
        if place.division and place.division not in (place.chapter, place.section):
            bits.append(place.division)
        if place.chapter and place.chapter != place.section:
            bits.append(place.chapter)
        bits.append(place.section or "")
        if place.subsection:
            bits.append(place.subsection)
    return " · ".join(bits)
