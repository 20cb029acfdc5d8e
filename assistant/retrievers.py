"""Retrievers: each proposes candidate passages for a question and scores any passage exactly.

A retriever answers two calls. `search` gives its own best `n` candidates with scores; `score`
gives the exact score of any passages (the fusion needs that for candidates only another
retriever found). Positions refer to the `PassageIndex` of the generation being served.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Protocol, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from common.sentences import split_sentences
from indexing.embeddings import LatentTerms

from .lexical import content_words, fold
from .passages import PassageIndex


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to one publication and/or one wegwijzer."""

    publication: str | None = None
    wegwijzer: int | None = None

    def accepts(self, place: Any) -> bool:
        if self.publication and place.publication_id != self.publication:
            return False
        if self.wegwijzer is not None and place.wegwijzer != self.wegwijzer:
            return False
        return True


@dataclass
class Candidates:
    """A retriever's own best passages (position → score) and its fallback mean."""

    scores: dict[int, float] = field(default_factory=dict)
    baseline: float = 0.0  # the mean to standardise against when `scores` is empty


class Retriever(Protocol):
    name: str

    def search(self, query: str, n: int, filters: Filters) -> Candidates | None:
        """Its best `n` candidates, or None when it has nothing to say about this query."""

    def score(self, query: str, positions: Collection[int]) -> dict[int, float]:
        """The exact score of each passage in `positions`."""


def best_positions(scores: np.ndarray, n: int, passages: PassageIndex,
                   filters: Filters) -> list[int]:
    """The positions of the `n` best scores among the passages the filters accept (ties keep
    reading order)."""
    allowed = np.asarray([i for i, place in enumerate(passages.places) if filters.accepts(place)]
                         if filters != Filters() else range(len(passages)), dtype=np.int64)
    order = np.argsort(-scores[allowed], kind="stable")[:n]
    return [int(i) for i in allowed[order]]


# Query views: what a dense retriever embeds for a question (None: this view does not apply).
QueryView = Callable[[str], str | None]


def as_asked(query: str) -> str | None:
    return query


def content_words_only(query: str) -> str | None:
    """The question's content words, when that differs from the question: a wordy question
    ("I'm a new alderman; …") then weighs less on its framing."""
    keywords = " ".join(content_words(query))
    return keywords if keywords and keywords != fold(query).strip() else None


class LastResult:
    """The last value computed, by key: `search` and `score` for one question share it."""

    def __init__(self) -> None:
        self._last: tuple[str, Any] | None = None
        self._lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if self._last is not None and self._last[0] == key:
                return self._last[1]
        value = compute()
        with self._lock:
            self._last = (key, value)
        return value


class DenseRetriever:
    """Cosine similarity of e5 embeddings, for one view of the question.

    Scored exactly against the passages' stored vectors, held in memory by the passage index
    (read from Chroma once per generation): for a corpus of hundreds or a few thousand
    passages a matrix product takes well under a millisecond, where a Chroma query and a
    `get` per view cost about 4 ms per question (measured with cProfile, docs/metingen.md).
    """

    def __init__(self, embeddings: Embeddings, passages: PassageIndex,
                 view: QueryView = as_asked, name: str = "e5") -> None:
        self.embeddings = embeddings
        self.passages = passages
        self.view = view
        self.name = name
        self._last = LastResult()
        self._scores_of = LastResult()

    def vector(self, text: str) -> np.ndarray:
        """The normalised query vector (the last one is kept: search and score share it)."""
        def embed() -> np.ndarray:
            vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
            return vector / (np.linalg.norm(vector) or 1.0)

        return self._last.get(text, embed)

    def _scores(self, text: str) -> np.ndarray:
        return self._scores_of.get(text, lambda: self.passages.vectors @ self.vector(text))

    def search(self, query: str, n: int, filters: Filters) -> Candidates | None:
        text = self.view(query)
        if text is None:
            return None
        scores = self._scores(text)
        top = best_positions(scores, max(1, n), self.passages, filters)
        return Candidates({i: float(scores[i]) for i in top})

    def score(self, query: str, positions: Collection[int]) -> dict[int, float]:
        """Exact cosine similarity of the given passages."""
        text = self.view(query)
        if text is None or not positions:
            return {}
        scores = self._scores(text)
        return {i: float(scores[i]) for i in positions}


class LexicalRetriever:
    """Dutch BM25 over the passages in memory."""

    name = "bm25"

    def __init__(self, passages: PassageIndex) -> None:
        self.passages = passages
        self._last = LastResult()

    def _scores(self, query: str) -> np.ndarray:
        return self._last.get(query, lambda: self.passages.lexical_scores(query))

    def search(self, query: str, n: int, filters: Filters) -> Candidates | None:
        scores = self._scores(query)
        top = best_positions(scores, n, self.passages, filters)
        return Candidates({i: float(scores[i]) for i in top if scores[i] > 0},
                          baseline=float(scores.mean()) if len(scores) else 0.0)

    def score(self, query: str, positions: Collection[int]) -> dict[int, float]:
        scores = self._scores(query)
        return {i: float(scores[i]) for i in positions}


