"""Answers as Markdown (pure): for other programs (the /v1 API) and for the chat's export.

- `answer_markdown`: text with [n] markers, then a "Bronnen" list, so a client that shows only
  the text still shows the sources; `MarkdownStream` gives the same Markdown in pieces while it
  streams (the pieces always join to `answer_markdown` of the final Answer).
- `exchange_markdown`: one question and its answer for the conversation export, with the
  quoted passages; `conversation_markdown` puts the exchanges in one document.

Chat front-ends render Markdown. Everything a user or a publication wrote is escaped with
`markdown_literal`, so it shows as the characters it consists of, never as a link, an image or
HTML; only the [n] markers stay as they are (and a '(' or ':' after one is escaped, so
'[1](…)' or '[1]: …' can never become a link).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence

from datetime import datetime

from .. import markers
from ..citations import format_citation, label_research_refs, readable_text
from ..model import Answer, AnswerEvent, Notice, Source, TextDelta, TextReset
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
    """The notices above an answer, one emphasised paragraph each (with the blank line after)."""
    return "".join(f"_{labels.NOTICE} {markdown_literal(notice)}_\n\n" for notice in notices)


def tail_markdown(answer: Answer) -> str:
    """Everything after the answer text: warnings, the understood question, the sources list."""
    parts = [f"_{CHECK} {markdown_literal(sentence)}_" for sentence in answer.unsupported]
    if answer.resolved_question and answer.resolved_question != answer.question:
        parts.append(f"_{labels.UNDERSTOOD_AS}_ {markdown_literal(answer.resolved_question)}")
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
    """The answer's text as a reader reads it: research-report pages written out."""
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


# --- the conversation export -----------------------------------------------------------------


def exchange_markdown(number: int, question: str, answer: Answer | None = None,
                      error: str | None = None) -> str:
    """One exchange of the export: the question, the answer (or what went wrong) and every
    source with its passage quoted."""
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
    """The whole conversation as one Markdown document, from each exchange's Markdown."""
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
    """Single line breaks kept: lines that start with '- ' (the catalog's lists, a model's
    bullets) become a Markdown list, which also reads well as plain text; any other single line
    break becomes a hard break, since Markdown would join the lines into one paragraph. A line
    is decided by its first character, so streamed pieces join to the same Markdown."""
    return _SINGLE_NEWLINE.sub("\\\n", _ESCAPED_BULLET.sub("-", markdown))


# What a Markdown renderer may turn into a link without any markup: GFM's autolinks (a scheme,
# 'www.', an e-mail address; GitHub, marked, remark-gfm) and the bare domain names that fuzzy
# linkifiers (linkify-it: Open WebUI, markdown-it) link, ending in a two-letter country domain or
# one of linkify-it's generic ones.
_LINKABLE = re.compile(
    r"(?:(?<![\w.+-])[a-z][a-z0-9+.-]*:/{1,3}|(?<![\w.-])www\.|(?<![\w.-])(?:mailto|xmpp):)"
    r"[^\s<>`\[\]]*"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.@-])(?:[\w-]+\.)+(?:[a-z]{2}|biz|com|edu|gov|net|org|pro|web|xxx|aero|asia|coop"
    r"|info|museum|name|shop)(?![\w-])(?:/[^\s<>`\[\]]*)?",
    re.IGNORECASE)
# GFM leaves trailing punctuation out of an autolink; so do we (it stays outside the code span).
# Square brackets end an address too: they are Markdown's link syntax, escaped outside the span.
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


def _code_span(text: str) -> str:
    return f"`{text}`"  # _LINKABLE never takes a backtick, so one is always enough


def markdown_literal(text: str) -> str:
    """Text for a Markdown file that any viewer shows as text: no images, links or HTML.

    Addresses (URLs, e-mail addresses, domain names) go in a code span: GFM renderers and fuzzy
    linkifiers would make them clickable, and escapes cannot stop that, but nothing inside code
    is ever linked.
    """
    pieces: list[str] = []
    done = 0
    for match in _LINKABLE.finditer(text):
        end = match.start() + _link_end(match.group(0))
        if end <= match.start() or match.start() < done:
            continue
        pieces += [_MARKDOWN_SPECIALS.sub(r"\\\1", text[done:match.start()]),
                   _code_span(text[match.start():end])]
        done = end
    pieces.append(_MARKDOWN_SPECIALS.sub(r"\\\1", text[done:]))
    escaped = _BULLET_START.sub(r"\1\\\2", "".join(pieces))
    return _NUMBER_START.sub(r"\1\\\2", escaped)
