"""The stand-in research report (benchmarks/standin_report.py), read back with pypdf.

The full-size variants (260 pages, with and without outline) are built once per module and
take a few seconds with the text extraction, so those tests are `slow`; a 40-page variant
keeps the essentials in `make test-fast`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `benchmarks` is a namespace package in the repository root
    sys.path.insert(0, str(ROOT))

from benchmarks.standin_report import TITLE, StandIn, build, main  # noqa: E402

ROMAN = re.compile(r"^[ivxlc]+$")
HYPHEN = re.compile(r"(?<=[^\W\d_])-\n(?=[^\W\d_])")
MARK = re.compile(r"(?<=[^\W\d_]\.|'\.)\d+(?=\s|$)")  # a footnote mark after a sentence


class Read:
    """A built stand-in and what pypdf makes of it."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin
        self.reader = PdfReader(standin.path)
        self.texts = [page.extract_text() for page in self.reader.pages]

    def page(self, printed: int) -> str:
        return self.texts[self.standin.labels.index(str(printed))]

    def body(self, first: int, last: int) -> str:
        """The running text of printed pages first..last: no heads, footers or footnotes."""
        kept = []
        for printed in range(first, last + 1):
            notes = set(self.standin.footnotes.get(printed, ()))
            kept += [line for line in self.page(printed).splitlines()
                     if line not in self.standin.furniture and line not in notes]
        return "\n".join(kept)


def normal(text: str) -> str:
    """Lines joined, hyphenation undone, footnote marks dropped, whitespace collapsed."""
    return " ".join(MARK.sub("", HYPHEN.sub("", text)).split())


