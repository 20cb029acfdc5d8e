"""The Assistant: the facade every face uses (`ask`, `stream`, `search`, `passage`). Models
load once; a question is answered by one `IndexSnapshot` (an index generation) from start to end.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any, Iterator, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from common.settings import Settings
from indexing.catalog import Catalog
from indexing.places import describe_place
from indexing.embeddings import latent_term_encoder, make_embeddings
from indexing.store import Generation, IndexStore

from .answering import Answerer, continuation_openers, idf_table, make_answerer
from .citation_check import check_citations
from .confidence import ConfidenceModel
from .model import Answer, AnswerEvent, Hit, ResearchRef, Source, Turn, final_answer
from .overviews import OverviewIndex, build_overviews
from .passages import PassageIndex
from .profile import Profile
from .reranking import Reranker, make_reranker
from .retrieval import RetrievalPipeline, make_retrieval
from .retrievers import LatentTermBank, QueryEncoder, Resources, SentenceBank, passage_sentences
from .steps import (REFUSAL, REFUSAL_WITH_SOURCES, Assess, ChooseOverview, Clean, Compose,
                    FollowUp, Steps)

__all__ = ["Assistant", "IndexSnapshot", "REFUSAL", "REFUSAL_WITH_SOURCES"]


@dataclass(frozen=True)
class IndexSnapshot:
    """One index generation, opened whole: every answer uses exactly one snapshot."""

    generation: Generation
    passages: PassageIndex
    catalog: Catalog
    search: RetrievalPipeline
    idf: dict[str, float]
    steps: Steps


class Assistant:
    """Answers questions from the active index. Python twin of `wegwijzer ask`."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None,
                 answerer: Answerer | None = None, confidence: ConfidenceModel | None = None,
                 reranker: Reranker | None = None, profile: Profile | None = None) -> None:
        self.settings = settings
        self.profile = profile or Profile.load(settings.profile)
        self.store = IndexStore(settings)
        self.embeddings = embeddings or make_embeddings(settings.embedder)
        self.reranker = reranker or make_reranker(settings.reranker,
                                                  self.profile.retrieval.rerank_depth)
        self.confidence = confidence or ConfidenceModel.load()
        self.confidence.check_fitted_for(self.profile.fingerprint(), settings.embedder)
        self._answerer = answerer
        # A configured language model is built once and shared by every snapshot.
        self.chat_model = None
        self.rewriter = None
        if answerer is None and settings.llm:
            from .llm import ChatModelRewriter, OutputLimits, make_chat_model

            self.chat_model = make_chat_model(settings)
            self.rewriter = ChatModelRewriter(self.chat_model, settings.llm,
                                              OutputLimits.from_settings(settings))
        self._reload_lock = threading.Lock()
        self.snapshot = self._open()

    def _open(self) -> IndexSnapshot:
        # The embedder's first call is slow (it maps its weights); warm it while the index loads.
        vector: list[list[float]] = []
        warm = threading.Thread(target=lambda: vector.append(self.embeddings.embed_query("opwarmen")),
                                daemon=True)
        warm.start()
        generation = self.store.require_active(self.settings.embedder)
        collection = self.store.collection(generation)
        retrieval = self.profile.retrieval
        passages = PassageIndex.from_collection(collection, bm25_k1=retrieval.bm25_k1,
                                                bm25_b=retrieval.bm25_b)
        idf = idf_table(passages.terms)
        catalog = Catalog.from_passages(passages.metadatas, passages.texts)
        warm.join()
        if not vector:  # warming failed: fail here, with the embedder's own error
            vector.append(self.embeddings.embed_query("opwarmen"))
        # An embedder handed in by code must be the index's (checked before it may add
        # sentence vectors to the embedder's shared cache).
        self.store.check_embeddings(generation, collection, getattr(self.embeddings, "spec", None),
                                    len(vector[0]))
        query_vector = QueryEncoder(self.embeddings)
        # Sentence vectors and latent terms are computed only for texts new to the cache.
        owners, texts = passage_sentences(passages, retrieval.sentence_min_words)
        encoder = latent_term_encoder(self.embeddings)  # None without a sparse head
        latent = None if encoder is None else LatentTermBank(self.store.cached_latent_terms(
            passages.documents, encoder, self.settings.embedder))
        search = make_retrieval(Resources(passages, self.embeddings, query_vector,
                                          SentenceBank(owners, texts, self.cached_vectors(texts)),
                                          latent), retrieval, self.reranker)
        sentences = search.sentence_list()
        answerer = self._answerer or make_answerer(
            self.settings, self.profile, passages.vocabulary, idf, self.chat_model,
            continuation_openers(passages.texts, self.profile.answer.continuation_alpha),
            sentences.similarity if sentences else lambda query, texts: [None] * len(texts))
        assess = Assess(search, passages, idf, query_vector, self.confidence,
                        self.settings.embedder, self.profile.confidence.foreign_below,
                        self.profile.evidence)
        overviews = OverviewIndex(build_overviews(catalog, passages), self.cached_vectors, passages)
        steps = Steps(Clean(catalog, self.settings.top_k, self.settings.history_turns),
                      FollowUp(assess, self.rewriter),
                      ChooseOverview(overviews, passages, query_vector),
                      Compose(answerer, passages, idf))
        return IndexSnapshot(generation, passages, catalog, search, idf, steps)

    # What the index being served holds.
    generation = property(lambda self: self.snapshot.generation)
    catalog = property(lambda self: self.snapshot.catalog)

    def refresh(self) -> bool:
        """Switch to a newer index generation if a re-index finished; True when it did. The
        snapshot is swapped in one assignment: a question being answered keeps its own."""
        with self._reload_lock:
            active = self.store.active()
            if active is None or active.name == self.snapshot.generation.name:
                return False
            self.snapshot = self._open()
            return True

    def cached_vectors(self, texts: list[str]) -> np.ndarray:
        """Document embeddings of `texts`, embedded only the first time (see the store)."""
        return self.store.cached_vectors(texts, self.embeddings, self.settings.embedder)

    def ask(self, question: str, history: Sequence[Turn] | None = None, top_k: int | None = None,
            publication: str | None = None, wegwijzer: int | None = None, id: Any = None) -> Answer:
        """Answer one question (with earlier turns for follow-ups): the final event of `stream`."""
        return final_answer(self.stream(question, history, top_k, publication, wegwijzer, id))

    def stream(self, question: str, history: Sequence[Turn] | None = None,
               top_k: int | None = None, publication: str | None = None,
               wegwijzer: int | None = None, id: Any = None) -> Iterator[AnswerEvent]:
        """Answer as events: notices, the sources, text deltas, then the complete Answer."""
        return self.snapshot.steps.run(question, history, top_k, publication, wegwijzer, id)

    def search(self, question: str, k: int = 5, publication: str | None = None,
               wegwijzer: int | None = None) -> list[Hit]:
        """The k passages that best match `question` (filters checked), best first."""
        snapshot = self.snapshot
        request = snapshot.steps.clean.run(question, None, k, publication, wegwijzer)
        return snapshot.steps.follow_up.assess.run(request.question, request).retrieved.hits

    def passage(self, chunk_id: str) -> Hit | None:
        """One passage of the index being served, by its chunk id."""
        passages = self.snapshot.passages
        position = passages.by_chunk_id.get(chunk_id)
        return None if position is None else passages.hit(position)

    def research_refs(self, pages: Sequence[int]) -> tuple[ResearchRef, ...]:
        """The research report's passages on these printed pages (none without the report)."""
        return self.snapshot.passages.research_refs(tuple(pages))

    def section_of(self, chunk_id: str) -> tuple[list[Hit], str] | None:
        """The passages of the section a passage stands in, in reading order, and where that
        section is ('… · 1.2 Een mismatch op de arbeidsmarkt · p. 8–21'); None for no passage."""
        passages = self.snapshot.passages
        position = passages.by_chunk_id.get(chunk_id)
        if position is None:
            return None
        place = passages.places[position]
        hits = [passages.hit(i) for i, other in enumerate(passages.places)
                if other.key == place.key]
        pages = [p for hit in hits for p in (hit.place.pages or [])]
        where = replace(place, page_start=min(pages, default=None),
                        page_end=max(pages, default=None),
                        page_label_start=hits[0].place.page_label_start,
                        page_label_end=hits[-1].place.page_label_end, research_pages=())
        return hits, describe_place(where)

    def faithfulness(self, answer: str, sources: Sequence[Source]) -> float | None:
        """Share of an answer's cited sentences that their cited passage supports (for
        evaluation)."""
        snapshot = self.snapshot
        return check_citations(answer, sources, snapshot.passages.vocabulary, snapshot.idf,
                               self.profile.citations.support_threshold).faithfulness
