"""Run suite questions through one loaded Assistant and score every answer."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

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
    sources: list[dict[str, Any]]
    latency_ms: float
    metrics: dict[str, float | None] = field(default_factory=dict)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        q = self.question
        data: dict[str, Any] = {
            "id": q.id, "suite": q.suite, "line": q.line, "question": q.question,
            "answerable": q.answerable, "tags": list(q.tags),
            "expected": {**q.expected(), "answer": q.answer},
            "answer": self.answer, "refused": self.refused,
            "cited_markers": sorted(set(metrics.cited_markers(self.answer))),
            "sources": self.sources, "latency_ms": round(self.latency_ms, 1),
            "metrics": {k: (round(v, 4) if v is not None else None) for k, v in self.metrics.items()},
        }
        if q.note:
            data["note"] = q.note
        if self.error:
            data["error"] = self.error
        return data


def score(question: SuiteQuestion, answer: str, refused: bool, sources: Sequence[dict[str, Any]]
          ) -> dict[str, float | None]:
    """Per-question metrics for one answer (see evals.metrics.question_metrics)."""
    return metrics.question_metrics(answer, sources, question.expected(), question.answerable)


def run_questions(assistant: Any, questions: Iterable[SuiteQuestion],
                  progress: Progress | None = None) -> list[QuestionResult]:
    """Ask every question in order with `assistant.ask` and score the answers.

    A question the assistant rejects with a WegwijzerError is kept, with its Dutch message in
    `error` and an empty answer, so it counts as a miss rather than disappearing.
    """
    items = list(questions)
    results: list[QuestionResult] = []
    for number, question in enumerate(items, start=1):
        if progress:
            progress(number - 1, len(items), question)
        started = time.perf_counter()
        try:
            reply = assistant.ask(question.question, id=question.id).to_json()
            error = None
        except WegwijzerError as exc:
            reply = {"answer": "", "refused": False, "sources": []}
            error = str(exc)
        latency = (time.perf_counter() - started) * 1000
        result = QuestionResult(question=question, answer=reply["answer"], refused=reply["refused"],
                                sources=reply["sources"], latency_ms=latency, error=error)
        result.metrics = score(question, result.answer, result.refused, result.sources)
        results.append(result)
    if progress and items:
        progress(len(items), len(items), items[-1])
    return results
