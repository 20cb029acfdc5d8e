"""PDF publications: printed page labels, not physical page numbers, become the passages' pages.

The research report will be added as a PDF whose printed pages (e.g. 41) differ from the
physical ones; the Jaarbericht's '(p. 41)' quotes refer to the printed pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexing.catalog import Catalog, section_line
from indexing.chunking import chunk_sections
from indexing.model import Publication
from indexing.pdf import load_pdf
from indexing.pipeline import Indexer
from indexing.structure import recover
from common.settings import Settings
from indexing_support import (
    ALL_IDS, CountingEmbeddings, add_publication, label_pages, make_text_pdf, search,
)

REPORT_ID = "onderzoeksrapport-proef"

# One page of real Dutch text per physical page; printed as i, 41, 42, 43.
PAGES = [
    "Werkende samenwerking. Handelingsopties van gemeenten voor het versterken van de "
    "regionale economie en arbeidsmarkt. Onderzoeksbijlage bij het Jaarbericht 2018.",
    "Sturen in netwerken\n\nGemeenten werken in de regio samen met werkgevers, "
    "onderwijsinstellingen en het UWV. Geen van die partijen kan de opgaven op de "
    "arbeidsmarkt alleen oplossen. Daarom is een gedeelde agenda nodig.",
    "Een attractieve agenda\n\nDe belangrijkste drijvende kracht achter regionale "
    "samenwerking is een attractieve agenda. Het gaat niet in de eerste plaats om vorm "
    "en structuren, maar om inhoud die deugt voor alle partijen aan tafel.",
    "Het weefsel van de samenwerking\n\nNaast structuur en personen gaat het om het "
    "weefsel: een gedeelde manier van denken, doen en voelen. Dat weefsel groeit niet "
    "door omvang, maar door goede relaties tussen mensen.",
]
PRINTED = ["i", "41", "42", "43"]

# Chapters over several pages: a heading opens a chapter, the pages after it continue it. A
# passage may run on over a page (never over a heading); it carries the pages it stands on.
BODY = ("Gemeenten werken in de regio samen met werkgevers, onderwijsinstellingen en het UWV. "
        "Geen van die partijen kan de opgaven op de arbeidsmarkt alleen oplossen.")
CHAPTER_PAGES = ["Voorwoord\n\n" + BODY, "Sturen in netwerken\n\n" + BODY, BODY, BODY,
                 "Een attractieve agenda\n\n" + BODY, BODY]


@pytest.fixture
def labelled_pdf(tmp_path: Path) -> Path:
    plain = make_text_pdf(tmp_path / "plain.pdf", PAGES)
    return label_pages(plain, tmp_path / "onderzoeksrapport-proef.pdf")


def _publication(path: Path) -> Publication:
    return Publication(id=REPORT_ID, title="Werkende samenwerking (proef)",
                       kind="onderzoeksrapport", publisher="NSOB", date="2018-06", file=path)


def test_load_pdf_returns_printed_labels(labelled_pdf: Path) -> None:
    document = load_pdf(_publication(labelled_pdf))
    assert document.paged is True
    assert [page.number for page in document.pages] == [1, 2, 3, 4]
    assert [page.label for page in document.pages] == PRINTED
    assert "attractieve agenda" in document.pages[2].text
    assert "weefsel" in document.pages[3].text


def test_load_pdf_without_labels_uses_physical_numbers(tmp_path: Path) -> None:
    plain = make_text_pdf(tmp_path / "zonder-labels.pdf", PAGES[:2])
    document = load_pdf(_publication(plain))
    assert [page.label for page in document.pages] == ["1", "2"]


def _chapter_lines(pdf: Path) -> tuple[list[str], Catalog]:
    """The `wegwijzer inspect` lines of a PDF's chapters, as built from its stored passages."""
    passages = chunk_sections(recover(load_pdf(_publication(pdf))))
    assert len({p.chunk_id for p in passages}) == len(passages), "chunk ids must be unique"
    # Chroma returns the passages in no particular order: the catalog must restore it.
    catalog = Catalog.from_passages([p.metadata for p in reversed(passages)])
    return [section_line(s) for s in catalog.publications[0].sections], catalog


def test_pdf_chapters_show_their_printed_page_range(tmp_path: Path) -> None:
    plain = make_text_pdf(tmp_path / "plain.pdf", CHAPTER_PAGES)
    labelled = label_pages(plain, tmp_path / "hoofdstukken.pdf")  # printed i, 41, 42, …, 45

    lines, catalog = _chapter_lines(labelled)
    assert lines == [
        "Voorwoord · p. i · 1 passages",
        "Sturen in netwerken · p. 41–43 · 1 passages",
        "Een attractieve agenda · p. 44–45 · 1 passages",
    ]
    chapters = catalog.publications[0].sections
    assert [s.pages for s in chapters] == [None, [41, 43], [44, 45]]  # `inspect --json`
    assert [s.page_labels for s in chapters] == [["i", "i"], ["41", "43"], ["44", "45"]]

    # Without page labels the physical pages count.
    lines, _ = _chapter_lines(plain)
    assert lines == [
        "Voorwoord · p. 1 · 1 passages",
        "Sturen in netwerken · p. 2–4 · 1 passages",
        "Een attractieve agenda · p. 5–6 · 1 passages",
    ]


