"""Conversations in an eval: a session's question is asked with the whole conversation so far,
as the chat receives it; whether it was read together with that conversation is recorded and
measured (no model, no index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.model import Answer, Source
from common.errors import WegwijzerError
from evals.metrics import CONVERSATION_METRICS, aggregate
from evals.report import build_report, render_markdown, write_reports
from evals.runner import QuestionResult, run_questions
from evals.summary import problem_questions
from evals.suites import Suite, SuiteQuestion
from indexing_support import JAARBERICHT

JOINED = "ten onrechte samengevoegd met de vorige vraag"


def question(qid: str, session: str | None = None, follows: str | None = None,
             answerable: bool = True, suite: str = "gesprek") -> SuiteQuestion:
    return SuiteQuestion(
        id=qid, question=f"Vraag {qid}?", answerable=answerable,
        publications=(JAARBERICHT,) if answerable else (), wegwijzers=(4,) if answerable else (),
        pages=(41, 44) if answerable else None, research_pages=(), must_mention=(),
        answer="Het netwerk kennen." if answerable else "", tags=(), suite=suite, line=1,
        follows=follows, session=session)


def source(pages: list[int]) -> Source:
    return Source.from_json({"marker": 1, "chunk_id": "c1", "publication_id": JAARBERICHT,
                             "wegwijzer": 4, "pages": pages, "quote": "Een passage."})


RIGHT, WRONG = source([41, 44]), source([90, 91])


class FakeAssistant:
    """Records the history of every question; reads a question as `readings` says (else alone),
    finds the right passage unless the id is in `misses`, refuses unanswerable questions and
    fails on the ids in `errors`."""

    def __init__(self, readings: dict[str, str] | None = None, misses: tuple[str, ...] = (),
                 errors: tuple[str, ...] = ()) -> None:
        self.readings, self.misses, self.errors = readings or {}, misses, errors
        self.histories: dict[str, list[tuple[str, str]] | None] = {}

    def ask(self, question: str, history: object = None, id: object = None) -> Answer:
        qid = str(id)
        self.histories[qid] = None if history is None else [
            (turn.question, turn.answer) for turn in history]  # type: ignore[attr-defined]
        if qid in self.errors:
            raise WegwijzerError("De vraag is leeg.")
        outside = qid.startswith("buiten")
        return Answer(question=question, answer=f"Antwoord op {qid} [1].", refused=outside,
                      sources=[] if outside else [WRONG if qid in self.misses else RIGHT],
                      resolved_question=self.readings.get(qid, question))

    def faithfulness(self, answer: str, sources: object) -> None:
        return None


def turn(qid: str) -> tuple[str, str]:
    return (f"Vraag {qid}?", f"Antwoord op {qid} [1].")


# Session a: a question, a follow-up (joined), a new topic (wrongly joined), a follow-up read
# alone whose passage is missed. Session b: a question and a new topic read alone (its reading
# differs only in whitespace). Then lines outside any session, and session a of another suite.
SUITE = [
    question("a-1", "a"), question("a-2", "a", "a-1"), question("a-3", "a"),
    question("a-4", "a", "a-3"),
    question("b-1", "b"), question("b-2", "b"),
    question("los-1"), question("los-2"), question("buiten-1", follows="los-1", answerable=False),
    question("ander-1", "a", suite="ander"),
]
READINGS = {"a-2": "Vraag a-1? Vraag a-2?", "a-3": "Vraag a-2? Vraag a-3?",
            "b-2": "  Vraag   b-2? ", "buiten-1": "Vraag los-1? Vraag buiten-1?",
            "los-2": "Vraag los-1? Vraag los-2?"}


def run(assistant: FakeAssistant | None = None) -> tuple[FakeAssistant, list[QuestionResult]]:
    assistant = assistant or FakeAssistant(READINGS, misses=("a-4",))
    return assistant, run_questions(assistant, SUITE)


def test_a_session_question_gets_the_whole_conversation_so_far() -> None:
    assistant, _ = run()
    histories = assistant.histories
    assert histories["a-1"] is None
    assert histories["a-2"] == [turn("a-1")]
    # The third question, no follow-up, gets both earlier turns with their answers.
    assert histories["a-3"] == [turn("a-1"), turn("a-2")]
    assert histories["a-4"] == [turn("a-1"), turn("a-2"), turn("a-3")]
    # A new session starts empty, also one with the same name in another suite.
    assert histories["b-1"] is None and histories["b-2"] == [turn("b-1")]
    assert histories["ander-1"] is None


def test_outside_a_session_a_follow_up_gets_only_the_followed_turn() -> None:
    assistant, _ = run()
    assert assistant.histories["los-1"] is None and assistant.histories["los-2"] is None
    assert assistant.histories["buiten-1"] == [turn("los-1")]


def test_joined_means_read_with_the_conversation_when_there_was_one() -> None:
    _, results = run()
    by_id = {r.question.id: r for r in results}
    assert {qid for qid, r in by_id.items() if r.joined} == {"a-2", "a-3", "buiten-1"}
    assert by_id["a-3"].resolved_question == "Vraag a-2? Vraag a-3?"
    assert by_id["a-1"].resolved_question == "Vraag a-1?"  # read alone: the question itself
    assert not by_id["b-2"].joined  # only whitespace differs
    assert not by_id["los-2"].joined  # another reading, but there was no conversation
    assert [by_id[q].earlier_turns for q in ("a-1", "a-4", "b-2", "los-2", "buiten-1")] == [
        0, 3, 1, 0, 1]


def test_a_failed_question_stays_in_its_conversation_with_an_empty_answer() -> None:
    assistant = FakeAssistant(errors=("a-2",))
    results = run_questions(assistant, SUITE[:3])
    assert assistant.histories["a-3"] == [turn("a-1"), ("Vraag a-2?", "")]
    failed = results[1]
    assert failed.error and failed.resolved_question is None and not failed.joined


def report_of(results: list[QuestionResult]) -> dict:
    suite = Suite(name="gesprek", path=Path("gesprek.jsonl"), questions=tuple(SUITE))
    return build_report(results, [suite], index={"generation": "gen-1"}, publications={},
                        wegwijzer_titles={})


def test_the_conversation_metrics_on_a_small_suite() -> None:
    _, results = run()
    report = report_of(results)
    overall, support = report["overall"], report["support"]
    # Standalone with history: a-3 (joined), b-2 (not).
    assert overall["standalone_joined"] == 0.5 and support["standalone_joined"] == 2
    # Follow-ups: a-2 (joined), a-4 (not), buiten-1 (joined).
    assert overall["follow_up_joined"] == pytest.approx(0.6667) and support["follow_up_joined"] == 3
    # hit@3 over the answerable follow-ups: a-2 found, a-4 missed.
    assert overall["follow_up_hit_at_3"] == 0.5 and support["follow_up_hit_at_3"] == 2
    # Without conversations (also an older report without the fields): not measured.
    alone = [q for q in report["questions"] if not q["earlier_turns"]]
    older = [{k: v for k, v in q.items() if k not in ("earlier_turns", "joined")}
             for q in report["questions"]]
    for questions in (alone, older):
        values, counts = aggregate(questions)
        assert all(values[name] is None and counts[name] == 0 for name in CONVERSATION_METRICS)


def test_the_report_carries_the_reading_and_lists_wrongly_joined_questions(tmp_path: Path) -> None:
    _, results = run()
    paths = write_reports(report_of(results), tmp_path)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    entries = {q["id"]: q for q in data["questions"]}
    assert entries["a-3"]["joined"] is True
    assert entries["a-3"]["resolved_question"] == "Vraag a-2? Vraag a-3?"
    assert entries["a-1"]["joined"] is False and entries["a-1"]["resolved_question"] == "Vraag a-1?"
    assert entries["a-4"]["follows"] == "a-3" and entries["a-4"]["session"] == "a"
    # Only a standalone question read with the conversation is a problem of joining.
    joined = [q["id"] for q, reason in problem_questions(data) if JOINED in reason]
    assert joined == ["a-3"]
    markdown = render_markdown(data)
    assert f"- **a-3** — {JOINED}: Vraag a-3?" in markdown
    assert ("- Gesprek: gesteld na 2 eerdere vragen van gesprek 'a'; samen met het gesprek "
            "gelezen als: Vraag a-2? Vraag a-3?") in markdown
    assert "| standalone_joined | losse vragen in een gesprek" in markdown
    page = paths["html"].read_text(encoding="utf-8")
    assert f'<a href="#q-a-3">a-3</a> – {JOINED}' in page
