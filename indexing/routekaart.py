"""The Jaarbericht routekaart (pure): the wegwijzers of the chapter named by the
`wegwijzer_chapter` hint, each split into its parts ('Een verhaal' or 'Twee verhalen' with
stories titled in capitals, 'Uit het onderzoek' citing '(p. 184, 185)', 'Een handreiking')."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .blocks import Block, normalise
from .model import Publication, Section

if TYPE_CHECKING:  # structure.py imports this module; the type alone does not need it at run time
    from .structure import TocEntry

RESEARCH_REF = re.compile(r"\(\s*p\.?\s*(\d{1,4}(?:\s*[,–-]\s*\d{1,4})*)\s*\)")

DEFAULT_PARTS = ["Een verhaal", "Twee verhalen", "Uit het onderzoek", "Een handreiking"]
DEFAULT_STORY_PARTS = ["Een verhaal", "Twee verhalen"]


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


class Routekaart:
    """Find the wegwijzers of one chapter and split each into its parts and stories."""

    def __init__(self, publication: Publication, blocks: list[Block]) -> None:
        self.publication = publication
        self.blocks = blocks
        hints = publication.hints
        self.part_names = {normalise(p): p for p in hints.get("parts", DEFAULT_PARTS)}
        self.story_parts = {normalise(p) for p in hints.get("story_parts", DEFAULT_STORY_PARTS)}

    def starts(self, items: list[TocEntry], start: int, end: int) -> list[tuple[TocEntry, int]]:
        """(item, block index) for each wegwijzer found in blocks[start:end], each searched
        after the previous one (a title quoted earlier is no later wegwijzer's start)."""
        found: list[tuple[TocEntry, int]] = []
        position = start + 1
        for item in items:
            index = self._find_wegwijzer(item, position, end)
            if index is not None:
                found.append((item, index))
                position = index + 1
        return found

    def sections(self, chapter: TocEntry, item: TocEntry, start: int, end: int) -> list[Section]:
        """The sections of wegwijzer `item` (blocks[start:end]): one per part, and in a story
        part one per title in capitals, whose author is the rest of that line or the next."""
        sections: list[Section] = []
        current: Section | None = None
        part: str | None = None
        expect_author = False
        title_norms = {normalise(item.title), normalise(f"{item.number} {item.title}"),
                       str(item.number)}
        for block in self.blocks[start:end]:
            if current is None and block.norm in title_norms:
                continue
            if block.norm in self.part_names:
                part = self.part_names[block.norm]
                current = self._new_section(chapter, item, part)
                sections.append(current)
                continue
            if current is None:  # text between the title and the first part
                current = self._new_section(chapter, item, None)
                sections.append(current)
            in_story = part is not None and normalise(part) in self.story_parts
            if in_story and _is_story_title(block):
                story_title, author_line = _split_story_title(block.text)
                current = self._new_section(chapter, item, part, story_title=story_title)
                sections.append(current)
                expect_author = not author_line
                if author_line:
                    current.update(story_author=_author_name(author_line))
                    current.paragraphs.append(author_line)
                continue
            if expect_author and current.place.story_title and len(block.text) < 300:
                current.update(story_author=_author_name(block.text))
            expect_author = False
            current.paragraphs.extend(block.items)
        return [s for s in sections if s.paragraphs]

    def _find_wegwijzer(self, item: TocEntry, start: int, end: int) -> int | None:
        """The block where wegwijzer `item` starts: as its title also appears in figures and
        lists, the last occurrence before the first part heading after the first one (or
        the bare number line before it)."""
        candidates = [b.index for b in self.blocks[start:end] if self._names_item(b, item)]
        if not candidates:
            return None
        first_part = next((b.index for b in self.blocks[candidates[0]:end]
                           if b.norm in self.part_names), end)
        index = max((c for c in candidates if c < first_part), default=candidates[0])
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
            # A bare number line: the title is the next block.
            following = block.index + 1
            return following < len(self.blocks) and normalise(self.blocks[following].text) == title
        return False

    def _new_section(self, chapter: TocEntry, item: TocEntry, part: str | None,
                     **where: Any) -> Section:
        return Section.of(self.publication, f"Wegwijzer {item.number}: {item.title}",
                          chapter=chapter.label, wegwijzer=item.number, wegwijzer_title=item.title,
                          part=part, page_start=item.page, page_end=item.page_end, **where)


def _is_story_title(block: Block) -> bool:
    words = re.findall(r"[^\W\d_]+", block.text)
    if len(words) < 2 or len(block.text) > 160:
        return False
    upper = [w for w in words if w.isupper()]
    # Titles are set in capitals; an author may follow on the same line.
    return len(upper) >= 2 and words[0].isupper() and words[1].isupper()


def _split_story_title(text: str) -> tuple[str, str | None]:
    """'GROENE STROOM Jan van Ginkel' → ('Groene stroom', 'Jan van Ginkel')."""
    words = text.split()
    letters = [re.sub(r"[^\w]", "", word) for word in words]
    cut = next((i for i, word in enumerate(letters)
                if word and not word.isupper() and not word.isdigit()), len(words))
    title = " ".join(words[:cut]).lower()
    return title[:1].upper() + title[1:], " ".join(words[cut:]) or None


def _author_name(line: str) -> str:
    """'Fred Paling, voorzitter …' → 'Fred Paling'; 'A en B (verbonden aan …) …' → 'A en B'."""
    name = re.split(r"[,(]", line, maxsplit=1)[0].strip()
    words = name.split()
    return " ".join(words[:10]) if len(words) > 10 else name
