"""The nouns of answering: a retrieved Hit, a cited Source, the Answer, a conversation Turn."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Hit:
    """A passage found by retrieval, with its scores."""

    chunk_id: str
    text: str
    header: str
    metadata: dict[str, Any]
    score: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0

    @property
    def wegwijzer(self) -> int | None:
        return self.metadata.get("wegwijzer")

    @property
    def pages(self) -> list[int] | None:
        start, end = self.metadata.get("page_start"), self.metadata.get("page_end")
        return [start, end if end is not None else start] if start is not None else None


@dataclass
class Source:
    """A passage as cited in an answer: [marker] and where it sits."""

    marker: int
    chunk_id: str
    publication_id: str
    publication_title: str
    kind: str
    source_file: str
    wegwijzer: int | None
    wegwijzer_title: str | None
    section: str | None
    part: str | None
    pages: list[int] | None
    research_pages: list[int]
    score: float
    quote: str
    chapter: str | None = None
    story_title: str | None = None
    story_author: str | None = None
    page_labels: list[str] | None = None

    @classmethod
    def from_hit(cls, marker: int, hit: Hit) -> "Source":
        meta = hit.metadata
        labels = None
        if meta.get("page_label_start"):
            labels = [meta["page_label_start"], meta.get("page_label_end") or meta["page_label_start"]]
        return cls(
            marker=marker, chunk_id=hit.chunk_id,
            publication_id=meta.get("publication_id", ""),
            publication_title=meta.get("publication_title", ""),
            kind=meta.get("kind", ""), source_file=meta.get("source_file", ""),
            wegwijzer=meta.get("wegwijzer"), wegwijzer_title=meta.get("wegwijzer_title"),
            section=meta.get("subsection") or meta.get("section"), part=meta.get("part"),
            pages=hit.pages, research_pages=list(meta.get("research_pages") or []),
            score=round(float(hit.score), 4), quote=hit.text,
            chapter=meta.get("chapter"), story_title=meta.get("story_title"),
            story_author=meta.get("story_author"), page_labels=labels,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        keys = ("marker", "chunk_id", "publication_id", "publication_title", "kind", "source_file",
                "wegwijzer", "wegwijzer_title", "section", "part", "pages", "research_pages",
                "score", "quote")
        ordered = {key: data[key] for key in keys}
        ordered.update({k: v for k, v in data.items() if k not in ordered})
        return ordered


@dataclass
class Turn:
    """One earlier exchange in a conversation."""

    question: str
    answer: str = ""


@dataclass
class Answer:
    """The reply to a question: text with [n] markers, and the sources they point to."""

    question: str
    answer: str
    refused: bool
    sources: list[Source]
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: Any = None
    notices: list[str] = field(default_factory=list)
    resolved_question: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of `wegwijzer ask --json`."""
        data: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "sources": [source.to_json() for source in self.sources],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
        if self.notices:
            data["notices"] = self.notices
        if self.resolved_question and self.resolved_question != self.question:
            data["resolved_question"] = self.resolved_question
        return data
