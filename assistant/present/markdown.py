"""Answers as Markdown, for the /v1 API (with a "Bronnen" list) and the chat's export.

All text from a user or a publication goes through `markdown_literal`: never a link, an image
or HTML. Only the [n] markers stay as they are.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from .. import markers
from ..citations import format_citation, label_research_refs, readable_text
from ..model import Answer, AnswerEvent, Notice, Source, SourcesFound, TextDelta, TextReset
from . import labels

log = logging.getLogger("wegwijzer.api")

MARKER = markers.SPLIT
# The last word of a text that is still streaming may still grow: into a marker ('[1' → '[12]')
# or into an address that goes in a code span ('www.vng' → 'www.vng.nl'). It is held back.
UNFINISHED_WORD = re.compile(r"\S+$")
# The line an omitted sentence goes under (also how an earlier answer is read back).
CHECK = f"{labels.OMITTED.rstrip(':')}, niet teruggevonden in de bronnen:"
_PARAGRAPHS = re.compile(r"\n\s*\n")


def literal_with_markers(text: str) -> str:
    """Text as literal Markdown, its [n] markers kept."""
    parts = MARKER.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # a marker
            out.append(part)
            continue
        escaped = markdown_literal(part)
        # Right after a marker: never a link ('[1](…)'), nor a link definition ('[1]: …', only
        # where the marker starts a line).
        before = "".join(parts[:index - 1])
        if index and (escaped[:1] == "(" or escaped[:1] == ":" and before[-1:] in ("", "\n")):
            escaped = "\\" + escaped
        out.append(escaped)
    return hard_line_breaks("".join(out))


def notices_markdown(notices: Iterable[str]) -> str:
    return "".join(f"_{labels.NOTICE} {markdown_literal(notice)}_\n\n" for notice in notices)


def tail_markdown(answer: Answer) -> str:
    """Everything after the answer text: warnings, the understood question, the sources list."""
    parts = [f"_{CHECK} {markdown_literal(sentence)}_" for sentence in answer.unsupported]
    understood = labels.understood(answer)
    if understood:
        parts.append(f"_{labels.UNDERSTOOD_AS}_ {markdown_literal(understood)}")
    if answer.sources:
        heading = labels.sources_heading(answer.refused)
        lines = [f"- {literal_with_markers(format_citation(source))}" for source in answer.sources]
        parts.append(f"**{heading}**\n\n" + "\n".join(lines))
    return "".join(f"\n\n{part}" for part in parts)


def answer_markdown(answer: Answer) -> str:
    """The whole answer as Markdown: notices, the text with [n] markers, warnings, sources."""
    return (notices_markdown(answer.notices) + literal_with_markers(answer_text(answer))
            + tail_markdown(answer))


def answer_text(answer: Answer) -> str:
    """The answer's text with research-report pages written out."""
    return readable_text(answer.answer, answer.sources)


def strip_answer_markdown(content: str) -> str:
    """An earlier answer of ours as plain text again (for follow-ups): without its notices,
    warnings, sources list and escapes."""
    while content.startswith(f"_{labels.NOTICE} ") and "_\n\n" in content:
        content = content.split("_\n\n", 1)[1]
    for start in (f"\n\n**{labels.SOURCES}**\n\n", f"\n\n**{labels.NEAREST}**\n\n",
                  f"\n\n_{CHECK} ", f"\n\n_{labels.UNDERSTOOD_AS}_ "):
        content = content.split(start)[0]
    return re.sub(r"\\([!-/:-@\[-`{-~]|\n)", r"\1", content).strip()


class MarkdownStream:
    """An answer's events → pieces of its Markdown that join to `answer_markdown(answer)`.

    `live`: send the text as it arrives. Otherwise (a language model's text is checked after it
    streamed) the checked answer comes in one piece.
    """

    def __init__(self, live: bool) -> None:
        self.live = live
        self.sent = ""  # the Markdown sent so far
        self.notices: list[str] = []
        self.text = ""  # the raw answer text so far
        self.sources: list[Source] = []  # what the text's research pages are read against
        self.answer: Answer | None = None

    def _send(self, markdown: str) -> list[str]:
        """What `markdown` adds to what was sent (the caller checked it extends it)."""
        piece = markdown[len(self.sent):]
        self.sent = markdown
        return [piece] if piece else []

    def feed(self, event: AnswerEvent) -> list[str]:
        if isinstance(event, Answer):
            self.answer = event
            return self._finish(answer_markdown(event))
        if isinstance(event, Notice):
            self.notices.append(event.text)
        elif isinstance(event, SourcesFound):
            self.sources = event.sources
        elif isinstance(event, TextReset):
            self.text = ""
        elif isinstance(event, TextDelta):
            self.text += event.text
            if self.live:
                # Hold back what may still change: trailing white space (the final text is
                # stripped) and the word being written.
                stable = UNFINISHED_WORD.sub("", self.text.rstrip()).strip()
                # and an open parenthesis: a page reference is written out once it is closed.
                stable = re.sub(r"\([^)]*$", "", stable).rstrip()
                markdown = notices_markdown(self.notices) + literal_with_markers(
                    readable_text(stable, self.sources))
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


