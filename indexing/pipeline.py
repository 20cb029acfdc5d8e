"""The orchestrating class: load → structure → chunk → embed → store, and inspect the result."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import index as lc_index

from .chunking import chunk_sections
from .embeddings import make_embeddings
from .loaders import load
from .manifest import load_manifest
from .model import Passage, Publication
from .settings import Settings
from .store import Generation, IndexStore
from .structure import recover

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class IndexReport:
    """What an index run did."""

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

    def summary(self) -> str:
        """The Dutch one-line summary the CLI prints."""
        verb = "opnieuw opgebouwd" if self.rebuilt else "bijgewerkt"
        return (
            f"Index {verb}: {self.added} toegevoegd, {self.updated} bijgewerkt, "
            f"{self.skipped} overgeslagen, {self.deleted} verwijderd "
            f"({self.publications} publicaties, {self.passages} passages, "
            f"{self.seconds:.1f}".replace(".", ",") + " s)."
        )


@dataclass
class PartSummary:
    name: str
    chunks: int
    stories: list[dict[str, str]] = field(default_factory=list)
    research_pages: list[int] = field(default_factory=list)


@dataclass
class SectionSummary:
    title: str
    chapter: str | None
    wegwijzer: int | None
    wegwijzer_title: str | None
    pages: list[int] | None
    chunks: int
    parts: list[PartSummary] = field(default_factory=list)
    subsections: list[str] = field(default_factory=list)


@dataclass
class PublicationSummary:
    id: str
    title: str
    kind: str
    source_file: str
    chunks: int
    sections: list[SectionSummary] = field(default_factory=list)

    @property
    def wegwijzers(self) -> list[SectionSummary]:
        return [s for s in self.sections if s.wegwijzer is not None]


def prepare(settings: Settings) -> tuple[list[Publication], list[Passage]]:
    """Read, check and chunk every publication; raises CorpusError before anything is written."""
    publications = load_manifest(settings.manifest_path)
    passages: list[Passage] = []
    for publication in publications:
        passages.extend(chunk_sections(recover(load(publication)), settings.chunk_words))
    return publications, passages


def to_langchain(passage: Passage) -> LCDocument:
    """The LangChain document stored in Chroma: header + text, with all metadata."""
    return LCDocument(page_content=passage.embedded_text, metadata=dict(passage.metadata))


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

    def build(self, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        """(Re-)index the corpus. Only changed passages are embedded; see `store` for safety."""
        started = time.perf_counter()
        publications, passages = prepare(self.settings)  # bad input stops here, store untouched
        active = self.store.active()
        rebuild = rebuild or active is None or active.embedder != self.settings.embedder
        staging = self.store.stage(self.settings.embedder, rebuild=rebuild)
        try:
            result = lc_index(
                self._feed(passages, progress),
                self.store.record_manager(staging),
                self.store.vectorstore(staging, self.embeddings),
                batch_size=32,
                cleanup="full",
                source_id_key="publication_id",
                key_encoder="sha256",
            )
        except BaseException:
            self.store.discard(staging)  # also on Ctrl-C: the active index stays as it was
            raise
        report = IndexReport(
            added=result["num_added"], updated=result["num_updated"],
            skipped=result["num_skipped"], deleted=result["num_deleted"],
            publications=len(publications), passages=len(passages), rebuilt=rebuild,
        )
        report.changed = rebuild or bool(report.added or report.updated or report.deleted)
        if report.changed:
            self.store.activate(staging)
            report.generation = staging.name
        else:
            self.store.discard(staging)
            report.generation = active.name if active else staging.name
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def _feed(passages: list[Passage], progress: Progress | None) -> Iterator[LCDocument]:
        for done, passage in enumerate(passages, start=1):
            yield to_langchain(passage)
            if progress:
                progress(done, len(passages))

    def inspect(self) -> list[PublicationSummary]:
        """What the active index holds, per publication and section."""
        generation = self.store.require_active(self.settings.embedder)
        return summarise(self.all_metadata(generation))

    def all_metadata(self, generation: Generation | None = None) -> list[dict[str, Any]]:
        generation = generation or self.store.require_active(self.settings.embedder)
        collection = self.store.collection(generation)
        where = {"level": {"$in": ["passage", "figure"]}}
        return collection.get(where=where, include=["metadatas"])["metadatas"]


def summarise(metadatas: list[dict[str, Any]]) -> list[PublicationSummary]:
    """Group chunk metadata into publications → sections → parts (pure)."""
    ordered = sorted(
        metadatas,
        key=lambda m: (m.get("publication_id", ""), m.get("section_order", 0), m.get("chunk_index", 0)),
    )
    publications: dict[str, PublicationSummary] = {}
    sections: dict[tuple[str, str], SectionSummary] = {}
    for meta in ordered:
        pid = meta["publication_id"]
        publication = publications.setdefault(pid, PublicationSummary(
            id=pid, title=meta.get("publication_title", pid), kind=meta.get("kind", ""),
            source_file=meta.get("source_file", ""), chunks=0,
        ))
        publication.chunks += 1
        key = (pid, f"{meta.get('chapter', '')}|{meta.get('section', '')}")
        section = sections.get(key)
        if section is None:
            start, end = meta.get("page_start"), meta.get("page_end")
            section = SectionSummary(
                title=meta.get("section", ""), chapter=meta.get("chapter"),
                wegwijzer=meta.get("wegwijzer"), wegwijzer_title=meta.get("wegwijzer_title"),
                pages=[start, end] if start is not None else None, chunks=0,
            )
            sections[key] = section
            publication.sections.append(section)
        section.chunks += 1
        if meta.get("subsection") and meta["subsection"] not in section.subsections:
            section.subsections.append(meta["subsection"])
        if meta.get("part"):
            part = next((p for p in section.parts if p.name == meta["part"]), None)
            if part is None:
                part = PartSummary(name=meta["part"], chunks=0)
                section.parts.append(part)
            part.chunks += 1
            story = {"title": meta.get("story_title"), "author": meta.get("story_author")}
            if story["title"] and story not in part.stories:
                part.stories.append(story)
            for page in meta.get("research_pages") or []:
                if page not in part.research_pages:
                    part.research_pages.append(page)
    for publication in publications.values():
        for section in publication.sections:
            for part in section.parts:
                part.research_pages.sort()
    return list(publications.values())
