"""Hybrid retrieval: dense search through Chroma plus Dutch BM25, fused by z-scores.

The passages of the active index generation are loaded once (texts and metadata) for BM25;
dense scores come from Chroma with the index's own embedder. Distinct places come first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np
from langchain_core.embeddings import Embeddings

from .lexical import Vocabulary, content_words, fold
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
    candidates: int = 40
    # Also embed the question's content words alone: wordy questions ("I'm a new alderman; …")
    # then weigh less on their framing. The dense score is the mean over both views.
    keyword_view: bool = True


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


def place_key(metadata: dict[str, Any]) -> str:
    """The place a passage belongs to: publication, chapter, section, part, story, subsection."""
    m = metadata
    return (f"{m.get('publication_id')}|{m.get('chapter')}|{m.get('section')}|{m.get('part')}|"
            f"{m.get('story_title')}|{m.get('subsection')}")


def distinct_places_first(hits: list[Hit]) -> list[Hit]:
    """Keep the order, but a second passage of the same place waits behind the others."""
    seen: set[str] = set()
    first, later = [], []
    for hit in hits:
        key = place_key(hit.metadata)
        (later if key in seen else first).append(hit)
        seen.add(key)
    return first + later


def _body(document: str, header: str) -> str:
    if header and document.startswith(header):
        return document[len(header):].lstrip("\n")
    return document


def _ranks(scores: dict[int, float]) -> dict[int, int]:
    ordered = sorted(scores, key=lambda i: -scores[i])
    return {index: rank for rank, index in enumerate(ordered, start=1)}


def _rrf(lists: Sequence[tuple[float, dict[int, float]]], k: float) -> dict[int, float]:
    fused: dict[int, float] = {}
    for weight, scores in lists:
        for index, rank in _ranks(scores).items():
            fused[index] = fused.get(index, 0.0) + weight / (k + rank)
    return fused


def _z(value: float, stats: tuple[float, float]) -> float:
    return (value - stats[0]) / stats[1]


def _stats(values: Iterable[float]) -> tuple[float, float]:
    array = np.fromiter(values, dtype=np.float32)
    if not array.size:
        return 0.0, 1.0
    return float(array.mean()), float(array.std()) or 1.0


def _zscore_fusion(dense: Sequence[dict[int, float]], similarity: Sequence[dict[int, float]],
                   lexical_all: np.ndarray, lexical: dict[int, float], w: Weights) -> dict[int, float]:
    """Weighted sum of z-scores over the candidates of every list.

    `dense` holds, per query view, Chroma's nearest passages; each view is standardised over
    those. `similarity` holds, per view, the exact cosine similarity of every candidate, so a
    lexical candidate is scored by what it is, not guessed. BM25 is standardised over its own
    candidates (`lexical`) and known for all passages (`lexical_all`).
    """
    candidates = set(lexical).union(*dense) if dense else set(lexical)
    if not candidates:
        return {}
    view_stats = [_stats(scores.values()) for scores in dense]
    lexical_stats = _stats(lexical.values()) if lexical else (float(lexical_all.mean()), 1.0)
    fused: dict[int, float] = {}
    for index in candidates:
        dense_z = [_z(sims.get(index, stats[0]), stats) for sims, stats in zip(similarity, view_stats)]
        fused[index] = (w.dense * (sum(dense_z) / len(dense_z) if dense_z else 0.0)
                        + w.lexical * _z(float(lexical_all[index]), lexical_stats))
    return fused


def _relevance(score: float) -> float:
    """A fused z-score mapped into 0–1 for display; the order is unchanged."""
    return float(1.0 / (1.0 + np.exp(-score)))


class HybridSearch:
    """Dense (Chroma) + lexical (BM25) retrieval, fused by z-scores (or reciprocal ranks)."""

    def __init__(self, collection: Any, embeddings: Embeddings, passages: PassageIndex,
                 weights: Weights | None = None) -> None:
        self.collection = collection
        self.embeddings = embeddings
        self.passages = passages
        self.weights = weights or Weights()

    def query_views(self, query: str) -> list[str]:
        """The texts embedded for a question: itself and, if different, its content words."""
        views = [query]
        if self.weights.keyword_view:
            keywords = " ".join(content_words(query))
            if keywords and keywords != fold(query).strip():
                views.append(keywords)
        return views

    def dense_scores(self, vectors: list[list[float]], filters: Filters, n: int) -> list[dict[int, float]]:
        """Per query vector, the cosine similarity of its n nearest passages, from Chroma."""
        result = self.collection.query(
            query_embeddings=vectors, n_results=max(1, min(n, len(self.passages))),
            where=filters.where(), include=["distances"],
        )
        lists: list[dict[int, float]] = []
        for ids, distances in zip(result["ids"], result["distances"]):
            scores: dict[int, float] = {}
            for chunk_id, distance in zip(ids, distances):
                index = self.passages.position.get(chunk_id)
                if index is not None:
                    scores[index] = 1.0 - float(distance)  # cosine space: similarity
            lists.append(scores)
        return lists

    def similarities(self, vectors: list[list[float]], dense: list[dict[int, float]],
                     candidates: set[int]) -> list[dict[int, float]]:
        """Exact cosine similarity of every candidate for every query vector.

        Chroma gave those of each vector's nearest list; the rest come from the stored
        embeddings of the missing candidates (one `get`).
        """
        missing = sorted(i for i in candidates if any(i not in scores for scores in dense))
        rows: dict[int, np.ndarray] = {}
        if missing:
            stored = self.collection.get(ids=[self.passages.ids[i] for i in missing],
                                         include=["embeddings"])
            for chunk_id, embedding in zip(stored["ids"], stored["embeddings"]):
                row = np.asarray(embedding, dtype=np.float32)
                rows[self.passages.position[chunk_id]] = row / (np.linalg.norm(row) or 1.0)
        result = []
        for vector, scores in zip(vectors, dense):
            query = np.asarray(vector, dtype=np.float32)
            query /= np.linalg.norm(query) or 1.0
            exact = {i: float(rows[i] @ query) for i in rows if i not in scores}
            result.append({**exact, **scores})
        return result

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        """The k best passages for `query`, best first, distinct places before repeats."""
        filters = filters or Filters()
        w = self.weights
        vectors = [self.embeddings.embed_query(view) for view in self.query_views(query)]
        dense = self.dense_scores(vectors, filters, w.candidates)
        lexical_all = self.passages.lexical_scores(query)
        allowed = [i for i in range(len(self.passages)) if filters.accepts(self.passages.metadatas[i])]
        lexical_top = sorted(allowed, key=lambda i: -lexical_all[i])[: w.candidates]
        lexical = {i: float(lexical_all[i]) for i in lexical_top if lexical_all[i] > 0}
        candidates = set(lexical).union(*dense)
        similarity = self.similarities(vectors, dense, candidates)
        if w.fusion == "rrf":
            views = [(w.dense / len(dense), scores) for scores in dense]
            fused = _rrf(views + [(w.lexical, lexical)], w.rrf_k)
        else:
            fused = _zscore_fusion(dense, similarity, lexical_all, lexical, w)
        hits = []
        for index in sorted(fused, key=lambda i: -fused[i]):
            hit = self.passages.hit(index)
            hit.score = _relevance(fused[index]) if w.fusion != "rrf" else fused[index]
            hit.dense = similarity[0].get(index, 0.0)  # the question as asked
            hit.lexical = float(lexical_all[index])
            hits.append(hit)
        return distinct_places_first(hits)[:k]
