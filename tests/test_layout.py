"""A PDF's structure from its layout (indexing/layout.py), on pages of lines built here: running
heads and page numbers go, footnotes stay apart, a table of contents is never text, and headings
come from the outline, the contents page or the font size."""

from __future__ import annotations

from pathlib import Path

from indexing.chunking import chunk_sections
from indexing.layout import join_lines, level_of
from indexing.model import Document, Line, OutlineEntry, Page, Publication
from indexing.structure import recover

BODY, PITCH = 10.0, 12.0
SENTENCE = ("Gemeenten werken in de regio samen met werkgevers en onderwijs, omdat geen van "
            "hen de opgave alleen aankan.")


def _page(number: int, label: str, lines: list[tuple[str, float, bool]], head: str | None,
          foot: str | None, notes: tuple[str, ...] = ()) -> Page:
    """A page: a running head, the lines (text, size, bold) from the top, footnotes, a footer."""
    set_lines = [Line(head, 8.0, False, 30.0)] if head else []
    top = 70.0
    for text, size, bold in lines:
        top += PITCH if size == BODY else 2 * PITCH
        set_lines.append(Line(text, size, bold, top))
    set_lines += [Line(note, 8.0, False, 760.0 + 9 * i) for i, note in enumerate(notes)]
    if foot:
        set_lines.append(Line(foot, 8.0, False, 810.0))
    return Page(number, label, "\n".join(line.text for line in set_lines), tuple(set_lines))


def _body(n: int) -> list[tuple[str, float, bool]]:
    return [(SENTENCE, BODY, False)] * n


def _document(pages: list[Page], outline: tuple[OutlineEntry, ...] = ()) -> Document:
    publication = Publication(id="rapport", title="Een rapport", kind="onderzoeksrapport",
                              publisher="NSOB", date="2018-06", file=Path("rapport.pdf"))
    return Document(publication, pages, paged=True, outline=outline)


def _report(outline: bool = False, contents: bool = True) -> Document:
    toc = [("Inhoud", 16.0, True), ("1. Werken aan werk ........ 1", BODY, False),
           ("1.1 Een mismatch ........ 2", BODY, False), ("1.2 Vraagstelling ........ 3", BODY, False),
           ("2. Sturen in netwerken ........ 4", BODY, False),
           ("2.1 Vier perspectieven ........ 4", BODY, False)]
    pages = [_page(1, "i", [("Een rapport", 24.0, True)], None, None),
             _page(2, "ii", toc if contents else _body(3), None, "ii"),
             _page(3, "1", [("1. Werken aan werk", 18.0, True)] + _body(8), None, "1"),
             _page(4, "2", _body(3) + [("1.1 Een mismatch", 13.0, True)] + _body(6),
                   "Een rapport", "2", ("1 Zie CBS (2017), Arbeidsmarkt.",)),
             _page(5, "3", _body(2) + [("1.2 Vraagstelling", 13.0, True)] + _body(6),
                   "1. Werken aan werk", "3"),
             _page(6, "4", [("2. Sturen in netwerken", 18.0, True)] + _body(2)
                   + [("2.1 Vier perspectieven", 13.0, True)] + _body(5), None, "4"),
             _page(7, "5", _body(9), "Een rapport", "5"),
             _page(8, "6", _body(9), "2. Sturen in netwerken", "6")]
    marks = ((0, "1. Werken aan werk", 3), (1, "1.1 Een mismatch", 4), (1, "1.2 Vraagstelling", 5),
             (0, "2. Sturen in netwerken", 6), (1, "2.1 Vier perspectieven", 6))
    return _document(pages, tuple(OutlineEntry(*m) for m in marks) if outline else ())


def _places(document: Document) -> list[tuple[str | None, str | None, tuple[str, str]]]:
    return [(s.place.chapter, s.title, (s.pages[0][0], s.pages[-1][1]))
            for s in recover(document)]


EXPECTED = [("Voorwerk", "Een rapport", ("i", "i")),
            ("1. Werken aan werk", "1. Werken aan werk", ("1", "2")),
            ("1. Werken aan werk", "1.1 Een mismatch", ("2", "3")),
            ("1. Werken aan werk", "1.2 Vraagstelling", ("3", "3")),
            ("2. Sturen in netwerken", "2. Sturen in netwerken", ("4", "4")),
            ("2. Sturen in netwerken", "2.1 Vier perspectieven", ("4", "6"))]


