"""Fusion: one score per candidate from the weighted lists of several retrievers (pure).
Z-scores, not ranks: reciprocal rank fusion forgets how far ahead a passage is
(docs/beslissingen/retrieval.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .retrievers import Candidates


@dataclass
class Ranked:
    """One retriever's result for a question: its own candidates and exact scores of all."""

    weight: float
    candidates: Candidates
    exact: dict[int, float]  # every fused candidate's score; own candidates as found


class ZScoreFusion:
    """Weighted sum of z-scores, each list standardised over its own candidates; a candidate
    that a list did not find is scored by what it is (`exact`), not guessed."""

    def __init__(self, floor: float = 0.5) -> None:
        # Shown scores below this are no better than the average candidate (z ≤ 0): not shown.
        self.floor = floor

    def fuse(self, lists: Sequence[Ranked]) -> dict[int, float]:
        candidates = set().union(*(r.candidates.scores for r in lists))
        fused = {index: 0.0 for index in candidates}
        for ranked in lists:
            own = ranked.candidates
            mean, std = own.baseline, 1.0
            if own.scores:
                array = np.fromiter(own.scores.values(), dtype=np.float32)
                mean, std = float(array.mean()), float(array.std()) or 1.0
            for index in candidates:
                value = ranked.exact.get(index, mean)
                fused[index] += ranked.weight * (value - mean) / std
        return fused

    def display(self, score: float) -> float:
        return float(1.0 / (1.0 + np.exp(-score)))  # into 0–1; the order is unchanged
