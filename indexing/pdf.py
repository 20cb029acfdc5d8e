"""Load a PDF publication page by page, with the printed page labels where it has them."""

from __future__ import annotations

import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from common.errors import CorpusError
from .model import Document, Page, Publication

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
        pages = [Page(number=index + 1, label=label, text=_clean(page.extract_text() or ""))
                 for index, (page, label) in enumerate(zip(reader.pages, labels))]
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
    return Document(publication=publication, pages=pages, paged=True)


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
