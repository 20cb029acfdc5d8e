"""Retrieval as parts: retrievers → fusion → post-steps, built from the settings.

In the spirit of haystack's retrievers → joiner → rankers: each retriever proposes candidates
(`retrievers.py`), the fusion turns their lists into one score (`fusion.py`), and post-steps
reorder the fused list (distinct places first, an optional reranker). A new retriever is one
class and one line in `make_retrieval`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Protocol, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from indexing.embeddings import latent_term_encoder

from .confidence import FOREIGN_BELOW, language_share
from .fusion import Fusion, RankFusion, Ranked, ZScoreFusion
from .model import Hit
from .passages import PassageIndex
from .reranking import Reranker
from .retrievers import (
    DenseRetriever, Filters, LatentTermBank, LatentTermRetriever, LexicalRetriever, Retriever,
    SentenceBank, SentenceRetriever, as_asked, content_words_only,
)

__all__ = ["Diversify", "Filters", "RetrievalPipeline", "Retrieved", "Weights", "distinct_places_first", "make_retrieval"]


@dataclass
class Weights:
    """Retrieval parameters, chosen by measurement on the core and dev suites.

    `fusion="zscore"` (default) standardises each list over its own top candidates and adds
    them with these weights; `fusion="rrf"` is reciprocal rank fusion with `rrf_k`.
    """

    dense: float = 0.35
    lexical: float = 0.65
    fusion: str = "zscore"
    rrf_k: float = 10.0
    candidates: int = 40
    # Also embed the question's content words alone (the dense score is then the mean over
    # both views). Off since the latent-term list came: that list in its place was as good on
    # dev + core (docs/beslissingen/retrieval.md) and saves one model pass per question.
    keyword_view: bool = False
    # A third list: each passage scored by its best sentence (SentenceRetriever). Weight chosen
    # on dev + core from 0.15–0.35 (docs/beslissingen/retrieval.md).
    sentences: float = 0.2
    # Diversity: a passage from a section already shown loses this much (fused z-score) per
    # earlier passage of that section. Chosen on dev + core from 0.25–1.0 (docs/beslissingen/retrieval.md);
    # 0 turns it off (distinct places instead). Z-score fusion without reranker.
    diversity: float = 0.5
    # Another list: e5's sparse latent terms (LatentTermRetriever), when the embedder has
    # them. Weight chosen on dev + core from 0.1–0.5 (docs/beslissingen/retrieval.md).
    latent: float = 0.2


@dataclass
class Member:
    """A retriever in the pipeline, in a weighted group (members of a group share its weight)."""

    retriever: Retriever
    group: str
    weight: float


class Step(Protocol):
    """A post-step: reorders (or cuts) the fused hits for a question."""

    def apply(self, query: str, hits: list[Hit], k: int) -> list[Hit]: ...


class DistinctPlaces:
    """Keep the order, but a second passage of the same place waits behind the others."""

    def apply(self, query: str, hits: list[Hit], k: int) -> list[Hit]:
        return distinct_places_first(hits)


class Diversify:
    """Maximal marginal relevance by section: among the best `depth` hits, each next slot goes
    to the best passage after a penalty for every shown passage of its section.

    When the first passages all come from one section, a close runner-up from another section
    moves up: if that section was the wrong guess, the right one is still in the top 3.
    """

    def __init__(self, penalty: float, depth: int = 10) -> None:
        self.penalty = penalty
        self.depth = depth

    def apply(self, query: str, hits: list[Hit], k: int) -> list[Hit]:
        pool, rest = list(hits[: self.depth]), hits[self.depth:]
        shown: dict[str, int] = {}
        ordered = []
        while pool:
            best = max(pool, key=lambda h: _logit(h.score) - self.penalty * shown.get(_section(h), 0))
            pool.remove(best)
            ordered.append(best)
            shown[_section(best)] = shown.get(_section(best), 0) + 1
        return ordered + rest


def _section(hit: Hit) -> str:
    place = hit.place
    return f"{place.publication_id}|{place.chapter}|{place.section}"


def _logit(shown: float) -> float:
    """Back from the shown 0–1 score to the fused z-score scale."""
    shown = min(max(shown, 1e-9), 1 - 1e-9)
    return math.log(shown / (1 - shown))


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
        key = hit.place.key
        (later if key in seen else first).append(hit)
        seen.add(key)
    return first + later


@dataclass
class Retrieved:
    """The k best hits, the dense and lexical scores of every candidate (position → score),
    and the share of the question's words the corpus uses (its language, see confidence)."""

    hits: list[Hit]
    dense: dict[int, float]
    lexical: dict[int, float]
    language_share: float = 1.0
    latent: dict[int, float] | None = None  # None without a latent-term list


