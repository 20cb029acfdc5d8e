"""Cut sections into passages: paragraph-aware, never across a section, with a context header."""

from __future__ import annotations

import re
from dataclasses import replace

from common.sentences import split_sentences

from .model import Passage, Section
from .places import context_header
from .routekaart import research_pages

# Paragraphs shorter than this (topic lines, captions) are kept with their neighbour.
MIN_WORDS = 12


def _words(text: str) -> int:
    return len(text.split())


def _pieces(paragraph: str, max_words: int) -> list[str]:
    """A paragraph, or for a long one consecutive sentence groups of at most max_words."""
    if _words(paragraph) <= max_words:
        return [paragraph]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(paragraph):
        if current and _words(" ".join(current + [sentence])) > max_words:
            pieces.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return pieces


def chunk_section(section: Section, max_words: int) -> list[tuple[list[str], list[int]]]:
    """(paragraphs, research pages) per chunk of about max_words words. A quote cut into pieces
    gives its research pages to every piece; in a research part, a paragraph that ends with a
    page reference closes its chunk, so each quote keeps its own research pages."""
    research_part = section.publication.hints.get("research_part", "Uit het onderzoek")
    quotes = section.place.part == research_part
    chunks: list[tuple[list[str], set[int]]] = []
    current: list[str] = []
    pages: set[int] = set()
    for paragraph in section.paragraphs:
        cited = set(research_pages(paragraph))
        for piece in _pieces(paragraph, max_words):
            size = sum(_words(p) for p in current)
            if current and size >= MIN_WORDS and size + _words(piece) > max_words:
                chunks.append((current, pages))
                current, pages = [], set()
            current.append(piece)
            pages |= cited
            if quotes and research_pages(piece) and sum(_words(p) for p in current) >= MIN_WORDS:
                chunks.append((current, pages))
                current, pages = [], set()
    if current:
        if chunks and sum(_words(p) for p in current) < MIN_WORDS:
            chunks[-1][0].extend(current)  # a trailing caption joins the previous chunk
            chunks[-1][1].update(pages)
        else:
            chunks.append((current, pages))
    return [(paragraphs, sorted(cited)) for paragraphs, cited in chunks]


def is_label_residue(paragraphs: list[str]) -> bool:
    """Loose figure labels ('Economie', 'Werk', '4. Ken het netwerk', 'Stadhuis'): no sentence at
    all and only a few words per line. Kept in the index, but not offered to retrieval."""
    if len(paragraphs) < 4:
        return False
    has_sentence = any(re.search(r"[^\W\d][.!?](\s|$)", p) for p in paragraphs)
    average = sum(_words(p) for p in paragraphs) / len(paragraphs)
    return not has_sentence and average < 4


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def chunk_sections(sections: list[Section], max_words: int = 120) -> list[Passage]:
    """All passages of a publication's sections, with stable ids and full metadata."""
    passages: list[Passage] = []
    used: set[str] = set()
    for section in sections:
        base = f"{section.place.publication_id}/{_slug(section.key) or 'tekst'}"
        if base in used:
            base = f"{base}-{section.order}"
        used.add(base)
        header = context_header(section.place)
        for index, (paragraphs, pages) in enumerate(chunk_section(section, max_words)):
            chunk_id = f"{base}/{index + 1}"
            place = replace(section.place, research_pages=tuple(pages))
            level = "figure" if is_label_residue(paragraphs) else "passage"
            metadata = dict(place.to_metadata(), chunk_id=chunk_id, chunk_index=index,
                            header=header, level=level, section_order=section.order)
            passages.append(Passage(chunk_id, header, "\n\n".join(paragraphs), metadata))
    return passages
