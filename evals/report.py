"""report.json (the data), and report.md and report.html rendered from that data alone, so an
old report.json can always be rendered again."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .compare import describe_answerers, describe_change
from .format import (
    NO_WEGWIJZER, conversation_note, expected_place, fmt_delta, fmt_score, fmt_value, group_label,
    source_place,
)
from .html_report import render_html
from .metrics import aggregate, rounded
from .runner import QuestionResult
from .suites import Suite
from .summary import GROUP_COLUMNS, problem_questions, summary_lines, summary_rows

FORMAT = "wegwijzer-eval/1"


def group_summary(questions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Metrics over some questions (from report.json 'questions' entries)."""
    values, support = aggregate(questions)
    return {"questions": len(questions), "answerable": sum(1 for q in questions if q["answerable"]),
            "metrics": rounded(values), "support": support}


def breakdowns(questions: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per wegwijzer ('1'…'10', then 'geen') and per tag (alphabetical)."""
    by_wegwijzer: dict[str, list[Mapping[str, Any]]] = {}
    by_tag: dict[str, list[Mapping[str, Any]]] = {}
    for q in questions:
        for w in q["expected"]["wegwijzers"] or [NO_WEGWIJZER]:
            by_wegwijzer.setdefault(str(w), []).append(q)
        for tag in q["tags"]:
            by_tag.setdefault(tag, []).append(q)
    order = sorted(by_wegwijzer, key=lambda k: float("inf") if k == NO_WEGWIJZER else int(k))
    return ({k: group_summary(by_wegwijzer[k]) for k in order},
            {k: group_summary(by_tag[k]) for k in sorted(by_tag)})


def build_report(results: Sequence[QuestionResult], suites: Sequence[Suite], *,
                 index: Mapping[str, Any], publications: Mapping[str, str],
                 wegwijzer_titles: Mapping[str, str], timestamp: datetime | None = None
                 ) -> dict[str, Any]:
    """The report.json data for one run."""
    questions = [r.to_json() for r in results]
    overall, support = aggregate(questions)
    per_wegwijzer, per_tag = breakdowns(questions)
    return {
        "format": FORMAT,
        "timestamp": (timestamp or datetime.now().astimezone()).isoformat(timespec="seconds"),
        "suites": [{"name": s.name, "path": str(s.path), "questions": len(s.questions)}
                   for s in suites],
        "index": dict(index),
        "counts": {
            "questions": len(questions),
            "answerable": sum(1 for q in questions if q["answerable"]),
            "unanswerable": sum(1 for q in questions if not q["answerable"]),
            "refused": sum(1 for q in questions if q["refused"]),
            "errors": sum(1 for q in questions if q.get("error")),
        },
        "overall": rounded(overall),
        "support": support,
        "per_wegwijzer": per_wegwijzer,
        "per_tag": per_tag,
        "publications": dict(publications),
        "wegwijzer_titles": {str(k): v for k, v in wegwijzer_titles.items()},
        "questions": questions,
    }


# --- Markdown ------------------------------------------------------------------------------------

def _cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def render_markdown(report: Mapping[str, Any]) -> str:
    """report.md: a readable Dutch report."""
    comparison = report.get("comparison")
    titles = report.get("publications", {})
    wtitles = report.get("wegwijzer_titles", {})
    lines = ["# Evaluatierapport Wegwijzer", ""]
    lines += [f"- {line}" for line in summary_lines(report)]
    lines += ["", "## Samenvatting", ""]
    header, summary = summary_rows(report)
    rows = []
    for row in summary:
        cells = [row["metric"], row["label"], row["value"], row["support"]]
        if comparison:
            verdict = row["verdict"]
            cells += [row["previous"],
                      row["delta"] + (f" ({verdict})" if verdict and verdict != "gelijk" else "")]
        rows.append(cells)
    lines += _table(header, rows)

    thresholds = report.get("thresholds")
    if thresholds:
        lines += ["", "## Drempels", ""]
        for t in thresholds:
            lines.append(f"- {'✓' if t['passed'] else '✗ **niet gehaald:**'} {t['message']}")

    if comparison:
        lines += ["", "## Vergelijking met de vorige run", ""]
        lines += render_comparison_markdown(comparison)

    lines += ["", "## Per wegwijzer", ""]
    lines += _group_table(report["per_wegwijzer"], "wegwijzer", wtitles)
    lines += ["", "## Per label", ""]
    lines += _group_table(report["per_tag"], "tag", wtitles)

    problems = problem_questions(report)
    lines += ["", "## Aandachtspunten", ""]
    if problems:
        for q, reason in problems:
            lines.append(f"- **{q['id']}** — {reason}: {_cell(q['question'])}")
    else:
        lines.append("Geen: elke vraag vond een juiste passage bij de eerste drie bronnen en werd "
                     "terecht wel of niet beantwoord.")

    lines += ["", "## Alle vragen", ""]
    for q in report["questions"]:
        lines += _question_markdown(q, titles, wtitles)
    return "\n".join(lines).rstrip() + "\n"


def _group_table(groups: Mapping[str, Any], kind: str, wtitles: Mapping[str, str]) -> list[str]:
    header = ["Wegwijzer" if kind == "wegwijzer" else "Label", "Vragen"] + list(GROUP_COLUMNS)
    return _table(header, ([group_label(kind, key, wtitles), group["questions"]]
                           + [fmt_value(name, group["metrics"][name]) for name in GROUP_COLUMNS]
                           for key, group in groups.items()))


def _question_markdown(q: Mapping[str, Any], titles: Mapping[str, str],
                       wtitles: Mapping[str, str]) -> list[str]:
    m = q["metrics"]
    status = ("geweigerd, met wat er wel staat" if q.get("partial") else
              "geweigerd" if q["refused"] else "beantwoord")
    lines = [f"### {q['id']} ({q['suite']})", "", f"**Vraag:** {q['question']}", "",
             f"- Labels: {', '.join(q['tags']) or 'geen'}",
             f"- Verwacht: {expected_place(q['expected'], q['answerable'], titles, wtitles)}"]
    if q["expected"].get("must_mention"):
        lines.append(f"- Moet noemen: {', '.join(q['expected']['must_mention'])}")
    if q.get("note"):
        lines.append(f"- Notitie: {q['note']}")
    conversation = conversation_note(q)
    if conversation:
        lines.append(f"- Gesprek: {conversation}")
    lines.append(f"- Uitkomst: {status}; hit@3 {fmt_score(m.get('hit@3'))}, rr {fmt_score(m.get('rr'))}, "
                 f"bronnen juist geciteerd {fmt_score(m.get('citation_precision'))}, "
                 f"begrippen {fmt_score(m.get('must_mention_recall'))}, "
                 f"{fmt_value('latency_ms_p50', q['latency_ms'])}")
    if q.get("error"):
        lines.append(f"- Fout: {q['error']}")
    lines += ["", f"**Antwoord:** {q['answer'] or '(leeg)'}", ""]
    if q["expected"].get("answer"):
        lines += [f"**Referentieantwoord:** {q['expected']['answer']}", ""]
    if q["sources"]:
        lines += ["**Bronnen:**", ""]
        cited = set(q.get("cited_markers", []))
        for s in q["sources"]:
            marks = []
            if q["answerable"]:
                marks.append("juist" if s.get("counts") else "niet verwacht")
            if s.get("marker") in cited:
                marks.append("geciteerd")
            lines.append(f"- [{s.get('marker')}] {source_place(s)} ({', '.join(marks) or '–'})")
        lines.append("")
    return lines


def render_comparison_markdown(comparison: Mapping[str, Any]) -> list[str]:
    prev = comparison["previous"]
    lines = [f"Vorige run: {prev.get('timestamp', '?')} ({prev.get('path', '?')}), "
             f"index {prev.get('generation', '?')}.", "", describe_answerers(comparison), ""]
    rows = [[m["metric"], fmt_value(m["metric"], m["previous"]), fmt_value(m["metric"], m["current"]),
             fmt_delta(m["metric"], m["delta"]), m["verdict"] or "–"] for m in comparison["metrics"]]
    lines += _table(["Metriek", "Vorige", "Nu", "Verschil", "Oordeel"], rows)
    questions = comparison["questions"]
    for key, title in (("better", "Beter"), ("worse", "Slechter"), ("mixed", "Gemengd")):
        items = questions[key]
        lines += ["", f"**{title} ({len(items)})**", ""]
        if not items:
            lines.append("geen")
        for item in items:
            changes = "; ".join(describe_change(c) for c in item["changes"])
            lines.append(f"- {item['id']}: {changes} — {_cell(item['question'])}")
    if questions["added"] or questions["removed"]:
        lines += ["", f"Nieuwe vragen: {', '.join(questions['added']) or 'geen'}. "
                      f"Vervallen vragen: {', '.join(questions['removed']) or 'geen'}."]
    return lines


# --- Files ---------------------------------------------------------------------------------------

def write_reports(report: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write report.json, report.md and report.html into out_dir; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "md": out_dir / "report.md",
             "html": out_dir / "report.html"}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["md"].write_text(render_markdown(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths
