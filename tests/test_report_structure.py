"""The research report's structure, recovered from the stand-in PDF (benchmarks/standin_report.py)
by the indexing path a maintainer's PDF takes: with and without an outline, every chapter and
numbered section with its printed pages, no running head, page number or contents line in any
passage, footnotes apart, broken words whole, and citations that name the section.

The 40-page stand-in runs in `make test-fast`; the full 260 pages are `slow`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from indexing.catalog import Catalog, outline_lines
from indexing.chunking import chunk_sections
from indexing.model import Passage, Publication, Section
from indexing.pdf import load_pdf
from indexing.places import Place, describe_place
from indexing.structure import recover

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `benchmarks` is a namespace package in the repository root
    sys.path.insert(0, str(ROOT))

from benchmarks.standin_report import StandIn, build  # noqa: E402

SHORT = "Onderzoeksrapport 'Werkende samenwerking'"


class Recovered:
    """A stand-in, and the sections and passages the indexing path makes of it."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin
        publication = Publication(
            id="onderzoeksrapport-2018-werkende-samenwerking", kind="onderzoeksrapport",
            title="Werkende samenwerking. Handelingsopties van gemeenten", short_title=SHORT,
            publisher="NSOB / Erasmus Universiteit Rotterdam", date="2018-06", file=standin.path)
        self.sections: list[Section] = recover(load_pdf(publication))
        self.passages: list[Passage] = chunk_sections(self.sections)

    def pages_of(self, heading: str) -> tuple[int, int] | None:
        """The printed pages of everything under a heading (its subsections included)."""
        pages = [int(page) for s in self.sections
                 if heading in (s.place.chapter, s.place.section, s.place.subsection)
                 or (s.place.division or "").startswith(heading)
                 for pair in s.pages for page in pair if page.isdigit()]
        return (min(pages), max(pages)) if pages else None


@pytest.fixture(scope="module", params=[True, False], ids=["bladwijzers", "inhoudspagina"])
def small(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Recovered:
    folder = tmp_path_factory.mktemp("standin")
    return Recovered(build(folder / "rapport.pdf", outline=request.param, pages=40))


@pytest.fixture(scope="module", params=[True, False], ids=["bladwijzers", "inhoudspagina"])
def full(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Recovered:
    folder = tmp_path_factory.mktemp("standin-full")
    return Recovered(build(folder / "rapport.pdf", outline=request.param))


def _check_headings(report: Recovered) -> None:
    """Chapters and (sub)sections with their printed pages; the parts ('Deel A') over them. A
    part's title page holds no passage, so its pages are those of its chapters."""
    part = None
    for heading in report.standin.headings:
        if heading.level == 0:
            part = heading.printed
            continue
        assert report.pages_of(heading.printed) == (heading.page_start, heading.page_end), (
            heading.printed)
        divisions = {s.place.division for s in report.sections
                     if heading.printed in (s.place.chapter, s.place.section)}
        assert all((d or "").startswith(part or "\0") for d in divisions) if part else (
            divisions == {None}), heading.printed


def _check_clean_text(report: Recovered) -> None:
    standin = report.standin
    heads = {f for f in standin.furniture if not f.isdigit()}
    for passage in report.passages:
        lines = [line.strip() for line in passage.text.split("\n") if line.strip()]
        assert not any(re.fullmatch(r"\d{1,3}|[ivxlc]{1,5}", line) for line in lines), passage.text
        if passage.metadata.get("page_start"):  # the body: no running head in any passage
            assert not heads & set(lines), passage.chunk_id
            assert not any(head in passage.text for head in heads if len(head) > 30)
        assert not re.search(r"\.{4,}", passage.text), "a contents line became text"
    text = re.sub(r"\s+", " ", " ".join(p.text for p in report.passages))
    for word, _ in standin.hyphenated:
        assert word in text
    for facts in standin.facts.values():
        for fact in facts:
            assert fact in text


def _check_footnotes(report: Recovered) -> None:
    notes = {f"Voetnoot {n.split(' ', 1)[0]}: {n.split(' ', 1)[1]}": page
             for page, lines in report.standin.footnotes.items() for n in lines}
    found = {}
    for section in report.sections:
        for paragraph, (first, last) in zip(section.paragraphs, section.pages):
            if paragraph.startswith("Voetnoot "):
                found[paragraph] = int(first)
                assert first == last
            else:
                assert "Voetnoot" not in paragraph
    assert found == notes


def _check_labels(report: Recovered) -> None:
    labels = report.standin.labels
    first_body = labels.index("1")
    front = [p.metadata for p in report.passages if p.metadata.get("page_label_start") in
             set(labels[:first_body])]
    assert front and all("page_start" not in m for m in front)  # roman: no page number
    body = [p.metadata for p in report.passages if "page_start" in p.metadata]
    assert min(m["page_start"] for m in body) == 1
    assert max(m["page_end"] for m in body) == int(labels[-1])
    assert all(m["page_start"] <= m["page_end"] for m in body)


def test_small_stand_in_sections_and_pages(small: Recovered) -> None:
    _check_headings(small)
    _check_labels(small)


def test_small_stand_in_text_is_clean(small: Recovered) -> None:
    _check_clean_text(small)
    _check_footnotes(small)


def test_citations_and_inspect_name_the_section(small: Recovered) -> None:
    passage = next(p for p in small.passages
                   if p.metadata.get("section") == "1.1 Lokaal bestuur: werken aan werk")
    place = Place.from_metadata(passage.metadata)
    assert describe_place(place) == (
        f"{SHORT} · 1.1 Lokaal bestuur: werken aan werk · p. {place.page_start}"
        + (f"–{place.page_end}" if place.page_end != place.page_start else ""))
    assert passage.metadata["chapter"] == "1. Werken aan de arbeidsmarkt"
    assert passage.metadata["division"].startswith("Deel A")

    catalog = Catalog.from_passages([p.metadata for p in reversed(small.passages)])
    lines = [line for _, line in outline_lines(catalog.publications[0])]
    chapter = next(h for h in small.standin.headings if h.printed.startswith("1. "))
    assert f"{chapter.printed} · p. {chapter.page_start}–{chapter.page_end}" in lines
    assert any(line.startswith("Deel B") for line in lines)


@pytest.mark.slow
def test_full_stand_in(full: Recovered) -> None:
    assert len(full.standin.labels) >= 250
    _check_headings(full)
    _check_labels(full)
    _check_clean_text(full)
    _check_footnotes(full)
