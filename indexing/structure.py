"""Recover each publication's structure from its own text (pure: text in, `Section`s out).

A table of contents ('Inhoud') gives chapters, sections and printed pages, and the body is
matched against it whatever its headings look like; without one, headings start sections. A
PDF's structure comes from its layout (`layout.py`). `routekaart.py` splits the chapter holding
the Jaarbericht's wegwijzers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

from .blocks import Block, markdown_blocks, normalise, plain_blocks
from .layout import recover_pdf
from .model import Document, Publication, Section
from .routekaart import Routekaart

ROMAN = re.compile(r"^(?P<num>[IVXL]{1,5})\.?(?:\s+(?P<title>.+))?$")
NUMBERED = re.compile(r"^(?P<num>\d{1,2})[.)]\s+(?P<title>.+)$")
TOC_LINE = re.compile(r"^(?P<title>.*?\S)[\s.·…]+(?P<page>\d{1,4})$")
ENUMERATED = re.compile(r"^(?P<num>\d{1,2}|[a-h])[.)]\s+(?P<title>\S.{2,118})$")
T = TypeVar("T")


@dataclass
class TocEntry:
    """One line of a table of contents: a chapter (with a numeral) or one of its entries."""

    title: str
    page: int
    numeral: str | None = None
    number: int | None = None  # of a numbered item (a wegwijzer)
    children: list["TocEntry"] = field(default_factory=list)
    page_end: int | None = None

    @property
    def label(self) -> str:
        return f"{self.numeral}. {self.title}" if self.numeral else self.title


def recover(document: Document) -> list[Section]:
    publication = document.publication
    if document.paged:
        return recover_pdf(document)
    text = _drop_furniture(document.text, publication)
    markdown = publication.file.suffix.lower() in (".md", ".markdown")
    blocks = markdown_blocks(text) if markdown else plain_blocks(text)
    toc = parse_toc(blocks, publication.hints.get("toc_heading", "Inhoud"))
    if toc is not None:
        return _number(TocStructure(publication, blocks, *toc).sections())
    return _number(_heading_sections(publication, blocks))


def _number(sections: list[Section]) -> list[Section]:
    kept = [s for s in sections if s.paragraphs]
    for order, section in enumerate(kept):
        section.order = order
    return kept


def _drop_furniture(text: str, publication: Publication) -> str:
    marker = publication.hints.get("drop_from")
    lines = text.split("\n")
    ends = [i for i, line in enumerate(lines) if marker and line.strip() == marker]
    return "\n".join(lines[:ends[-1]]) if ends else text


def _spans(starts: list[tuple[T, int]], end: int) -> list[tuple[T, int, int]]:
    """(entry, start, stop) for consecutive starts, the last one stopping at `end`."""
    stops = [index for _, index in starts[1:]] + [end]
    return [(entry, start, stop) for (entry, start), stop in zip(starts, stops)]


# --- table of contents ---------------------------------------------------------------------


def parse_toc(blocks: list[Block], heading: str) -> tuple[list[TocEntry], int, int] | None:
    """The chapters (with children) listed below the heading `heading`, the index of that
    heading and of the first block after the list; None when there is no such list."""
    start = next((b.index for b in blocks if b.is_heading and b.norm == normalise(heading)), None)
    if start is None:
        return None
    chapters: list[TocEntry] = []
    end = start + 1
    for block in blocks[start + 1 :]:
        lines = _toc_lines(block)
        if lines is None and block.norm != "":  # a rule ('---') inside the TOC is no end
            break
        end = block.index + 1
        for title, page in lines or []:
            roman = ROMAN.match(title)
            numbered = NUMBERED.match(title)
            if roman and roman.group("title"):
                chapters.append(TocEntry(roman.group("title").strip(), page,
                                         numeral=roman.group("num")))
            elif chapters:  # entries before the first chapter are left out
                chapters[-1].children.append(
                    TocEntry(numbered.group("title").strip(), page,
                             number=int(numbered.group("num"))) if numbered
                    else TocEntry(title, page))
    if not chapters:
        return None
    _assign_page_ends(chapters)
    return chapters, start, end


def _toc_lines(block: Block) -> list[tuple[str, int]] | None:
    """(title, page) pairs when every item of the block reads like a TOC line."""
    matches = [TOC_LINE.match(text.strip()) for text in block.lines or [block.text]]
    if not all(matches):
        return None
    return [(match.group("title").strip(), int(match.group("page"))) for match in matches]


def _assign_page_ends(chapters: list[TocEntry]) -> None:
    flat = [entry for chapter in chapters for entry in (chapter, *chapter.children)]
    for current, following in zip(flat, flat[1:]):
        current.page_end = max(current.page, following.page - 1)
    flat[-1].page_end = flat[-1].page
    for chapter in chapters:
        # A chapter runs until the next chapter starts.
        later = [c for c in chapters if c.page > chapter.page]
        last_child = chapter.children[-1].page_end if chapter.children else chapter.page_end
        chapter_end = (later[0].page - 1) if later else last_child
        chapter.page_end = max(chapter.page, chapter_end or chapter.page)
        if chapter.children:
            chapter.children[-1].page_end = max(chapter.children[-1].page, chapter.page_end)


# --- body matched against the table of contents --------------------------------------------


class TocStructure:
    """Segment a document's body along its table of contents (blocks[toc_start:body_start])."""

    def __init__(self, publication: Publication, blocks: list[Block],
                 chapters: list[TocEntry], toc_start: int, body_start: int) -> None:
        self.publication = publication
        self.blocks = blocks
        self.chapters = chapters
        self.toc_start = toc_start
        self.body_start = body_start

    def sections(self) -> list[Section]:
        starts = self._chapter_starts()
        sections = self._front_matter(starts[0][1] if starts else len(self.blocks))
        for chapter, start, end in _spans(starts, len(self.blocks)):
            sections.extend(self._chapter(chapter, start, end))
        return sections

    def _chapter_starts(self) -> list[tuple[TocEntry, int]]:
        found: list[tuple[TocEntry, int]] = []
        position = self.body_start
        for chapter in self.chapters:
            index = self._find_chapter(chapter, position)
            if index is None:
                continue
            found.append((chapter, index))
            position = index + 1
            # Entries set as top-level headings in the body (a colofon) are chapters of their own.
            for child in chapter.children:
                child_index = self._find_title(child.title, position, len(self.blocks), level=1)
                if child_index is not None and child.number is None:
                    promoted = TocEntry(child.title, child.page, page_end=child.page_end)
                    chapter.children = [c for c in chapter.children if c is not child]
                    chapter.page_end = max(chapter.page, child.page - 1)
                    found.append((promoted, child_index))
        found.sort(key=lambda pair: pair[1])
        return found

    def _find_chapter(self, chapter: TocEntry, position: int) -> int | None:
        numeral = chapter.numeral or ""
        title = normalise(chapter.title)
        for block in self.blocks[position:]:
            norm = block.norm
            if norm == normalise(numeral + chapter.title) or (block.level == 1 and norm == title):
                return block.index
            if block.text.strip().rstrip(".") == numeral:
                after = [b.text for b in self.blocks[block.index + 1 : block.index + 2]]
                if block.is_heading or (after and normalise(after[0]).startswith(title[:12])):
                    return block.index
        return None

    def _find_title(self, title: str, start: int, end: int, level: int | None = None) -> int | None:
        target = normalise(title)
        return next((block.index for block in self.blocks[start:end] if block.norm == target
                     and (level is None or block.level == level)), None)

    def _chapter(self, chapter: TocEntry, start: int, end: int) -> list[Section]:
        if chapter.numeral and chapter.numeral == self.publication.hints.get("wegwijzer_chapter"):
            return self._wegwijzer_chapter(chapter, start, end)
        # Sections are found in TOC order, each after the previous one.
        bounds: list[tuple[TocEntry | None, int]] = [(None, start)]
        for child in chapter.children:
            index = self._find_title(child.title, bounds[-1][1] + 1, end)
            if index is not None:
                bounds.append((child, index))
        sections = []
        for entry, begin, stop in _spans(bounds, end):
            if entry is not None:
                blocks = self._content(begin + 1, stop)
                pages = (entry.page, entry.page_end)
                sections.extend(self._with_subsections(chapter.label, entry.title, blocks, pages))
                continue
            first_child = bounds[1][0].page if len(bounds) > 1 and bounds[1][0] else None
            pages = (chapter.page, max(chapter.page, (first_child or chapter.page + 1) - 1))
            if not chapter.children:
                pages = (chapter.page, chapter.page_end or chapter.page)
            blocks = self._content(begin, stop, chapter)
            sections.extend(self._with_subsections(chapter.label, chapter.title, blocks, pages))
        return sections

    def _content(self, start: int, end: int, chapter: TocEntry | None = None) -> list[Block]:
        """blocks[start:end] with text, without the title and numeral of `chapter`."""
        skip = {normalise(t) for t in (chapter.title, chapter.numeral) if t} if chapter else set()
        return [b for b in self.blocks[start:end] if b.norm and b.norm not in skip]

    def _with_subsections(self, chapter: str, title: str, blocks: list[Block],
                          pages: tuple[int, int | None]) -> list[Section]:
        """Split a section on enumerated sub-headings ('1. Definieer…', 'a. De rechtmatige…')."""
        where = {"chapter": chapter, "page_start": pages[0], "page_end": pages[1] or pages[0]}
        sections = [Section.of(self.publication, title, **where)]
        major: str | None = None
        for block in blocks:
            match = ENUMERATED.match(block.text)
            if match and block.single_line and not block.text.endswith(".") and (
                    block.is_heading or block.emphasised or len(block.text) < 60):
                if match.group("num").isdigit():
                    major = block.text
                    subsection = block.text
                else:
                    subsection = f"{major} · {block.text}" if major else block.text
                sections.append(Section.of(self.publication, title, subsection=subsection,
                                           **where))
            else:
                sections[-1].paragraphs.extend(block.items)
        return sections

    def _front_matter(self, end: int) -> list[Section]:
        where = {"chapter": self.publication.hints.get("front_matter", "Voorwerk"),
                 "page_start": 1, "page_end": max(1, min(c.page for c in self.chapters) - 1)}
        sections = [Section.of(self.publication, self.publication.title, **where)]
        seen: set[str] = set()
        for block in self.blocks[:end]:
            if self.toc_start <= block.index < self.body_start:
                continue  # the table of contents itself is navigation, not content
            if block.is_heading:
                sections.append(Section.of(self.publication, block.text, **where))
                continue
            for item in block.items:
                if item not in seen:  # the cover repeats its title and subtitle
                    seen.add(item)
                    sections[-1].paragraphs.append(item)
        return sections

    def _wegwijzer_chapter(self, chapter: TocEntry, start: int, end: int) -> list[Section]:
        """The chapter's opening text, then each wegwijzer as `routekaart` splits it."""
        items = [c for c in chapter.children if c.number is not None]
        routekaart = Routekaart(self.publication, self.blocks)
        starts = routekaart.starts(items, start, end)
        intro = Section.of(self.publication, chapter.title, chapter=chapter.label,
                           page_start=chapter.page,
                           page_end=(items[0].page - 1) if items else chapter.page_end)
        for block in self._content(start, starts[0][1] if starts else end, chapter):
            intro.paragraphs.extend(block.items)
        sections = [intro]
        for item, begin, stop in _spans(starts, end):
            sections.extend(routekaart.sections(chapter, item, begin, stop))
        return sections


# --- documents without a table of contents -------------------------------------------------


def _heading_sections(publication: Publication, blocks: list[Block]) -> list[Section]:
    sections: list[Section] = []
    current: Section | None = None
    for block in blocks:
        if block.is_heading:
            if current is not None and not current.paragraphs:
                # Consecutive headings: keep the first as title, the next as subsection.
                if current.place.subsection is None:
                    current.update(subsection=block.text)
                continue
            current = Section.of(publication, block.text)
            sections.append(current)
            continue
        if current is None:
            current = Section.of(publication, publication.title)
            sections.append(current)
        current.paragraphs.extend(block.items)
    return sections
