"""e5's latent terms: the sparse concepts a passage shares with the question."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from indexing.embeddings import LatentTerms, latent_term_encoder

from .base import BaseRetriever, Resources, register


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


@register("e5-latente-termen")
class LatentTermRetriever(BaseRetriever):
    """A passage scores by the latent terms it shares with the question (e5's sparse head):
    sparse like BM25, but its terms are learned concepts that span languages and word forms
    (docs/beslissingen/retrieval.md)."""

    signal = "latent"

    @classmethod
    def build(cls, resources: Resources) -> "LatentTermRetriever | None":
        if resources.latent is None or latent_term_encoder(resources.embeddings) is None:
            return None
        return cls(resources)

    def compute(self, query: str) -> np.ndarray:
        [terms] = self.resources.embeddings.latent_terms([query])  # the encoder (see build)
        return self.resources.latent.scores(terms)
