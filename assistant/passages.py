"""The passages of one index generation, held in memory: texts, places and BM25 terms."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import bm25s
import numpy as np

from indexing.catalog import reading_order
from indexing.places import Place

from common.sentences import split_sentences

from .lexical import Vocabulary, fold, words
from .model import Hit, ResearchRef

RESEARCH_KIND = "onderzoeksrapport"  # the manifest's kind of the report the Jaarbericht quotes


class PassageIndex:
    """Passages in reading order; a position in these lists identifies a passage."""

    def __init__(self, ids: list[str], documents: list[str], metadatas: list[dict[str, Any]],
                 vectors: Any = None, bm25_k1: float = 1.2, bm25_b: float = 0.75) -> None:
        self.ids = ids
        self.metadatas = metadatas  # as stored; read only at this edge and by the catalog
        self.places = [Place.from_metadata(m) for m in metadatas]
        self.chunk_ids = [m.get("chunk_id", chunk_id) for m, chunk_id in zip(metadatas, ids)]
        self.headers = [m.get("header", "") for m in metadatas]
        self.documents = documents  # as embedded: header and text
        self.texts = [_body(doc, header) for doc, header in zip(documents, self.headers)]
        self.by_chunk_id = {chunk_id: i for i, chunk_id in enumerate(self.chunk_ids)}
        # The research report's passages by the printed pages they stand on (reading order).
        self.research_pages: dict[int, list[int]] = {}
        for i, place in enumerate(self.places):
            if place.kind == RESEARCH_KIND and place.pages:
                for page in range(place.pages[0], place.pages[1] + 1):
                    self.research_pages.setdefault(page, []).append(i)
        self.vocabulary = Vocabulary(documents)
        # Every word form of the corpus, function words included: how much of a question is
        # written in the corpus's language (see confidence.language_share).
        self.word_forms = frozenset(w for doc in documents for w in words(doc))
        self.terms = [self.vocabulary.terms(doc) for doc in documents]
        self.bm25 = bm25s.BM25(k1=bm25_k1, b=bm25_b)
        self.bm25.index(self.terms, show_progress=False)
        # The stored dense vectors, normalised (one row per passage; empty when not given).
        matrix = np.asarray(vectors if vectors is not None else np.zeros((len(ids), 0)),
                            dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True) if matrix.size else 1.0
        self.vectors = matrix / np.where(norms == 0, 1.0, norms)
        # Per-passage analyses the confidence signals read for every question; computed once.
        self.hit_terms = lru_cache(maxsize=None)(self._hit_terms)
        self.sentence_terms = lru_cache(maxsize=None)(self._sentence_terms)
        self.folded = lru_cache(maxsize=None)(self._folded)

    @classmethod
    def from_collection(cls, collection: Any, **bm25: float) -> "PassageIndex":
        """The passages of a generation's collection, with their stored vectors (`bm25`: its
        parameters, bm25_k1 and bm25_b)."""
        data = collection.get(where={"level": "passage"},
                              include=["documents", "metadatas", "embeddings"])
        order = reading_order(data["metadatas"])
        return cls([data["ids"][i] for i in order], [data["documents"][i] for i in order],
                   [data["metadatas"][i] for i in order],
                   np.asarray([data["embeddings"][i] for i in order], dtype=np.float32), **bm25)

    def __len__(self) -> int:
        return len(self.ids)

    def hit(self, index: int) -> Hit:
        return Hit(chunk_id=self.chunk_ids[index], text=self.texts[index],
                   header=self.headers[index], place=self.places[index], position=index)

    def research_refs(self, pages: tuple[int, ...]) -> tuple[ResearchRef, ...]:
        """The research report's first passage on each of `pages`, where the report has one."""
        firsts = [(page, self.research_pages[page][0]) for page in pages
                  if self.research_pages.get(page)]
        return tuple(ResearchRef(page, self.chunk_ids[i], self.places[i].heading,
                                 self.places[i].pages) for page, i in firsts)

    def _hit_terms(self, index: int) -> frozenset[str]:
        """The index terms of a passage with its header."""
        return frozenset(self.vocabulary.terms(f"{self.headers[index]} {self.texts[index]}"))

    def _sentence_terms(self, index: int) -> list[frozenset[str]]:
        """The index terms of each sentence of a passage's text."""
        return [frozenset(self.vocabulary.terms(sentence))
                for sentence in split_sentences(self.texts[index])]

    def _folded(self, index: int) -> str:
        """A passage with its header, lowercased without accents."""
        return fold(f"{self.headers[index]} {self.texts[index]}")

    def lexical_scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query`."""
        terms = self.vocabulary.terms(query)
        if not terms:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(terms), dtype=np.float32)


def _body(document: str, header: str) -> str:
    if header and document.startswith(header):
        return document[len(header):].lstrip("\n")
    return document
