"""Title match: how much of the question a passage's place names (its section, wegwijzer and
story titles). An example of a retriever in one file; the default profile leaves it off."""

from __future__ import annotations

import numpy as np

from .base import BaseRetriever, Resources, register


@register("titel")
class TitleRetriever(BaseRetriever):
    """The share of the question's terms that a passage's titles contain."""

    words = True
    positive_only = True

    def __init__(self, resources: Resources) -> None:
        super().__init__(resources)
        vocabulary = self.passages.vocabulary
        self.titles = [frozenset(vocabulary.terms(" ".join(
            part for part in (place.heading, place.wegwijzer_title, place.story_title) if part)))
            for place in self.passages.places]

    def compute(self, query: str) -> np.ndarray:
        asked = set(self.passages.vocabulary.terms(query))
        if not asked:
            return np.zeros(len(self.titles), dtype=np.float32)
        return np.asarray([len(asked & title) / len(asked) for title in self.titles],
                          dtype=np.float32)
