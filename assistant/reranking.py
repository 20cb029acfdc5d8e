"""Optional rerankers: a second, slower model that reorders the hybrid search's best passages.
None ships offline: a user with a cross-encoder on disk or in the Hugging Face cache turns one on
with `--reranker cross-encoder:MODEL` or `WEGWIJZER_RERANKER` (the `st` extra)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Protocol

from common.errors import WegwijzerError
from common.registry import Registry

from .model import Hit

PREFIX = "cross-encoder:"
USAGE = ("Gebruik 'cross-encoder:MODELNAAM-OF-PAD' via --reranker of WEGWIJZER_RERANKER, of laat "
         "de instelling leeg voor geen reranker.")


class Reranker(Protocol):
    """Reorders hits for a question; `depth` is how many of the hybrid search's hits it sees."""

    spec: str
    depth: int

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]: ...


class CrossEncoderReranker:
    """A sentence-transformers `CrossEncoder` scores (question, passage with its context header,
    as embedded) pairs; best first, `hit.score` its relevance in 0–1."""

    def __init__(self, model: str | object, depth: int = 20, spec: str | None = None) -> None:
        self.model = _load_cross_encoder(model) if isinstance(model, str) else model
        self.depth = depth
        self.spec = spec or PREFIX + str(getattr(self.model, "model_name_or_path", "model"))

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        pairs = [(question, f"{hit.header}\n{hit.text}" if hit.header else hit.text) for hit in hits]
        scores = self.model.predict(pairs, show_progress_bar=False)
        ranked = sorted(zip(hits, (float(s) for s in scores)), key=lambda pair: -pair[1])
        for hit, score in ranked:
            # Logits become 0–1; scores already in 0–1 (a model with its own sigmoid) stay.
            hit.score = score if 0.0 <= score <= 1.0 else 1.0 / (1.0 + math.exp(-score))
        return [hit for hit, _ in ranked]


def _load_cross_encoder(name: str) -> object:
    try:
        from sentence_transformers import CrossEncoder
    except ImportError as exc:
        raise WegwijzerError(
            "De reranker vraagt sentence-transformers, en dat is niet geïnstalleerd. Installeer eerst "
            "torch (`pip install torch==2.13.0`) en dan `pip install -e '.[st]'`, of zet de reranker uit "
            "(laat WEGWIJZER_RERANKER leeg)."
        ) from exc
    try:
        return CrossEncoder(name, device="cpu")
    except Exception as exc:  # the library raises many types for a missing or broken model
        raise WegwijzerError(
            f"Het cross-encoder-model '{name}' kan niet worden geladen ({exc}). Geef een bestaand lokaal "
            f"pad op, of een modelnaam die offline in de cache staat; zonder reranker werkt Wegwijzer ook."
        ) from exc


RERANKERS: Registry[Callable[[str, int], Reranker]] = Registry("reranker")


@RERANKERS.register("cross-encoder")
def cross_encoder(name: str, depth: int) -> Reranker:
    """A sentence-transformers cross-encoder: a local path, or a model in the offline cache."""
    path = Path(name).expanduser()
    return CrossEncoderReranker(str(path) if path.exists() else name, depth=depth,
                                spec=f"{PREFIX}{name}")


def make_reranker(spec: str | None, depth: int = 20) -> Reranker | None:
    """The reranker named by `spec` ('KIND:MODEL'), seeing the `depth` best hits; None for '',
    'geen' or 'none'."""
    if not spec or spec.strip().lower() in ("", "geen", "none"):
        return None
    kind, _, name = spec.strip().partition(":")
    if kind not in RERANKERS.names() or not name.strip():
        raise WegwijzerError(f"Onbekende reranker '{spec.strip()}'. {USAGE}")
    return RERANKERS.get(kind)(name.strip(), depth)
