"""`wegwijzer eval --from-feedback`: chat feedback → draft suite lines (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wegwijzer.cli import main
from assistant.service import REFUSAL, REFUSAL_WITH_SOURCES
from evals.command import EvalOptions, run_eval
from evals.feedback import REFUSAL_PREFIX, convert_feedback
from evals.suites import SuiteError, load_suite
from common.settings import Settings
from indexing_support import ALL_IDS, CORPUS_DIR, JAARBERICHT, TUSSENBERICHT

SOURCES = [
    {"marker": 1, "publication_id": JAARBERICHT, "wegwijzer": 4, "wegwijzer_title": "Ken het netwerk",
     "pages": [41, 44], "research_pages": [182]},
    {"marker": 2, "publication_id": TUSSENBERICHT, "wegwijzer": None, "pages": None,
     "research_pages": []},
]
LINES = [
    {"question": "Wat zegt het onderzoek over vertrouwen?", "answer": "Vertrouwen groeit. [1]",
     "sources": SOURCES, "vote": "up", "comment": "Precies goed!", "timestamp": "2025-03-01T10:00:00"},
    {"question": "Wie betaalt de regiodeal?", "answer": "Iets anders. [2]", "sources": SOURCES,
     "vote": "down", "comment": "Klopt niet", "timestamp": "2025-03-01T10:05:00"},
    "{dit is geen json",
    {"question": "Hoeveel inwoners heeft Gouda?", "answer": REFUSAL_WITH_SOURCES, "sources": SOURCES,
     "vote": "up", "timestamp": "2025-03-01T10:06:00"},
    {"answer": "zonder vraag", "vote": "up"},
    {"question": "Wat is een regiodeal?", "answer": "…", "sources": [], "vote": "meh"},
    {"question": "Staat dit erin?", "answer": REFUSAL, "sources": [], "vote": "down"},
]


def write_feedback(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                              for line in LINES) + "\n", encoding="utf-8")
    return path


def test_the_refusal_prefix_matches_the_assistant() -> None:
    assert REFUSAL.startswith(REFUSAL_PREFIX) and REFUSAL_WITH_SOURCES.startswith(REFUSAL_PREFIX)


def test_feedback_becomes_draft_lines(tmp_path: Path) -> None:
    result = convert_feedback(write_feedback(tmp_path / "feedback.jsonl"))
    assert [d["id"] for d in result.drafts] == ["feedback-001", "feedback-002", "feedback-003",
                                                "feedback-004"]
    assert (result.up, result.down) == (2, 2)
    up, down, refused_up, refused_down = result.drafts
    # Thumbs up: the place comes from the top source.
    assert up["answerable"] is True
    assert (up["publications"], up["wegwijzers"], up["pages"]) == ([JAARBERICHT], [4], [41, 44])
    assert up["tags"] == ["feedback", "duim-omhoog"] and up["answer"] == ""
    assert "Precies goed!" in up["note"] and "regel 1" in up["note"]
    # Thumbs down: nothing prefilled.
    assert (down["publications"], down["wegwijzers"], down["pages"]) == ([], [], None)
    assert down["tags"] == ["feedback", "duim-omlaag"] and "Klopt niet" in down["note"]
    # Refusals are guessed unanswerable.
    assert refused_up["answerable"] is False and refused_up["publications"] == []
    assert refused_down["answerable"] is False and "answerable' op true" in refused_down["todo"]
    assert set(up) == {"id", "question", "answerable", "publications", "wegwijzers", "pages",
                       "research_pages", "must_mention", "answer", "tags", "note", "todo"}
    # Invalid lines are reported with their line numbers.
    assert len(result.problems) == 3
    assert "feedback.jsonl regel 3 is geen geldige JSON" in result.problems[0]
    assert "regel 5 mist het veld 'question'" in result.problems[1]
    assert "regel 6: 'vote' is \"meh\"" in result.problems[2]


def test_drafts_are_rejected_until_completed(tmp_path: Path) -> None:
    drafts = convert_feedback(write_feedback(tmp_path / "feedback.jsonl")).drafts
    suite = tmp_path / "draft.jsonl"
    suite.write_text("".join(json.dumps(d) + "\n" for d in drafts), encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(suite, ALL_IDS)
    assert {p.line for p in caught.value.problems if p.field == "todo"} == {1, 2, 3, 4}
    assert "conceptvraag" in str(caught.value)
    # Completed as the instructions say: the 'todo' gone, the place and answer filled in.
    done = []
    for draft in drafts:
        draft = {k: v for k, v in draft.items() if k != "todo"}
        if draft["answerable"]:
            draft.update(publications=[JAARBERICHT], answer="Het referentieantwoord.")
        done.append(draft)
    suite.write_text("".join(json.dumps(d) + "\n" for d in done), encoding="utf-8")
    loaded = load_suite(suite, ALL_IDS)
    assert [q.id for q in loaded.questions] == ["feedback-001", "feedback-002", "feedback-003",
                                                "feedback-004"]
    assert loaded.questions[0].note.startswith("Uit feedback.jsonl regel 1")


def test_from_feedback_command_prints_or_writes_drafts(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(corpus_dir=CORPUS_DIR, data_dir=tmp_path / "data")
    write_feedback(settings.feedback_path)

    code = run_eval(EvalOptions(from_feedback=settings.feedback_path), settings)
    captured = capsys.readouterr()
    assert code == 1  # invalid lines were skipped
    printed = [json.loads(line) for line in captured.out.splitlines()]
    assert [d["id"] for d in printed] == ["feedback-001", "feedback-002", "feedback-003",
                                          "feedback-004"]
    assert "4 conceptvragen gemaakt" in captured.err and "3 ongeldige regels" in captured.err
    assert "regel 3 is geen geldige JSON" in captured.err
    assert "Zo maakt u de conceptvragen af" in captured.err and "'todo'" in captured.err

    out_dir = tmp_path / "drafts"
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps(LINES[0]) + "\n", encoding="utf-8")
    code = run_eval(EvalOptions(from_feedback=clean, out=out_dir), settings)
    captured = capsys.readouterr()
    assert code == 0 and captured.out == ""
    lines = (out_dir / "draft.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["feedback-001"]
    assert f"Geschreven naar {out_dir / 'draft.jsonl'}" in captured.err


def test_from_feedback_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(corpus_dir=CORPUS_DIR, data_dir=tmp_path / "data")
    assert run_eval(EvalOptions(from_feedback=settings.feedback_path), settings) == 2
    assert "feedbackbestand" in capsys.readouterr().err
    options = EvalOptions(from_feedback=Path("x.jsonl"), suites=("smoke",))
    assert run_eval(options, settings) == 2
    assert "gaat niet samen met --suite" in capsys.readouterr().err


def test_from_feedback_through_the_cli_defaults_to_the_data_dir(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "data"
    assert main(["eval", "--from-feedback", "--data-dir", str(data_dir)]) == 2
    assert f"Het feedbackbestand {data_dir / 'feedback.jsonl'} bestaat niet" in capsys.readouterr().err
    write_feedback(data_dir / "feedback.jsonl")
    assert main(["eval", "--from-feedback", "--data-dir", str(data_dir)]) == 1  # invalid lines
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4 and "4 conceptvragen gemaakt" in captured.err
    assert main(["eval", "--from-feedback", "x.jsonl", "--suite", "smoke",
                 "--data-dir", str(data_dir)]) == 2
    assert "gaat niet samen met --suite" in capsys.readouterr().err


def test_a_changed_vote_counts_once_in_its_last_version(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    first = {**LINES[0], "answer_id": "a1", "vote": "up", "comment": "Precies goed!"}
    changed = {**first, "vote": "down", "changed_from": "up", "comment": "Toch niet"}
    other = {**LINES[1], "answer_id": "b2"}
    path = tmp_path / "feedback.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n"
                            for line in (first, other, changed)), encoding="utf-8")

    result = convert_feedback(path)
    assert (result.up, result.down, result.replaced) == (0, 2, 1)
    assert [d["question"] for d in result.drafts] == [other["question"], first["question"]]
    assert "Toch niet" in result.drafts[1]["note"] and "regel 3" in result.drafts[1]["note"]

    assert run_eval(EvalOptions(from_feedback=path), Settings(corpus_dir=CORPUS_DIR,
                                                              data_dir=tmp_path)) == 0
    assert "1 stem later gewijzigd (alleen de laatste telt)" in capsys.readouterr().err
