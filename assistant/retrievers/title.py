"""Title match: how much of the question a passage's place names (its section, wegwijzer and
story titles). An example of a retriever in one file; the default profile leaves it off."""

from __future__ import annotations

import numpy as np

from ..passages import PassageIndex
from .base import BaseRetriever, register


@register("titel")
class TitleRetriever(BaseRetriever):
    """The share of the question's terms that a passage's titles contain."""

    words = True
    positive_only = True

    def __init__(self, passages: PassageIndex) -> None:
        super().__init__(passages)
        vocabulary = passages.vocabulary
        self.titles = [frozenset(vocabulary.terms(" ".join(
            part for part in (place.heading, place.wegwijzer_title, place.story_title) if part)))
            for place in passages.places]

    def compute(self, query: str) -> np.ndarray:
        asked = set(self.passages.vocabulary.terms(query))
        if not asked:
            return np.zeros(len(self.titles), dtype=np.float32)
        return np.asarray([len(asked & title) / len(asked) for title in self.titles],
                          dtype=np.float32)
