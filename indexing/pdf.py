"""Load a PDF publication page by page, with the printed page labels where it has them, each
page's lines with their font size and weight, and the outline (bookmarks)."""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from common.errors import CorpusError
from .model import Document, Line, OutlineEntry, Page, Publication

log = logging.getLogger(__name__)
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)

# A page with fewer extractable characters than this holds no real text (a scan or an image).
MIN_TEXT_CHARS = 20


def load_pdf(publication: Publication) -> Document:
    """Text per page, labelled with pypdf's page labels, else the physical page number."""
    path = publication.file
    if path.stat().st_size == 0:
        raise CorpusError(
            f"Het PDF-bestand {path} van publicatie '{publication.id}' is leeg. Lever het "
            f"opnieuw aan, of haal de publicatie uit publications.toml.")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise CorpusError(
                f"Het PDF-bestand {path} van publicatie '{publication.id}' is versleuteld. "
                f"Lever een versie zonder wachtwoord of beveiliging aan en indexeer opnieuw.")
        labels = _page_labels(reader)
        pages = [Page(number=index + 1, label=label, text=_clean(page.extract_text() or ""),
                      lines=_lines(page))
                 for index, (page, label) in enumerate(zip(reader.pages, labels))]
        outline = _outline(reader, publication.id)
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(
            f"Het PDF-bestand {path} van publicatie '{publication.id}' is beschadigd of geen "
            f"geldige PDF ({type(exc).__name__}: {exc}). Exporteer of download het opnieuw."
        ) from exc
    if not pages:
        raise CorpusError(
            f"Het PDF-bestand {path} van publicatie '{publication.id}' heeft geen pagina's. "
            f"Lever een volledige PDF aan.")
    if sum(len(p.text.strip()) for p in pages) < MIN_TEXT_CHARS * max(1, len(pages) // 4):
        raise CorpusError(
            f"Het PDF-bestand {path} van publicatie '{publication.id}' bevat geen uitleesbare "
            f"tekst (waarschijnlijk een scan). Laat er eerst tekstherkenning (OCR) op los, of "
            f"lever een PDF met tekst aan.")
    return Document(publication=publication, pages=pages, paged=True, outline=outline)


def _page_labels(reader: PdfReader) -> list[str]:
    count = len(reader.pages)
    try:
        labels = list(reader.page_labels)
    except (PdfReadError, PyPdfError, KeyError, ValueError, TypeError):
        labels = []
    if len(labels) != count:
        return [str(i + 1) for i in range(count)]
    return [str(label) if str(label).strip() else str(i + 1) for i, label in enumerate(labels)]


def _clean(text: str) -> str:
    # pypdf keeps hyphenation at line ends ("samen-\nwerking"); rejoin those words.
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return text.replace("\r", "\n")


def _lines(page: PageObject) -> tuple[Line, ...]:
    """The page's text as set lines: fragments at one height join into a line, whose size and
    weight are those of most of its characters. A much smaller run of digits inside a line is a
    footnote marker and is left out."""
    height = float(page.mediabox.height)
    lines: list[list[Any]] = []  # [parts, top, {(size, bold): characters}]

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        size = float(size or 0) * (math.hypot(tm[2], tm[3]) or 1) * (math.hypot(cm[2], cm[3]) or 1)
        top = height - (tm[5] * (cm[3] or 1) + cm[5])
        bold = bool(BOLD_FONT.search(str((font or {}).get("/BaseFont", ""))))
        for number, piece in enumerate(text.split("\n")):
            if not piece.strip():
                continue
            line = lines[-1] if lines and number == 0 else None
            main = max(line[2], key=line[2].get)[0] if line and line[2] else size
            # A raised footnote marker sits a little above its line: the line's size decides.
            if line is None or abs(line[1] - top) > max(size, main, 1) * 0.5:
                line = [[], top, {}]
                lines.append(line)
                main = size
            if piece.strip().isdigit() and size < 0.8 * main:
                continue  # a raised footnote marker ('werk.3')
            line[0].append(piece)
            line[2][(round(size, 1), bold)] = line[2].get((round(size, 1), bold), 0) + len(piece)

    page.extract_text(visitor_text=visit)
    result = []
    for parts, top, runs in lines:
        text = re.sub(r"\s+", " ", "".join(parts)).strip()
        size, bold = max(runs, key=runs.get)
        result.append(Line(text, size, bold, round(top, 1)))
    return tuple(result)


def _outline(reader: PdfReader, publication_id: str) -> tuple[OutlineEntry, ...]:
    """The bookmarks, flattened with their depth. One that points to no page of the file makes
    the whole outline untrustworthy: structure then comes from the table of contents."""
    entries: list[OutlineEntry] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except (PdfReadError, PyPdfError, KeyError, ValueError, TypeError, AttributeError):
                page = None
            entries.append(OutlineEntry(level, re.sub(r"\s+", " ", str(item.title)).strip(),
                                        page + 1 if page is not None and page >= 0 else 0))

    try:
        walk(reader.outline, 0)
    except (PdfReadError, PyPdfError, KeyError, ValueError, TypeError, AttributeError) as exc:
        log.warning("De inhoudsopgave (bladwijzers) van '%s' is onleesbaar (%s); de structuur "
                    "komt uit de inhoudspagina of de koppen.", publication_id, exc)
        return ()
    missing = [e.title for e in entries if not 1 <= e.page <= len(reader.pages)]
    if missing:
        log.warning("%d bladwijzer(s) van '%s' wijzen naar een pagina die niet bestaat (%s); de "
                    "structuur komt uit de inhoudspagina of de koppen.", len(missing),
                    publication_id, missing[0])
        return ()
    return tuple(entries)
