"""e5: cosine similarity of the question's embedding to each passage's."""

from __future__ import annotations

import numpy as np

from ..passages import PassageIndex
from .base import BaseRetriever, QueryEncoder, Resources, register


@register("e5")
class DenseRetriever(BaseRetriever):
    """Cosine similarity of e5 embeddings, against the passages' stored vectors.

    The vectors are held in memory by the passage index (read from Chroma once per generation):
    for hundreds or a few thousand passages a matrix product takes well under a millisecond,
    where a Chroma query per question cost about 4 ms (cProfile; docs/metingen.md).
    """

    signal = "dense"

    def __init__(self, passages: PassageIndex, query_vector: QueryEncoder) -> None:
        super().__init__(passages)
        self.query_vector = query_vector

    @classmethod
    def build(cls, resources: Resources) -> "DenseRetriever":
        return cls(resources.passages, resources.query_vector)

    def compute(self, query: str) -> np.ndarray:
        return self.passages.vectors @ self.query_vector(query)
