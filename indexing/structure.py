"""Recover each publication's structure from its own text.

Three strategies, chosen per document:

* a table of contents ('Inhoud') gives chapters, sections, numbered items (the wegwijzers)
  and printed start pages; the body is then matched against it, whatever the headings look like;
* otherwise headings (Markdown or heading-like lines) start sections;
* a PDF gives its pages directly; headings found on the pages name the sections.

Everything here is pure: text in, `Section` objects out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import Block, markdown_blocks, normalise, plain_blocks
from .model import Document, Publication, Section

ROMAN = re.compile(r"^(?P<num>[IVXL]{1,5})\.?(?:\s+(?P<title>.+))?$")
NUMBERED = re.compile(r"^(?P<num>\d{1,2})[.)]\s+(?P<title>.+)$")
TOC_LINE = re.compile(r"^(?P<title>.*?\S)[\s.·…]+(?P<page>\d{1,4})$")
ENUMERATED = re.compile(r"^(?P<num>\d{1,2}|[a-h])[.)]\s+(?P<title>\S.{2,118})$")
RESEARCH_REF = re.compile(r"\(\s*p\.?\s*(\d{1,4}(?:\s*[,–-]\s*\d{1,4})*)\s*\)")

DEFAULT_PARTS = ["Een verhaal", "Twee verhalen", "Uit het onderzoek", "Een handreiking"]
DEFAULT_STORY_PARTS = ["Een verhaal", "Twee verhalen"]


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


def research_pages(text: str) -> list[int]:
    """Research-report pages cited as '(p. 182)', '(p. 184, 185)' or '(p. 18-19)'."""
    pages: list[int] = []
    for match in RESEARCH_REF.finditer(text):
        for part in re.split(r"\s*,\s*", match.group(1)):
            bounds = [int(n) for n in re.split(r"\s*[–-]\s*", part) if n]
            if len(bounds) == 2 and 0 < bounds[1] - bounds[0] <= 20:
                pages.extend(range(bounds[0], bounds[1] + 1))
            else:
                pages.extend(bounds)
    return sorted(set(pages))


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
    if not marker:
        return text
    lines = text.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip() == marker:
            return "\n".join(lines[:index])
    return text


# --- table of contents ---------------------------------------------------------------------


def parse_toc(blocks: list[Block], heading: str) -> tuple[list[TocEntry], int] | None:
    """Find the heading `heading` and read the entries below it.

    Returns the chapters (with children) and the index of the first block after the TOC,
    or None when the document has no such table of contents.
    """
    start = next(
        (b.index for b in blocks if b.is_heading and b.norm == normalise(heading)), None
    )
    if start is None:
        return None
    chapters: list[TocEntry] = []
    loose: list[TocEntry] = []
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
                    TocEntry(roman.group("title").strip(), page, 1, numeral=roman.group("num"))
                )
            elif numbered:
                entry = TocEntry(numbered.group("title").strip(), page, 2,
                                 number=int(numbered.group("num")))
                (chapters[-1].children if chapters else loose).append(entry)
            else:
                entry = TocEntry(title, page, 2)
                (chapters[-1].children if chapters else loose).append(entry)
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
        hints = publication.hints
        self.parts = [normalise(p) for p in hints.get("parts", DEFAULT_PARTS)]
        self.part_names = {normalise(p): p for p in hints.get("parts", DEFAULT_PARTS)}
        self.story_parts = {normalise(p) for p in hints.get("story_parts", DEFAULT_STORY_PARTS)}
        self.research_part = hints.get("research_part", "Uit het onderzoek")
        self.front_matter = hints.get("front_matter", "Voorwerk")
        self.wegwijzer_chapter = hints.get("wegwijzer_chapter")

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
        if chapter.numeral and self.wegwijzer_chapter and chapter.numeral == self.wegwijzer_chapter:
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
        current = Section(self.publication, title, [], chapter=chapter)
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
                current = Section(self.publication, title, [], chapter=chapter, subsection=subsection)
                continue
            current.paragraphs.extend(block.items)
        sections.append(current)
        for section in sections:
            section.page_start, section.page_end = pages[0], pages[1] or pages[0]
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
                current = Section(self.publication, block.text, [], chapter=self.front_matter,
                                  page_start=pages[0], page_end=pages[1])
                sections.append(current)
                continue
            if current is None:
                current = Section(self.publication, self.publication.title, [],
                                  chapter=self.front_matter, page_start=pages[0], page_end=pages[1])
                sections.append(current)
            for item in block.items:
                if item not in seen:  # the cover repeats its title and subtitle
                    seen.add(item)
                    current.paragraphs.append(item)
        return sections

    # wegwijzers

    def _wegwijzer_chapter(self, chapter: TocEntry, items: list[TocEntry],
                           start: int, end: int) -> list[Section]:
        starts: list[tuple[TocEntry, int]] = []
        position = start + 1
        for item in items:
            index = self._find_wegwijzer(item, position, end)
            if index is not None:
                starts.append((item, index))
                position = index + 1
        sections: list[Section] = []
        intro_end = starts[0][1] if starts else end
        intro_pages = (chapter.page, (items[0].page - 1) if items else chapter.page_end)
        intro = self._content(start, intro_end, skip_titles={chapter.title, chapter.numeral or ""})
        if intro:
            section = Section(self.publication, chapter.title, [], chapter=chapter.label,
                              page_start=intro_pages[0], page_end=intro_pages[1])
            for block in intro:
                section.paragraphs.extend(block.items)
            sections.append(section)
        for number, (item, begin) in enumerate(starts):
            stop = starts[number + 1][1] if number + 1 < len(starts) else end
            sections.extend(self._wegwijzer(chapter, item, begin, stop))
        return sections

    def _is_part(self, block: Block) -> bool:
        return block.norm in self.part_names

    def _find_wegwijzer(self, item: TocEntry, start: int, end: int) -> int | None:
        """The block where wegwijzer `item` starts.

        A title also appears in figures and lists before its section, so take the first
        occurrence, then the last occurrence before the first part heading that follows it.
        Titles may be headings, plain lines broken in two, or follow a bare number line.
        """
        candidates = [b.index for b in self.blocks[start:end] if self._names_item(b, item)]
        if not candidates:
            return None
        first_part = next(
            (b.index for b in self.blocks[candidates[0]:end] if self._is_part(b)), end
        )
        index = max(c for c in candidates if c < first_part) if any(
            c < first_part for c in candidates) else candidates[0]
        block = self.blocks[index]
        if block.text.strip() != str(item.number) and index > start:
            previous = self.blocks[index - 1]
            if previous.text.strip().rstrip(".") == str(item.number):
                return previous.index
        return index

    def _names_item(self, block: Block, item: TocEntry) -> bool:
        norm = block.norm
        title = normalise(item.title)
        if norm in (title, normalise(f"{item.number} {item.title}")):
            return True
        if block.text.strip().rstrip(".") == str(item.number):
            following = self._next_text(block.index)
            return following is not None and normalise(following) == title
        return False

    def _wegwijzer(self, chapter: TocEntry, item: TocEntry, start: int, end: int) -> list[Section]:
        sections: list[Section] = []
        current: Section | None = None
        part: str | None = None
        story_title: str | None = None
        expect_author = False
        title_norms = {normalise(item.title), normalise(f"{item.number} {item.title}"),
                       str(item.number)}
        for block in self.blocks[start:end]:
            if current is None and block.norm in title_norms:
                continue
            if self._is_part(block):
                part = self.part_names[block.norm]
                story_title = None
                current = self._new_ww_section(chapter, item, part)
                sections.append(current)
                continue
            if current is None:  # text between the title and the first part
                current = self._new_ww_section(chapter, item, None)
                sections.append(current)
            in_story = part is not None and normalise(part) in self.story_parts
            if in_story and _is_story_title(block):
                story_title, author_line = _split_story_title(block.text)
                current = self._new_ww_section(chapter, item, part)
                current.story_title = story_title
                sections.append(current)
                expect_author = True
                if author_line:
                    current.story_author = _author_name(author_line)
                    current.paragraphs.append(author_line)
                    expect_author = False
                continue
            if expect_author and current.story_title and len(block.text) < 300:
                current.story_author = _author_name(block.text)
            expect_author = False
            current.paragraphs.extend(block.items)
        return [s for s in sections if s.paragraphs]

    def _new_ww_section(self, chapter: TocEntry, item: TocEntry, part: str | None) -> Section:
        return Section(
            self.publication, f"Wegwijzer {item.number}: {item.title}", [],
            chapter=chapter.label, wegwijzer=item.number, wegwijzer_title=item.title, part=part,
            page_start=item.page, page_end=item.page_end,
        )


def _is_story_title(block: Block) -> bool:
    words = re.findall(r"[^\W\d_]+", block.text)
    if len(words) < 2 or len(block.text) > 160:
        return False
    upper = [w for w in words if w.isupper()]
    # Titles are set in capitals; an author may follow on the same line.
    return len(upper) >= 2 and words[0].isupper() and words[1].isupper()


def _split_story_title(text: str) -> tuple[str, str | None]:
    words = text.split()
    cut = 0
    for cut, word in enumerate(words):
        letters = re.sub(r"[^\w]", "", word)
        if letters and not letters.isupper() and not letters.isdigit():
            break
    else:
        cut = len(words)
    title = " ".join(words[:cut]).strip()
    rest = " ".join(words[cut:]).strip() or None
    return _sentence_case(title), rest


def _sentence_case(title: str) -> str:
    lower = title.lower()
    return lower[:1].upper() + lower[1:]


def _author_name(line: str) -> str:
    """'Fred Paling, voorzitter …' → 'Fred Paling'; 'A en B (verbonden aan …) …' → 'A en B'."""
    name = re.split(r"[,(]", line, maxsplit=1)[0].strip()
    words = name.split()
    if len(words) > 10:
        name = " ".join(words[:10])
    return name


# --- documents without a table of contents -------------------------------------------------


def _heading_sections(publication: Publication, blocks: list[Block]) -> list[Section]:
    sections: list[Section] = []
    current: Section | None = None
    for block in blocks:
        if block.is_heading:
            if current is not None and not current.paragraphs:
                # Consecutive headings: keep the first as title, the next as subsection.
                current.subsection = block.text if current.subsection is None else current.subsection
                continue
            current = Section(publication, block.text, [])
            sections.append(current)
            continue
        if current is None:
            current = Section(publication, publication.title, [])
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
            Section(
                document.publication, heading, paragraphs,
                page_start=number, page_end=number,
                page_label_start=page.label, page_label_end=page.label,
            )
        )
    return sections
