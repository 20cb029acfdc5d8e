"""What the chat remembers of an exchange (its answer as JSON, its part of the export, what a
screen reader announces), and the feedback lines."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..model import Answer, Turn
from ..present import speech
from ..present.markdown import exchange_markdown
from .texts import (
    VOTE_ALREADY,
    VOTE_ALREADY_CHANGED,
    VOTE_CHANGED,
    VOTE_STORED,
    VOTE_WITHDRAWN,
    VOTE_WITHDRAWN_NOTHING_STORED,
    comment_too_long,
)

THUMBS = {"up": "duim omhoog", "down": "duim omlaag"}
# The longest comment stored with a vote (characters, after trimming; the box stops there too).
MAX_COMMENT_CHARS = 1000


def make_record(question: str, answer: Answer | None = None, error: str | None = None,
                publication: str | None = None, wegwijzer: int | None = None,
                number: int = 1) -> dict[str, Any]:
    """What the chat remembers of exchange `number` (JSON-able). `answer_id` tells answers
    apart for the votes (one per answer) and in feedback.jsonl."""
    if answer is None:
        data: dict[str, Any] = {"answer": error or "", "refused": False, "sources": []}
        announcement = speech.failure(error or "")
    else:
        data = answer.to_json()
        question = answer.question or question
        announcement = speech.announcement(answer)
    return {"question": question, "answer": data["answer"], "refused": data["refused"],
            "sources": data["sources"], "notices": data.get("notices", []),
            "publication": publication, "wegwijzer": wegwijzer, "error": error,
            "answer_id": uuid.uuid4().hex[:16],
            "markdown": exchange_markdown(number, question, answer, error),
            "announcement": announcement}


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
    session's votes afterwards).

    One vote per answer per session, changed once at most (the other thumb): a second line with
    `changed_from`; only an answer's last line counts (evals.feedback).
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
