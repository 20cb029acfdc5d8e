"""What the chat remembers of an exchange, the feedback lines and the Markdown export (pure)."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from ..citations import format_citation, label_research_refs
from ..model import Answer, Source, Turn
from .rendering import answer_text, hard_line_breaks, markdown_literal
from .texts import TITLE


def make_record(question: str, answer: Answer | None = None, error: str | None = None,
                publication: str | None = None, wegwijzer: int | None = None) -> dict[str, Any]:
    """What the chat remembers of one exchange (JSON-able)."""
    if answer is not None:
        data = answer.to_json()
        return {"question": answer.question or question, "answer": data["answer"],
                "refused": data["refused"], "sources": data["sources"],
                "notices": data.get("notices", []), "publication": publication,
                "wegwijzer": wegwijzer, "error": None}
    return {"question": question, "answer": error or "", "refused": False, "sources": [],
            "notices": [], "publication": publication, "wegwijzer": wegwijzer, "error": error}


def history_turns(records: Sequence[dict[str, Any]]) -> list[Turn]:
    """Earlier answered exchanges as Turns for follow-up questions (errors left out)."""
    return [Turn(question=r["question"], answer=r["answer"]) for r in records if not r.get("error")]


def feedback_record(record: dict[str, Any], vote: str, comment: str | None = None,
                    now: datetime | None = None) -> dict[str, Any]:
    """One line of feedback.jsonl: question, answer, sources, vote ('up'/'down'), comment, time."""
    if vote not in ("up", "down"):
        raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    line: dict[str, Any] = {
        "question": record["question"], "answer": record["answer"],
        "sources": record.get("sources", []), "vote": vote,
        "comment": (comment or "").strip() or None, "timestamp": stamp,
        "refused": bool(record.get("refused")),
    }
    for key in ("publication", "wegwijzer", "error"):
        if record.get(key):
            line[key] = record[key]
    return line


_feedback_lock = threading.Lock()


def append_feedback(path: Path, line: dict[str, Any]) -> None:
    """Append one JSON line to the feedback file (creating its folder); safe across threads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(line, ensure_ascii=False) + "\n"
    with _feedback_lock, path.open("a", encoding="utf-8") as handle:
        handle.write(payload)


def conversation_markdown(records: Sequence[dict[str, Any]], now: datetime | None = None) -> str:
    """The whole conversation with its sources and quoted passages, as a Markdown document."""
    stamp = (now or datetime.now()).strftime("%d-%m-%Y %H:%M")
    lines = [f"# Gesprek met {TITLE}", "",
             "Vragen over de publicaties van de VNG Denktank 'Werkende samenwerking' (2018).",
             f"Geëxporteerd op {stamp}.", ""]
    if not records:
        lines += ["_Nog geen vragen gesteld._", ""]
    for number, record in enumerate(records, start=1):
        lines += [f"## Vraag {number}", "", markdown_literal(record["question"]), "",
                  "### Antwoord", ""]
        lines += [f"_Let op: {markdown_literal(notice)}_" for notice in record.get("notices") or []]
        sources = [Source.from_json(data) for data in record.get("sources") or []]
        # A catalog list keeps its lines (as in the API's Markdown).
        lines += [hard_line_breaks(markdown_literal(answer_text(record["answer"], sources))), ""]
        if sources:
            lines += ["### " + ("Mogelijk relevante passages" if record.get("refused") else "Bronnen"), ""]
            for source in sources:
                lines.append(f"- {markdown_literal(format_citation(source))}")
                quote = label_research_refs(source.quote, source.place.research_pages)
                for paragraph in re.split(r"\n\s*\n", quote.strip()):
                    if paragraph.strip():
                        lines.append("  > " + markdown_literal(" ".join(paragraph.split())))
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def announcement_text(record: dict[str, Any]) -> str:
    """What a screen reader announces once an answer is complete: the answer text (markers
    left out) and how many sources come with it."""
    if record.get("error"):
        return f"Dat lukte niet. {record['answer']}"
    sources = [Source.from_json(data) for data in record.get("sources") or []]
    text = " ".join(re.sub(r"\s*\[\d+\]", "", answer_text(record["answer"], sources)).split())
    notices = " ".join(f"Let op: {notice}" for notice in record.get("notices") or [])
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", record["answer"])}
    if not sources:
        count = ""
    elif record.get("refused"):
        count = f"{len(sources)} mogelijk relevante passages staan eronder."
    else:
        shown = len([s for s in sources if s.marker in cited]) or len(sources)
        count = f"{shown} {'bron staat' if shown == 1 else 'bronnen staan'} eronder"
        extra = len(sources) - shown
        count += f", en {extra} ook relevant." if extra else "."
    return " ".join(part for part in ("Antwoord:", notices, text, count) if part)