class RetrievalPipeline:
    """Retrievers → fusion → post-steps over the passages of one index generation."""

    def __init__(self, passages: PassageIndex, members: Sequence[Member], fusion: Fusion,
                 steps: Sequence[Step], candidates: int = 40) -> None:
        self.passages = passages
        self.members = list(members)
        self.fusion = fusion
        self.steps = list(steps)
        self.candidates = candidates

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        """The k best passages for `query`, best first."""
        return self.retrieve(query, k, filters).hits

    def query_vector(self, query: str) -> Any:
        """The normalised dense vector of `query` as asked (cached by the retriever)."""
        return next(m.retriever for m in self.members if m.group == "dense").vector(query)

    def scope_vector(self, query: str) -> Any:
        """The question as the confidence model's scope signal reads it: the vector of each
        dense view, concatenated (a view that does not apply repeats the question as asked).
        Retrieval embedded them already (cached), so this costs nothing after a search."""
        asked = self.query_vector(query)
        parts = []
        for member in self.members:
            if member.group == "dense" and isinstance(member.retriever, DenseRetriever):
                text = member.retriever.view(query)
                parts.append(asked if text is None else member.retriever.vector(text))
        return np.concatenate(parts) if parts else asked

    def similarity(self, query: str, hits: Sequence[Hit]) -> list[float]:
        """The dense similarity of `query` (as asked) to each hit, whatever query found it."""
        dense = next(m.retriever for m in self.members if m.group == "dense")
        positions = [self.passages.by_chunk_id[h.chunk_id] for h in hits]
        scores = dense.score(query, set(positions))
        return [scores.get(p, 0.0) for p in positions]

    def sentence_similarity(self, query: str, sentences: Sequence[str]) -> list[float | None]:
        """The dense similarity of `query` to each passage sentence (None where unknown, and
        everywhere without a sentence list)."""
        member = next((m.retriever for m in self.members if m.group == "sentence"), None)
        if not isinstance(member, SentenceRetriever):
            return [None] * len(sentences)
        return member.similarity(query, sentences)

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> "Retrieved":
        """The k best passages, with each list's exact scores over the candidate pool (the
        confidence model reads how far ahead the best passages are in each list)."""
        filters = filters or Filters()
        members = self.members
        share = language_share(query, self.passages.word_forms)
        if share < FOREIGN_BELOW:
            # BM25 matches Dutch words; a question in another language shares few with the
            # corpus, mostly names ('What is the Drechtraad?'). Its weight shrinks with the
            # share of corpus words, so the multilingual dense lists lead but a name still
            # counts. Dropping BM25 instead: blind 0.80 / 0.73 → 0.79 / 0.72 (hit@3 / MRR),
            # smoke 0.78 → 0.67; dev and core the same either way.
            members = [replace(m, weight=m.weight * share) if m.group == "lexical" else m
                       for m in members]
        found = [(m, m.retriever.search(query, self.candidates, filters)) for m in members]
        applying = [(m, c) for m, c in found if c is not None]
        pool = set().union(*(c.scores for _, c in applying))
        group_size: dict[str, int] = {}
        for member, _ in applying:
            group_size[member.group] = group_size.get(member.group, 0) + 1
        lists = []
        for member, candidates in applying:
            missing = pool - set(candidates.scores)
            exact = {**member.retriever.score(query, missing), **candidates.scores}
            lists.append(Ranked(member.weight / group_size[member.group], candidates, exact))
        fused = self.fusion.fuse(lists)
        dense = next((r.exact for (m, _), r in zip(applying, lists) if m.group == "dense"), {})
        lexical = next((r.exact for (m, _), r in zip(applying, lists) if m.group == "lexical"), {})
        latent = next((r.exact for (m, _), r in zip(applying, lists) if m.group == "latent"), None)
        hits = []
        for index in sorted(fused, key=lambda i: -fused[i]):
            hit = self.passages.hit(index)
            hit.score = self.fusion.display(fused[index])
            hit.dense = dense.get(index, 0.0)  # the question as asked
            hit.lexical = lexical.get(index, 0.0)
            hits.append(hit)
        # The relevance floor: a passage no better than the average candidate fills a slot
        # only to mislead; the best passage always stays (the nearest, for a refusal).
        hits = hits[:1] + [h for h in hits[1:] if h.score >= self.fusion.floor]
        for step in self.steps:
            hits = step.apply(query, hits, k)
        return Retrieved(hits[:k], dense=dense, lexical=lexical, language_share=share,
                         latent=latent)


def make_retrieval(embeddings: Embeddings, passages: PassageIndex,
                   reranker: Reranker | None = None, weights: Weights | None = None,
                   sentences: SentenceBank | None = None,
                   latent: LatentTermBank | None = None) -> RetrievalPipeline:
    """The retrieval pipeline: e5 + BM25 (+ best sentence, given the sentence vectors; + latent
    terms, given the passages' and an embedder that has them), fused, diversified by section
    (or distinct places, optionally reranked)."""
    w = weights or Weights()
    asked = DenseRetriever(embeddings, passages, as_asked)
    members = [Member(asked, "dense", w.dense)]
    if sentences is not None and w.sentences > 0:
        members.append(Member(SentenceRetriever(passages, asked.vector, sentences),
                              "sentence", w.sentences))
    if w.keyword_view:
        members.append(Member(DenseRetriever(embeddings, passages, content_words_only,
                                             name="e5-inhoudswoorden"), "dense", w.dense))
    members.append(Member(LexicalRetriever(passages), "lexical", w.lexical))
    encoder = latent_term_encoder(embeddings)
    if latent is not None and encoder is not None and w.latent > 0:
        members.append(Member(LatentTermRetriever(passages, latent,
                                                  lambda text: encoder.latent_terms([text])[0]),
                              "latent", w.latent))
    fusion: Fusion = RankFusion(w.rrf_k) if w.fusion == "rrf" else ZScoreFusion()
    # Without a reranker on z-scores, diversity by section replaces the hard rule of distinct
    # places: a second passage of a place comes up only when it is clearly ahead (its pages may
    # be the ones asked for). Otherwise distinct places first.
    steps: list[Step] = ([Diversify(w.diversity)] if w.diversity > 0 and reranker is None
                         and isinstance(fusion, ZScoreFusion) else [DistinctPlaces()])
    if reranker is not None:
        steps += [Rerank(reranker), DistinctPlaces()]
    return RetrievalPipeline(passages, members, fusion, steps, candidates=w.candidates)
