"""The structure of a PDF from its own layout (pure: pages with lines in, `Section`s out).

Headings come from the outline (bookmarks) when the PDF has one, else from its table of
contents matched to the body, else from lines set larger (or bold and numbered) than the running
text, else from short lines standing alone. Running heads, footers and bare page numbers are
dropped, a table of contents is never passage text, and footnotes stay with their page, apart
from the running text. Every rule reads the layout; none names a publication's titles.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from .blocks import looks_like_heading, normalise
from .model import Document, Line, Page, Section

log = logging.getLogger(__name__)

# 'Deel A', 'Deel II': a part of a book, above its chapters; '1.', '1.2', '1.2.3': the depth.
PART = re.compile(r"^(?:deel|part)\s+([A-Z]|[IVX]{1,4}|\d{1,2})\b", re.IGNORECASE)
NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<title>\S.*)$")
TOC_LINE = re.compile(r"^(?P<title>.*?\S)(?:\s*[.·…_]{2,}\s*|\s+)(?P<page>\d{1,4}|[ivxlc]{1,7})$")
PAGE_NUMBER = re.compile(r"^[\W_]*(?:p(?:agina|age)?\.?\s*)?(?:\d{1,4}|[ivxlcdm]{1,7})[\W_]*$",
                         re.IGNORECASE)
FOOTNOTE = re.compile(r"^(?P<num>\d{1,3})\s+(?P<text>\S.*)$")
# A contents page lists at least this many entries (a small report's may list three).
MIN_CONTENTS = 3
# Lines at the top and at the bottom of a page that may be a running head or a footer.
EDGE = 2
# A running head or footer stands apart: its gap to the text is at least this many line pitches.
APART = 1.6
# Set at least this much larger than the running text: a heading. Smaller than this share of
# it: a footnote. (Typographic conventions, the same for every publication.)
LARGER, SMALLER = 1.15, 0.9


@dataclass(frozen=True)
class Heading:
    """A heading of the publication: depth (0 part, 1 chapter, 2 section, 3 subsection), its
    text as printed or bookmarked, and the physical page (1-based) where it starts."""

    level: int
    text: str
    page: int


def level_of(text: str, default: int = 1) -> int:
    """Depth from the numbering: 'Deel A' 0, '2.' 1, '2.1' 2, '2.1.3' 3; else `default`."""
    if PART.match(text):
        return 0
    numbered = NUMBERED.match(text)
    return numbered.group("num").count(".") + 1 if numbered else default


def recover_pdf(document: Document) -> list[Section]:
    """The sections of a PDF publication, each with the printed pages of its paragraphs."""
    layout = Layout(document.pages)
    contents = layout.contents_pages()
    # An unnumbered bookmark at the top ('Samenvatting') is a chapter, like a numbered one.
    headings = [Heading(level_of(e.title, max(1, e.level)), e.title, e.page)
                for e in document.outline]
    source = "bladwijzers"
    assembler = Assembler(document, layout, contents)
    if not headings:
        headings, source = layout.contents_headings(contents), "inhoudsopgave"
        printed = sum(assembler.printed_at(h, {}) is not None for h in headings)
        if headings and printed < len(headings) / 2:
            log.warning("De inhoudsopgave van '%s' past niet bij de tekst (%d van %d koppen "
                        "teruggevonden); de structuur komt uit de koppen.",
                        document.publication.id, printed, len(headings))
            headings = []
    if not headings:
        headings, source = layout.font_headings(contents), "lettergrootte"
    log.info("Structuur van '%s' uit %s: %d koppen.", document.publication.id, source,
             len(headings))
    return assembler.sections(headings)


class Layout:
    """The pages' lines without running heads, footers and page numbers, and what the running
    text looks like (its font size and line pitch)."""

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        sizes: Counter[float] = Counter()
        for page in pages:
            for line in page.lines:
                sizes[line.size] += len(line.text)
        self.body = sizes.most_common(1)[0][0] if sizes else 0.0
        gaps = [b.top - a.top for page in pages for a, b in zip(page.lines, page.lines[1:])
                if a.size == b.size == self.body and b.top > a.top]
        self.pitch = statistics.median(gaps) if gaps else self.body * 1.2
        furniture = self._furniture()
        self.lines = [[line for i, line in enumerate(page.lines) if (n, i) not in furniture]
                      for n, page in enumerate(pages)]
        self.footnotes = [self._footnotes(lines) for lines in self.lines]

    # --- running heads, footers, page numbers ----------------------------------------------

    def _edges(self, page: int) -> list[tuple[int, Line]]:
        """The lines at the top and bottom edge that stand apart from the text next to them."""
        lines = self.pages[page].lines
        order = sorted(range(len(lines)), key=lambda i: lines[i].top)
        edges = []
        for rank, i in enumerate(order):
            head, foot = rank < EDGE, rank >= len(order) - EDGE
            if not (head or foot):
                continue
            neighbour = order[rank + 1] if head and rank + 1 < len(order) else (
                order[rank - 1] if foot and rank > 0 else None)
            if neighbour is None or abs(lines[neighbour].top - lines[i].top) >= APART * self.pitch:
                edges.append((i, lines[i]))
        # A footnote at the foot ('3 Zie CBS …') is no footer, however often its text recurs;
        # a footer that opens with the page's own number ('23 Werkende samenwerking') is.
        label = str(self.pages[page].label or "")
        return [(i, line) for i, line in edges if not (
            line.size < SMALLER * self.body and (note := FOOTNOTE.match(line.text))
            and note.group("num") != label)]

    def _furniture(self) -> set[tuple[int, int]]:
        """(page, line) of every running head, footer and bare page number. A head repeats on
        several pages (digits aside), or stands where a repeated one stands, in its size."""
        edges = {n: self._edges(n) for n in range(len(self.pages))}
        patterns: Counter[tuple[str, float]] = Counter()
        for lines in edges.values():
            patterns.update({(_pattern(line.text), line.size) for _, line in lines})
        # The title page's title is no running head, though the heads repeat it: size counts.
        repeated = {key for key, count in patterns.items()
                    if count >= max(2, len(self.pages) // 20)}
        found = {(n, i) for n, lines in edges.items() for i, line in lines
                 if PAGE_NUMBER.match(line.text) or (_pattern(line.text), line.size) in repeated}
        slots = {(round(self.pages[n].lines[i].top), self.pages[n].lines[i].size)
                 for n, i in found}
        return found | {(n, i) for n, lines in edges.items() for i, line in lines
                        if any(abs(line.top - top) <= 2 and line.size == size
                               for top, size in slots)}

    # --- footnotes -----------------------------------------------------------------------------

    def _footnotes(self, lines: list[Line]) -> list[str]:
        """The footnotes at the foot of a page (smaller than the text, each opening with its
        number), taken out of `lines`."""
        start = len(lines)
        while start > 0 and 0 < lines[start - 1].size < SMALLER * self.body:
            start -= 1
        if start == len(lines) or not FOOTNOTE.match(lines[start].text):
            return []
        notes: list[str] = []
        for line in lines[start:]:
            if FOOTNOTE.match(line.text) or not notes:
                notes.append(line.text)
            else:
                notes[-1] = join_lines(notes[-1], line.text)
        del lines[start:]
        return [f"Voetnoot {m.group('num')}: {m.group('text')}"
                for m in map(FOOTNOTE.match, notes) if m]

    # --- headings ------------------------------------------------------------------------------

    def contents_pages(self) -> set[int]:
        """Pages (0-based) that are a table of contents: most lines end in a page number, and
        those numbers mostly go up."""
        found = set()
        for n, lines in enumerate(self.lines):
            entries = [m.group("page") for m in map(TOC_LINE.match, (l.text for l in lines)) if m]
            pages = [int(page) for page in entries if page.isdigit()]
            rising = sum(b >= a for a, b in zip(pages, pages[1:]))
            if len(entries) >= MIN_CONTENTS and len(entries) >= 0.5 * len(lines) \
                    and rising >= 0.8 * (len(pages) - 1):
                found.add(n)
        return found

    def contents_headings(self, contents: set[int]) -> list[Heading]:
        """The table of contents' entries, their printed pages turned into physical ones."""
        physical: dict[str, int] = {}
        for n, page in enumerate(self.pages):
            if n > max(contents, default=-1):
                physical.setdefault(str(page.label or n + 1), n + 1)
        headings, pending = [], ""
        for n in sorted(contents):
            for line in self.lines[n]:
                match = TOC_LINE.match(line.text)
                if not match:  # a title wrapped over two lines, or the page's own heading
                    pending = join_lines(pending, line.text) if line.size <= self.body else ""
                    continue
                title = join_lines(pending, match.group("title")).strip(" .·…_")
                pending = ""
                page = physical.get(match.group("page"))
                if page is not None:
                    headings.append(Heading(level_of(title), title, page))
        return headings

    def font_headings(self, contents: set[int]) -> list[Heading]:
        """Lines set larger than the running text (or bold and numbered), a wrapped title joined;
        without any, short lines standing alone. Unnumbered ones as large as a numbered chapter
        are chapters, smaller ones sections; only a numbered part ('Deel A') is a part."""
        found: list[tuple[Line, int]] = []
        for n, lines in enumerate(self.lines):
            if n in contents:
                continue
            for line in lines:
                if self._heading_like(line):
                    previous = found[-1][0] if found else None
                    if previous and found[-1][1] == n + 1 and previous.size == line.size \
                            and 0 < line.top - previous.top <= 1.6 * line.size:
                        found[-1] = (Line(join_lines(previous.text, line.text), line.size,
                                          line.bold, line.top), n + 1)
                    else:
                        found.append((line, n + 1))
        if not found:
            return self._standalone_headings(contents)
        chapter_sizes = [line.size for line, _ in found if level_of(line.text, 0) == 1]
        top = max(chapter_sizes, default=max(line.size for line, _ in found))
        return [Heading(level_of(line.text, 1 if line.size >= top else 2), line.text, page)
                for line, page in found]

    def _heading_like(self, line: Line) -> bool:
        words = len(line.text.split())
        if not 1 <= words <= 14 or line.text.endswith((",", ";")):
            return False
        return line.size >= LARGER * self.body or (
            line.bold and line.size >= self.body and NUMBERED.match(line.text) is not None)

    def _standalone_headings(self, contents: set[int]) -> list[Heading]:
        """Short capitalised lines with space around them (a PDF set in one font)."""
        headings = []
        for n, lines in enumerate(self.lines):
            for i, line in enumerate(lines):
                before = lines[i - 1] if i else None
                after = lines[i + 1] if i + 1 < len(lines) else None
                alone = all(other is None or abs(other.top - line.top) >= APART * self.pitch
                            for other in (before, after))
                if n not in contents and alone and looks_like_heading(line.text, "", True):
                    headings.append(Heading(level_of(line.text), line.text, n + 1))
        return headings


