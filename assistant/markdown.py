"""Answers as Markdown for other programs (the /v1 API): text with [n] markers, then a
"Bronnen" list, so a client that shows only the text still shows the sources (pure).

Chat front-ends render Markdown. Everything a user or a publication wrote is escaped with
`markdown_literal`, so it shows as the characters it consists of, never as a link, an image or
HTML; only the [n] markers stay as they are (and a '(' or ':' after one is escaped, so
'[1](…)' or '[1]: …' can never become a link).

`MarkdownStream` turns an answer's events into pieces of that same Markdown while it streams:
the pieces always join to `answer_markdown(answer)` of the final Answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from .chat.rendering import hard_line_breaks, markdown_literal
from . import markers
from .citations import format_citation
from .model import Answer, AnswerEvent, Notice, TextDelta, TextReset

log = logging.getLogger("wegwijzer.api")

MARKER = markers.SPLIT
# The last word of a text that is still streaming may still grow: into a marker ('[1' → '[12]')
# or into an address that goes in a code span ('www.vng' → 'www.vng.nl'). It is held back.
UNFINISHED_WORD = re.compile(r"\S+$")
SOURCES_HEADING = "Bronnen"
REFUSED_HEADING = "Mogelijk relevante passages"
UNDERSTOOD_AS = "Vraag begrepen als:"
CHECK = "Weggelaten, niet teruggevonden in de bronnen:"
NOTICE = "Let op:"


def literal_with_markers(text: str) -> str:
    """Text as literal Markdown, its [n] markers kept."""
    parts = MARKER.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # a marker
            out.append(part)
            continue
        escaped = markdown_literal(part)
        if index and escaped[:1] in ("(", ":"):  # right after a marker: never a link
            escaped = "\\" + escaped
        out.append(escaped)
    return hard_line_breaks("".join(out))


def notices_markdown(notices: Iterable[str]) -> str:
    """The notices above an answer, one emphasised paragraph each (with the blank line after)."""
    return "".join(f"_{NOTICE} {markdown_literal(notice)}_\n\n" for notice in notices)


def tail_markdown(answer: Answer) -> str:
    """Everything after the answer text: warnings, the understood question, the sources list."""
    parts = [f"_{CHECK} {markdown_literal(sentence)}_" for sentence in answer.unsupported]
    if answer.resolved_question and answer.resolved_question != answer.question:
        parts.append(f"_{UNDERSTOOD_AS}_ {markdown_literal(answer.resolved_question)}")
    if answer.sources:
        heading = REFUSED_HEADING if answer.refused else SOURCES_HEADING
        lines = [f"- {literal_with_markers(format_citation(source))}" for source in answer.sources]
        parts.append(f"**{heading}**\n\n" + "\n".join(lines))
    return "".join(f"\n\n{part}" for part in parts)


def answer_markdown(answer: Answer) -> str:
    """The whole answer as Markdown: notices, the text with [n] markers, warnings, sources."""
    return (notices_markdown(answer.notices) + literal_with_markers(answer.answer)
            + tail_markdown(answer))


def strip_answer_markdown(content: str) -> str:
    """An earlier answer of ours as plain text again (for follow-ups): without its notices,
    warnings, sources list and escapes."""
    while content.startswith(f"_{NOTICE} ") and "_\n\n" in content:
        content = content.split("_\n\n", 1)[1]
    for start in (f"\n\n**{SOURCES_HEADING}**\n\n", f"\n\n**{REFUSED_HEADING}**\n\n",
                  f"\n\n_{CHECK} ", f"\n\n_{UNDERSTOOD_AS}_ "):
        content = content.split(start)[0]
    return re.sub(r"\\([!-/:-@\[-`{-~]|\n)", r"\1", content).strip()


class MarkdownStream:
    """An answer's events → pieces of its Markdown, in order.

    `live`: send the text as it arrives (for answers whose streamed text is final, such as the
    extractive answerer's). Otherwise nothing is sent before the final Answer, because a language
    model's text is still checked (and may be refused) after it streamed: a client then gets the
    checked answer in one piece. Either way the pieces join to `answer_markdown(answer)`.
    """

    def __init__(self, live: bool) -> None:
        self.live = live
        self.sent = ""  # the Markdown sent so far
        self.notices: list[str] = []
        self.text = ""  # the raw answer text so far
        self.answer: Answer | None = None

    def _send(self, markdown: str) -> list[str]:
        """Send what `markdown` adds to what was sent (the caller checked it extends it)."""
        piece = markdown[len(self.sent):]
        self.sent = markdown
        return [piece] if piece else []

    def feed(self, event: AnswerEvent) -> list[str]:
        """The pieces to send now for one event."""
        if isinstance(event, Answer):
            self.answer = event
            return self._finish(answer_markdown(event))
        if isinstance(event, Notice):
            self.notices.append(event.text)
        elif isinstance(event, TextReset):
            self.text = ""
        elif isinstance(event, TextDelta):
            self.text += event.text
            if self.live:
                # Hold back what may still change: trailing white space (the final text is
                # stripped) and the word being written.
                stable = UNFINISHED_WORD.sub("", self.text.rstrip()).strip()
                markdown = notices_markdown(self.notices) + literal_with_markers(stable)
                if markdown.startswith(self.sent):
                    return self._send(markdown)
        return []

    def _finish(self, markdown: str) -> list[str]:
        if markdown.startswith(self.sent):
            return self._send(markdown)
        # The final answer differs from what was streamed (a notice or a rewrite after the text
        # started). Nothing sent can be taken back: send the final answer after a rule.
        log.warning("Gestreamde tekst wijkt af van het eindantwoord; eindantwoord opnieuw gestuurd")
        piece = "\n\n---\n\n" + markdown
        self.sent += piece
        return [piece]
