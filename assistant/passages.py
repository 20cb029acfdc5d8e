"""The passages of one index generation, held in memory: texts, places and BM25 terms."""

from __future__ import annotations

from typing import Any

import bm25s
import numpy as np

from indexing.catalog import reading_order
from indexing.places import Place

from .lexical import Vocabulary, words
from .model import Hit


class PassageIndex:
    """Passages in reading order; a position in these lists identifies a passage."""

    def __init__(self, ids: list[str], documents: list[str], metadatas: list[dict[str, Any]]) -> None:
        self.ids = ids
        self.metadatas = metadatas  # as stored; read only at this edge and by the catalog
        self.places = [Place.from_metadata(m) for m in metadatas]
        self.chunk_ids = [m.get("chunk_id", chunk_id) for m, chunk_id in zip(metadatas, ids)]
        self.headers = [m.get("header", "") for m in metadatas]
        self.texts = [_body(doc, header) for doc, header in zip(documents, self.headers)]
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self.by_chunk_id = {chunk_id: i for i, chunk_id in enumerate(self.chunk_ids)}
        self.vocabulary = Vocabulary(documents)
        # Every word form of the corpus, function words included: how much of a question is
        # written in the corpus's language (see confidence.language_share).
        self.word_forms = frozenset(w for doc in documents for w in words(doc))
        self.terms = [self.vocabulary.terms(doc) for doc in documents]
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self.bm25.index(self.terms, show_progress=False)

    @classmethod
    def from_collection(cls, collection: Any) -> "PassageIndex":
        data = collection.get(where={"level": "passage"}, include=["documents", "metadatas"])
        order = reading_order(data["metadatas"])
        return cls([data["ids"][i] for i in order], [data["documents"][i] for i in order],
                    [data["metadatas"][i] for i in order])

    def __len__(self) -> int:
        return len(self.ids)

    def hit(self, index: int) -> Hit:
        return Hit(chunk_id=self.chunk_ids[index], text=self.texts[index],
                   header=self.headers[index], place=self.places[index])

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
