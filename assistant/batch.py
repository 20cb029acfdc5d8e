"""Answer a JSONL file of questions with one loaded Assistant (`wegwijzer ask --batch`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from common.errors import WegwijzerError

from .model import Answer


@dataclass
class BatchResult:
    """One line of the batch: an answer, or a Dutch error naming the line."""

    line: int
    id: Any = None
    answer: Answer | None = None
    error: str | None = None


def answer_lines(assistant: Any, path: Path, **options: Any) -> Iterator[BatchResult]:
    """Yield a result per non-empty line; a bad line does not stop the others."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield BatchResult(number, error=(
                    f"{path.name} regel {number} is geen geldige JSON ({exc.msg}). Verwacht: "
                    f'{{"id": …, "question": …}}.'))
                continue
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                yield BatchResult(number, id=item.get("id") if isinstance(item, dict) else None,
                                  error=f"{path.name} regel {number} mist het veld 'question' (tekst).")
                continue
            try:
                answer = assistant.ask(item["question"], id=item.get("id"), **options)
            except WegwijzerError as exc:
                yield BatchResult(number, id=item.get("id"), error=f"{path.name} regel {number}: {exc}")
                continue
            yield BatchResult(number, id=item.get("id"), answer=answer)
