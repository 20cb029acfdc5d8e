"""The nouns of answering: a retrieved Hit, a cited Source, the Answer, a conversation Turn,
and the events an answer streams as (notices, the sources, text deltas, the final Answer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Union

from indexing.places import Place


@dataclass
class Hit:
    """A passage found by retrieval, the one candidate type from retrieval to citation: where
    it is, what it says, and its scores on their own scales."""

    chunk_id: str
    text: str
    header: str
    place: Place
    score: float = 0.0  # as shown with a source (0–1)
    dense: float = 0.0  # e5 cosine of the question as asked
    lexical: float = 0.0  # BM25
    position: int = -1  # in the PassageIndex of the generation that found it
    fused: float = 0.0  # the fusion's own score (weighted z-scores)


@dataclass(frozen=True)
class ResearchRef:
    """A research-report page a passage quotes ('(p. 182)'), and the report's passage printed
    on that page when the report is indexed."""

    page: int
    chunk_id: str
    section: str | None
    pages: list[int] | None

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "chunk_id": self.chunk_id, "section": self.section,
                "pages": self.pages}


@dataclass
class Source:
    """A passage as cited in an answer: [marker], where it sits, what it says."""

    marker: int
    chunk_id: str
    place: Place
    quote: str
    score: float = 0.0
    # The sentences of `quote` the answer took from this passage, verbatim (the chat marks
    # them when the passage is opened); empty when the answer took nothing from it.
    quoted: tuple[str, ...] = ()
    # The research report's passages on the pages this one quotes (when the report is indexed).
    research_refs: tuple[ResearchRef, ...] = ()

    @classmethod
    def from_hit(cls, marker: int, hit: Hit) -> "Source":
        return cls(marker=marker, chunk_id=hit.chunk_id, place=hit.place, quote=hit.text,
                   score=round(float(hit.score), 4))

    def to_json(self) -> dict[str, Any]:
        """The flat JSON shape of a source (ask --json, the chat's records, eval reports), in
        the key order `wegwijzer ask --json` has always printed."""
        p = self.place
        return {
            "marker": self.marker, "chunk_id": self.chunk_id,
            "publication_id": p.publication_id, "publication_title": p.publication_title,
            "kind": p.kind, "source_file": p.source_file, "wegwijzer": p.wegwijzer,
            "wegwijzer_title": p.wegwijzer_title, "section": p.heading, "part": p.part,
            "pages": p.pages, "research_pages": list(p.research_pages), "score": self.score,
            "quote": self.quote, "chapter": p.chapter, "story_title": p.story_title,
            "story_author": p.story_author, "page_labels": p.page_labels,
            "quoted": list(self.quoted),
            "research_refs": [ref.to_json() for ref in self.research_refs],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Source":
        """A Source from its JSON form (report.json, feedback.jsonl); missing keys get defaults."""
        pages = data.get("pages") or [None, None]
        labels = data.get("page_labels") or [None, None]
        place = Place(
            publication_id=str(data.get("publication_id") or ""),
            publication_title=str(data.get("publication_title") or ""),
            kind=str(data.get("kind") or ""), source_file=str(data.get("source_file") or ""),
            chapter=data.get("chapter"), section=data.get("section"),
            wegwijzer=data.get("wegwijzer"), wegwijzer_title=data.get("wegwijzer_title"),
            part=data.get("part"), story_title=data.get("story_title"),
            story_author=data.get("story_author"), page_start=pages[0], page_end=pages[-1],
            page_label_start=labels[0], page_label_end=labels[-1],
            research_pages=tuple(data.get("research_pages") or ()),
        )
        return cls(marker=int(data.get("marker") or 0), chunk_id=str(data.get("chunk_id") or ""),
                   place=place, quote=str(data.get("quote") or ""),
                   score=float(data.get("score") or 0.0),
                   quoted=tuple(str(q) for q in data.get("quoted") or ()),
                   research_refs=tuple(
                       ResearchRef(int(r["page"]), str(r["chunk_id"]), r.get("section"),
                                   r.get("pages")) for r in data.get("research_refs") or ()))


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
    # Refused, but what the publications do say on the topic is quoted (a trap question).
    partial: bool = False
    resolved_question: str | None = None
    # A follow-up's focus: the part of the previous answer's wegwijzer it asked for.
    focus: str | None = None
    # The earlier question this one was also searched with (a demonstrative: 'dat voorbeeld').
    searched_with: str | None = None
    # Set when a language model wrote the answer.
    llm: str | None = None
    citations_checked: bool = False
    unsupported: list[str] = field(default_factory=list)
    removed_markers: int = 0
    confidence: str = "hoog"  # "onzeker": answered with a caveat, "geen": refused
    probability: float | None = None
    # How retrieval judged the question (steps.Assessment), for calibration; not in the JSON.
    assessment: Any = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of `wegwijzer ask --json`. The answer reads as in every other face:
        research-report pages written out ('(onderzoeksrapport p. 61)')."""
        from .citations import readable_text  # citations builds on this module

        data: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "answer": readable_text(self.answer, self.sources),
            "refused": self.refused,
            "partial": self.partial,
            "confidence": self.confidence,
            "probability": round(self.probability, 3) if self.probability is not None else None,
            "sources": [source.to_json() for source in self.sources],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "llm": self.llm,
            "citations_checked": self.citations_checked,
            "unsupported": list(self.unsupported),
        }
        if self.removed_markers:
            data["removed_markers"] = self.removed_markers
        if self.notices:
            data["notices"] = self.notices
        if self.resolved_question and self.resolved_question != self.question:
            data["resolved_question"] = self.resolved_question
        if self.focus:
            data["focus"] = self.focus
        if self.searched_with:
            data["searched_with"] = self.searched_with
        return data


@dataclass(frozen=True)
class Notice:
    """Something the user should know before the answer (e.g. the question was shortened)."""

    text: str


@dataclass(frozen=True)
class SourcesFound:
    """The numbered sources the answer will cite; streamed before any answer text."""

    sources: list[Source]


@dataclass(frozen=True)
class TextDelta:
    """The next piece of answer text; the pieces concatenate to the answer."""

    text: str


@dataclass(frozen=True)
class TextReset:
    """Forget the text streamed so far (the model failed mid-answer; another answer follows)."""


# What an answer streams: notices, the sources, text deltas, and last the complete Answer.
AnswerEvent = Union[Notice, SourcesFound, TextDelta, TextReset, Answer]


def final_answer(events: Iterable[AnswerEvent]) -> Answer:
    """The complete Answer at the end of an event stream (runs the stream to its end)."""
    answer: Answer | None = None
    for event in events:
        if isinstance(event, Answer):
            answer = event
    if answer is None:
        raise RuntimeError("the answer stream ended without an Answer")
    return answer
