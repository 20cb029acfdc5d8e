"""Hybrid retrieval: dense search through Chroma plus Dutch BM25, fused, with section context.

The passages of the active index generation are loaded once (texts and metadata) for BM25;
dense scores come from Chroma with the index's own embedder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np
from langchain_core.embeddings import Embeddings

from .lexical import Vocabulary
from .model import Hit


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to one publication and/or one wegwijzer."""

    publication: str | None = None
    wegwijzer: int | None = None

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = [{"level": "passage"}]
        if self.publication:
            clauses.append({"publication_id": self.publication})
        if self.wegwijzer is not None:
            clauses.append({"wegwijzer": int(self.wegwijzer)})
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, metadata: dict[str, Any]) -> bool:
        if self.publication and metadata.get("publication_id") != self.publication:
            return False
        if self.wegwijzer is not None and metadata.get("wegwijzer") != self.wegwijzer:
            return False
        return True


@dataclass
class Weights:
    """Fusion parameters, chosen by measurement on the core and dev suites.

    `fusion="zscore"` (default) standardises each list's scores over its own top candidates and
    adds them with these weights; unlike rank fusion it keeps how far ahead a passage is.
    `fusion="rrf"` is reciprocal rank fusion with `rrf_k`.
    """

    dense: float = 0.35
    lexical: float = 0.65
    fusion: str = "zscore"
    rrf_k: float = 10.0
    section: float = 0.0  # share of the best score of the passage's section added to it
    candidates: int = 40


class PassageIndex:
    """The passages of one index generation, held in memory for lexical scoring."""

    def __init__(self, ids: list[str], documents: list[str], metadatas: list[dict[str, Any]]) -> None:
        self.ids = ids
        self.metadatas = metadatas
        self.headers = [m.get("header", "") for m in metadatas]
        self.texts = [_body(doc, header) for doc, header in zip(documents, self.headers)]
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self.vocabulary = Vocabulary(documents)
        self.terms = [self.vocabulary.terms(doc) for doc in documents]
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self.bm25.index(self.terms, show_progress=False)
        self.section_of = [
            f"{m.get('publication_id')}|{m.get('chapter')}|{m.get('section')}|{m.get('part')}|"
            f"{m.get('story_title')}|{m.get('subsection')}"
            for m in metadatas
        ]

    @classmethod
    def from_collection(cls, collection: Any) -> "PassageIndex":
        data = collection.get(where={"level": "passage"}, include=["documents", "metadatas"])
        order = sorted(range(len(data["ids"])), key=lambda i: (
            data["metadatas"][i].get("publication_id", ""), data["metadatas"][i].get("section_order", 0),
            data["metadatas"][i].get("chunk_index", 0)))
        return cls([data["ids"][i] for i in order], [data["documents"][i] for i in order],
                   [data["metadatas"][i] for i in order])

    def __len__(self) -> int:
        return len(self.ids)

    def hit(self, index: int) -> Hit:
        return Hit(chunk_id=self.metadatas[index].get("chunk_id", self.ids[index]),
                   text=self.texts[index], header=self.headers[index],
                   metadata=self.metadatas[index])

    def lexical_scores(self, query: str) -> np.ndarray:
        terms = self.vocabulary.terms(query)
        if not terms:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(terms), dtype=np.float32)


def _body(document: str, header: str) -> str:
    if header and document.startswith(header):
        return document[len(header):].lstrip("\n")
    return document


def _ranks(scores: dict[int, float]) -> dict[int, int]:
    ordered = sorted(scores, key=lambda i: -scores[i])
    return {index: rank for rank, index in enumerate(ordered, start=1)}


def _rrf(lists: tuple[tuple[float, dict[int, float]], ...], k: float) -> dict[int, float]:
    fused: dict[int, float] = {}
    for weight, scores in lists:
        for index, rank in _ranks(scores).items():
            fused[index] = fused.get(index, 0.0) + weight / (k + rank)
    return fused


def _standardise(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std()) or 1.0


def _zscore_fusion(dense: dict[int, float], dense_extra: dict[int, float], lexical_all: np.ndarray,
                   lexical: dict[int, float], w: Weights) -> dict[int, float]:
    """Weighted sum of z-scores; each list is standardised over its own candidates.

    Every candidate of either list gets both scores: dense similarities for lexical candidates
    are computed exactly rather than guessed, BM25 is known for all passages.
    """
    if not dense and not lexical:
        return {}
    d_mean, d_std = _standardise(np.fromiter(dense.values(), dtype=np.float32)) if dense else (0.0, 1.0)
    if lexical:
        l_mean, l_std = _standardise(np.fromiter(lexical.values(), dtype=np.float32))
    else:  # no query term occurs in the corpus: the lexical side says nothing
        l_mean, l_std = float(lexical_all.mean()), 1.0
    similarity = {**dense_extra, **dense}
    fused: dict[int, float] = {}
    for index in set(dense) | set(lexical):
        dense_z = (similarity.get(index, d_mean) - d_mean) / d_std
        lexical_z = (float(lexical_all[index]) - l_mean) / l_std
        fused[index] = w.dense * dense_z + w.lexical * lexical_z
    return fused


