"""Recover each publication's structure from its own text (pure: text in, `Section`s out).

A table of contents ('Inhoud') gives chapters, sections and printed pages, and the body is
matched against it whatever its headings look like; without one, headings start sections; a
PDF gives its pages, with headings on them naming the sections. `routekaart.py` splits the
chapter holding the Jaarbericht's wegwijzers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import Block, markdown_blocks, normalise, plain_blocks
from .model import Document, Publication, Section
from .routekaart import Routekaart, is_wegwijzer_chapter

ROMAN = re.compile(r"^(?P<num>[IVXL]{1,5})\.?(?:\s+(?P<title>.+))?$")
NUMBERED = re.compile(r"^(?P<num>\d{1,2})[.)]\s+(?P<title>.+)$")
TOC_LINE = re.compile(r"^(?P<title>.*?\S)[\s.·…]+(?P<page>\d{1,4})$")
ENUMERATED = re.compile(r"^(?P<num>\d{1,2}|[a-h])[.)]\s+(?P<title>\S.{2,118})$")


@dataclass
class TocEntry:
    """One line of a table of contents."""

    title: str
    page: int
    level: int  # 1: chapter, 2: section or numbered item
    numeral: str | None = None
    number: int | None = None
    children: list["TocEntry"] = field(default_factory=list)
    page_end: int | None = None

    @property
    def label(self) -> str:
        return f"{self.numeral}. {self.title}" if self.numeral else self.title


def recover(document: Document) -> list[Section]:
    """Sections of a loaded document, in reading order."""
    publication = document.publication
    if document.paged:
        return _paged_sections(document)
    text = _drop_furniture(document.text, publication)
    markdown = publication.file.suffix.lower() in (".md", ".markdown")
    blocks = markdown_blocks(text) if markdown else plain_blocks(text)
    toc_heading = publication.hints.get("toc_heading", "Inhoud")
    toc = parse_toc(blocks, toc_heading)
    if toc is not None:
        entries, body_start = toc
        if entries:
            return _number(TocStructure(publication, blocks, entries, body_start).sections())
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


# --- table of contents ---------------------------------------------------------------------


def parse_toc(blocks: list[Block], heading: str) -> tuple[list[TocEntry], int] | None:
    """The chapters (with children) listed below the heading `heading`, and the index of the
    first block after them; None when the document has no such table of contents."""
    start = next((b.index for b in blocks if b.is_heading and b.norm == normalise(heading)), None)
    if start is None:
        return None
    chapters: list[TocEntry] = []
    end = start + 1
    for block in blocks[start + 1 :]:
        lines = _toc_lines(block)
        if lines is None:
            if block.norm == "":  # a rule ('---') inside the TOC
                end = block.index + 1
                continue
            break
        end = block.index + 1
        for title, page in lines:
            roman = ROMAN.match(title)
            numbered = NUMBERED.match(title)
            if roman and roman.group("title"):
                chapters.append(
                    TocEntry(roman.group("title").strip(), page, 1, numeral=roman.group("num")))
            elif chapters:  # entries before the first chapter are left out
                chapters[-1].children.append(
                    TocEntry(numbered.group("title").strip(), page, 2,
                             number=int(numbered.group("num"))) if numbered
                    else TocEntry(title, page, 2))
    if not chapters:
        return None
    _assign_page_ends(chapters)
    return chapters, end


def _toc_lines(block: Block) -> list[tuple[str, int]] | None:
    """(title, page) pairs when every item of the block reads like a TOC line."""
    pairs = []
    for text in block.lines or [block.text]:
        match = TOC_LINE.match(text.strip())
        if not match:
            return None
        pairs.append((match.group("title").strip(), int(match.group("page"))))
    return pairs


def _assign_page_ends(chapters: list[TocEntry]) -> None:
    flat: list[TocEntry] = []
    for chapter in chapters:
        flat.append(chapter)
        flat.extend(chapter.children)
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
    """Segment a document's body along its table of contents."""

    def __init__(self, publication: Publication, blocks: list[Block],
                 chapters: list[TocEntry], body_start: int) -> None:
        self.publication = publication
        self.blocks = blocks
        self.chapters = chapters
        self.body_start = body_start
        self.front_matter = publication.hints.get("front_matter", "Voorwerk")

    def sections(self) -> list[Section]:
        starts = self._chapter_starts()
        sections = self._front_matter(starts[0][1] if starts else len(self.blocks))
        for position, (chapter, start) in enumerate(starts):
            end = starts[position + 1][1] if position + 1 < len(starts) else len(self.blocks)
            sections.extend(self._chapter(chapter, start, end))
        return sections

    # chapters

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
                    promoted = TocEntry(child.title, child.page, 1, page_end=child.page_end)
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
                following = self._next_text(block.index)
                if block.is_heading or (following and normalise(following).startswith(title[:12])):
                    return block.index
        return None

    def _next_text(self, index: int) -> str | None:
        return self.blocks[index + 1].text if index + 1 < len(self.blocks) else None

    def _find_title(self, title: str, start: int, end: int, level: int | None = None) -> int | None:
        target = normalise(title)
        for block in self.blocks[start:end]:
            if block.norm == target and (level is None or block.level == level):
                return block.index
        return None

    def _chapter(self, chapter: TocEntry, start: int, end: int) -> list[Section]:
        label = chapter.label
        if is_wegwijzer_chapter(self.publication, chapter):
            items = [c for c in chapter.children if c.number is not None]
            return self._wegwijzer_chapter(chapter, items, start, end)
        # Sections are found in TOC order, each after the previous one.
        bounds: list[tuple[TocEntry | None, int]] = [(None, start)]
        position = start + 1
        for child in chapter.children:
            index = self._find_title(child.title, position, end)
            if index is not None:
                bounds.append((child, index))
                position = index + 1
        sections = []
        for number, (entry, begin) in enumerate(bounds):
            stop = bounds[number + 1][1] if number + 1 < len(bounds) else end
            if entry is None:
                first_child = bounds[1][0].page if len(bounds) > 1 and bounds[1][0] else None
                pages = (chapter.page, max(chapter.page, (first_child or chapter.page + 1) - 1))
                if not chapter.children:
                    pages = (chapter.page, chapter.page_end or chapter.page)
                blocks = self._content(begin, stop, skip_titles={chapter.title, chapter.numeral or ""})
                sections.extend(self._with_subsections(label, chapter.title, blocks, pages))
            else:
                blocks = self._content(begin + 1, stop)
                sections.extend(
                    self._with_subsections(label, entry.title, blocks, (entry.page, entry.page_end))
                )
        return sections

    def _content(self, start: int, end: int, skip_titles: set[str] | None = None) -> list[Block]:
        skip = {normalise(t) for t in (skip_titles or set()) if t}
        return [b for b in self.blocks[start:end] if b.norm and b.norm not in skip]

    def _with_subsections(self, chapter: str, title: str, blocks: list[Block],
                          pages: tuple[int, int | None]) -> list[Section]:
        """Split a section on enumerated sub-headings ('1. Definieer…', 'a. De rechtmatige…')."""
        sections: list[Section] = []
        current = Section.of(self.publication, title, chapter=chapter)
        major: str | None = None
        for block in blocks:
            match = ENUMERATED.match(block.text)
            if match and block.single_line and not block.text.endswith(".") and (
                block.is_heading or block.emphasised or len(block.text) < 60
            ):
                if match.group("num").isdigit():
                    major = block.text
                    subsection = block.text
                else:
                    subsection = f"{major} · {block.text}" if major else block.text
                if current.paragraphs or sections == []:
                    sections.append(current)
                current = Section.of(self.publication, title, chapter=chapter, subsection=subsection)
                continue
            current.paragraphs.extend(block.items)
        sections.append(current)
        for section in sections:
            section.update(page_start=pages[0], page_end=pages[1] or pages[0])
        return sections

    # front matter

    def _front_matter(self, end: int) -> list[Section]:
        first_page = min(c.page for c in self.chapters)
        pages = (1, max(1, first_page - 1))
        toc_start = next(
            (b.index for b in self.blocks[: self.body_start] if b.is_heading
             and b.norm == normalise(self.publication.hints.get("toc_heading", "Inhoud"))),
            self.body_start,
        )
        sections: list[Section] = []
        current: Section | None = None
        seen: set[str] = set()
        for block in self.blocks[:end]:
            if toc_start <= block.index < self.body_start:
                continue  # the table of contents itself is navigation, not content
            if block.is_heading:
                current = Section.of(self.publication, block.text, chapter=self.front_matter,
                                     page_start=pages[0], page_end=pages[1])
                sections.append(current)
                continue
            if current is None:
                current = Section.of(self.publication, self.publication.title,
                                     chapter=self.front_matter, page_start=pages[0],
                                     page_end=pages[1])
                sections.append(current)
            for item in block.items:
                if item not in seen:  # the cover repeats its title and subtitle
                    seen.add(item)
                    current.paragraphs.append(item)
        return sections

    # the chapter holding the wegwijzers

    def _wegwijzer_chapter(self, chapter: TocEntry, items: list[TocEntry],
                           start: int, end: int) -> list[Section]:
        """The chapter's opening text, then each wegwijzer as `routekaart` splits it."""
        routekaart = Routekaart(self.publication, self.blocks)
        starts = routekaart.starts(items, start, end)
        sections: list[Section] = []
        intro_end = starts[0][1] if starts else end
        intro_pages = (chapter.page, (items[0].page - 1) if items else chapter.page_end)
        intro = self._content(start, intro_end, skip_titles={chapter.title, chapter.numeral or ""})
        if intro:
            section = Section.of(self.publication, chapter.title, chapter=chapter.label,
                                 page_start=intro_pages[0], page_end=intro_pages[1])
            for block in intro:
                section.paragraphs.extend(block.items)
            sections.append(section)
        for number, (item, begin) in enumerate(starts):
            stop = starts[number + 1][1] if number + 1 < len(starts) else end
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


def _paged_sections(document: Document) -> list[Section]:
    """One section per page (printed label kept); headings on a page name the section."""
    sections: list[Section] = []
    heading = document.publication.title
    for page in document.pages:
        blocks = plain_blocks(page.text)
        paragraphs: list[str] = []
        for block in blocks:
            if block.is_heading and not paragraphs:
                heading = block.text
            paragraphs.extend(block.items)
        number = int(page.label) if page.label and page.label.isdigit() else None
        sections.append(
            Section.of(document.publication, heading, paragraphs, page_start=number,
                       page_end=number, page_label_start=page.label, page_label_end=page.label)
        )
    # Numbered like every other document: the order keeps the pages in reading order in the
    # catalog, and tells apart the chunk ids of pages that share a heading.
    return _number(sections)
