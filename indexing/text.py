"""Load Markdown and plain-text publications: read bytes, check them, return one page."""

from __future__ import annotations

from common.errors import CorpusError
from .model import Document, Page, Publication


def load_text(publication: Publication) -> Document:
    """A UTF-8 file (empty, binary and other files refused in Dutch) without page numbers: one
    page without a label."""
    path, pid = publication.file, publication.id
    data = path.read_bytes()
    if not data.strip():
        raise CorpusError(
            f"Het bestand {path} van publicatie '{pid}' is leeg. Zet de tekst erin, "
            f"of haal de publicatie uit publications.toml.")
    if b"\x00" in data[:4096]:
        raise CorpusError(
            f"Het bestand {path} van publicatie '{pid}' is beschadigd of geen tekst "
            f"(het bevat binaire gegevens). Lever het opnieuw aan als UTF-8-tekst of als PDF.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"Het bestand {path} van publicatie '{pid}' is geen UTF-8-tekst "
            f"(onleesbare byte op positie {exc.start}). Sla het op als UTF-8 en indexeer opnieuw."
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(publication=publication, pages=[Page(number=None, label=None, text=text)])
