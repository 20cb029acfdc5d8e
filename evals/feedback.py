"""Turn the chat's feedback.jsonl into draft suite lines for staff to complete.

Only the last vote on an answer (by answer_id) counts. A thumbs-up prefills the expected place
from the answer's top source; a thumbs-down leaves it empty, as its sources are no guide. Each
draft has a 'todo' field, which the suite validator rejects, so no draft slips in unfinished.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.errors import WegwijzerError

# The chat's refusal starts with this (assistant.service.REFUSAL); used when a feedback line has
# no 'refused' flag.
REFUSAL_PREFIX = "Dat staat er niet in"
VOTES = {"up": "duim-omhoog", "down": "duim-omlaag"}

TODO_UP = (
    "Duim omhoog: de bron is vooraf ingevuld uit de eerste bron van het antwoord. Controleer "
    "'publications', 'wegwijzers' en 'pages', vul zo nodig 'research_pages' aan, schrijf een kort "
    "referentieantwoord in 'answer' en zet kernbegrippen (kleine letters) in 'must_mention'."
)
TODO_DOWN = (
    "Duim omlaag: zoek op waar het goede antwoord staat en vul 'publications', 'wegwijzers' en "
    "'pages' in, schrijf een kort referentieantwoord in 'answer' en zet kernbegrippen (kleine "
    "letters) in 'must_mention'. Staat het antwoord echt niet in de publicaties, zet dan "
    "'answerable' op false."
)
TODO_REFUSED_UP = (
    "Duim omhoog voor een weigering: controleer dat het antwoord echt niet in de publicaties "
    "staat ('answerable' blijft dan false)."
)
TODO_REFUSED_DOWN = (
    "Duim omlaag voor een weigering: staat het antwoord toch in de publicaties, zet 'answerable' "
    "op true en vul 'publications', 'wegwijzers', 'pages', 'answer' en 'must_mention' in. Anders "
    "blijft 'answerable' false."
)

HOW_TO_COMPLETE = """\
Zo maakt u de conceptvragen af:
  1. Zet de regels in een suite, bijvoorbeeld achteraan evals/suites/dev.jsonl of in een eigen
     bestand.
  2. Volg per regel de aanwijzing in het veld 'todo': controleer 'answerable', vul de plaats van
     het antwoord in ('publications', 'wegwijzers', 'pages', eventueel 'research_pages'),
     schrijf een referentieantwoord in 'answer' en kernbegrippen in 'must_mention'.
  3. Geef de vraag een id die past bij de suite (bijvoorbeeld dev-041) en haal het veld 'todo'
     weg. De opmerking van de gebruiker in 'note' mag blijven staan.
  4. Controleer met: wegwijzer eval --suite BESTAND. Een regel die nog 'todo' heeft, of een
     beantwoordbare vraag zonder publicatie of referentieantwoord, wordt geweigerd met
     bestand, regelnummer en veld."""


class FeedbackError(WegwijzerError):
    """The feedback file cannot be read at all."""


@dataclass
class FeedbackConversion:
    drafts: list[dict[str, Any]]
    problems: list[str]
    up: int = 0
    down: int = 0
    replaced: int = 0  # votes a later line about the same answer replaced


def is_refusal(item: dict[str, Any]) -> bool:
    if isinstance(item.get("refused"), bool):
        return item["refused"]
    return str(item.get("answer", "")).strip().startswith(REFUSAL_PREFIX)


def _check(item: Any, name: str, number: int) -> str | None:
    """A Dutch problem with one feedback line, or None."""
    where = f"{name} regel {number}"
    if not isinstance(item, dict):
        return f"{where} is geen JSON-object. Verwacht: {{\"question\": …, \"vote\": \"up\"|\"down\", …}}."
    if not isinstance(item.get("question"), str) or not item["question"].strip():
        return f"{where} mist het veld 'question' (tekst)."
    if item.get("vote") not in VOTES:
        return (f"{where}: 'vote' is {json.dumps(item.get('vote'), ensure_ascii=False)}, "
                f"verwacht \"up\" of \"down\".")
    if "answer" in item and not isinstance(item["answer"], str):
        return f"{where}: 'answer' moet tekst zijn."
    sources = item.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        return f"{where}: 'sources' moet een lijst met bronnen (JSON-objecten) zijn."
    if "comment" in item and item["comment"] is not None and not isinstance(item["comment"], str):
        return f"{where}: 'comment' moet tekst zijn."
    if "answer_id" in item and not isinstance(item["answer_id"], str):
        return f"{where}: 'answer_id' moet tekst zijn."
    return None


def _top_source(sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not sources:
        return None
    ranked = [s for s in sources if isinstance(s.get("marker"), int)]
    return min(ranked, key=lambda s: s["marker"]) if ranked else sources[0]


def draft_from_feedback(item: dict[str, Any], number: int, index: int, name: str) -> dict[str, Any]:
    """One draft suite line from one valid feedback line."""
    vote = item["vote"]
    refused = is_refusal(item)
    publications: list[str] = []
    wegwijzers: list[int] = []
    pages: list[int] | None = None
    source = _top_source(item.get("sources") or [])
    if vote == "up" and not refused and source is not None:
        if isinstance(source.get("publication_id"), str) and source["publication_id"]:
            publications = [source["publication_id"]]
        if isinstance(source.get("wegwijzer"), int):
            wegwijzers = [source["wegwijzer"]]
        got = source.get("pages")
        if isinstance(got, list) and got and isinstance(got[0], int):
            pages = [got[0], got[-1] if isinstance(got[-1], int) else got[0]]
    todos = (TODO_REFUSED_UP, TODO_REFUSED_DOWN) if refused else (TODO_UP, TODO_DOWN)
    origin = f"Uit {name} regel {number}"
    if item.get("timestamp"):
        origin += f" ({item['timestamp']})"
    origin += f", {'duim omhoog' if vote == 'up' else 'duim omlaag'}"
    origin += ", antwoord was een weigering." if refused else "."
    if item.get("comment"):
        origin += f" Opmerking van de gebruiker: {item['comment']}"
    return {
        "id": f"feedback-{index:03d}",
        "question": item["question"].strip(),
        "answerable": not refused,
        "publications": publications,
        "wegwijzers": wegwijzers,
        "pages": pages,
        "research_pages": [],
        "must_mention": [],
        "answer": "",
        "tags": ["feedback", VOTES[vote]],
        "note": origin,
        "todo": todos[0] if vote == "up" else todos[1],
    }


def convert_feedback(path: Path) -> FeedbackConversion:
    """Draft suite lines for every valid line of feedback.jsonl; problems name the line."""
    if not path.is_file():
        raise FeedbackError(
            f"Het feedbackbestand {path} bestaat niet. Feedback ontstaat als gebruikers in de chat "
            f"op duim omhoog of omlaag klikken; geef anders het pad mee: "
            f"wegwijzer eval --from-feedback PAD/feedback.jsonl.")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FeedbackError(f"Het feedbackbestand {path} is geen UTF-8-tekst (byte {exc.start}).") from exc
    result = FeedbackConversion(drafts=[], problems=[])
    valid: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            result.problems.append(f"{path.name} regel {number} is geen geldige JSON ({exc.msg}); "
                                   f"overgeslagen.")
            continue
        problem = _check(item, path.name, number)
        if problem:
            result.problems.append(problem + " Overgeslagen.")
            continue
        valid.append((number, item))
    last = {item["answer_id"]: number for number, item in valid if item.get("answer_id")}
    for number, item in valid:
        if item.get("answer_id") and last[item["answer_id"]] != number:
            result.replaced += 1
            continue
        result.drafts.append(draft_from_feedback(item, number, len(result.drafts) + 1, path.name))
    result.up = sum(1 for draft in result.drafts if VOTES["up"] in draft["tags"])
    result.down = len(result.drafts) - result.up
    return result
