"""Compare two evaluation runs: metric deltas and which questions got better or worse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from common.errors import WegwijzerError

from .format import EPSILON, delta_verdict, fmt_score
from .metrics import METRICS


class ReportError(WegwijzerError):
    """A previous report.json cannot be read."""


def load_report(value: str | Path) -> dict[str, Any]:
    """Read a report.json (or the run folder holding one) and check its shape."""
    path = Path(value)
    if path.is_dir():
        path = path / "report.json"
    if not path.is_file():
        raise ReportError(
            f"Het vorige rapport {path} bestaat niet. Geef het pad naar report.json van een "
            f"eerdere run, bijvoorbeeld --compare eval-out/20250101-120000/report.json.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"Het vorige rapport {path} is geen geldige JSON ({exc}). Gebruik het "
                          f"report.json dat `wegwijzer eval` heeft geschreven.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("overall"), dict) or not isinstance(
            data.get("questions"), list):
        raise ReportError(f"{path} is geen evaluatierapport van Wegwijzer: 'overall' of "
                          f"'questions' ontbreekt. Gebruik het report.json van `wegwijzer eval`.")
    for number, q in enumerate(data["questions"], start=1):
        if not isinstance(q, dict) or not isinstance(q.get("id"), str):
            raise ReportError(f"{path}: vraag {number} in 'questions' heeft geen id. Gebruik het "
                              f"report.json van `wegwijzer eval`.")
    data["_path"] = str(path)
    return data


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def question_changes(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed for one question (hit@3, rr, faithfulness, refused), each with `better`."""
    changes: list[dict[str, Any]] = []
    before, after = previous.get("metrics") or {}, current.get("metrics") or {}
    for key in ("hit@3", "rr", "faithfulness"):
        old, new = _number(before.get(key)), _number(after.get(key))
        if old is not None and new is not None and abs(new - old) > EPSILON:
            changes.append({"what": key, "previous": old, "current": new, "better": new > old})
    old_refused, new_refused = previous.get("refused"), current.get("refused")
    if isinstance(old_refused, bool) and isinstance(new_refused, bool) and old_refused != new_refused:
        changes.append({"what": "refused", "previous": old_refused, "current": new_refused,
                        "better": new_refused != bool(current.get("answerable", True))})
    return changes


def answerer_name(report: Mapping[str, Any]) -> str:
    """The answerer of a run as the report names it ('extractief', 'openai:qwen2.5-1.5b')."""
    return str((report.get("index") or {}).get("answerer") or "onbekend")


def describe_answerers(comparison: Mapping[str, Any]) -> str:
    """'Antwoorder: vorige run extractief, deze run openai:qwen2.5-1.5b.'"""
    answerers = comparison.get("answerers") or {}
    previous, current = answerers.get("previous", "onbekend"), answerers.get("current", "onbekend")
    if previous == current:
        return f"Antwoorder: {current} (in beide runs)."
    return f"Antwoorder: vorige run {previous}, deze run {current}."


def describe_change(change: Mapping[str, Any]) -> str:
    """'hit@3 0 → 1', 'rr 0,33 → 1,00', 'nu geweigerd (onterecht)'."""
    what = change["what"]
    if what == "refused":
        verdict = "terecht" if change["better"] else "onterecht"
        return f"{'nu geweigerd' if change['current'] else 'niet meer geweigerd'} ({verdict})"
    if what == "hit@3":
        return f"hit@3 {int(change['previous'])} → {int(change['current'])}"
    label = "gesteund" if what == "faithfulness" else what
    return f"{label} {fmt_score(change['previous'])} → {fmt_score(change['current'])}"


def compare_reports(previous: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Deltas per metric (current − previous) and per-question changes, JSON-ready."""
    metrics = []
    for name in METRICS:
        old = _number(previous["overall"].get(name))
        new = _number(current["overall"].get(name))
        delta = new - old if old is not None and new is not None else None
        metrics.append({"metric": name, "previous": old, "current": new,
                        "delta": round(delta, 4) if delta is not None else None,
                        "verdict": delta_verdict(name, delta)})
    before = {q["id"]: q for q in previous["questions"]}
    after = {q["id"]: q for q in current["questions"]}
    groups: dict[str, list[dict[str, Any]]] = {"better": [], "worse": [], "mixed": []}
    for qid, q in after.items():
        changes = question_changes(before[qid], q) if qid in before else []
        if not changes:
            continue
        verdicts = {c["better"] for c in changes}
        key = "mixed" if len(verdicts) > 1 else ("better" if verdicts == {True} else "worse")
        groups[key].append({"id": qid, "question": q.get("question", ""), "changes": changes})
    index = previous.get("index") or {}
    return {
        "previous": {"path": previous.get("_path"), "timestamp": previous.get("timestamp"),
                     "generation": index.get("generation"),
                     "suites": [s.get("name") for s in previous.get("suites", [])]},
        # Who wrote the answers on each side: the extractive default against a language model
        # is the comparison staff run most (`eval --llm … --compare <extractive run>`).
        "answerers": {"previous": answerer_name(previous), "current": answerer_name(current)},
        "metrics": metrics,
        "questions": {**groups,
                      "added": [qid for qid in after if qid not in before],
                      "removed": [qid for qid in before if qid not in after]},
    }
