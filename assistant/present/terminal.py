"""Answers on the terminal (the CLI's presenter), printed as literal text.

rich would read '[/b]' or ':smile:' in a question or a publication as markup; a control character
could clear the screen or plant a hyperlink. So no markup, emoji or highlighting (colour only
through `styled`), and escape sequences and control characters (but tab and line feed) dropped.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from rich.console import Console
from rich.text import Text

from ..citations import ResearchRefStream, format_citation, research_pages_of
from ..model import Answer, AnswerEvent, Notice, SourcesFound, TextDelta, TextReset, final_answer
from . import labels

# ECMA-48, in its 7-bit (ESC …) and 8-bit (C1) forms: CSI (… final byte), OSC/DCS/SOS/PM/APC
# strings (up to BEL or the string terminator), and any other ESC with the character after it.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]P^_X]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b.?", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_RAW = re.compile(r"[\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """`text` without escape sequences or control characters (tab and line feed stay)."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def json_line(data: Any, **options: Any) -> str:
    """JSON as `json.dumps(ensure_ascii=False)` writes it, with DEL and C1 escaped as well."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _JSON_RAW.sub(lambda match: f"\\u{ord(match.group(0)):04x}", text)


class LiteralConsole(Console):
    """A rich console that prints only terminal-safe text."""

    def print(self, *objects: Any, **options: Any) -> None:  # type: ignore[override]
        super().print(*(_safe(item) for item in objects), **options)


def _safe(item: Any) -> Any:
    if isinstance(item, str):
        return terminal_safe(item)
    if isinstance(item, Text) and terminal_safe(item.plain) != item.plain:
        return Text(terminal_safe(item.plain), style=item.style)
    return item


def make_console(stderr: bool = False) -> Console:
    return LiteralConsole(stderr=stderr, markup=False, emoji=False, highlight=False,
                          soft_wrap=True)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Literal text with styled pieces: `styled(("Fout:", "red"), " ", message)`."""
    return Text.assemble(*(terminal_safe(part) if isinstance(part, str)
                           else (terminal_safe(part[0]), part[1]) for part in parts))


def labelled(label: str, style: str, message: str) -> Text:
    """'Fout: message' with only the label coloured."""
    return styled((label, style), " ", message)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_to_file(path: Path) -> Path | None:
    """Send library warnings to a log file, so the terminal shows only Wegwijzer's own Dutch
    messages. None when the file cannot be written (then warnings stay on the terminal)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return path


def print_stream(events: Iterable[AnswerEvent], out: Console, notes: Console) -> Answer:
    """Print an answer while it streams (notices on `notes`), then what was left out and the
    sources. Returns the final Answer."""
    pages = ResearchRefStream(())  # '(p. 61)' → '(onderzoeksrapport p. 61)', as in the chat

    def shown() -> Iterator[AnswerEvent]:
        nonlocal pages
        for event in events:
            if isinstance(event, Notice):
                notes.print(labelled(labels.NOTICE, "yellow", event.text))
            elif isinstance(event, SourcesFound):
                pages = ResearchRefStream(research_pages_of(event.sources))
            elif isinstance(event, TextDelta):
                out.print(pages.feed(event.text), end="", soft_wrap=True)
                out.file.flush()
            elif isinstance(event, TextReset):  # replaced: checked, or the model failed
                out.print(pages.flush())
                notes.print(labelled(labels.NOTICE, "yellow", labels.TEXT_REPLACED))
            yield event

    answer = final_answer(shown())
    out.print(pages.flush(), end="", soft_wrap=True)
    out.print()
    understood = labels.understood(answer)
    if understood:
        notes.print(labelled(labels.UNDERSTOOD_AS, "cyan", understood))
    for sentence in answer.unsupported:
        notes.print(labelled(labels.OMITTED, "yellow",
                             f"niet teruggevonden in de bronnen: {sentence}"))
    if answer.sources:
        out.print(styled("\n", (labels.SOURCES, "bold")) if not answer.refused else "")
        for source in answer.sources:
            out.print(format_citation(source))
    return answer