def exchange_markdown(number: int, question: str, answer: Answer | None = None,
                      error: str | None = None) -> str:
    """One exchange of the export: the question, the answer (or what went wrong), the sources
    with their passages."""
    lines = [f"## Vraag {number}", "", markdown_literal(question), "", "### Antwoord", ""]
    if answer is None:
        return "\n".join(lines + [f"_{labels.FAILED}_ {markdown_literal(error or '')}", ""])
    lines += [f"_{labels.NOTICE} {markdown_literal(notice)}_" for notice in answer.notices]
    # A catalog list keeps its lines (as in the API's Markdown).
    lines += [hard_line_breaks(markdown_literal(answer_text(answer))), ""]
    if answer.sources:
        lines += [f"### {labels.sources_heading(answer.refused)}", ""]
        for source in answer.sources:
            lines += [f"- {markdown_literal(format_citation(source))}", *_quoted(source), ""]
    return "\n".join(lines)


def _quoted(source: Source) -> list[str]:
    quote = label_research_refs(source.quote, source.place.research_pages)
    return ["  > " + markdown_literal(" ".join(paragraph.split()))
            for paragraph in _PARAGRAPHS.split(quote.strip()) if paragraph.strip()]


def conversation_markdown(exchanges: Sequence[str], title: str,
                          now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%d-%m-%Y %H:%M")
    lines = [f"# Gesprek met {title}", "",
             "Vragen over de publicaties van de VNG Denktank 'Werkende samenwerking' (2018).",
             f"Geëxporteerd op {stamp}.", ""]
    if not exchanges:
        lines += ["_Nog geen vragen gesteld._", ""]
    return "\n".join(lines + [part.rstrip() + "\n" for part in exchanges]).rstrip() + "\n"


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]{}<>#|~$!])")
_BULLET_START = re.compile(r"(?m)^(\s*)([-+=])")
_NUMBER_START = re.compile(r"(?m)^(\s*\d+)([.)])")
# A line break before a list item is left alone: the item starts a list by itself.
_SINGLE_NEWLINE = re.compile(r"(?<!\n)\n(?![\n-])")
# A bullet that markdown_literal escaped, at the start of a line ('- Wegwijzer 1: …').
_ESCAPED_BULLET = re.compile(r"(?m)^\\-(?= |$)")


def hard_line_breaks(markdown: str) -> str:
    """Single line breaks kept: lines that start with '- ' become a Markdown list, any other
    single break a hard break. A line is decided by its first character, so streamed pieces
    join to the same Markdown."""
    return _SINGLE_NEWLINE.sub("\\\n", _ESCAPED_BULLET.sub("-", markdown))


# What a renderer links without markup: GFM's autolinks (a scheme, 'www.', an e-mail address)
# and the bare domain names that linkify-it (Open WebUI, markdown-it) links.
_LINKABLE = re.compile(
    r"(?:(?<![\w.+-])[a-z][a-z0-9+.-]*:/{1,3}|(?<![\w.-])www\.|(?<![\w.-])(?:mailto|xmpp):)"
    r"[^\s<>`\[\]]*"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.@-])(?:[\w-]+\.)+(?:[a-z]{2}|biz|com|edu|gov|net|org|pro|web|xxx|aero|asia|coop"
    r"|info|museum|name|shop)(?![\w-])(?:/[^\s<>`\[\]]*)?",
    re.IGNORECASE)
# GFM leaves trailing punctuation out of an autolink; so do we (outside the code span).
_TRAILING = "?!.,:;*_~'\"’”"


def _link_end(candidate: str) -> int:
    """Where a linkable run ends: without trailing punctuation or an unbalanced ')'."""
    end = len(candidate)
    while end:
        if candidate[end - 1] in _TRAILING:
            end -= 1
        elif candidate[end - 1] == ")" and candidate.count("(", 0, end) < candidate.count(")", 0, end):
            end -= 1
        else:
            break
    return end


def markdown_literal(text: str) -> str:
    """Text that any Markdown viewer shows as text: no images, links or HTML. Addresses go in
    a code span, since escapes cannot stop a linkifier, but nothing inside code is linked."""
    pieces: list[str] = []
    done = 0
    for match in _LINKABLE.finditer(text):
        end = match.start() + _link_end(match.group(0))
        if end <= match.start() or match.start() < done:
            continue
        pieces += [_MARKDOWN_SPECIALS.sub(r"\\\1", text[done:match.start()]),
                   f"`{text[match.start():end]}`"]  # _LINKABLE takes no backtick
        done = end
    pieces.append(_MARKDOWN_SPECIALS.sub(r"\\\1", text[done:]))
    escaped = _BULLET_START.sub(r"\1\\\2", "".join(pieces))
    return _NUMBER_START.sub(r"\1\\\2", escaped)
