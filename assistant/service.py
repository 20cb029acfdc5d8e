"""The Assistant: retrieve → assess evidence → answer → cite. Models and index load once."""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator

from langchain_core.embeddings import Embeddings

from indexing.embeddings import make_embeddings
from indexing.errors import WegwijzerError
from indexing.settings import Settings
from indexing.store import Generation, IndexStore

from .answering import Answerer, ExtractiveAnswerer, idf_table
from .conversation import clean_question, resolve
from .evidence import Evidence, RefusalPolicy, assess
from .model import Answer, Hit, Source, Turn
from .reranking import Reranker, make_reranker
from .retrieval import Filters, HybridSearch, PassageIndex, distinct_places_first

REFUSAL = (
    "Dat staat er niet in: de publicaties van de VNG Denktank geven geen antwoord op deze vraag."
)
REFUSAL_WITH_SOURCES = REFUSAL + " Deze passages liggen er het dichtst bij en zijn mogelijk relevant:"


class Assistant:
    """Answers questions from the active index. Python twin of `wegwijzer ask`."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None,
                 answerer: Answerer | None = None, policy: RefusalPolicy | None = None,
                 reranker: Reranker | None = None) -> None:
        self.settings = settings
        self.store = IndexStore(settings)
        self.embeddings = embeddings or make_embeddings(settings.embedder)
        self.reranker = reranker or make_reranker(settings.reranker)
        self.policy = policy or RefusalPolicy()
        self._answerer = answerer
        self.generation: Generation | None = None
        self._load()

    def _load(self) -> None:
        # The embedder's first call is slow (it maps its weights); warm it while the index loads.
        warm = threading.Thread(target=self.embeddings.embed_query, args=("opwarmen",), daemon=True)
        warm.start()
        generation = self.store.require_active(self.settings.embedder)
        collection = self.store.collection(generation)
        self.passages = PassageIndex.from_collection(collection)
        self.search = HybridSearch(collection, self.embeddings, self.passages)
        self.idf = idf_table(self.passages.terms)
        self.answerer: Answerer = self._answerer or ExtractiveAnswerer(self.passages.vocabulary, self.idf)
        self.generation = generation
        self.publication_ids = sorted({m.get("publication_id") for m in self.passages.metadatas})
        warm.join()

    def refresh(self) -> bool:
        """Switch to a newer index generation if a re-index finished; True when it did."""
        active = self.store.active()
        if active is not None and self.generation is not None and active.name != self.generation.name:
            self._load()
            return True
        return False

    def check_filters(self, publication: str | None, wegwijzer: int | None) -> Filters:
        if publication and publication not in self.publication_ids:
            raise WegwijzerError(
                f"Publicatie '{publication}' staat niet in de index. Kies uit: "
                f"{', '.join(self.publication_ids)}."
            )
        if wegwijzer is not None and not 1 <= int(wegwijzer) <= 10:
            raise WegwijzerError(f"Wegwijzer {wegwijzer} bestaat niet. Kies een nummer van 1 tot en met 10.")
        return Filters(publication=publication, wegwijzer=wegwijzer)

    def retrieve(self, question: str, k: int, filters: Filters) -> list[Hit]:
        """The k best passages; with a reranker, it reorders the hybrid search's best `depth`."""
        if self.reranker is None:
            return self.search.search(question, k=k, filters=filters)
        hits = self.search.search(question, k=max(k, self.reranker.depth), filters=filters)
        return distinct_places_first(self.reranker.rerank(question, hits))[:k]

    def prepare(self, question: str, history: list[Turn] | None = None, top_k: int | None = None,
                publication: str | None = None, wegwijzer: int | None = None,
                id: Any = None) -> tuple[Answer, Evidence]:
        """Everything but the answer text: cleaned question, sources, refusal decision."""
        started = time.perf_counter()
        text, notices = clean_question(question)
        filters = self.check_filters(publication, wegwijzer)
        resolved = resolve(text, history)
        k = self.settings.top_k if top_k is None else top_k
        if k < 1:
            raise WegwijzerError(
                f"Het aantal bronnen (--top-k) moet minstens 1 zijn, niet {k}. Geef een getal "
                f"van 1 of meer, of laat --top-k weg voor de standaard ({self.settings.top_k}).")
        hits = self.retrieve(resolved, k, filters)
        evidence = assess(resolved, hits, self.passages.vocabulary, idf=self.idf)
        sources = [Source.from_hit(rank, hit) for rank, hit in enumerate(hits, start=1)]
        refused = not sources or self.policy.refuse(evidence)
        answer = Answer(question=text, answer="", refused=refused, sources=sources, id=id,
                        notices=notices, resolved_question=resolved)
        answer.timings_ms["retrieve"] = (time.perf_counter() - started) * 1000
        return answer, evidence

    def ask(self, question: str, history: list[Turn] | None = None, top_k: int | None = None,
            publication: str | None = None, wegwijzer: int | None = None, id: Any = None) -> Answer:
        """Answer one question (with earlier turns for follow-ups)."""
        answer, _ = self.prepare(question, history, top_k, publication, wegwijzer, id)
        started = time.perf_counter()
        if answer.refused:
            answer.answer = REFUSAL_WITH_SOURCES if answer.sources else REFUSAL
        else:
            answer.answer = self.answerer.answer(answer.resolved_question or answer.question,
                                                 answer.sources)
        answer.timings_ms["answer"] = (time.perf_counter() - started) * 1000
        answer.timings_ms["total"] = answer.timings_ms["retrieve"] + answer.timings_ms["answer"]
        return answer

    def stream(self, question: str, history: list[Turn] | None = None, top_k: int | None = None,
               publication: str | None = None, wegwijzer: int | None = None
               ) -> Iterator[tuple[str, Answer]]:
        """Yield (text so far, answer) while the answer is composed; the last one is complete."""
        answer, _ = self.prepare(question, history, top_k, publication, wegwijzer)
        started = time.perf_counter()
        if answer.refused:
            answer.answer = REFUSAL_WITH_SOURCES if answer.sources else REFUSAL
            yield answer.answer, answer
        else:
            parts: list[str] = []
            for piece in self.answerer.stream(answer.resolved_question or answer.question,
                                              answer.sources):
                parts.append(piece)
                answer.answer = "".join(parts)
                yield answer.answer, answer
        answer.timings_ms["answer"] = (time.perf_counter() - started) * 1000
        answer.timings_ms["total"] = answer.timings_ms["retrieve"] + answer.timings_ms["answer"]
        yield answer.answer, answer