def test_indexed_pdf_passages_carry_printed_pages(index_copy: Settings, labelled_pdf: Path,
                                                  counting_embeddings: CountingEmbeddings) -> None:
    corpus = index_copy.corpus_dir
    labelled_pdf.rename(corpus / labelled_pdf.name)
    add_publication(corpus, id=REPORT_ID, file=labelled_pdf.name, kind="onderzoeksrapport",
                    title="Werkende samenwerking. Handelingsopties van gemeenten (proef)",
                    publisher="NSOB / Erasmus Universiteit Rotterdam")

    indexer = Indexer(index_copy, embeddings=counting_embeddings)
    report = indexer.build()

    # Incremental: only the new publication was embedded.
    assert report.publications == len(ALL_IDS) + 1
    assert report.added == len(counting_embeddings.texts) > 0
    assert report.deleted == 0
    report_metas = [m for m in indexer.all_metadata() if m["publication_id"] == REPORT_ID]
    assert len(report_metas) == report.added

    by_label = {m["page_label_start"]: m for m in report_metas}
    assert sorted(by_label) == sorted(PRINTED)
    for label in ("41", "42", "43"):
        meta = by_label[label]
        assert meta["page_start"] == meta["page_end"] == int(label)
        assert meta["page_label_end"] == label
        assert meta["kind"] == "onderzoeksrapport"
    # The roman title page keeps its label but has no numeric page.
    assert "page_start" not in by_label["i"]
    # No physical page numbers leak into the metadata.
    assert not {m.get("page_start") for m in report_metas} & {1, 2, 3, 4}

    # The passage on printed page 42 is the one with physical page 3's text.
    hits = search(index_copy, counting_embeddings,
                  "Wat is de belangrijkste drijvende kracht achter regionale samenwerking?",
                  k=1, filter={"publication_id": REPORT_ID})
    assert hits[0].metadata["page_label_start"] == "42"
    assert "attractieve agenda" in hits[0].page_content

    # `wegwijzer inspect` shows the printed pages, in reading order.
    summary = next(p for p in indexer.inspect() if p.id == REPORT_ID)
    assert [section_line(s) for s in summary.sections] == [
        "Werkende samenwerking. Handelingsopties van gemeenten (proef) · p. i · 1 passages",
        "Sturen in netwerken · p. 41 · 1 passages",
        "Een attractieve agenda · p. 42 · 1 passages",
        "Het weefsel van de samenwerking · p. 43 · 1 passages",
    ]


def _set_pdf(path: Path, pages: list[list[tuple[str, str, int]]]) -> Path:
    """A PDF whose pages hold (text, style, size) lines, set as a typesetter would."""
    from fpdf import FPDF

    pdf = FPDF()
    for lines in pages:
        pdf.add_page()
        for text, style, size in lines:
            pdf.set_font("Helvetica", style, size)
            pdf.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    pdf.output(str(path))
    return path


def test_a_maintainer_s_small_pdf_gets_its_numbered_chapters(tmp_path: Path) -> None:
    """Labels i, ii, 5, 6, 7 and a heading '1. Waarom op pad?' set larger: p. 5 is cited as that
    chapter, not as the foreword; the contents page is never passage text."""
    from pypdf import PdfWriter

    body = [(BODY, "", 11)]
    plain = _set_pdf(tmp_path / "plain.pdf", [
        [("Op pad in de regio", "B", 20)],
        [("Inhoud", "B", 14), ("Voorwoord ........ ii", "", 11),
         ("1. Waarom op pad? ........ 5", "", 11), ("2. De route ........ 7", "", 11)],
        [("1. Waarom op pad?", "B", 14), *body],
        body * 2,
        [("2. De route", "B", 14), *body]])
    writer = PdfWriter(clone_from=str(plain))
    writer.set_page_label(0, 1, style="/r")
    writer.set_page_label(2, 4, style="/D", start=5)
    writer.write(str(tmp_path / "klein.pdf"))

    lines, _ = _chapter_lines(tmp_path / "klein.pdf")
    assert lines[1:] == ["1. Waarom op pad? · p. 5–6 · 1 passages", "2. De route · p. 7 · 1 passages"]
    passages = chunk_sections(recover(load_pdf(_publication(tmp_path / "klein.pdf"))))
    assert not any("........" in p.text or "Inhoud" in p.text for p in passages)


def test_an_outline_to_a_missing_page_is_left_out_and_logged(tmp_path: Path, caplog) -> None:  # noqa: ANN001
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, NullObject

    plain = _set_pdf(tmp_path / "plain.pdf", [[("Hoofdstuk een", "B", 16), (BODY, "", 11)],
                                              [("Hoofdstuk twee", "B", 16), (BODY, "", 11)]])
    writer = PdfWriter(clone_from=str(plain))
    writer.add_outline_item(title="Hoofdstuk een", page_number=0)
    broken = writer.add_outline_item(title="Hoofdstuk twee", page_number=1)
    broken[NameObject("/A")][NameObject("/D")][0] = NullObject()  # to no page of the file
    writer.write(str(tmp_path / "kapot.pdf"))

    with caplog.at_level("WARNING"):
        document = load_pdf(_publication(tmp_path / "kapot.pdf"))
    assert document.outline == ()
    assert "wijzen naar een pagina die niet bestaat" in caplog.text
    titles = [s.title for s in recover(document)]
    assert titles == ["Hoofdstuk een", "Hoofdstuk twee"]  # from the font sizes
