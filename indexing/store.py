"""The vector store: Chroma (local folder or server) holding generations of the index.

Every re-index writes into a *staging* generation: a new collection that starts as a copy of
the active one (no re-embedding), plus a copy of the record manager's SQLite file. LangChain's
indexing API then embeds only what changed. Only when that succeeds does a one-record pointer
collection switch to the new generation. A failed or interrupted run leaves the pointer, and so
the previous index, untouched; the previous generation is kept for processes still reading it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import urlparse

import numpy as np

from common.errors import EmbedderMismatchError, IndexMissingError, StoreError
from .embeddings import LatentTerms
from .locking import Owner, process_alive
from common.settings import Settings

log = logging.getLogger(__name__)

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COPY_BATCH = 1000
LATENT_BATCH = 8  # texts per encoder call in the latent-term step: one progress tick each


@dataclass(frozen=True)
class Generation:
    """One complete version of the index."""

    name: str
    embedder: str
    built_at: str = ""
    chunks: int = 0
    previous: str = ""  # the generation before it, kept for processes still reading it


def _safe_name(embedder: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", embedder)


def text_key(text: str) -> str:
    """The key of a text in the caches beside the generations."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_latent_arrays(path: Path, names: Sequence[str]) -> list[np.ndarray] | None:
    """Arrays of the latent-term cache file (None when there is no readable cache file)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return [data[name] for name in names]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as exc:  # a damaged cache is rebuilt, not fatal
        log.warning("Cachebestand %s is onleesbaar (%s); het wordt opnieuw opgebouwd.", path, exc)
        return None


def _read_latent_cache(path: Path) -> dict[str, LatentTerms]:
    """The cached latent terms by text hash (empty when there is no readable cache file)."""
    arrays = _read_latent_arrays(path, ("keys", "offsets", "indices", "values"))
    if arrays is None:
        return {}
    keys, offsets, indices, values = arrays
    return {str(key): LatentTerms(indices[start:end], values[start:end])
            for key, start, end in zip(keys, offsets[:-1], offsets[1:])}


def _write_latent_cache(path: Path, entries: dict[str, LatentTerms]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    items = sorted(entries.items())
    lengths = [len(terms.indices) for _, terms in items]
    temporary = path.with_name(f".{path.stem}-{uuid.uuid4().hex}.npz")
    try:
        indices = [t.indices for _, t in items] or [np.zeros(0)]
        values = [t.values for _, t in items] or [np.zeros(0)]
        np.savez(temporary, keys=np.asarray([key for key, _ in items], dtype="U64"),
                 offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                 indices=np.concatenate(indices).astype(np.int32),
                 values=np.concatenate(values).astype(np.float32))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


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
        self._client = client
        self.prefix = settings.collection
        self.records_dir = settings.data_dir / "records"

    @property
    def client(self) -> Any:
        """The Chroma client, opened on first use: an `index` run must not touch the store
        before it holds the writer lock (another run may be stopped mid-write)."""
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

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
            previous=meta.get("previous", ""),
        )

    def _set_active(self, generation: Generation) -> None:
        pointer = self.client.get_or_create_collection(self.pointer_name, embedding_function=None)
        pointer.modify(metadata={
            "generation": generation.name, "embedder": generation.embedder,
            "built_at": generation.built_at, "chunks": generation.chunks,
            "previous": generation.previous,
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

    def check_embeddings(self, generation: Generation, collection: Any, spec: str | None,
                         dimension: int) -> None:
        """An embedder handed in by code must be the index's: same name (when it has one)
        and vectors of the same length as the stored ones."""
        where = self.settings.chroma_url or str(self.settings.data_dir)
        if spec is not None and spec != generation.embedder:
            raise EmbedderMismatchError(
                f"De index in {where} is gebouwd met embedder '{generation.embedder}', maar de "
                f"meegegeven embedder is '{spec}'. Geef de embedder van de index mee, of "
                f"herindexeer met `wegwijzer index --rebuild`."
            )
        stored = collection.get(limit=1, include=["embeddings"])["embeddings"]
        if stored is not None and len(stored) and len(stored[0]) != dimension:
            raise EmbedderMismatchError(
                f"De index in {where} bevat vectoren van lengte {len(stored[0])}, maar de "
                f"embedder maakt vectoren van lengte {dimension}: dat is een andere embedder "
                f"dan die van de index ('{generation.embedder}'). Gebruik die embedder, of "
                f"herindexeer met `wegwijzer index --rebuild`."
            )

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

    def cached_vectors(self, texts: Sequence[str], embeddings: Any, embedder: str,
                       batch: int = 64) -> np.ndarray:
        """Embeddings of `texts` (as documents), from a cache collection keyed by each text's hash.

        For what the assistant embeds beyond the passages: every sentence (sentence-level
        retrieval, assistant.retrievers.SentenceRetriever) and the catalog's lists
        (assistant.overviews). The cache lives beside the generations, not in them, and is
        shared by all generations of one embedder: a re-index or restart embeds only texts it
        has never seen, and the passages' records and counts stay what they were.
        """
        collection = self.client.get_or_create_collection(
            f"{self.prefix}.cache.{_safe_name(embedder)}",
            embedding_function=None, metadata={"hnsw:space": "cosine"})
        keys = [text_key(text) for text in texts]
        found: dict[str, np.ndarray] = {}
        unique = sorted(set(keys))
        for start in range(0, len(unique), 500):
            stored = collection.get(ids=unique[start:start + 500], include=["embeddings"])
            for key, vector in zip(stored["ids"], stored["embeddings"]):
                found[key] = np.asarray(vector, dtype=np.float32)
        missing = [(key, text) for key, text in dict(zip(keys, texts)).items()
                   if key not in found]
        if len(missing) > batch:  # the first load after indexing new text: say why it waits
            log.info("%d zinnen en lijsten worden eenmalig ingebed voor het zoeken …", len(missing))
        for start in range(0, len(missing), batch):
            part = missing[start:start + batch]
            vectors = embeddings.embed_documents([text for _, text in part])
            collection.upsert(ids=[key for key, _ in part], embeddings=vectors)
            found.update((key, np.asarray(v, dtype=np.float32)) for (key, _), v in zip(part, vectors))
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([found[key] for key in keys])

    def _latent_cache_path(self, embedder: str) -> Path:
        return self.settings.data_dir / "cache" / f"latent-{_safe_name(embedder)}.npz"

    def missing_latent_terms(self, texts: Sequence[str], embedder: str) -> int:
        """How many distinct `texts` `cached_latent_terms` would have to compute (the plan)."""
        arrays = _read_latent_arrays(self._latent_cache_path(embedder), ("keys",))
        cached = {str(key) for key in arrays[0]} if arrays is not None else set()
        return len({text_key(text) for text in texts} - cached)

    def cached_latent_terms(self, texts: Sequence[str], encoder: Any, embedder: str,
                            progress: Callable[[int, int], None] | None = None
                            ) -> list[LatentTerms]:
        """Sparse latent-term vectors of `texts`, from a file cache keyed by each text's hash.

        Like `cached_vectors`, shared by all generations of one embedder and computed only for
        texts never seen; `progress(done, total)` follows that computation. A file in the data
        dir, not Chroma: Chroma's local store takes no sparse vectors. Written whole to a
        temporary file and renamed, so a reader never sees half a file; two writers at once
        can only lose each other's new entries (recomputed).
        """
        path = self._latent_cache_path(embedder)
        known = _read_latent_cache(path)
        keys = [text_key(text) for text in texts]
        missing = [(key, text) for key, text in dict(zip(keys, texts)).items() if key not in known]
        if missing:
            if len(missing) > 64 and progress is None:  # a start that fills the cache: say why
                log.info("Latente termen berekenen voor %d nieuwe passages …", len(missing))
            for start in range(0, len(missing), LATENT_BATCH):
                part = missing[start:start + LATENT_BATCH]
                known.update(zip((key for key, _ in part),
                                 encoder.latent_terms([text for _, text in part])))
                if progress:
                    progress(start + len(part), len(missing))
            _write_latent_cache(path, known)
        return [known[key] for key in keys]

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

    def known_keys(self, generation: Generation) -> set[str]:
        """The record keys (passage hashes) a generation holds, without writing anything."""
        if not (self.records_dir / f"{generation.name}.sqlite").exists():
            return set()
        return set(self.record_manager(generation).list_keys())

    # writing

    def stage(self, embedder: str, owner: Owner, rebuild: bool = False) -> Generation:
        """A new generation: a copy of the active one, or empty for a rebuild.

        Its metadata names the `owner`, so a later run can tell a live run's staging from the
        leftovers of a killed one.
        """
        stamp = time.strftime("%Y%m%d%H%M%S")
        generation = Generation(name=f"{self.prefix}-{stamp}-{uuid.uuid4().hex[:6]}", embedder=embedder)
        target = self.client.create_collection(
            generation.name, embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": embedder, **owner.as_metadata()},
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

    def activate(self, generation: Generation, owner: Owner) -> None:
        """Point queries at `generation`; keep the previous one, drop older ones.

        Call it holding the writer lock (`locking.WriterLock`): then no other run can switch
        the pointer in between.
        """
        previous = self.active()
        count = self.collection(generation).count()
        final = Generation(generation.name, generation.embedder,
                           built_at=time.strftime("%Y-%m-%d %H:%M:%S"), chunks=count,
                           previous=previous.name if previous else "")
        self._set_active(final)
        self.remove_stale(owner)

    def discard(self, generation: Generation) -> None:
        """Drop a staging generation that did not make it.

        Never raises: when the store itself is gone, the next run removes the leftovers.
        """
        try:
            self._drop(generation.name)
        except Exception as exc:  # the server may be the reason we are discarding
            log.warning("could not remove staging generation %s (%s); the next run will",
                        generation.name, type(exc).__name__)

    def remove_stale(self, owner: Owner) -> list[str]:
        """Remove what no live run owns: killed runs' staging, older generations, orphan records.

        Never the active generation or the one before it (chats may still read it), and never
        a staging generation of a run that is still alive. Call it holding the writer lock.
        Returns the names removed.
        """
        active = self.active()
        keep = {active.name, active.previous} if active else set()
        removed = []
        for collection in self._generations():
            if collection.name in keep or not self._is_stale(collection, owner, active):
                continue
            self._drop(collection.name)
            removed.append(collection.name)
        self._remove_orphan_records(keep)
        if removed:
            log.warning("removed stale generations: %s", ", ".join(removed))
        return removed

    def _is_stale(self, collection: Any, me: Owner, active: Generation | None) -> bool:
        owner = Owner.from_metadata(getattr(collection, "metadata", None))
        if owner is None:  # an older generation, or staging of a version without owners
            if not self.settings.chroma_url:
                return True  # a local Chroma folder belongs to this data dir: we hold its lock
            return active is not None and collection.name < active.name  # names start with a time
        if owner.pid == me.pid and owner.host == me.host:
            return True  # a generation this process gave up on
        if owner.lock == me.lock:
            return True  # written from this data dir, whose lock we hold: that run is over
        return owner.host == socket.gethostname() and not process_alive(owner.pid)

    def _remove_orphan_records(self, keep: set[str]) -> None:
        if not self.records_dir.exists():
            return
        live = set(self.generation_names()) | keep
        for record in self.records_dir.glob("*.sqlite"):
            if record.stem not in live:
                record.unlink(missing_ok=True)

    def _generations(self) -> list[Any]:
        return [c for c in self.client.list_collections()
                if c.name.startswith(self.prefix + "-") and c.name != self.pointer_name]

    def generation_names(self) -> list[str]:
        return [collection.name for collection in self._generations()]

    def _drop(self, name: str) -> None:
        from chromadb.errors import NotFoundError

        try:
            self.client.delete_collection(name)
        except NotFoundError:
            pass  # already gone: nothing to clean up
        record = self.records_dir / f"{name}.sqlite"
        if record.exists():
            record.unlink()



def connection_lost(error: BaseException) -> bool:
    """Whether an error (or one it came from) means the Chroma server cannot be reached."""
    import httpx

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, (httpx.TransportError, ConnectionError)):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def unreachable_error(settings: Settings, error: BaseException) -> StoreError:
    """The Dutch message for a Chroma server that went away during a run."""
    return StoreError(
        f"De Chroma-server op {settings.chroma_url} is niet meer bereikbaar "
        f"({type(error).__name__}). De vorige index is ongewijzigd. Start de server opnieuw en "
        f"draai dan `wegwijzer index` nog eens; die ruimt de half geschreven versie op."
    )
