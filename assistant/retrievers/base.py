"""What every retriever shares: the registry, the filters, the candidates it proposes, and one
base class that turns a score per passage into `search` (its own best candidates) and `score`
(exact scores of any passages, for candidates only another retriever found)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, ClassVar, Collection

import numpy as np
from langchain_core.embeddings import Embeddings

from ..passages import PassageIndex
from common.registry import Registry

RETRIEVERS: Registry[type["BaseRetriever"]] = Registry("zoekmethode")


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to one publication and/or one wegwijzer."""

    publication: str | None = None
    wegwijzer: int | None = None

    def accepts(self, place: Any) -> bool:
        return ((not self.publication or place.publication_id == self.publication)
                and (self.wegwijzer is None or place.wegwijzer == self.wegwijzer))


@dataclass
class Candidates:
    """A retriever's own best passages (position → score) and its fallback mean."""

    scores: dict[int, float] = field(default_factory=dict)
    baseline: float = 0.0  # the mean to standardise against when `scores` is empty


def best_positions(scores: np.ndarray, n: int, passages: PassageIndex,
                   filters: Filters) -> list[int]:
    """The positions of the `n` best scores among the passages the filters accept (ties keep
    reading order)."""
    allowed = np.asarray([i for i, place in enumerate(passages.places) if filters.accepts(place)]
                         if filters != Filters() else range(len(passages)), dtype=np.int64)
    order = np.argsort(-scores[allowed], kind="stable")[:n]
    return [int(i) for i in allowed[order]]


class QueryEncoder:
    """The question's normalised e5 vector, computed once per question and shared by every
    part that reads it (the e5 lists, overview matching, the confidence model)."""

    def __init__(self, embeddings: Embeddings) -> None:
        self.embeddings = embeddings
        self.last = lru_cache(maxsize=1)(self.embed)

    def __call__(self, text: str) -> np.ndarray:
        return self.last(text)

    def embed(self, text: str) -> np.ndarray:
        vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        return vector / (np.linalg.norm(vector) or 1.0)


@dataclass
class Resources:
    """What retrievers of one index generation are built from (each takes what it needs)."""

    passages: PassageIndex
    embeddings: Embeddings
    query_vector: QueryEncoder
    sentences: Any = None  # sentences.SentenceBank, when the sentence vectors are loaded
    latent: Any = None  # latent.LatentTermBank, when the embedder has latent terms


class BaseRetriever:
    """A retriever that scores every passage for a question (`compute`, cached per question).
    `signal` names the confidence signal that reads the list; `words` marks a list that matches
    the corpus's words (it weighs less for a question in another language)."""

    name: ClassVar[str] = ""
    signal: ClassVar[str | None] = None
    words: ClassVar[bool] = False
    positive_only: ClassVar[bool] = False  # a score of 0 is no match at all (BM25)

    def __init__(self, resources: Resources) -> None:
        self.resources, self.passages = resources, resources.passages
        self.scores = lru_cache(maxsize=1)(self.compute)

    @classmethod
    def build(cls, resources: Resources) -> "BaseRetriever | None":
        """The retriever for this generation, or None when its resources are missing."""
        return cls(resources)

    def compute(self, query: str) -> np.ndarray:
        raise NotImplementedError

    def search(self, query: str, n: int, filters: Filters) -> Candidates:
        scores = self.scores(query)
        top = best_positions(scores, max(1, n), self.passages, filters)
        return Candidates({i: float(scores[i]) for i in top
                           if not self.positive_only or scores[i] > 0},
                          baseline=float(scores.mean()) if len(scores) else 0.0)

    def score(self, query: str, positions: Collection[int]) -> dict[int, float]:
        scores = self.scores(query)
        return {i: float(scores[i]) for i in positions}


def register(name: str) -> Callable[[type[BaseRetriever]], type[BaseRetriever]]:
    """Register a retriever class under `name` (also its `name`)."""
    def add(cls: type[BaseRetriever]) -> type[BaseRetriever]:
        cls.name = name
        return RETRIEVERS.register(name)(cls)

    return add
