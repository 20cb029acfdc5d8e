"""Suite files: the bundled suites load; every mistake is named by file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.suites import (
    DEFAULT_SUITE, SUITES_DIR, SuiteError, SuiteQuestion, load_suite, load_suites,
    resolve_suite_path,
)
from common.errors import WegwijzerError
from indexing.manifest import load_manifest
from indexing_support import ALL_IDS, CORPUS_DIR, JAARBERICHT

REPORT_ID = "onderzoeksrapport-2018-werkende-samenwerking"  # benchmarks/standin_report.py

GOOD = {
    "id": "t-001", "question": "Wat is een attractieve agenda?", "answerable": True,
    "publications": [JAARBERICHT], "wegwijzers": [2], "pages": [31, 36], "research_pages": [181],
    "must_mention": ["agenda"], "answer": "Een agenda waar partijen zich in herkennen.",
    "tags": ["wegwijzer"],
}
OUTSIDE = {
    "id": "t-002", "question": "Hoeveel inwoners heeft Gouda?", "answerable": False,
    "publications": [], "wegwijzers": [], "pages": None, "research_pages": [], "must_mention": [],
    "answer": "", "tags": ["buiten-scope"],
}


def write(path: Path, *lines: object) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n"
                            for line in lines), encoding="utf-8")
    return path


def problems_of(path: Path) -> SuiteError:
    with pytest.raises(SuiteError) as caught:
        load_suite(path, ALL_IDS)
    return caught.value


def test_bundled_suites_load_with_the_manifest_ids() -> None:
    ids = [p.id for p in load_manifest(CORPUS_DIR / "publications.toml")]
    suites = load_suites(["core", "dev", "smoke", "vers", "blind"], ids)
    assert [(s.name, len(s.questions)) for s in suites] == [
        ("core", 95), ("dev", 124), ("smoke", 12), ("vers", 15), ("blind", 102)]
    assert sum(1 for q in suites[-1].questions if q.follows) == 10
    first = suites[0].questions[0]
    assert isinstance(first, SuiteQuestion) and first.id == "core-001" and first.line == 1
    assert first.expected()["pages"] == [27, 30]
    assert DEFAULT_SUITE == SUITES_DIR / "core.jsonl"


def test_suite_paths_resolve_from_any_working_directory(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_suite_path("evals/suites/smoke.jsonl") == SUITES_DIR / "smoke.jsonl"
    assert resolve_suite_path("smoke") == SUITES_DIR / "smoke.jsonl"
    local = write(tmp_path / "mine.jsonl", GOOD)
    assert resolve_suite_path("mine.jsonl") == Path("mine.jsonl")
    assert load_suite(local, ALL_IDS).questions[0].id == "t-001"
    with pytest.raises(SuiteError, match="bestaat niet"):
        resolve_suite_path("geen-suite.jsonl")


def test_a_good_file_gives_typed_questions(tmp_path: Path) -> None:
    suite = load_suite(write(tmp_path / "s.jsonl", GOOD, "", {**OUTSIDE, "note": "uit feedback"}),
                       ALL_IDS)
    assert suite.name == "s"
    one, two = suite.questions
    assert one.pages == (31, 36) and one.publications == (JAARBERICHT,) and one.wegwijzers == (2,)
    assert two.line == 3 and two.pages is None and two.note == "uit feedback"


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "kapot.jsonl", GOOD, '{"id": "t-003", "question": ')
    error = problems_of(path)
    assert isinstance(error, WegwijzerError)
    assert "kapot.jsonl, regel 2" in str(error) and "geen geldige JSON" in str(error)
    assert error.problems[0].line == 2 and error.problems[0].field is None


@pytest.mark.parametrize("change, field, words", [
    ({"publications": ["jaarbericht-2019"]}, "publications", "bestaat niet in publications.toml"),
    ({"wegwijzers": [11]}, "wegwijzers", "wegwijzer 11 bestaat niet"),
    ({"wegwijzers": [0]}, "wegwijzers", "wegwijzer 0 bestaat niet"),
    ({"wegwijzers": ["4"]}, "wegwijzers", "moet een lijst met wegwijzernummers"),
    ({"answerable": "ja"}, "answerable", "moet true of false zijn, maar is tekst"),
    ({"pages": [36, 31]}, "pages", "geen geldig paginabereik"),
    ({"pages": [31]}, "pages", "null of [eerste, laatste]"),
    ({"research_pages": "181"}, "research_pages", "moet een lijst"),
    ({"must_mention": ["UWV"]}, "must_mention", "'UWV' moet in kleine letters"),
    ({"tags": "wegwijzer"}, "tags", "moet een lijst met labels"),
    ({"question": "  "}, "question", "niet-lege tekst"),
    ({"id": 7}, "id", "moet niet-lege tekst zijn, maar is een getal"),
    ({"publications": []}, "publications", "minstens één publicatie"),
    ({"answer": ""}, "answer", "referentieantwoord"),
    ({"source": "x"}, "source", "onbekend veld"),
])
def test_each_field_problem_names_file_line_and_field(tmp_path: Path, change: dict, field: str,
                                                      words: str) -> None:
    path = write(tmp_path / "suite.jsonl", OUTSIDE, {**GOOD, **change})
    error = problems_of(path)
    assert len(error.problems) == 1, str(error)
    problem = error.problems[0]
    assert (problem.file, problem.line, problem.field) == (str(path), 2, field)
    assert f"suite.jsonl, regel 2, veld '{field}'" in str(error)
    assert words in str(error)


def test_missing_fields_and_duplicate_ids(tmp_path: Path) -> None:
    incomplete = {k: v for k, v in GOOD.items() if k not in ("tags", "answerable")}
    path = write(tmp_path / "suite.jsonl", GOOD, {**incomplete, "id": "t-009"}, GOOD)
    error = problems_of(path)
    found = {(p.line, p.field) for p in error.problems}
    assert found == {(2, "tags"), (2, "answerable"), (3, "id")}
    assert "dit verplichte veld ontbreekt" in str(error)
    assert "id 't-001' komt al voor op regel 1" in str(error)
    assert str(error).startswith("De suite klopt niet (3 problemen)")


def test_an_unfinished_feedback_draft_is_rejected(tmp_path: Path) -> None:
    draft = {**GOOD, "answer": "", "todo": "Vul het referentieantwoord in."}
    error = problems_of(write(tmp_path / "suite.jsonl", draft))
    fields = {p.field for p in error.problems}
    assert "todo" in fields
    assert "conceptvraag" in str(error) and "Vul het referentieantwoord in." in str(error)


def test_empty_or_missing_files_and_duplicates_across_suites(tmp_path: Path) -> None:
    assert "bevat geen vragen" in str(problems_of(write(tmp_path / "leeg.jsonl", "")))
    with pytest.raises(SuiteError, match="bestaat niet"):
        load_suite(tmp_path / "weg.jsonl", ALL_IDS)
    a = write(tmp_path / "a.jsonl", GOOD)
    b = write(tmp_path / "b.jsonl", OUTSIDE, GOOD)
    with pytest.raises(SuiteError) as caught:
        load_suites([a, b], ALL_IDS)
    assert f"{b}, regel 2, veld 'id': id 't-001' staat ook in {a} (regel 1)" in str(caught.value)
    with pytest.raises(SuiteError, match="twee keer opgegeven"):
        load_suites([a, a], ALL_IDS)


def test_non_utf8_and_non_object_lines(tmp_path: Path) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes(json.dumps(GOOD).replace("Wat", "W\u00e4t").encode("latin-1") + b"\n")
    assert "geen UTF-8-tekst" in str(problems_of(path))
    error = problems_of(write(tmp_path / "lijst.jsonl", "[1, 2]"))
    assert "regel 1" in str(error) and "geen JSON-object" in str(error)


def test_a_follow_up_names_an_earlier_question(tmp_path: Path) -> None:
    follow = {**GOOD, "id": "t-003", "question": "En wie schreef dat?", "follows": "t-001"}
    suite = load_suite(write(tmp_path / "ok.jsonl", GOOD, follow), ALL_IDS)
    assert suite.questions[1].follows == "t-001" and suite.questions[0].follows is None

    ahead = {**follow, "follows": "t-009"}
    error = problems_of(write(tmp_path / "vooruit.jsonl", GOOD, ahead))
    assert "regel 2, veld 'follows'" in str(error) and "'t-009' is geen eerdere vraag" in str(error)
    error = problems_of(write(tmp_path / "leeg.jsonl", GOOD, {**follow, "follows": ""}))
    assert "veld 'follows'" in str(error)


def test_a_follow_up_is_asked_with_the_earlier_turn(tmp_path: Path) -> None:
    from evals.runner import run_questions

    follow = {**GOOD, "id": "t-003", "question": "En wie schreef dat?", "follows": "t-001"}
    suite = load_suite(write(tmp_path / "ok.jsonl", GOOD, OUTSIDE, follow), ALL_IDS)

    class Recorder:  # records what the runner passes; answers every question alike
        def __init__(self) -> None:
            self.histories: list[object] = []

        def ask(self, question: str, history: object = None, id: object = None) -> object:
            from assistant.model import Answer

            self.histories.append(history)
            # Refused, so the runner does not check citations against an index.
            return Answer(question=question, answer=f"Antwoord op {id}.", refused=True,
                          sources=[])

    recorder = Recorder()
    run_questions(recorder, suite.questions)
    first, outside, follow_up = recorder.histories
    assert first is None and outside is None
    assert [(t.question, t.answer) for t in follow_up] == [(GOOD["question"], "Antwoord op t-001.")]


def test_a_session_is_one_conversation_of_consecutive_lines(tmp_path: Path) -> None:
    def turn(qid: str, session: str | None, follows: str | None = None) -> dict:
        line = {**GOOD, "id": qid}
        if session is not None:
            line["session"] = session
        if follows is not None:
            line["follows"] = follows
        return line

    suite = load_suite(write(tmp_path / "ok.jsonl", turn("a-1", "a"), turn("a-2", "a", "a-1"), "",
                             turn("b-1", "b"), turn("los", None, "a-1")), ALL_IDS)
    assert [(q.id, q.session, q.follows) for q in suite.questions] == [
        ("a-1", "a", None), ("a-2", "a", "a-1"), ("b-1", "b", None), ("los", None, "a-1")]

    error = problems_of(write(tmp_path / "verspreid.jsonl", turn("a-1", "a"), turn("b-1", "b"),
                              turn("a-2", "a")))
    assert [(p.line, p.field) for p in error.problems] == [(3, "session")]
    assert "sessie 'a' begon op regel 1" in str(error) and "direct onder elkaar" in str(error)

    error = problems_of(write(tmp_path / "ander-gesprek.jsonl", turn("a-1", "a"), turn("b-1", "b"),
                              turn("b-2", "b", "a-1")))
    assert [(p.line, p.field) for p in error.problems] == [(3, "follows")]
    assert "'a-1' hoort niet bij sessie 'b'" in str(error)

    for wrong, shown in (("  ", "tekst"), (None, "null"), (3, "een getal")):
        error = problems_of(write(tmp_path / "naam.jsonl", {**GOOD, "session": wrong}))
        assert [(p.line, p.field) for p in error.problems] == [(1, "session")]
        assert f"moet niet-lege tekst (de naam van het gesprek) zijn, maar is {shown}" in str(error)


def test_a_list_of_the_wrong_form_is_one_problem_and_rules_still_run_beside_it(
        tmp_path: Path) -> None:
    line = {**GOOD, "wegwijzers": ["4", 11, "x"], "tags": "los", "answer": " "}
    error = problems_of(write(tmp_path / "suite.jsonl", line))
    assert sorted(p.field for p in error.problems) == ["answer", "tags", "wegwijzers"]
    assert "veld 'wegwijzers': moet een lijst met wegwijzernummers" in str(error)
    # Each unknown publication is named, as before.
    error = problems_of(write(tmp_path / "pub.jsonl", {**GOOD, "publications": ["x", "y"]}))
    assert [p.message.split(" bestaat niet")[0] for p in error.problems] == [
        "publicatie 'x'", "publicatie 'y'"]


def test_every_shipped_suite_is_valid_and_ids_are_unique_across_them() -> None:
    """A suite added to evals/suites (blind3, written sealed) must load against the corpus,
    without anybody reading its questions; `onderzoek` against the corpus with the research
    report added (benchmarks/standin_report.py, as `index_speed.py --pdf` adds it)."""
    paths = sorted(SUITES_DIR.glob("*.jsonl"))
    assert {"core.jsonl", "dev.jsonl", "smoke.jsonl", "blind2.jsonl", "blind3.jsonl",
            "onderzoek.jsonl"} <= {p.name for p in paths}
    shipped = [p.id for p in load_manifest(CORPUS_DIR / "publications.toml")]
    suites = load_suites([p for p in paths if p.name != "onderzoek.jsonl"], shipped)
    suites += load_suites([SUITES_DIR / "onderzoek.jsonl"], shipped + [REPORT_ID])
    assert {p for q in suites[-1].questions for p in q.publications} == {REPORT_ID}
    assert all(suite.questions for suite in suites)
