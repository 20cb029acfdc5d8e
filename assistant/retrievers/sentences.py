"""e5 per sentence: a passage scores as its best single sentence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from common.sentences import split_sentences

from ..passages import PassageIndex
from .base import BaseRetriever, Resources, register


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


@register("e5-zinnen")
class SentenceRetriever(BaseRetriever):
    """A passage of 120 words on three topics embeds as their average; the sentence that
    answers the question does not (docs/beslissingen/retrieval.md)."""

    def __init__(self, resources: Resources) -> None:
        super().__init__(resources)
        self.query_vector = resources.query_vector  # shared with the e5 list
        self.bank = resources.sentences
        self.owners = np.asarray(self.bank.owners, dtype=np.int64)
        self.vectors = self.bank.vectors

    @classmethod
    def build(cls, resources: Resources) -> "SentenceRetriever | None":
        return None if resources.sentences is None else cls(resources)

    def similarity(self, query: str, sentences: Sequence[str]) -> list[float | None]:
        """The cosine similarity of `query` to each sentence of the passages (None for a
        sentence the bank does not hold, such as a list line)."""
        vector = self.query_vector(query)
        rows = [self.bank.row.get(sentence.strip()) for sentence in sentences]
        return [None if row is None else float(self.vectors[row] @ vector) for row in rows]

    def compute(self, query: str) -> np.ndarray:
        vector = self.query_vector(query)
        similarity = self.vectors @ vector if len(self.owners) else np.zeros(0, dtype=np.float32)
        scores = np.full(len(self.passages), -np.inf, dtype=np.float32)
        np.maximum.at(scores, self.owners, similarity)
        # A passage without sentences (a list of names) gets the average, not a penalty.
        scores[np.isinf(scores)] = float(similarity.mean()) if len(similarity) else 0.0
        return scores
