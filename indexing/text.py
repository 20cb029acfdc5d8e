"""Load Markdown and plain-text publications: read bytes, check them, return one page."""

from __future__ import annotations

from pathlib import Path

from common.errors import CorpusError
from .model import Document, Page, Publication


def read_text_file(path: Path, publication_id: str) -> str:
    """Decode a UTF-8 text file, refusing empty, binary and non-UTF-8 files in Dutch."""
    data = path.read_bytes()
    if not data.strip():
        raise CorpusError(
            f"Het bestand {path} van publicatie '{publication_id}' is leeg. Zet de tekst erin, "
            f"of haal de publicatie uit publications.toml.")
    if b"\x00" in data[:4096]:
        raise CorpusError(
            f"Het bestand {path} van publicatie '{publication_id}' is beschadigd of geen tekst "
            f"(het bevat binaire gegevens). Lever het opnieuw aan als UTF-8-tekst of als PDF.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"Het bestand {path} van publicatie '{publication_id}' is geen UTF-8-tekst "
            f"(onleesbare byte op positie {exc.start}). Sla het op als UTF-8 en indexeer opnieuw."
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_text(publication: Publication) -> Document:
    """A Markdown or plain-text file has no page numbers: one page without a label."""
    text = read_text_file(publication.file, publication.id)
    return Document(publication=publication, pages=[Page(number=None, label=None, text=text)])
