"""Retrieval as parts, built from the profile: retrievers (`retrievers/`, weighed by
`[retrieval.lists]`) → z-score fusion (`fusion.py`) → post-steps that reorder the fused list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

from .fusion import Ranked, ZScoreFusion
from .model import Hit
from .passages import PassageIndex
from .profile import RetrievalProfile
from .reranking import Reranker
from .retrievers import RETRIEVERS, BaseRetriever, Filters, Resources, SentenceRetriever

__all__ = ["Diversify", "Filters", "RetrievalPipeline", "Retrieved", "distinct_places_first",
           "make_retrieval"]


@dataclass
class Member:
    retriever: BaseRetriever
    weight: float


class Step(Protocol):
    """A post-step: reorders (or cuts) the fused hits for a question."""

    def apply(self, query: str, hits: list[Hit], k: int) -> list[Hit]: ...


class DistinctPlaces:
    def apply(self, query: str, hits: list[Hit], k: int) -> list[Hit]:
        return distinct_places_first(hits)


class Diversify:
    """Maximal marginal relevance by section: among the best `depth` hits, each next slot goes
    to the best passage after a penalty (in fused z-score) for every shown passage of its
    section. If the first section was the wrong guess, the right one is still in the top 3.
    """

    def __init__(self, penalty: float, depth: int = 10) -> None:
        self.penalty = penalty
        self.depth = depth

    def apply(self, query: str, hits: list[Hit], k: int) -> list[Hit]:
        def section(hit: Hit) -> str:
            return f"{hit.place.publication_id}|{hit.place.chapter}|{hit.place.section}"

        pool, rest = list(hits[: self.depth]), hits[self.depth:]
        shown: dict[str, int] = {}
        ordered = []
        while pool:
            best = max(pool, key=lambda h: h.fused - self.penalty * shown.get(section(h), 0))
            pool.remove(best)
            ordered.append(best)
            shown[section(best)] = shown.get(section(best), 0) + 1
        return ordered + rest


class Rerank:
    """A reranker reorders the best `depth` hits (at least k)."""

    def __init__(self, reranker: Reranker) -> None:
        self.reranker = reranker

    def apply(self, query: str, hits: list[Hit], k: int) -> list[Hit]:
        return self.reranker.rerank(query, hits[: max(k, self.reranker.depth)])


def distinct_places_first(hits: Sequence[Hit]) -> list[Hit]:
    """Keep the order, but a second passage of the same place waits behind the others."""
    seen: set[str] = set()
    first, later = [], []
    for hit in hits:
        (later if hit.place.key in seen else first).append(hit)
        seen.add(hit.place.key)
    return first + later


@dataclass
class Retrieved:
    """The k best hits, and each confidence signal's exact scores over the candidate pool
    (position → score; 'dense', 'lexical', 'latent'; a list that did not run is absent)."""

    hits: list[Hit]
    lists: dict[str, dict[int, float]] = field(default_factory=dict)
    # Each fused list's own best passage (retriever name → position): where they agree.
    firsts: dict[str, int] = field(default_factory=dict)

    dense = property(lambda self: self.lists.get("dense", {}))
    lexical = property(lambda self: self.lists.get("lexical", {}))
    latent = property(lambda self: self.lists.get("latent"))


class RetrievalPipeline:
    """Retrievers → fusion → post-steps over the passages of one index generation."""

    def __init__(self, passages: PassageIndex, members: Sequence[Member], fusion: ZScoreFusion,
                 steps: Sequence[Step], candidates: int = 40) -> None:
        self.passages = passages
        self.members = list(members)
        self.fusion = fusion
        self.steps = list(steps)
        self.candidates = candidates

    def sentence_list(self) -> SentenceRetriever | None:
        return next((m.retriever for m in self.members
                     if isinstance(m.retriever, SentenceRetriever)), None)

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None,
                 language_share: float = 1.0, foreign_below: float = 0.5) -> Retrieved:
        """The k best passages. In a question in another language (`language_share` below
        `foreign_below`) the lists that match words weigh by that share: the e5 lists lead but a
        name still counts (docs/beslissingen/talen.md)."""
        filters = filters or Filters()
        foreign = language_share < foreign_below
        found = [(m, m.retriever.search(query, self.candidates, filters)) for m in self.members]
        pool = set().union(*(c.scores for _, c in found))
        lists, exact_of = [], {}
        firsts = {m.retriever.name: max(c.scores, key=c.scores.__getitem__)
                  for m, c in found if c.scores}
        for member, candidates in found:
            missing = pool - set(candidates.scores)
            exact = {**member.retriever.score(query, missing), **candidates.scores}
            weight = member.weight * (language_share if foreign and member.retriever.words else 1)
            lists.append(Ranked(weight, candidates, exact))
            if member.retriever.signal:
                exact_of[member.retriever.signal] = exact
        fused = self.fusion.fuse(lists)
        dense, lexical = exact_of.get("dense", {}), exact_of.get("lexical", {})
        hits = []
        for index in sorted(fused, key=lambda i: -fused[i]):
            hit = self.passages.hit(index)
            hit.fused = fused[index]
            hit.score = self.fusion.display(fused[index])
            hit.dense = dense.get(index, 0.0)  # the question as asked
            hit.lexical = lexical.get(index, 0.0)
            hits.append(hit)
        # The relevance floor: a passage no better than the average candidate fills a slot
        # only to mislead; the best passage always stays (the nearest, for a refusal).
        hits = hits[:1] + [h for h in hits[1:] if h.score >= self.fusion.floor]
        for step in self.steps:
            hits = step.apply(query, hits, k)
        return Retrieved(hits[:k], lists=exact_of, firsts=firsts)


def make_retrieval(resources: Resources, profile: RetrievalProfile,
                   reranker: Reranker | None = None) -> RetrievalPipeline:
    """The profile's lists (registered retrievers whose resources this generation has), fused,
    then diversity by section or, with a reranker, distinct places around it."""
    members = []
    for name, weight in profile.lists.items():
        retriever = RETRIEVERS.get(name).build(resources) if weight > 0 else None
        if retriever is not None:
            members.append(Member(retriever, weight))
    # Without a reranker, diversity by section replaces the hard rule of distinct places: a
    # second passage of a place comes up only when it is clearly ahead.
    steps: list[Step] = ([Diversify(profile.diversity, profile.diversity_depth)]
                         if profile.diversity > 0 and reranker is None else [DistinctPlaces()])
    if reranker is not None:
        steps += [Rerank(reranker), DistinctPlaces()]
    return RetrievalPipeline(resources.passages, members, ZScoreFusion(profile.floor), steps,
                             candidates=profile.candidates)
