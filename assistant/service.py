"""The Assistant: retrieve → estimate confidence → answer → cite. Models and index load once."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
from langchain_core.embeddings import Embeddings

from indexing.catalog import Catalog
from indexing.embeddings import latent_term_encoder, make_embeddings
from common.errors import WegwijzerError
from indexing.places import WEGWIJZER_NUMBERS
from common.settings import Settings
from indexing.store import Generation, IndexStore

from .answering import Answerer, continuation_openers, idf_table, make_answerer
from .conversation import clean_question, is_follow_up, recent_history, with_previous
from .confidence import FOREIGN_BELOW, ConfidenceModel, signals
from .overviews import Overview, OverviewIndex, build_overviews, overview_answer, overview_hits
from .model import (
    Answer,
    AnswerEvent,
    Notice,
    Source,
    SourcesFound,
    TextDelta,
    Turn,
    final_answer,
)
from .reranking import Reranker, make_reranker
from .passages import PassageIndex
from .retrieval import Filters, RetrievalPipeline, Retrieved, make_retrieval
from .retrievers import LatentTermBank, SentenceBank, passage_sentences

REFUSAL = (
    "Dat staat er niet in: de publicaties van de VNG Denktank geven geen antwoord op deze vraag."
)
REFUSAL_WITH_SOURCES = REFUSAL + " Deze passages liggen er het dichtst bij en zijn mogelijk relevant:"
# For a question in another language (see confidence.language_share): one line in English.
OTHER_LANGUAGE = "The sources are in Dutch, so the answer quotes them in Dutch."
UNSURE = ("Niet zeker: de publicaties gaan hier mogelijk niet precies over. Controleer het "
          "antwoord in de bronnen; het zijn de passages die het dichtst bij uw vraag liggen.")


@dataclass(frozen=True)
class IndexSnapshot:
    """One index generation, opened whole: every answer uses exactly one snapshot."""

    generation: Generation
    collection: Any
    passages: PassageIndex
    catalog: Catalog
    search: RetrievalPipeline
    idf: dict[str, float]
    answerer: Answerer
    overviews: OverviewIndex


class Assistant:
    """Answers questions from the active index. Python twin of `wegwijzer ask`."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None,
                 answerer: Answerer | None = None, confidence: ConfidenceModel | None = None,
                 reranker: Reranker | None = None) -> None:
        self.settings = settings
        self.store = IndexStore(settings)
        self.embeddings = embeddings or make_embeddings(settings.embedder)
        self.reranker = reranker or make_reranker(settings.reranker)
        self.confidence = confidence or ConfidenceModel.load()
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
        passages = PassageIndex.from_collection(collection)
        idf = idf_table(passages.terms)
        catalog = Catalog.from_passages(passages.metadatas, passages.texts)
        warm.join()
        if not vector:  # warming failed: fail here, with the embedder's own error
            vector.append(self.embeddings.embed_query("opwarmen"))
        # An embedder handed in by code must be the index's (checked before it may add
        # sentence vectors to the embedder's shared cache).
        self.store.check_embeddings(generation, collection, getattr(self.embeddings, "spec", None),
                                    len(vector[0]))
        search = make_retrieval(self.embeddings, passages, self.reranker,
                                sentences=self.sentence_vectors(passages),
                                latent=self.latent_terms(passages))
        snapshot = IndexSnapshot(
            generation=generation, collection=collection, passages=passages, catalog=catalog,
            search=search, idf=idf,
            answerer=self._answerer or make_answerer(self.settings, passages.vocabulary, idf,
                                                     self.chat_model,
                                                     continuation_openers(passages.texts),
                                                     search.sentence_similarity),
            overviews=OverviewIndex(build_overviews(catalog, passages), self.cached_vectors,
                                    passages),
        )
        return snapshot

    # Read-only views of the snapshot being served.
    generation = property(lambda self: self.snapshot.generation)
    passages = property(lambda self: self.snapshot.passages)
    catalog = property(lambda self: self.snapshot.catalog)
    search = property(lambda self: self.snapshot.search)
    answerer = property(lambda self: self.snapshot.answerer)

    def refresh(self) -> bool:
        """Switch to a newer index generation if a re-index finished; True when it did.

        The new snapshot is built aside and swapped in with one assignment, so a question being
        answered meanwhile finishes on the snapshot it started with.
        """
        with self._reload_lock:
            active = self.store.active()
            if active is None or active.name == self.snapshot.generation.name:
                return False
            self.snapshot = self._open()
            return True

    def check_filters(self, publication: str | None, wegwijzer: int | None,
                      catalog: Catalog | None = None) -> Filters:
        """Filters checked against the catalog of the index: known publication and wegwijzer."""
        catalog = catalog or self.snapshot.catalog
        ids = sorted(catalog.publication_titles)
        if publication and publication not in ids:
            raise WegwijzerError(
                f"Publicatie '{publication}' staat niet in de index. Kies uit: {', '.join(ids)}."
            )
        numbers = catalog.wegwijzer_numbers or list(WEGWIJZER_NUMBERS)
        if wegwijzer is not None and int(wegwijzer) not in numbers:
            raise WegwijzerError(f"Wegwijzer {wegwijzer} bestaat niet. Kies een nummer van "
                                 f"{min(numbers)} tot en met {max(numbers)}.")
        return Filters(publication=publication, wegwijzer=wegwijzer)

    def sentence_vectors(self, passages: PassageIndex) -> SentenceBank:
        """Each sentence with its passage and embedding; only sentences new to the cache are
        embedded (the first load after an index run takes longer)."""
        owners, texts = passage_sentences(passages)
        return SentenceBank(owners, texts, self.cached_vectors(texts))

    def latent_terms(self, passages: PassageIndex) -> LatentTermBank | None:
        """Each passage's latent terms, when the embedder has a sparse head; computed only for
        passages new to the cache (see the store)."""
        encoder = latent_term_encoder(self.embeddings)
        if encoder is None:
            return None
        return LatentTermBank(self.store.cached_latent_terms(passages.documents, encoder,
                                                             self.settings.embedder))

    def cached_vectors(self, texts: list[str]) -> np.ndarray:
        """Document embeddings of `texts`, embedded only the first time (see the store)."""
        return self.store.cached_vectors(texts, self.embeddings, self.settings.embedder)

    def prepare(self, question: str, history: list[Turn] | None = None, top_k: int | None = None,
                publication: str | None = None, wegwijzer: int | None = None,
                id: Any = None, snapshot: IndexSnapshot | None = None
                ) -> tuple[Answer, dict[str, float], Overview | None]:
        """Everything but the answer text: cleaned question, sources, confidence; with the
        retrieval signals the confidence was estimated from, and the catalog list that answers
        a question about the structure of the publications (see overviews.py)."""
        started = time.perf_counter()
        snapshot = snapshot or self.snapshot
        history = recent_history(history, self.settings.history_turns)
        text, notices = clean_question(question)
        filters = self.check_filters(publication, wegwijzer, snapshot.catalog)
        k = self.settings.top_k if top_k is None else top_k
        if k < 1:
            raise WegwijzerError(
                f"Het aantal bronnen (--top-k) moet minstens 1 zijn, niet {k}. Geef een getal "
                f"van 1 of meer, of laat --top-k weg voor de standaard ({self.settings.top_k}).")

        def assess(query: str) -> tuple[Retrieved, dict[str, float], float]:
            retrieved = snapshot.search.retrieve(query, k=k, filters=filters)
            # The question's vectors are the ones retrieval just embedded (cached): no extra cost.
            values = self.confidence.read_vector(
                signals(query, retrieved, snapshot.passages, snapshot.idf),
                snapshot.search.scope_vector(query), self.settings.embedder)
            return retrieved, values, (self.confidence.probability(values)
                                       if retrieved.hits else 0.0)

        # With a language model, a follow-up is rewritten into a standalone question; without
        # one, the question is joined to the previous one only when it lacks a topic of its own
        # (see conversation.is_follow_up).
        resolved = self.rewriter.rewrite(text, history) if self.rewriter and history else text
        retrieved, values, probability = assess(resolved)
        joined = None if self.rewriter else with_previous(text, history)
        if joined and retrieved.hits:
            alternative = assess(joined)
            if alternative[0].hits:
                own, theirs = retrieved.hits[:3], alternative[0].hits[:3]
                similarity = snapshot.search.similarity(text, own + theirs)
                gain = alternative[1]["dense_top"] - values["dense_top"]
                loss = max(similarity[:len(own)]) - max(similarity[len(own):])
                if is_follow_up(gain, loss):
                    resolved, (retrieved, values, probability) = joined, alternative
        level = self.confidence.level(probability, values)
        hits = retrieved.hits
        overview = None
        # A question the passages don't answer with confidence may still name a list of the
        # catalog ('Welke verhalen horen bij wegwijzer 6?'); without that, no list: measured
        # on core and blind, out-of-scope questions then drew a list closest to them.
        if hits and (level != "geen" or snapshot.overviews.named(resolved)):
            overview = snapshot.overviews.match(
                resolved, snapshot.search.query_vector(resolved), hits)
            if overview is not None and not all(
                    filters.accepts(snapshot.passages.places[item.position])
                    for item in overview.items):
                overview = None  # a list that cites passages outside the filters: not here
            if overview is not None:  # the list comes from the catalog: no doubt about it
                hits = overview_hits(overview, snapshot.passages, hits)
                level = "hoog"
        sources = [Source.from_hit(rank, hit) for rank, hit in enumerate(hits, start=1)]
        answer = Answer(question=text, answer="", refused=level == "geen", sources=sources, id=id,
                        notices=notices, resolved_question=resolved, confidence=level,
                        probability=probability)
        answer.timings_ms["retrieve"] = (time.perf_counter() - started) * 1000
        return answer, values, overview

    def ask(self, question: str, history: list[Turn] | None = None, top_k: int | None = None,
            publication: str | None = None, wegwijzer: int | None = None, id: Any = None) -> Answer:
        """Answer one question (with earlier turns for follow-ups): the final event of `stream`."""
        return final_answer(self.stream(question, history, top_k, publication, wegwijzer, id))

    def stream(self, question: str, history: list[Turn] | None = None, top_k: int | None = None,
               publication: str | None = None, wegwijzer: int | None = None,
               id: Any = None) -> Iterator[AnswerEvent]:
        """Answer as events: notices, the sources, text deltas, then the complete Answer."""
        snapshot = self.snapshot  # one generation for the whole answer
        history = recent_history(history, self.settings.history_turns)
        answer, values, overview = self.prepare(question, history, top_k, publication,
                                                wegwijzer, id, snapshot)
        if answer.confidence == "onzeker":
            answer.notices.append(UNSURE)
        if values.get("language_share", 1.0) < FOREIGN_BELOW and not answer.refused:
            answer.notices.append(OTHER_LANGUAGE)
        for notice in answer.notices:
            yield Notice(notice)
        started = time.perf_counter()
        if answer.refused:
            answer.answer = REFUSAL_WITH_SOURCES if answer.sources else REFUSAL
            yield SourcesFound(answer.sources)
            yield TextDelta(answer.answer)
        elif overview is not None:  # a question about the structure: the catalog's list
            position = snapshot.passages.by_chunk_id
            answer.answer = overview_answer(
                overview, {position[s.chunk_id]: s.marker for s in answer.sources},
                title_marker=answer.sources[0].marker)
            yield SourcesFound(answer.sources)
            yield TextDelta(answer.answer)
        else:
            for event in snapshot.answerer.stream(answer.resolved_question or answer.question,
                                                  answer.sources, history):
                if not isinstance(event, Answer):
                    yield event
                    continue
                answer.answer, answer.refused = event.answer, event.refused
                answer.sources = event.sources
                answer.notices = answer.notices + event.notices
                answer.llm, answer.citations_checked = event.llm, event.citations_checked
                answer.unsupported = event.unsupported
                answer.removed_markers = event.removed_markers
                if answer.refused:  # the model's refusal reads as ours, with the nearest passages
                    answer.answer = REFUSAL_WITH_SOURCES if answer.sources else REFUSAL
        answer.timings_ms["answer"] = (time.perf_counter() - started) * 1000
        answer.timings_ms["total"] = answer.timings_ms["retrieve"] + answer.timings_ms["answer"]
        yield answer