def test_outline_contents_page_and_font_sizes_give_the_same_sections() -> None:
    assert _places(_report(outline=True)) == EXPECTED
    assert _places(_report()) == EXPECTED  # from the contents page
    # From font sizes: the title page's title is a heading too, over the text after it.
    assert _places(_report(contents=False)) == [
        ("Een rapport", "Een rapport", ("ii", "ii"))] + EXPECTED[1:]


def test_running_heads_page_numbers_and_contents_are_never_text() -> None:
    for document in (_report(), _report(outline=True), _report(contents=False)):
        passages = chunk_sections(recover(document))
        body = "\n".join(p.text for p in passages if p.metadata.get("page_start"))
        assert "...." not in "\n".join(p.text for p in passages)
        assert "Een rapport" not in body and "Sturen in netwerken" not in body
        assert not any(line.strip().isdigit() or line.strip() in ("ii", "i")
                       for p in passages for line in p.text.split("\n"))


def test_a_short_chapter_s_running_head_goes_with_the_others() -> None:
    """'2. Sturen in netwerken' heads one page only: it stands where the repeated head stands."""
    texts = [p.text for p in chunk_sections(recover(_report()))]
    assert not any(text.startswith("2. Sturen in netwerken") for text in texts)


def test_footnotes_stay_on_their_page_apart_from_the_text() -> None:
    sections = recover(_report())
    mismatch = next(s for s in sections if s.title == "1.1 Een mismatch")
    note = next(i for i, p in enumerate(mismatch.paragraphs) if p.startswith("Voetnoot 1:"))
    assert mismatch.paragraphs[note] == "Voetnoot 1: Zie CBS (2017), Arbeidsmarkt."
    assert mismatch.pages[note] == ("2", "2")
    assert all("CBS" not in p for i, p in enumerate(mismatch.paragraphs) if i != note)


def test_passages_carry_the_printed_pages_they_stand_on() -> None:
    passages = chunk_sections(recover(_report()), max_words=60)
    perspectives = [p.metadata for p in passages if p.metadata["section"] == "2.1 Vier perspectieven"]
    assert perspectives[0]["page_start"] == 4 and perspectives[-1]["page_end"] == 6
    assert all(m["chapter"] == "2. Sturen in netwerken" for m in perspectives)


def test_an_outline_that_names_no_printed_heading_opens_at_its_page() -> None:
    marks = (OutlineEntry(0, "Hoofdstuk een", 3), OutlineEntry(0, "Hoofdstuk twee", 6))
    document = _report(contents=False)
    document = Document(document.publication, document.pages, True, marks)
    titles = [(s.title, s.pages[0][0]) for s in recover(document)]
    assert titles[1:] == [("Hoofdstuk een", "1"), ("Hoofdstuk twee", "4")]


def test_numbering_gives_the_depth_and_broken_words_are_whole() -> None:
    assert [level_of(t) for t in ("Deel A", "3. Legitimiteit", "3.2 Rollen", "3.2.1 De raad",
                                  "Samenvatting")] == [0, 1, 2, 3, 1]
    assert join_lines("regionale samen-", "werking") == "regionale samenwerking"
    assert join_lines("in Rotterdam-", "Rijnmond") == "in Rotterdam-Rijnmond"
    assert join_lines("de regio", "werkt") == "de regio werkt"


def test_a_contents_page_that_matches_nothing_gives_way_to_the_font_sizes(caplog) -> None:  # noqa: ANN001
    document = _report()
    toc = [Line("Inhoud", 16.0, True, 40.0)] + [
        Line(f"{n}. Een hoofdstuk dat er niet is ........ {n}", BODY, False, 60.0 + 12 * n)
        for n in range(1, 7)]
    pages = [document.pages[0], Page(2, "ii", "", tuple(toc)), *document.pages[2:]]
    with caplog.at_level("WARNING"):
        places = _places(_document(pages))
    assert places == EXPECTED[1:]  # the title page's title heads no text: the contents page went
    assert "past niet bij de tekst (0 van 6 koppen teruggevonden)" in caplog.text
