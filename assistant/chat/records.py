"""What the chat remembers of an exchange, the feedback lines and the Markdown export (pure)."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..citations import format_citation, label_research_refs
from ..model import Answer, Source, Turn
from .rendering import answer_text, hard_line_breaks, markdown_literal
from .texts import (
    TITLE,
    VOTE_ALREADY,
    VOTE_ALREADY_CHANGED,
    VOTE_CHANGED,
    VOTE_STORED,
    VOTE_WITHDRAWN,
    VOTE_WITHDRAWN_NOTHING_STORED,
    comment_too_long,
)

THUMBS = {"up": "duim omhoog", "down": "duim omlaag"}
# The longest comment stored with a vote (characters, after trimming). Checked on the server; the
# box in the chat stops at the same length.
MAX_COMMENT_CHARS = 1000


def make_record(question: str, answer: Answer | None = None, error: str | None = None,
                publication: str | None = None, wegwijzer: int | None = None) -> dict[str, Any]:
    """What the chat remembers of one exchange (JSON-able). `answer_id` tells answers apart for
    the votes (one per answer) and in feedback.jsonl."""
    answer_id = uuid.uuid4().hex[:16]
    if answer is not None:
        data = answer.to_json()
        return {"question": answer.question or question, "answer": data["answer"],
                "refused": data["refused"], "sources": data["sources"],
                "notices": data.get("notices", []), "publication": publication,
                "wegwijzer": wegwijzer, "error": None, "answer_id": answer_id}
    return {"question": question, "answer": error or "", "refused": False, "sources": [],
            "notices": [], "publication": publication, "wegwijzer": wegwijzer, "error": error,
            "answer_id": answer_id}


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
    for key in ("publication", "wegwijzer", "error", "answer_id"):
        if record.get(key):
            line[key] = record[key]
    return line


def judge_vote(record: dict[str, Any], liked: Any, comment: Any,
               votes: Mapping[str, dict[str, Any]], now: datetime | None = None
               ) -> tuple[dict[str, Any] | None, str, dict[str, dict[str, Any]]]:
    """One thumb on one answer: (the feedback line to store or None, the Dutch message, the
    session's votes afterwards). Pure; the chat stores the line (layout.vote).

    One vote per answer per session. Changing one's mind (the other thumb) is allowed once: it
    stores a second line with the same answer_id and `changed_from`, and only the last line of an
    answer counts (evals.feedback). Anything more, including the same thumb again after
    withdrawing it, stores nothing. A comment over MAX_COMMENT_CHARS stores nothing either.
    """
    votes = dict(votes or {})
    answer_id = str(record.get("answer_id") or "")
    earlier = votes.get(answer_id)
    if liked not in (True, False):  # the thumb clicked off: the file keeps what it has
        return None, VOTE_WITHDRAWN if earlier else VOTE_WITHDRAWN_NOTHING_STORED, votes
    vote = "up" if liked else "down"
    if earlier is not None and (earlier["vote"] == vote or earlier["changed"]):
        message = VOTE_ALREADY_CHANGED if earlier["changed"] else VOTE_ALREADY
        return None, message.format(thumb=THUMBS[earlier["vote"]]), votes
    note = (comment if isinstance(comment, str) else "").strip()
    if len(note) > MAX_COMMENT_CHARS:
        return None, comment_too_long(len(note), MAX_COMMENT_CHARS), votes
    if earlier is None:
        line = feedback_record(record, vote, note, now=now)
        votes[answer_id] = {"vote": vote, "comment": note, "changed": False}
        return line, VOTE_STORED.format(thumb=THUMBS[vote]), votes
    # A change of mind keeps the first comment unless a new one is given.
    line = {**feedback_record(record, vote, note or earlier["comment"], now=now),
            "changed_from": earlier["vote"]}
    votes[answer_id] = {"vote": vote, "comment": note or earlier["comment"], "changed": True}
    return line, VOTE_CHANGED.format(thumb=THUMBS[vote]), votes


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
