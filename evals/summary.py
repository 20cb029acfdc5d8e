"""What report.md, report.html and the console summary all show: the header facts, the summary
table rows and the questions that need attention, all from report.json data."""

from __future__ import annotations

from typing import Any, Mapping

from .format import METRIC_LABELS, fmt_delta, fmt_value, plural
from .metrics import METRICS

# Columns of the per-wegwijzer and per-tag tables.
GROUP_COLUMNS: tuple[str, ...] = (
    "hit@1", "hit@3", "mrr", "citation_precision", "must_mention_recall", "refusal_accuracy",
    "false_refusal_rate",
)


def problem_questions(report: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], str]]:
    """Questions that went wrong, with a Dutch reason, for a quick to-do list."""
    found = []
    for q in report["questions"]:
        joined = q.get("joined") and not q.get("follows")
        reasons = ["ten onrechte samengevoegd met de vorige vraag" if joined else None,
                   _answer_reason(q)]
        if any(reasons):
            found.append((q, "; ".join(reason for reason in reasons if reason)))
    return found


def _answer_reason(q: Mapping[str, Any]) -> str | None:
    m = q["metrics"]
    if q.get("error"):
        return f"fout: {q['error']}"
    if not q["answerable"] and not q["refused"]:
        return "beantwoord, maar staat niet in de publicaties"
    if q["answerable"] and q["refused"]:
        return "onterecht geweigerd"
    if q["answerable"] and m.get("hit@5") == 0:
        return "geen juiste passage bij de bronnen"
    if q["answerable"] and m.get("hit@3") == 0:
        return "juiste passage pas op plaats 4 of 5"
    return None


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    """The header facts of a report, in Dutch."""
    counts = report["counts"]
    index = report.get("index", {})
    suites = ", ".join(f"{s['name']} ({plural(s['questions'], 'vraag', 'vragen')})"
                       for s in report["suites"])
    return [
        f"Datum: {report['timestamp']}",
        f"Suites: {suites}",
        f"Index: generatie {index.get('generation', '?')}, embedder {index.get('embedder', '?')}"
        + (f", {index['chunks']} passages" if index.get("chunks") else "")
        + (f", antwoorder {index['answerer']}" if index.get("answerer") else "")
        + (f", reranker {index['reranker']}" if index.get("reranker") else "")
        + (f", top-k {index['top_k']}" if index.get("top_k") else ""),
        f"Vragen: {counts['questions']} ({counts['answerable']} beantwoordbaar, "
        f"{counts['unanswerable']} buiten de publicaties); {counts['refused']} geweigerd"
        + (f"; {plural(counts['errors'], 'fout', 'fouten')}" if counts.get("errors") else ""),
    ]


def summary_rows(report: Mapping[str, Any]) -> tuple[list[str], list[dict[str, str]]]:
    """Header and formatted rows of the summary table, shared by report.md and report.html."""
    comparison = report.get("comparison")
    header = ["Metriek", "Betekenis", "Waarde", "Gemeten op"]
    previous: dict[str, Mapping[str, Any]] = {}
    if comparison:
        header += ["Vorige run", "Verschil"]
        previous = {m["metric"]: m for m in comparison["metrics"]}
    rows = []
    for name in METRICS:
        change = previous.get(name, {})
        rows.append({
            "metric": name, "label": METRIC_LABELS[name],
            "value": fmt_value(name, report["overall"].get(name)),  # older reports lack some
            "support": plural(report["support"].get(name, 0), "vraag", "vragen"),
            "previous": fmt_value(name, change.get("previous")) if comparison else "",
            "delta": fmt_delta(name, change.get("delta")) if comparison else "",
            "verdict": change.get("verdict") or "",
        })
    return header, rows