def outline_entries(reader: PdfReader) -> list[tuple[str, int, int]]:
    entries: list[tuple[str, int, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((item.title, depth, reader.get_destination_page_number(item)))
    walk(reader.outline, 0)
    return entries


def expected_outline(standin: StandIn) -> list[tuple[str, int, int]]:
    # 'Samenvatting' comes before the parts, so it is a top-level bookmark.
    return [(h.printed, h.level if h.number else 0, h.physical - 1) for h in standin.headings]


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Read:
    return Read(build(tmp_path_factory.mktemp("standin") / "werkende-samenwerking.pdf"))


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> StandIn:
    return build(tmp_path_factory.mktemp("standin") / "zonder-outline.pdf", outline=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Read:
    return Read(build(tmp_path_factory.mktemp("standin") / "klein.pdf", pages=40))


def check_labels(standin: StandIn, reader: PdfReader) -> None:
    assert reader.page_labels == list(standin.labels)
    first_body = standin.labels.index("1")
    assert first_body >= 4 and all(ROMAN.match(label) for label in standin.labels[:first_body])
    assert [int(label) for label in standin.labels[first_body:]] == list(
        range(1, len(standin.labels) - first_body + 1))  # so never the physical number


def check_features(read: Read) -> None:
    standin = read.standin
    assert {h.printed for h in standin.headings if h.level == 0} == {"Deel A", "Deel B"}
    assert {h.level for h in standin.headings} == {0, 1, 2, 3}
    assert standin.footnotes and len(standin.hyphenated) >= 10
    assert "Tabel 1. De vijf onderzochte regio's" in read.page(standin.table_page)
    assert sum("Tabel 1." in text for text in read.texts) == 1
    # The two-column page is the one body page whose running text has only short lines.
    short = [printed for printed in range(1, int(standin.labels[-1]) + 1)
             if max(map(len, read.body(printed, printed).splitlines() or [""])) < 70]
    parts = {h.page_start for h in standin.headings if h.level == 0}
    assert [printed for printed in short if printed not in parts] == [standin.two_column_page]


@pytest.mark.slow
def test_the_full_report_has_about_260_pages_with_roman_and_then_arabic_labels(
        full: Read, bare: StandIn) -> None:
    assert 250 <= len(full.reader.pages) <= 270
    check_labels(full.standin, full.reader)
    check_labels(bare, PdfReader(bare.path))
    assert full.standin.labels[:7] == ("i", "ii", "iii", "iv", "v", "vi", "1")


@pytest.mark.slow
def test_chapter_one_and_two_start_where_the_real_report_has_them(full: Read) -> None:
    start = {h.printed: h.page_start for h in full.standin.headings}
    assert start["1. Werken aan de arbeidsmarkt"] == 7
    assert start["1.1 Lokaal bestuur: werken aan werk"] == 8
    assert start["1.2 Een mismatch op de arbeidsmarkt"] == 8
    assert start["1.3 Vraagstelling"] == 22
    assert start["2. Sturen in netwerken"] == 25
    levels = [h.level for h in full.standin.headings if h.number]
    assert levels.count(1) in (8, 9) and 35 <= levels.count(2) <= 45 and levels.count(3) >= 5


@pytest.mark.slow
def test_the_outline_points_at_every_heading_and_the_bare_variant_has_none(
        full: Read, bare: StandIn) -> None:
    assert outline_entries(full.reader) == expected_outline(full.standin)
    assert PdfReader(bare.path).outline == []
    assert bare.headings == full.standin.headings and bare.labels == full.standin.labels


@pytest.mark.slow
def test_every_heading_is_printed_on_its_start_page_and_listed_in_the_contents(
        full: Read) -> None:
    standin = full.standin
    contents = "\n".join(text for text, label in zip(full.texts, standin.labels)
                         if ROMAN.match(label) and " ..." in text)
    assert contents.startswith("Inhoud")
    for h in standin.headings:
        lines = full.texts[h.physical - 1].splitlines()
        assert h.printed in lines, h
        assert standin.labels[h.physical - 1] == str(h.page_start) and h.page_end >= h.page_start
        entry = f"{h.printed} {h.title}" if h.level == 0 else h.printed
        assert re.search(rf"^{re.escape(entry)} \.+ {h.page_start}$", contents, re.MULTILINE), entry


@pytest.mark.slow
def test_body_pages_carry_running_heads_and_their_printed_page_number(full: Read) -> None:
    standin = full.standin
    parts = {h.physical for h in standin.headings if h.level == 0}
    chapters = [h for h in standin.headings if h.level == 1]
    for physical, (label, text) in enumerate(zip(standin.labels, full.texts), start=1):
        if ROMAN.match(label):
            continue
        lines = text.splitlines()
        if physical in parts:
            assert label not in lines and TITLE not in lines
            continue
        chapter = [h for h in chapters if h.physical <= physical][-1]
        assert lines[0] == (TITLE if int(label) % 2 == 0 else chapter.printed)
        assert lines[-1] == label
    assert {TITLE, "1. Werken aan de arbeidsmarkt", "23"} <= standin.furniture


@pytest.mark.slow
def test_footnotes_sit_at_the_bottom_of_the_page_of_their_mark(full: Read) -> None:
    assert len(full.standin.footnotes) >= 20
    for printed, notes in full.standin.footnotes.items():
        lines = full.page(printed).splitlines()
        assert lines[-1 - len(notes):-1] == list(notes)
        for note in notes:
            number = note.split()[0]
            assert any(match.group() == number for match in MARK.finditer(full.page(printed)))


@pytest.mark.slow
def test_one_two_column_page_one_table_and_hyphenated_line_ends(full: Read) -> None:
    check_features(full)
    for word, printed in full.standin.hyphenated:
        joined = {a + b for a, b in re.findall(r"([^\W\d_]+)-\n([^\W\d_]+)", full.page(printed))}
        assert word in joined, (word, printed)


@pytest.mark.slow
def test_each_fact_and_paragraph_can_be_found_in_its_own_pages(full: Read) -> None:
    standin = full.standin
    everything = normal(full.body(1, int(standin.labels[-1])))
    sections = {h.number: h for h in standin.headings if h.level == 2}
    assert set(standin.facts) == set(sections)
    facts = [fact for section_facts in standin.facts.values() for fact in section_facts]
    assert len(facts) == len(set(facts))
    for number, section_facts in standin.facts.items():
        assert 2 <= len(section_facts) <= 3
        own = normal(full.body(sections[number].page_start, sections[number].page_end))
        for fact in section_facts:
            assert fact in own and everything.count(fact) == 1, fact
            assert fact in standin.text[number]
    for key, text in standin.text.items():
        for paragraph in text.split("\n\n"):
            assert 60 <= len(paragraph.split()) <= 150, (key, paragraph)
            assert normal(paragraph) in everything, (key, paragraph)


def test_a_small_variant_keeps_every_feature(small: Read) -> None:
    standin = small.standin
    assert 30 <= len(small.reader.pages) <= 50
    check_labels(standin, small.reader)
    check_features(small)
    assert outline_entries(small.reader) == expected_outline(standin)
    for h in standin.headings:
        assert h.printed in small.texts[h.physical - 1].splitlines()
    everything = normal(small.body(1, int(standin.labels[-1])))
    assert all(fact in everything for facts in standin.facts.values() for fact in facts)


def test_the_same_arguments_give_the_same_bytes_and_the_command_says_what_it_made(
        small: Read, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "opnieuw.pdf"
    assert main([str(out), "--pages", "40"]) == 0
    assert out.read_bytes() == small.standin.path.read_bytes()
    said = capsys.readouterr().out
    assert said.strip() == (f"{out}: {len(small.standin.labels)} pagina's, 2 hoofdstukken, "
                            "7 paragrafen, met bladwijzers.")