def passage_sentences(passages: PassageIndex, min_words: int = 4) -> tuple[list[int], list[str]]:
    """Every sentence of every passage (at least `min_words` words), with its passage's position."""
    owners, texts = [], []
    for position, text in enumerate(passages.texts):
        for paragraph in text.split("\n\n"):
            for sentence in split_sentences(paragraph.strip()):
                if len(sentence.split()) >= min_words:
                    owners.append(position)
                    texts.append(sentence)
    return owners, texts


@dataclass
class SentenceBank:
    """Every sentence of the passages, its passage's position and its e5 embedding."""

    owners: list[int]
    texts: list[str]
    vectors: np.ndarray  # one row per sentence, normalised here

    def __post_init__(self) -> None:
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True) if len(self.vectors) else 1.0
        self.vectors = self.vectors / np.where(norms == 0, 1.0, norms)
        self.row = {text.strip(): row for row, text in enumerate(self.texts)}


class SentenceRetriever:
    """A passage scores as its best single sentence (cosine similarity of e5 embeddings).

    A passage of 120 words on three topics embeds as their average; the sentence that answers
    the question does not. Measured on dev + core (docs/beslissingen/retrieval.md): MRR 0.805 →
    0.854 on dev, 0.824 → 0.828 on core, as a third list next to the passage lists.
    """

    name = "e5-zinnen"

    def __init__(self, passages: PassageIndex, query_vector: Callable[[str], np.ndarray],
                 bank: SentenceBank) -> None:
        self.passages = passages
        self.query_vector = query_vector  # normalised; shared with the passage list's cache
        self.bank = bank
        self.owners = np.asarray(bank.owners, dtype=np.int64)
        self.vectors = bank.vectors
        self._last = LastResult()

    def similarity(self, query: str, sentences: Sequence[str]) -> list[float | None]:
        """The cosine similarity of `query` to each sentence of the passages (None for a
        sentence the bank does not hold, such as a list line)."""
        vector = self.query_vector(query)
        rows = [self.bank.row.get(sentence.strip()) for sentence in sentences]
        return [None if row is None else float(self.vectors[row] @ vector) for row in rows]

    def _scores(self, query: str) -> np.ndarray:
        return self._last.get(query, lambda: self._best_sentences(query))

    def _best_sentences(self, query: str) -> np.ndarray:
        vector = self.query_vector(query)
        similarity = self.vectors @ vector if len(self.owners) else np.zeros(0, dtype=np.float32)
        scores = np.full(len(self.passages), -np.inf, dtype=np.float32)
        np.maximum.at(scores, self.owners, similarity)
        # A passage without sentences (a list of names) gets the average, not a penalty.
        scores[np.isinf(scores)] = float(similarity.mean()) if len(similarity) else 0.0
        return scores

    def search(self, query: str, n: int, filters: Filters) -> Candidates | None:
        scores = self._scores(query)
        top = best_positions(scores, n, self.passages, filters)
        return Candidates({i: float(scores[i]) for i in top})

    def score(self, query: str, positions: Collection[int]) -> dict[int, float]:
        scores = self._scores(query)
        return {i: float(scores[i]) for i in positions}


class LatentTermBank:
    """Every passage's latent-term vector, as one sparse matrix in coordinate form."""

    def __init__(self, vectors: Sequence[LatentTerms]) -> None:
        self.size = len(vectors)
        self.rows = np.repeat(np.arange(self.size, dtype=np.int64),
                              [len(v.indices) for v in vectors])
        self.columns = np.concatenate([v.indices for v in vectors] or [np.zeros(0)]).astype(np.int64)
        self.values = np.concatenate([v.values for v in vectors] or [np.zeros(0)]).astype(np.float32)
        self.width = int(self.columns.max(initial=-1)) + 1  # highest latent term in any passage

    def scores(self, query: LatentTerms) -> np.ndarray:
        """The dot product of `query` with every passage's vector."""
        width = max(self.width, int(query.indices.max(initial=-1)) + 1)
        dense = np.zeros(width, dtype=np.float32)
        dense[query.indices] = query.values
        return np.bincount(self.rows, weights=self.values * dense[self.columns],
                           minlength=self.size).astype(np.float32)


class LatentTermRetriever:
    """A passage scores by the latent terms it shares with the question (e5's sparse head).

    Between BM25's exact words and e5's single vector: sparse like BM25, but its terms are
    learned concepts that span languages and word forms. Measured as a fourth list on dev +
    core (docs/beslissingen/retrieval.md): weight 0.2 best of 0.1–0.5.
    """

    name = "e5-latente-termen"

    def __init__(self, passages: PassageIndex, bank: LatentTermBank,
                 encode: Callable[[str], LatentTerms]) -> None:
        self.passages = passages
        self.bank = bank
        self.encode = encode
        self._last = LastResult()

    def _scores(self, query: str) -> np.ndarray:
        return self._last.get(query, lambda: self.bank.scores(self.encode(query)))

    def search(self, query: str, n: int, filters: Filters) -> Candidates | None:
        scores = self._scores(query)
        top = best_positions(scores, n, self.passages, filters)
        return Candidates({i: float(scores[i]) for i in top})

    def score(self, query: str, positions: Collection[int]) -> dict[int, float]:
        scores = self._scores(query)
        return {i: float(scores[i]) for i in positions}
