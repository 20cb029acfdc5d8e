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
            "metrics": {k: (round(v, 4) if v is not None else None) for k, v in self.metrics.items()},
        }
        if q.note:
            data["note"] = q.note
        if self.error:
            data["error"] = self.error
        return data


def score(question: SuiteQuestion, answer: str, refused: bool, sources: Sequence[Source],
          faithfulness: float | None = None) -> dict[str, float | None]:
    """Per-question metrics for one answer (see evals.metrics.question_metrics)."""
    return metrics.question_metrics(answer, sources, question.expected(), question.answerable,
                                    refused, faithfulness)


def run_questions(assistant: Any, questions: Iterable[SuiteQuestion],
                  progress: Progress | None = None) -> list[QuestionResult]:
    """Ask every question in order with `assistant.ask` and score the answers.

    A follow-up (`follows`) is asked with the earlier question and its answer as history.

    A question the assistant rejects with a WegwijzerError is kept, with its Dutch message in
    `error` and an empty answer, so it counts as a miss rather than disappearing.
    """
    items = list(questions)
    results: list[QuestionResult] = []
    asked: dict[str, QuestionResult] = {}
    for number, question in enumerate(items, start=1):
        if progress:
            progress(number - 1, len(items), question)
        earlier = asked.get(question.follows) if question.follows else None
        history = [Turn(earlier.question.question, earlier.answer)] if earlier else None
        started = time.perf_counter()
        try:
            reply = assistant.ask(question.question, history=history, id=question.id)
            text, refused, sources, error = reply.answer, reply.refused, reply.sources, None
        except WegwijzerError as exc:
            text, refused, sources, error = "", False, [], str(exc)
        latency = (time.perf_counter() - started) * 1000
        result = QuestionResult(question=question, answer=text, refused=refused,
                                sources=list(sources), latency_ms=latency, error=error)
        result.metrics = score(question, result.answer, result.refused, result.sources,
                               None if refused else assistant.faithfulness(text, sources))
        results.append(result)
        asked[question.id] = result
    if progress and items:
        progress(len(items), len(items), items[-1])
    return results
