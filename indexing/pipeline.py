"""The orchestrating class: load → structure → chunk → embed → store, and inspect the result."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import index as lc_index

from .catalog import Catalog, PublicationSummary
from .chunking import chunk_sections
from .embeddings import latent_term_encoder, make_embeddings
from .loaders import load
from .locking import Owner, WriterLock
from .manifest import load_manifest
from .model import Passage, Publication
from .plan import EMBEDDING, LATENT_TERMS, IndexPlan, RateBook, check_size, document_key, plan_run
from common.errors import StoreError
from common.settings import Settings
from .store import Generation, IndexStore, connection_lost
from .structure import recover

# (step, done, total): plan.EMBEDDING counts every passage (skipped ones too), plan.LATENT_TERMS
# the passages whose latent terms are computed.
Progress = Callable[[str, int, int], None]
INDEX_BATCH = 32  # passages LangChain's index() embeds, stores and records at a time
Notify = Callable[[str], None]  # a Dutch message for the user while the run goes on


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0
    publications: int = 0
    passages: int = 0
    seconds: float = 0.0
    generation: str = ""
    rebuilt: bool = False
    changed: bool = False
    plan: IndexPlan | None = None
    removed: list[str] = field(default_factory=list)  # stale generations cleaned up

    def summary(self) -> str:
        """The Dutch one-line summary the CLI prints."""
        verb = "opnieuw opgebouwd" if self.rebuilt else "bijgewerkt"
        line = (f"Index {verb}: {self.added} toegevoegd, {self.updated} bijgewerkt, "
                f"{self.skipped} overgeslagen, {self.deleted} verwijderd "
                f"({self.publications} publicaties, {self.passages} passages, "
                f"{self.seconds:.1f}".replace(".", ",") + " s).")
        if self.removed:
            line += f" Resten van {len(self.removed)} afgebroken run(s) opgeruimd."
        return line


def prepare(settings: Settings) -> tuple[list[Publication], list[Passage]]:
    """Read, check and chunk every publication; raises CorpusError before anything is written."""
    publications = load_manifest(settings.manifest_path)
    passages: list[Passage] = []
    for publication in publications:
        passages.extend(chunk_sections(recover(load(publication)), settings.chunk_words))
    return publications, passages


class Indexer:
    """Builds and inspects the index described by a Settings object."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None,
                 store: IndexStore | None = None) -> None:
        self.settings = settings
        self._embeddings = embeddings
        self.store = store or IndexStore(settings)

    @property
    def embeddings(self) -> Embeddings:
        if self._embeddings is None:
            self._embeddings = make_embeddings(self.settings.embedder)
        return self._embeddings

    def build(self, rebuild: bool = False, progress: Progress | None = None,
              notify: Notify | None = None) -> IndexReport:
        """(Re-)index the corpus, embedding only changed passages, one run at a time per data
        dir. More passages to embed than `settings.max_passages` stops it before anything is
        written. `notify` receives Dutch messages (waiting, the plan)."""
        started = time.perf_counter()
        publications, passages = prepare(self.settings)  # bad input stops here, store untouched
        documents = [LCDocument(page_content=p.embedded_text, metadata=dict(p.metadata))
                     for p in passages]
        with WriterLock(self.settings.data_dir, self.settings.index_wait, notify) as owner:
            try:
                report = self._build_locked(documents, owner, rebuild, progress, notify)
            except Exception as error:
                if self.settings.chroma_url and connection_lost(error):
                    raise StoreError(
                        f"De Chroma-server op {self.settings.chroma_url} is niet meer bereikbaar "
                        f"({type(error).__name__}). De vorige index is ongewijzigd. Start de "
                        f"server opnieuw en draai dan `wegwijzer index` nog eens; die ruimt de "
                        f"half geschreven versie op.") from error
                raise
        report.publications = len(publications)
        report.passages = len(passages)
        report.seconds = time.perf_counter() - started
        return report

    def _build_locked(self, documents: list[LCDocument], owner: Owner, rebuild: bool,
                      progress: Progress | None, notify: Notify | None) -> IndexReport:
        removed = self.store.remove_stale(owner)
        active = self.store.active()
        rebuild = rebuild or active is None or active.embedder != self.settings.embedder
        known = set() if rebuild else self.store.known_keys(active)
        rates = RateBook(self.settings.rates_path)
        plan = plan_run(documents, known, rate=rates.rate(self.settings.embedder))
        if rebuild or plan.to_embed or plan.to_delete:  # else the latent step does not run
            plan.latent = self._latent_to_compute(documents)
            plan.latent_rate = rates.rate(self.settings.embedder, LATENT_TERMS)
        check_size(plan, self.settings.max_passages)  # nothing staged yet
        if notify:
            notify(plan.describe())
        staging = self.store.stage(self.settings.embedder, owner, rebuild=rebuild)
        embedding_started = time.perf_counter()
        try:
            result = lc_index(self._feed(documents, progress), self.store.record_manager(staging),
                              self.store.vectorstore(staging, self.embeddings),
                              batch_size=INDEX_BATCH, cleanup="full",
                              source_id_key="publication_id", key_encoder=document_key)
        except BaseException:
            self.store.discard(staging)  # also on Ctrl-C: the active index stays as it was
            raise
        try:
            relabelled = self.store.update_metadata(staging, {
                document_key(d): d.metadata for d in documents})
        except BaseException:
            self.store.discard(staging)
            raise
        report = IndexReport(added=result["num_added"], updated=result["num_updated"] + relabelled,
                             skipped=result["num_skipped"] - relabelled,
                             deleted=result["num_deleted"], rebuilt=rebuild, plan=plan,
                             removed=removed)
        rates.record(self.settings.embedder, report.added + report.updated,
                     time.perf_counter() - embedding_started, EMBEDDING)
        report.changed = rebuild or bool(report.added or report.updated or report.deleted)
        if not report.changed:
            self.store.discard(staging)
            report.generation = active.name if active else staging.name
            return report
        try:
            self._cache_latent_terms(staging, rates, progress)
        except BaseException:
            self.store.discard(staging)
            raise
        self.store.activate(staging, owner)
        report.generation = staging.name
        return report

    def _latent_to_compute(self, documents: list[LCDocument]) -> int:
        """How many passages the latent-term step will compute: those not in the cache."""
        if latent_term_encoder(self.embeddings) is None:
            return 0
        texts = [d.page_content for d in documents if d.metadata.get("level") == "passage"]
        return self.store.missing_latent_terms(texts, self.settings.embedder)

    def _cache_latent_terms(self, generation: Generation, rates: RateBook,
                            progress: Progress | None) -> None:
        """Fill the latent-term cache for the new passages, so the first start after an index
        run does not wait for them; remember the speed."""
        encoder = latent_term_encoder(self.embeddings)
        if encoder is None:
            return
        data = self.store.collection(generation).get(where={"level": "passage"},
                                                      include=["documents"])
        computed = 0

        def tick(done: int, total: int) -> None:
            nonlocal computed
            computed = done
            if progress:
                progress(LATENT_TERMS, done, total)

        started = time.perf_counter()
        self.store.cached_latent_terms(data["documents"], encoder, self.settings.embedder, tick)
        rates.record(self.settings.embedder, computed, time.perf_counter() - started,
                     LATENT_TERMS)

    @staticmethod
    def _feed(documents: list[LCDocument], progress: Progress | None) -> Iterator[LCDocument]:
        for done, document in enumerate(documents, start=1):
            yield document
            if progress:
                progress(EMBEDDING, done, len(documents))

    def inspect(self) -> list[PublicationSummary]:
        return Catalog.from_passages(self.all_metadata()).publications

    def all_metadata(self) -> list[dict[str, Any]]:
        collection = self.store.collection(self.store.require_active(self.settings.embedder))
        where = {"level": {"$in": ["passage", "figure"]}}
        return collection.get(where=where, include=["metadatas"])["metadatas"]
