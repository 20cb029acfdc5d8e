"""Run suite questions through one loaded Assistant and score every answer."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from assistant.model import Source, Turn
from common.errors import WegwijzerError

from . import metrics
from .suites import SuiteQuestion

Progress = Callable[[int, int, SuiteQuestion], None]


@dataclass
class QuestionResult:
    """One suite question with what the assistant answered and how that scored."""

    question: SuiteQuestion
    answer: str
    refused: bool
    sources: list[Source]
    latency_ms: float
    metrics: dict[str, float | None] = field(default_factory=dict)
    error: str | None = None
    # How many earlier turns the question was asked with, the reading the assistant answered
    # (None after an error) and whether that reading joined the question to the conversation.
    earlier_turns: int = 0
    resolved_question: str | None = None
    joined: bool = False
    searched_with_previous: bool = False  # also searched with the previous question, not joined
    partial: bool = False  # refused, with what the publications do say quoted
    confidence: str = ""  # 'hoog', 'onzeker' or 'geen'; '' after an error

    def to_json(self) -> dict[str, Any]:
        """The question's entry in report.json; each source says whether it `counts`."""
        q = self.question
        expected = q.expected()
        sources = [{**source.to_json(),
                    "counts": bool(q.answerable) and metrics.source_counts(source.place, expected)}
                   for source in self.sources]
        data: dict[str, Any] = {
            "id": q.id, "suite": q.suite, "line": q.line, "question": q.question,
            "answerable": q.answerable, "tags": list(q.tags),
            "expected": {**expected, "answer": q.answer},
            "answer": self.answer, "refused": self.refused,
            "cited_markers": sorted(set(metrics.cited_markers(self.answer))),
            "sources": sources, "latency_ms": round(self.latency_ms, 1),
            "metrics": metrics.rounded(self.metrics),
            "earlier_turns": self.earlier_turns, "resolved_question": self.resolved_question,
            "joined": self.joined, "confidence": self.confidence,
        }
        optional = {"session": q.session, "follows": q.follows, "note": q.note, "error": self.error,
                    "partial": self.partial, "searched_with_previous": self.searched_with_previous}
        return data | {key: value for key, value in optional.items() if value}


def score(question: SuiteQuestion, answer: str, refused: bool, sources: Sequence[Source],
          faithfulness: float | None = None) -> dict[str, float | None]:
    """Per-question metrics for one answer (see evals.metrics.question_metrics)."""
    return metrics.question_metrics(answer, sources, question.expected(), question.answerable,
                                    refused, faithfulness)


def joined_reading(question: str, resolved_question: str | None, had_history: bool) -> bool:
    """Did the assistant read the question together with the earlier conversation: is the
    reading it answered, after history, other than the question (whitespace aside)?"""
    return (had_history and resolved_question is not None
            and resolved_question.split() != question.split())


def run_questions(assistant: Any, questions: Iterable[SuiteQuestion],
                  progress: Progress | None = None) -> list[QuestionResult]:
    """Ask every question in order with `assistant.ask` and score the answers.

    A question in a `session` is asked as the chat receives it, with all earlier turns of its
    session as history; otherwise with the question it `follows`, if any. A question the
    assistant rejects (WegwijzerError) is kept as an empty answer with its `error`, so it counts
    as a miss, and stays in its session's history as a chat client would keep it.
    """
    items = list(questions)
    results: list[QuestionResult] = []
    asked: dict[str, QuestionResult] = {}
    # The questions asked so far per conversation; session names are per suite file.
    sessions: dict[tuple[str, str], list[QuestionResult]] = {}
    for number, question in enumerate(items, start=1):
        if progress:
            progress(number - 1, len(items), question)
        if question.session is not None:
            earlier = sessions.setdefault((question.suite, question.session), [])
        else:
            followed = asked.get(question.follows) if question.follows else None
            earlier = [followed] if followed else []
        history = [Turn(r.question.question, r.answer) for r in earlier] or None
        started = time.perf_counter()
        try:
            reply = assistant.ask(question.question, history=history, id=question.id)
            text, refused, sources, error = reply.answer, reply.refused, reply.sources, None
            partial, confidence = reply.partial, reply.confidence
            resolved: str | None = reply.resolved_question or question.question
            searched = bool(reply.searched_with)
        except WegwijzerError as exc:
            text, refused, sources, error, resolved = "", False, [], str(exc), None
            partial, confidence, searched = False, "", False
        latency = (time.perf_counter() - started) * 1000
        result = QuestionResult(question=question, answer=text, refused=refused,
                                sources=list(sources), latency_ms=latency, error=error,
                                earlier_turns=len(history or ()), resolved_question=resolved,
                                joined=joined_reading(question.question, resolved, bool(history)),
                                searched_with_previous=searched, partial=partial,
                                confidence=confidence)
        result.metrics = score(question, result.answer, result.refused, result.sources,
                               None if refused else assistant.faithfulness(text, sources))
        results.append(result)
        asked[question.id] = result
        if question.session is not None:
            sessions[(question.suite, question.session)].append(result)
    if progress and items:
        progress(len(items), len(items), items[-1])
    return results