def _relevance(score: float) -> float:
    """A fused z-score mapped into 0–1 for display; the order is unchanged."""
    return float(1.0 / (1.0 + np.exp(-score)))


class HybridSearch:
    """Dense (Chroma) + lexical (BM25) retrieval with reciprocal rank fusion."""

    def __init__(self, collection: Any, embeddings: Embeddings, passages: PassageIndex,
                 weights: Weights | None = None) -> None:
        self.collection = collection
        self.embeddings = embeddings
        self.passages = passages
        self.weights = weights or Weights()

    def dense_scores(self, vector: list[float], filters: Filters, n: int) -> dict[int, float]:
        """Cosine similarity of the n nearest passages, from Chroma."""
        result = self.collection.query(
            query_embeddings=[vector], n_results=max(1, min(n, len(self.passages))),
            where=filters.where(), include=["distances"],
        )
        scores: dict[int, float] = {}
        for chunk_id, distance in zip(result["ids"][0], result["distances"][0]):
            index = self.passages.position.get(chunk_id)
            if index is not None:
                scores[index] = 1.0 - float(distance)  # cosine space: similarity
        return scores

    def _complete_dense(self, vector: list[float], scores: dict[int, float],
                        indices: list[int]) -> dict[int, float]:
        """Exact cosine similarities for lexical candidates outside Chroma's nearest list."""
        missing = [i for i in indices if i not in scores]
        if not missing:
            return {}
        stored = self.collection.get(ids=[self.passages.ids[i] for i in missing],
                                     include=["embeddings"])
        query = np.asarray(vector, dtype=np.float32)
        query /= np.linalg.norm(query) or 1.0
        extra: dict[int, float] = {}
        for chunk_id, embedding in zip(stored["ids"], stored["embeddings"]):
            index = self.passages.position.get(chunk_id)
            if index is not None:
                row = np.asarray(embedding, dtype=np.float32)
                extra[index] = float(row @ query / (np.linalg.norm(row) or 1.0))
        return extra

    def search(self, query: str, k: int = 5, filters: Filters | None = None,
               extra_queries: list[str] | None = None) -> list[Hit]:
        """The k best passages for `query`, best first."""
        filters = filters or Filters()
        w = self.weights
        vector = self.embeddings.embed_query(query)
        dense = self.dense_scores(vector, filters, w.candidates)
        lexical_all = self.passages.lexical_scores(" ".join([query] + (extra_queries or [])))
        allowed = [i for i in range(len(self.passages)) if filters.accepts(self.passages.metadatas[i])]
        lexical_top = sorted(allowed, key=lambda i: -lexical_all[i])[: w.candidates]
        lexical = {i: float(lexical_all[i]) for i in lexical_top if lexical_all[i] > 0}
        extra = self._complete_dense(vector, dense, list(lexical))
        if w.fusion == "rrf":
            fused = _rrf(((w.dense, dense), (w.lexical, lexical)), w.rrf_k)
        else:
            fused = _zscore_fusion(dense, extra, lexical_all, lexical, w)
        similarity = {**extra, **dense}
        if w.section and fused:
            best: dict[str, float] = {}
            for index, score in fused.items():
                key = self.passages.section_of[index]
                best[key] = max(best.get(key, 0.0), score)
            fused = {i: s + w.section * best[self.passages.section_of[i]] for i, s in fused.items()}
        ranked = self._diversify(sorted(fused, key=lambda i: -fused[i]))[:k]
        hits = []
        for index in ranked:
            hit = self.passages.hit(index)
            hit.score = _relevance(fused[index]) if w.fusion != "rrf" else fused[index]
            hit.dense = similarity.get(index, 0.0)
            hit.lexical = float(lexical_all[index])
            hits.append(hit)
        return hits

    def _diversify(self, ranked: list[int]) -> list[int]:
        """Distinct places first: a second passage of the same section waits behind the others."""
        seen: set[str] = set()
        first, later = [], []
        for index in ranked:
            key = self.passages.section_of[index]
            (later if key in seen else first).append(index)
            seen.add(key)
        return first + later
