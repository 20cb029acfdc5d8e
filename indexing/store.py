"""The vector store: Chroma (local folder or server) holding generations of the index.

A re-index writes a *staging* generation (a copy of the active one plus its record-manager
file; LangChain's indexing API then embeds only what changed). A one-record pointer collection
switches to it only when that succeeds, so a failed run leaves the previous index untouched.
"""

from __future__ import annotations

import hashlib
import itertools
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


def _read_latent_cache(path: Path) -> dict[str, LatentTerms]:
    """The cached latent terms by text hash (empty when there is no readable cache file)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, offsets, indices, values = (data[name] for name in
                                              ("keys", "offsets", "indices", "values"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError) as exc:  # a damaged cache is rebuilt, not fatal
        log.warning("Cachebestand %s is onleesbaar (%s); het wordt opnieuw opgebouwd.", path, exc)
        return {}
    return {str(key): LatentTerms(indices[start:end], values[start:end])
            for key, start, end in zip(keys, offsets[:-1], offsets[1:])}


def _write_latent_cache(path: Path, entries: dict[str, LatentTerms]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    items = sorted(entries.items())
    temporary = path.with_name(f".{path.stem}-{uuid.uuid4().hex}.npz")
    try:
        np.savez(temporary, keys=np.asarray([key for key, _ in items], dtype="U64"),
                 offsets=np.cumsum([0] + [len(t.indices) for _, t in items]).astype(np.int64),
                 indices=np.concatenate([t.indices for _, t in items] or [[]]).astype(np.int32),
                 values=np.concatenate([t.values for _, t in items] or [[]]).astype(np.float32))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def make_client(settings: Settings) -> Any:
    """A Chroma client: HTTP when a server URL is set, else persistent in the data dir."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        path = settings.data_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    url = urlparse(settings.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise StoreError(f"De Chroma-URL '{settings.chroma_url}' is ongeldig. Gebruik de vorm "
                         f"http://HOST:POORT, bijvoorbeeld http://127.0.0.1:8000.")
    try:
        client = chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https", settings=chroma_settings)
        client.heartbeat()
    except Exception as exc:  # connection errors come in many types
        raise StoreError(
            f"De Chroma-server op {settings.chroma_url} is niet bereikbaar ({exc}). Start hem "
            f"met `chroma run --path MAP --host HOST --port POORT`, of laat --chroma-url weg "
            f"om de lokale index te gebruiken.") from exc
    return client


