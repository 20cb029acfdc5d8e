"""The vector store: Chroma (local folder or server) holding generations of the index.

Every re-index writes into a *staging* generation: a new collection that starts as a copy of
the active one (no re-embedding), plus a copy of the record manager's SQLite file. LangChain's
indexing API then embeds only what changed. Only when that succeeds does a one-record pointer
collection switch to the new generation. A failed or interrupted run leaves the pointer, and so
the previous index, untouched; the previous generation is kept for processes still reading it.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .errors import EmbedderMismatchError, IndexMissingError, StoreError
from .settings import Settings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COPY_BATCH = 1000


@dataclass(frozen=True)
class Generation:
    """One complete version of the index."""

    name: str
    embedder: str
    built_at: str = ""
    chunks: int = 0


def make_client(settings: Settings) -> Any:
    """A Chroma client: HTTP when a server URL is set, else persistent in the data dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise StoreError(
                f"De Chroma-URL '{settings.chroma_url}' is ongeldig. Gebruik de vorm "
                f"http://HOST:POORT, bijvoorbeeld http://127.0.0.1:8000."
            )
        try:
            client = chromadb.HttpClient(
                host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https", settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # connection errors come in many types
            raise StoreError(
                f"De Chroma-server op {settings.chroma_url} is niet bereikbaar ({exc}). Start hem "
                f"met `chroma run --path MAP --host HOST --port POORT`, of laat --chroma-url weg "
                f"om de lokale index te gebruiken."
            ) from exc
        return client
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class IndexStore:
    """Generations of the index in Chroma, with a pointer to the active one."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else make_client(settings)
        self.prefix = settings.collection
        self.records_dir = settings.data_dir / "records"

    # pointer

    @property
    def pointer_name(self) -> str:
        return f"{self.prefix}-active"

    def active(self) -> Generation | None:
        """The generation that queries use, or None before the first index."""
        from chromadb.errors import NotFoundError

        try:
            pointer = self.client.get_collection(self.pointer_name, embedding_function=None)
        except NotFoundError:
            return None
        meta = pointer.metadata or {}
        if not meta.get("generation"):
            return None
        return Generation(
            name=meta["generation"], embedder=meta.get("embedder", ""),
            built_at=meta.get("built_at", ""), chunks=int(meta.get("chunks", 0)),
        )

    def _set_active(self, generation: Generation) -> None:
        pointer = self.client.get_or_create_collection(self.pointer_name, embedding_function=None)
        pointer.modify(metadata={
            "generation": generation.name, "embedder": generation.embedder,
            "built_at": generation.built_at, "chunks": generation.chunks,
        })

    # reading

    def require_active(self, embedder: str) -> Generation:
        """The active generation, checked against the configured embedder."""
        generation = self.active()
        where = self.settings.chroma_url or str(self.settings.data_dir)
        if generation is None:
            raise IndexMissingError(
                f"Er is nog geen index in {where}. Bouw hem eerst met `wegwijzer index`."
            )
        if generation.embedder != embedder:
            raise EmbedderMismatchError(
                f"De index in {where} is gebouwd met embedder '{generation.embedder}', maar nu is "
                f"'{embedder}' ingesteld. Herindexeer met `wegwijzer index --rebuild` (met deze "
                f"embedder), of stel de oorspronkelijke embedder weer in."
            )
        return generation

    def collection(self, generation: Generation) -> Any:
        """The raw Chroma collection of a generation."""
        return self.client.get_collection(generation.name, embedding_function=None)

    def vectorstore(self, generation: Generation, embeddings: Any) -> Any:
        """A LangChain Chroma vector store over a generation."""
        from langchain_chroma import Chroma

        return Chroma(
            client=self.client, collection_name=generation.name, embedding_function=embeddings,
            collection_metadata={"hnsw:space": "cosine"}, create_collection_if_not_exists=False,
        )

    def record_manager(self, generation: Generation) -> Any:
        """LangChain's SQL record manager for a generation (one SQLite file each)."""
        from langchain_classic.indexes import SQLRecordManager

        self.records_dir.mkdir(parents=True, exist_ok=True)
        manager = SQLRecordManager(
            namespace=f"wegwijzer/{self.prefix}",
            db_url=f"sqlite:///{self.records_dir / (generation.name + '.sqlite')}",
        )
        manager.create_schema()
        return manager

    # writing

    def stage(self, embedder: str, rebuild: bool = False) -> Generation:
        """A new generation: a copy of the active one, or empty for a rebuild."""
        stamp = time.strftime("%Y%m%d%H%M%S")
        generation = Generation(name=f"{self.prefix}-{stamp}-{uuid.uuid4().hex[:6]}", embedder=embedder)
        target = self.client.create_collection(
            generation.name, embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": embedder},
        )
        source = self.active()
        if source is not None and not rebuild and source.embedder == embedder:
            self._copy_records(self.collection(source), target)
            old = self.records_dir / f"{source.name}.sqlite"
            if old.exists():
                self.records_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(old, self.records_dir / f"{generation.name}.sqlite")
        return generation

    @staticmethod
    def _copy_records(source: Any, target: Any) -> None:
        offset = 0
        while True:
            batch = source.get(include=["embeddings", "documents", "metadatas"],
                               limit=COPY_BATCH, offset=offset)
            if not batch["ids"]:
                break
            target.add(ids=batch["ids"], embeddings=batch["embeddings"],
                       documents=batch["documents"], metadatas=batch["metadatas"])
            offset += len(batch["ids"])

    def activate(self, generation: Generation) -> None:
        """Point queries at `generation`; keep the previous one, drop older ones."""
        previous = self.active()
        count = self.collection(generation).count()
        final = Generation(generation.name, generation.embedder,
                           built_at=time.strftime("%Y-%m-%d %H:%M:%S"), chunks=count)
        self._set_active(final)
        keep = {final.name} | ({previous.name} if previous else set())
        self.prune(keep)

    def discard(self, generation: Generation) -> None:
        """Drop a staging generation that did not make it."""
        self._drop(generation.name)

    def prune(self, keep: set[str]) -> None:
        """Remove generations (and leftovers of failed runs) other than `keep`."""
        for name in self.generation_names():
            if name not in keep:
                self._drop(name)

    def generation_names(self) -> list[str]:
        names = []
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(self.prefix + "-") and name != self.pointer_name:
                names.append(name)
        return names

    def _drop(self, name: str) -> None:
        from chromadb.errors import NotFoundError

        try:
            self.client.delete_collection(name)
        except NotFoundError:
            pass  # already gone: nothing to clean up
        record = self.records_dir / f"{name}.sqlite"
        if record.exists():
            record.unlink()

