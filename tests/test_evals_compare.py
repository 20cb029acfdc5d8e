"""Comparing two runs, from two hand-made report.json files (no model, no index)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.command import print_comparison, summary_table
from evals.compare import ReportError, compare_reports, load_report
from evals.metrics import METRICS
from evals.report import render_comparison_markdown

BASE = {"hit@1": 0.5, "hit@3": 0.5, "hit@5": 0.75, "mrr": 0.6, "citation_precision": 0.7,
        "top1_page_accuracy": 0.4, "research_page_recall": None, "must_mention_recall": 0.5,
        "refusal_accuracy": 0.5, "false_refusal_rate": 0.25, "latency_ms_p50": 400.0,
        "latency_ms_p95": 900.0}


def question(qid: str, hit3: float | None, rr: float | None, refused: bool,
             answerable: bool = True) -> dict:
    return {"id": qid, "question": f"Vraag {qid}?", "answerable": answerable, "refused": refused,
            "metrics": {"hit@3": hit3, "rr": rr}}


def write_report(path: Path, overall: dict, questions: list[dict], stamp: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    data = {"format": "wegwijzer-eval/1", "timestamp": stamp, "overall": overall,
            "questions": questions, "index": {"generation": "wegwijzer-" + stamp},
            "suites": [{"name": "core", "questions": len(questions)}]}
    (path / "report.json").write_text(json.dumps(data), encoding="utf-8")
    return path / "report.json"


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[dict, dict]:
    before = write_report(tmp_path / "run1", BASE, [
        question("q-1", 0.0, 0.25, False),            # gets better: found at rank 1
        question("q-2", 1.0, 1.0, False),             # gets worse: lost
        question("q-3", 1.0, 0.5, False),             # unchanged
        question("q-4", 1.0, 1.0, False),             # now refused although answerable: worse
        question("q-5", None, None, False, False),    # unanswerable, now refused: better
        question("q-6", 0.0, 0.0, False),             # mixed: found, but refused
        question("q-old", 1.0, 1.0, False),           # removed
    ], "2025-01-01T10:00:00")
    now = {**BASE, "hit@3": 0.75, "mrr": 0.55, "false_refusal_rate": 0.5, "latency_ms_p50": 350.0,
           "citation_precision": 0.7, "research_page_recall": 0.5}
    after = write_report(tmp_path / "run2", now, [
        question("q-1", 1.0, 1.0, False),
        question("q-2", 0.0, 0.0, False),
        question("q-3", 1.0, 0.5, False),
        question("q-4", 1.0, 1.0, True),
        question("q-5", None, None, True, False),
        question("q-6", 1.0, 0.5, True),
        question("q-new", 1.0, 1.0, False),
    ], "2025-02-01T10:00:00")
    # --compare accepts the report.json or its folder.
    return load_report(before.parent), load_report(after)


def test_metric_deltas_and_verdicts(two_runs: tuple[dict, dict]) -> None:
    previous, current = two_runs
    comparison = compare_reports(previous, current)
    by_metric = {m["metric"]: m for m in comparison["metrics"]}
    assert list(by_metric) == list(METRICS)
    assert by_metric["hit@3"]["delta"] == pytest.approx(0.25)
    assert by_metric["hit@3"]["verdict"] == "beter"
    assert by_metric["mrr"]["delta"] == pytest.approx(-0.05) and by_metric["mrr"]["verdict"] == "slechter"
    # Lower is better for these two.
    assert by_metric["false_refusal_rate"]["delta"] == pytest.approx(0.25)
    assert by_metric["false_refusal_rate"]["verdict"] == "slechter"
    assert by_metric["latency_ms_p50"]["delta"] == pytest.approx(-50)
    assert by_metric["latency_ms_p50"]["verdict"] == "beter"
    assert by_metric["citation_precision"]["verdict"] == "gelijk"
    # Not measured before: no delta.
    assert by_metric["research_page_recall"]["delta"] is None
    assert by_metric["research_page_recall"]["verdict"] is None
    assert comparison["previous"]["timestamp"] == "2025-01-01T10:00:00"


def test_better_and_worse_questions(two_runs: tuple[dict, dict]) -> None:
    comparison = compare_reports(*two_runs)
    groups = comparison["questions"]
    assert [q["id"] for q in groups["better"]] == ["q-1", "q-5"]
    assert [q["id"] for q in groups["worse"]] == ["q-2", "q-4"]
    assert [q["id"] for q in groups["mixed"]] == ["q-6"]
    assert groups["added"] == ["q-new"] and groups["removed"] == ["q-old"]
    q1 = groups["better"][0]["changes"]
    assert [(c["what"], c["previous"], c["current"]) for c in q1] == [("hit@3", 0.0, 1.0),
                                                                       ("rr", 0.25, 1.0)]
    assert groups["worse"][1]["changes"] == [
        {"what": "refused", "previous": False, "current": True, "better": False}]


def test_comparison_in_markdown_and_console(two_runs: tuple[dict, dict],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    comparison = compare_reports(*two_runs)
    markdown = "\n".join(render_comparison_markdown(comparison))
    assert "| hit@3 | 0,50 | 0,75 | +0,25 | beter |" in markdown
    assert "| false_refusal_rate | 0,25 | 0,50 | +0,25 | slechter |" in markdown
    assert "| latency_ms_p50 | 400 ms | 350 ms | −50 ms | beter |" in markdown
    assert "**Beter (2)**" in markdown and "**Slechter (2)**" in markdown
    assert "- q-1: hit@3 0 → 1; rr 0,25 → 1,00" in markdown
    assert "- q-4: nu geweigerd (onterecht)" in markdown
    assert "- q-5: nu geweigerd (terecht)" in markdown
    assert "Nieuwe vragen: q-new. Vervallen vragen: q-old." in markdown

    print_comparison(comparison)
    console = capsys.readouterr().out
    assert "Beter (2)" in console and "Slechter (2)" in console and "Gemengd (1)" in console
    assert "q-2: hit@3 1 → 0; rr 1,00 → 0,00" in console
    assert "q-6: hit@3 0 → 1; rr 0,00 → 0,50; nu geweigerd (onterecht)" in console


def test_summary_table_shows_previous_values_and_deltas(two_runs: tuple[dict, dict],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    previous, current = two_runs
    report = {**current, "comparison": compare_reports(previous, current),
              "support": dict.fromkeys(METRICS, 4),
              "counts": {"questions": 7, "answerable": 6, "unanswerable": 1}}
    Console(width=200).print(summary_table(report))
    text = capsys.readouterr().out
    assert "Vorige" in text and "Verschil" in text
    assert "+0,25" in text and "−50 ms" in text


def test_unusable_previous_reports_give_dutch_errors(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="bestaat niet"):
        load_report(tmp_path / "nergens" / "report.json")
    broken = tmp_path / "kapot.json"
    broken.write_text("{niet json", encoding="utf-8")
    with pytest.raises(ReportError, match="geen geldige JSON"):
        load_report(broken)
    other = tmp_path / "ander.json"
    other.write_text(json.dumps({"results": []}), encoding="utf-8")
    with pytest.raises(ReportError, match="geen evaluatierapport"):
        load_report(other)


def test_extractive_against_a_language_model_names_both_answerers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`eval --llm … --compare <extractive run>`: both answerers named, faithfulness compared."""
    def run(name: str, answerer: str, faithfulness: float) -> dict:
        overall = {**dict.fromkeys(METRICS, 0.5), "faithfulness": faithfulness}
        path = write_report(tmp_path / name, overall, [
            {**question("q-1", 1.0, 1.0, False), "tags": [], "expected": {}, "sources": [],
             "answer": "Antwoord [1].", "latency_ms": 10.0, "metrics": {"hit@3": 1.0, "rr": 1.0, "faithfulness": faithfulness}}], name)
        data = json.loads(path.read_text(encoding="utf-8"))
        data["index"]["answerer"] = answerer
        path.write_text(json.dumps(data), encoding="utf-8")
        return load_report(path)

    comparison = compare_reports(run("extractive", "extractief", 1.0),
                                 run("llm", "openai:qwen2.5-1.5b", 0.5))
    assert comparison["answerers"] == {"previous": "extractief", "current": "openai:qwen2.5-1.5b"}
    faithfulness = next(m for m in comparison["metrics"] if m["metric"] == "faithfulness")
    assert faithfulness["delta"] == pytest.approx(-0.5) and faithfulness["verdict"] == "slechter"
    assert [q["id"] for q in comparison["questions"]["worse"]] == ["q-1"]

    expected = "Antwoorder: vorige run extractief, deze run openai:qwen2.5-1.5b."
    markdown = "\n".join(render_comparison_markdown(comparison))
    assert expected in markdown
    assert "- q-1: gesteund 1,00 → 0,50" in markdown
    print_comparison(comparison)
    assert expected in capsys.readouterr().out
    from evals.html_report import render_html
    html = render_html({**json.loads((tmp_path / "llm" / "report.json").read_text()),
                        "comparison": comparison, "support": dict.fromkeys(METRICS, 1),
                        "counts": {"questions": 1, "answerable": 1, "unanswerable": 0, "refused": 0},
                        "per_wegwijzer": {}, "per_tag": {}})
    assert expected in html