class IndexStore:
    """Generations of the index in Chroma, with a pointer to the active one."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self._client = client
        self.prefix = settings.collection
        self.pointer_name = f"{self.prefix}-active"
        self.records_dir = settings.data_dir / "records"
        self.where = settings.chroma_url or str(settings.data_dir)  # for messages

    @property
    def client(self) -> Any:
        """The Chroma client, opened on first use: an `index` run must not touch the store
        before it holds the writer lock (another run may be stopped mid-write)."""
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    def active(self) -> Generation | None:
        """The generation that queries use, or None before the first index."""
        from chromadb.errors import NotFoundError

        try:
            meta = self.client.get_collection(self.pointer_name, embedding_function=None).metadata
        except NotFoundError:
            return None
        if not (meta or {}).get("generation"):
            return None
        return Generation(name=meta["generation"], embedder=meta.get("embedder", ""),
                          built_at=meta.get("built_at", ""), chunks=int(meta.get("chunks", 0)),
                          previous=meta.get("previous", ""))

    def require_active(self, embedder: str) -> Generation:
        """The active generation, checked against the configured embedder."""
        generation = self.active()
        if generation is None:
            raise IndexMissingError(
                f"Er is nog geen index in {self.where}. Bouw hem eerst met `wegwijzer index`.")
        if generation.embedder != embedder:
            raise EmbedderMismatchError(
                f"De index in {self.where} is gebouwd met embedder '{generation.embedder}', maar "
                f"nu is '{embedder}' ingesteld. Herindexeer met `wegwijzer index --rebuild` (met "
                f"deze embedder), of stel de oorspronkelijke embedder weer in.")
        return generation

    def check_embeddings(self, generation: Generation, collection: Any, spec: str | None,
                         dimension: int) -> None:
        """An embedder handed in by code must be the index's: same name (when it has one)
        and vectors of the same length as the stored ones."""
        if spec is not None and spec != generation.embedder:
            raise EmbedderMismatchError(
                f"De index in {self.where} is gebouwd met embedder '{generation.embedder}', maar "
                f"de meegegeven embedder is '{spec}'. Geef de embedder van de index mee, of "
                f"herindexeer met `wegwijzer index --rebuild`.")
        stored = collection.get(limit=1, include=["embeddings"])["embeddings"]
        if stored is not None and len(stored) and len(stored[0]) != dimension:
            raise EmbedderMismatchError(
                f"De index in {self.where} bevat vectoren van lengte {len(stored[0])}, maar de "
                f"embedder maakt vectoren van lengte {dimension}: dat is een andere embedder "
                f"dan die van de index ('{generation.embedder}'). Gebruik die embedder, of "
                f"herindexeer met `wegwijzer index --rebuild`.")

    def collection(self, generation: Generation) -> Any:
        return self.client.get_collection(generation.name, embedding_function=None)

    def vectorstore(self, generation: Generation, embeddings: Any) -> Any:
        from langchain_chroma import Chroma

        return Chroma(
            client=self.client, collection_name=generation.name, embedding_function=embeddings,
            collection_metadata={"hnsw:space": "cosine"}, create_collection_if_not_exists=False)

    def cached_vectors(self, texts: Sequence[str], embeddings: Any, embedder: str,
                       batch: int = 64) -> np.ndarray:
        """Embeddings of `texts` (as documents) beyond the passages, from a cache collection
        keyed by each text's hash: shared by the generations of one embedder, so a re-index or
        restart embeds only texts it has never seen, and the passages' records stay as they were.
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
            found.update((key, np.asarray(vector, dtype=np.float32))
                         for (key, _), vector in zip(part, vectors))
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([found[key] for key in keys])

    def _latent_cache_path(self, embedder: str) -> Path:
        return self.settings.data_dir / "cache" / f"latent-{_safe_name(embedder)}.npz"

    def missing_latent_terms(self, texts: Sequence[str], embedder: str) -> int:
        """How many distinct `texts` `cached_latent_terms` would have to compute (the plan)."""
        cached = _read_latent_cache(self._latent_cache_path(embedder))
        return len({text_key(text) for text in texts} - cached.keys())

    def cached_latent_terms(self, texts: Sequence[str], encoder: Any, embedder: str,
                            progress: Callable[[int, int], None] | None = None
                            ) -> list[LatentTerms]:
        """Sparse latent-term vectors of `texts`, cached like `cached_vectors`, but in a file:
        Chroma's local store takes no sparse vectors. `progress(done, total)` follows the
        computation. The file is replaced whole, so a reader never sees half of it; two writers
        at once can only lose each other's new entries (recomputed)."""
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

    def update_metadata(self, generation: Generation, metadatas: dict[str, dict[str, Any]]) -> int:
        """Write changed metadata (a publication's date, say) into the stored passages, by id,
        without embedding them again; how many changed."""
        collection = self.collection(generation)
        changed: dict[str, dict[str, Any]] = {}
        ids = list(metadatas)
        for start in range(0, len(ids), COPY_BATCH):
            stored = collection.get(ids=ids[start:start + COPY_BATCH], include=["metadatas"])
            for id_, meta in zip(stored["ids"], stored["metadatas"]):
                if dict(meta or {}) != metadatas[id_]:
                    changed[id_] = metadatas[id_]
        if changed:
            collection.update(ids=list(changed), metadatas=list(changed.values()))
        return len(changed)

    def _record_file(self, name: str) -> Path:
        return self.records_dir / f"{name}.sqlite"

    def record_manager(self, generation: Generation) -> Any:
        """LangChain's SQL record manager for a generation (one SQLite file each)."""
        from langchain_classic.indexes import SQLRecordManager

        self.records_dir.mkdir(parents=True, exist_ok=True)
        manager = SQLRecordManager(namespace=f"wegwijzer/{self.prefix}",
                                   db_url=f"sqlite:///{self._record_file(generation.name)}")
        manager.create_schema()
        return manager

    def known_keys(self, generation: Generation) -> set[str]:
        """The record keys (passage hashes) a generation holds, without writing anything."""
        if not self._record_file(generation.name).exists():
            return set()
        return set(self.record_manager(generation).list_keys())

    def stage(self, embedder: str, owner: Owner, rebuild: bool = False) -> Generation:
        """A new generation: a copy of the active one, or empty for a rebuild. Its metadata
        names the `owner`, so a later run can tell a live run's staging from a killed one's."""
        stamp = time.strftime("%Y%m%d%H%M%S")
        generation = Generation(f"{self.prefix}-{stamp}-{uuid.uuid4().hex[:6]}", embedder)
        target = self.client.create_collection(
            generation.name, embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": embedder, **owner.as_metadata()})
        source = self.active()
        if source is not None and not rebuild and source.embedder == embedder:
            copied = self.collection(source)
            for offset in itertools.count(0, COPY_BATCH):
                batch = copied.get(include=["embeddings", "documents", "metadatas"],
                                   limit=COPY_BATCH, offset=offset)
                if not batch["ids"]:
                    break
                target.add(ids=batch["ids"], embeddings=batch["embeddings"],
                           documents=batch["documents"], metadatas=batch["metadatas"])
            if self._record_file(source.name).exists():
                self.records_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self._record_file(source.name), self._record_file(generation.name))
        return generation

    def activate(self, generation: Generation, owner: Owner) -> None:
        """Point queries at `generation`; keep the previous one, drop older ones. Call it
        holding the writer lock: then no other run can switch the pointer in between."""
        previous = self.active()
        pointer = self.client.get_or_create_collection(self.pointer_name, embedding_function=None)
        pointer.modify(metadata={
            "generation": generation.name, "embedder": generation.embedder,
            "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "chunks": self.collection(generation).count(),
            "previous": previous.name if previous else ""})
        self.remove_stale(owner)

    def discard(self, generation: Generation) -> None:
        """Drop a staging generation that did not make it; never raises (when the store itself
        is gone, the next run removes the leftovers)."""
        try:
            self._drop(generation.name)
        except Exception as exc:  # the server may be the reason we are discarding
            log.warning("could not remove staging generation %s (%s); the next run will",
                        generation.name, type(exc).__name__)

    def remove_stale(self, owner: Owner) -> list[str]:
        """Remove (and return the names of) what no live run owns: killed runs' staging, older
        generations, orphan records; never the active generation or the one before it (chats
        may still read it). Call it holding the writer lock."""
        active = self.active()
        keep = {active.name, active.previous} if active else set()
        removed = [name for name, meta in self._generations()
                   if name not in keep and self._is_stale(name, meta, owner, active)]
        for name in removed:
            self._drop(name)
        live = set(self.generation_names()) | keep
        for record in self.records_dir.glob("*.sqlite"):  # orphan records
            if record.stem not in live:
                record.unlink(missing_ok=True)
        if removed:
            log.warning("removed stale generations: %s", ", ".join(removed))
        return removed

    def _is_stale(self, name: str, meta: Any, me: Owner, active: Generation | None) -> bool:
        owner = Owner.from_metadata(meta)
        if owner is None:  # an older generation, or staging of a version without owners
            if not self.settings.chroma_url:
                return True  # a local Chroma folder belongs to this data dir: we hold its lock
            return active is not None and name < active.name  # names start with a time
        if (owner.pid, owner.host) == (me.pid, me.host):
            return True  # a generation this process gave up on
        if owner.lock == me.lock:
            return True  # written from this data dir, whose lock we hold: that run is over
        return owner.host == socket.gethostname() and not process_alive(owner.pid)

    def _generations(self) -> list[tuple[str, Any]]:
        return [(c.name, getattr(c, "metadata", None)) for c in self.client.list_collections()
                if c.name.startswith(self.prefix + "-") and c.name != self.pointer_name]

    def generation_names(self) -> list[str]:
        return [name for name, _ in self._generations()]

    def _drop(self, name: str) -> None:
        from chromadb.errors import NotFoundError

        try:
            self.client.delete_collection(name)
        except NotFoundError:
            pass  # already gone: nothing to clean up
        self._record_file(name).unlink(missing_ok=True)


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
