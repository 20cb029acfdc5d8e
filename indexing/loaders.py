"""Loaders registered by file suffix: each turns a Publication into a Document."""

from __future__ import annotations

from typing import Callable

from common.errors import CorpusError
from .model import Document, Publication
from .pdf import load_pdf
from .text import load_text

Loader = Callable[[Publication], Document]

LOADERS: dict[str, Loader] = {".md": load_text, ".markdown": load_text, ".txt": load_text,
                              ".pdf": load_pdf}


def load(publication: Publication) -> Document:
    suffix = publication.file.suffix.lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        raise CorpusError(
            f"Het bestand {publication.file} van publicatie '{publication.id}' heeft een onbekend "
            f"formaat ('{suffix}'). Lever het aan als {', '.join(sorted(LOADERS))}.")
    try:
        return loader(publication)
    except OSError as exc:
        raise CorpusError(
            f"Het bestand {publication.file} van publicatie '{publication.id}' kan niet worden "
            f"gelezen ({exc.strerror or exc}). Controleer of het bestaat en leesbaar is.") from exc
