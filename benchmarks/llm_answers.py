"""Meet de antwoorden van een taalmodel naast het standaard extractieve antwoord (issue 11).

Voor elke vraag van een suite: het extractieve antwoord en het antwoord van het taalmodel, met
dezelfde metrieken als `wegwijzer eval` (plus faithfulness en answered_with_citation), en per
aanpak de tijd tot het eerste stukje tekst en de totale antwoordtijd (mediaan en p95).

Gebruik, met een draaiende OpenAI-compatibele server (bv. `../shared/tools/local-llm.sh start 8765`):

    .venv/bin/python benchmarks/llm_answers.py --data-dir DIR --suite smoke \\
        --llm openai:qwen2.5-1.5b --llm-base-url http://127.0.0.1:8765/v1 [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.model import Answer, TextDelta, Turn  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from common.settings import Settings  # noqa: E402
from evals.metrics import aggregate, percentile  # noqa: E402
from evals.runner import QuestionResult, faithfulness, score  # noqa: E402
from evals.suites import load_suites  # noqa: E402

SHOWN = ("hit@3", "mrr", "citation_precision", "must_mention_recall", "refusal_accuracy",
         "false_refusal_rate", "faithfulness", "answered_with_citation")


def measure(assistant: Assistant, questions: list) -> tuple[dict, list[float], list[float]]:
    results, first, total = [], [], []
    answered: dict[str, Answer] = {}
    for question in questions:
        # A follow-up is asked as `wegwijzer eval` asks it: after its earlier question.
        earlier = answered.get(question.follows) if question.follows else None
        history = [Turn(earlier.question, earlier.answer)] if earlier else None
        started = time.perf_counter()
        first_piece = None
        for event in assistant.stream(question.question, history):
            if isinstance(event, TextDelta) and first_piece is None:
                first_piece = time.perf_counter() - started
        answer: Answer = event
        answered[question.id] = answer
        total.append((time.perf_counter() - started) * 1000)
        first.append((first_piece or 0.0) * 1000)
        result = QuestionResult(question=question, answer=answer.answer, refused=answer.refused,
                                sources=answer.sources, latency_ms=total[-1])
        result.metrics = score(question, answer.answer, answer.refused, answer.sources,
                               None if answer.refused else
                               faithfulness(assistant, answer.answer, answer.sources))
        results.append(result.to_json())
        print(f"  {question.id}: {'geweigerd' if answer.refused else 'beantwoord'}"
              f"{' (terugval)' if answer.notices else ''}, {total[-1] / 1000:.1f} s", flush=True)
    overall, _ = aggregate(results)
    return overall, first, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".wegwijzer")
    parser.add_argument("--suite", default="smoke")
    parser.add_argument("--llm", required=True)
    parser.add_argument("--llm-base-url")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    base = Settings.from_env(data_dir=args.data_dir)
    extractive = Assistant(base)
    [suite] = load_suites([ROOT / "evals" / "suites" / f"{args.suite}.jsonl"],
                          list(extractive.catalog.publication_titles))
    questions = suite.questions[: args.limit or None]
    generative = Assistant(base.with_(llm=args.llm, llm_base_url=args.llm_base_url,
                                      llm_timeout=180), embeddings=extractive.embeddings)
    rows = {}
    for name, assistant in (("extractief", extractive), (args.llm, generative)):
        print(f"{name}: {len(questions)} vragen uit {args.suite}", flush=True)
        rows[name] = measure(assistant, questions)
    print(f"\n{'metriek':<26}" + "".join(f"{name:>24}" for name in rows))
    for metric in SHOWN:
        cells = [rows[name][0].get(metric) for name in rows]
        print(f"{metric:<26}" + "".join(f"{'–' if v is None else f'{v:.2f}':>24}" for v in cells))
    for label, index in (("eerste tekst p50 (s)", 1), ("totaal p50 (s)", 2), ("totaal p95 (s)", 2)):
        q = 95 if "p95" in label else 50
        print(f"{label:<26}" + "".join(f"{percentile(rows[name][index], q) / 1000:>24.1f}"
                                       for name in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
