"""BM25: the question's Dutch terms (stemmed, compounds split) in each passage."""

from __future__ import annotations

import numpy as np

from .base import BaseRetriever, register


@register("bm25")
class LexicalRetriever(BaseRetriever):
    """Dutch BM25 over the passages in memory."""

    signal = "lexical"
    words = True
    positive_only = True

    def compute(self, query: str) -> np.ndarray:
        return self.passages.lexical_scores(query)
