"""Fusion: one score per candidate from the lists of several retrievers (pure).

Retrievers come in weighted groups (the e5 views share one weight, BM25 has another); inside a
group the members that apply to a question share the group's weight equally.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .retrievers import Candidates


@dataclass
class Ranked:
    """One retriever's result for a question: its own candidates and exact scores of all."""

    weight: float
    candidates: Candidates
    exact: dict[int, float]  # every fused candidate's score; own candidates as found


class Fusion(Protocol):
    name: str

    def fuse(self, lists: Sequence[Ranked]) -> dict[int, float]:
        """A fused score per candidate (the union of the lists' candidates)."""

    floor: float  # sources with a shown score below this are not shown

    def display(self, score: float) -> float:
        """The fused score as shown with a source."""


def _stats(values: Iterable[float]) -> tuple[float, float]:
    array = np.fromiter(values, dtype=np.float32)
    if not array.size:
        return 0.0, 1.0
    return float(array.mean()), float(array.std()) or 1.0


class ZScoreFusion:
    """Weighted sum of z-scores, each list standardised over its own candidates.

    Unlike rank fusion it keeps how far ahead a passage is. A candidate that a list did not
    find is scored by what it is (`exact`), not guessed.
    """

    name = "zscore"
    # Shown scores below this are no better than the average candidate (z ≤ 0): not shown.
    floor = 0.5

    def fuse(self, lists: Sequence[Ranked]) -> dict[int, float]:
        candidates = set().union(*(r.candidates.scores for r in lists))
        fused = {index: 0.0 for index in candidates}
        for ranked in lists:
            own = ranked.candidates
            mean, std = _stats(own.scores.values()) if own.scores else (own.baseline, 1.0)
            for index in candidates:
                value = ranked.exact.get(index, mean)
                fused[index] += ranked.weight * (value - mean) / std
        return fused

    def display(self, score: float) -> float:
        return float(1.0 / (1.0 + np.exp(-score)))  # into 0–1; the order is unchanged


class RankFusion:
    """Reciprocal rank fusion: the sum of weight / (k + rank) over the lists."""

    name = "rrf"
    floor = 0.0  # rank fusion has no scale on which 'below average' can be read

    def __init__(self, k: float = 10.0) -> None:
        self.k = k

    def fuse(self, lists: Sequence[Ranked]) -> dict[int, float]:
        fused: dict[int, float] = {}
        for ranked in lists:
            scores = ranked.candidates.scores
            for rank, index in enumerate(sorted(scores, key=lambda i: -scores[i]), start=1):
                fused[index] = fused.get(index, 0.0) + ranked.weight / (self.k + rank)
        return fused

    def display(self, score: float) -> float:
        return score