class Assembler:
    """Walk the pages' lines in order: headings open sections, lines join into paragraphs that
    remember their printed pages, footnotes follow the paragraph their page ends in."""

    def __init__(self, document: Document, layout: Layout, contents: set[int]) -> None:
        self.publication = document.publication
        self.layout, self.contents = layout, contents
        self.labels = [str(page.label or page.number or n + 1)
                       for n, page in enumerate(document.pages)]

    def sections(self, headings: list[Heading]) -> list[Section]:
        starts, page_tops = self._place(headings)
        front = self.publication.hints.get("front_matter", "Voorwerk")
        path: list[str | None] = [None, None, None, None]
        self.out = [Section.of(self.publication, self.publication.title, chapter=front)]
        self.paragraph = ""
        self.pages: tuple[str, str] | None = None
        self.notes: list[tuple[str, str]] = []
        previous: Line | None = None

        def open_(heading: Heading) -> None:
            self._close()
            level = min(heading.level, 3)
            path[level:] = [heading.text] + [None] * (3 - level)
            self._open(path)

        for n, lines in enumerate(self.layout.lines):
            if n in self.contents:
                continue  # navigation, not content
            for heading in page_tops.get(n, []):
                open_(heading)
                previous = None
            for i, line in enumerate(lines):
                heading = starts.get((n, i))
                if heading is False:
                    continue  # the second line of a wrapped heading
                if heading is not None:
                    open_(heading)
                    previous = None
                    continue
                if previous is not None and self._breaks(previous, line):
                    self._close()
                self._add(line.text, self.labels[n])
                previous = line
            self.notes += [(note, self.labels[n]) for note in self.layout.footnotes[n]]
        self._close()
        kept = [s for s in self.out if s.paragraphs]
        for order, section in enumerate(kept):
            section.order = order
        return kept

    def _place(self, headings: list[Heading]) -> tuple[dict[tuple[int, int], Heading | bool],
                                                       dict[int, list[Heading]]]:
        """Where each heading starts: the line(s) on its page (or the next) that print it, the
        lines of a wrapped title after the first marked False; a heading printed nowhere (a
        bookmark's own wording) opens its section at the top of its page."""
        starts: dict[tuple[int, int], Heading | bool] = {}
        page_tops: dict[int, list[Heading]] = {}
        for heading in headings:
            at = self.printed_at(heading, starts)
            if at is None:
                if 1 <= heading.page <= len(self.layout.lines):
                    page_tops.setdefault(heading.page - 1, []).append(heading)
                continue
            page, index, extra = at
            starts[(page, index)] = heading
            for k in range(1, extra + 1):
                starts[(page, index + k)] = False
        return starts, page_tops

    def printed_at(self, heading: Heading, taken: dict) -> tuple[int, int, int] | None:
        """(page, line, extra lines) where the heading is printed, on its page or the next."""
        wanted = {normalise(heading.text), normalise(_unnumbered(heading.text))}
        for page in (heading.page - 1, heading.page):
            lines = self.layout.lines[page] if 0 <= page < len(self.layout.lines) else []
            for i in range(len(lines)):
                if (page, i) in taken:
                    continue
                text = ""
                for extra, following in enumerate(lines[i:i + 3]):
                    text = join_lines(text, following.text)
                    if {normalise(text), normalise(_unnumbered(text))} & wanted:
                        return page, i, extra
        return None

    def _breaks(self, previous: Line, line: Line) -> bool:
        """A new paragraph: a wider gap than the line pitch, another font size, or a new page
        or column after a finished sentence."""
        if line.size != previous.size:
            return True
        if line.top <= previous.top:  # a new page or column
            return previous.text.endswith((".", "!", "?", ":"))
        scale = line.size / (self.layout.body or line.size)  # a footnote's pitch is smaller
        return line.top - previous.top > 1.4 * self.layout.pitch * scale

    def _open(self, path: list[str | None]) -> None:
        part, chapter, section, subsection = path
        title = section or chapter or part or self.publication.title
        self.out.append(Section.of(self.publication, title, division=part,
                                   chapter=chapter or part, subsection=subsection))

    def _add(self, text: str, label: str) -> None:
        if text:
            self.paragraph = join_lines(self.paragraph, text)
            self.pages = (self.pages[0], label) if self.pages else (label, label)

    def _close(self) -> None:
        section = self.out[-1]
        if self.paragraph and self.pages:
            section.add(self.paragraph, self.pages)
        for note, label in self.notes:
            section.add(note, (label, label))
        self.paragraph, self.pages, self.notes = "", None, []


def join_lines(first: str, second: str) -> str:
    """Two lines of one paragraph: a word broken at the line end ('samen-' + 'werking') is
    whole again; a hyphen before a capital ('Rotterdam-' + 'Rijnmond') stays."""
    if not first:
        return second
    if re.search(r"\w-$", first) and second[:1].islower():
        return first[:-1] + second
    if first.endswith("-") and second[:1].isupper():
        return first + second
    return f"{first} {second}"


def _pattern(text: str) -> str:
    """A running head with its page number (digits or roman) left out."""
    text = re.sub(r"\b(?:\d+|[ivxlcdm]{1,7})\b", "#", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def _unnumbered(text: str) -> str:
    numbered = NUMBERED.match(text)
    return numbered.group("title") if numbered else text
