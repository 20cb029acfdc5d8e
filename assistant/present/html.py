"""Answers as HTML for the chat, which shows it without a Markdown pass: the only markup is
what these functions write. All text from a user or the index goes through `text_html`, so it is
shown as its characters, never rendered, fetched or followed."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING
from urllib.parse import quote as quote_path

from indexing.places import HANDREIKING_PART, format_research_pages

from .. import markers
from ..citations import format_citation, label_research_refs, readable_text
from . import labels

if TYPE_CHECKING:
    from ..model import Answer, Hit, ResearchRef, Source

# Template syntax ('${value}', '{{…}}') stays inert too: Gradio's HTML component fills one.
_INERT = {ord(ch): f"&#{ord(ch)};" for ch in "`${}"}
_PARAGRAPHS = re.compile(r"\n\s*\n")
_LIST_ITEM = re.compile(r"^\s*[-*•]\s+(\S.*)$")


def text_html(text: str) -> str:
    """Any text as inert HTML: shown character for character, never interpreted."""
    return html.escape(text, quote=True).translate(_INERT)


def paragraphs_html(text: str) -> str:
    """Text with blank-line paragraphs as <p> elements, and lines that start with '- ' (the
    catalog's lists, a model's bullets) as a <ul> list; other line breaks become spaces."""
    parts = []
    for paragraph in _PARAGRAPHS.split(text.strip()):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        for is_item, run in groupby(lines, key=lambda line: bool(_LIST_ITEM.match(line))):
            if is_item:
                items = "".join(f"<li>{_flat(_LIST_ITEM.match(line).group(1))}</li>"  # type: ignore[union-attr]
                                for line in run)
                parts.append(f"<ul>{items}</ul>")
            else:
                parts.append(f"<p>{_flat(' '.join(run))}</p>")
    return "".join(parts)


def _flat(text: str) -> str:
    return text_html(" ".join(text.split()))


def note_html(text: str) -> str:
    """A short note of Wegwijzer's own (status, scope), in italics."""
    return f"<p><em>{text_html(text)}</em></p>"


SEARCHING = note_html("Ik zoek in de publicaties…")


def marked_html(text: str, quoted: Sequence[str] = ()) -> str:
    """One paragraph (whitespace collapsed) as inert HTML, the `quoted` sentences in <mark>."""
    flat = " ".join(text.split())
    spans: list[tuple[int, int]] = []
    for sentence in quoted:
        needle = " ".join(sentence.split())
        start = flat.find(needle) if needle else -1
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = flat.find(needle, start + len(needle))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, at = [], 0
    for start, end in merged:
        parts += [text_html(flat[at:start]), f"<mark>{text_html(flat[start:end])}</mark>"]
        at = end
    parts.append(text_html(flat[at:]))
    return "".join(parts)


def source_details(source: "Source") -> str:
    """One source as an openable block: the citation line, and the passage's paragraphs with
    the sentences the answer took from it marked (research-report pages written out)."""
    pages = source.place.research_pages
    quote = label_research_refs(source.quote, pages)
    quoted = [label_research_refs(sentence, pages) for sentence in source.quoted]
    paragraphs = "".join(f"<p>{marked_html(p.strip(), quoted)}</p>"
                         for p in _PARAGRAPHS.split(quote.strip()) if p.strip())
    return (f"<details><summary>{text_html(format_citation(source))}</summary>"
            f"<blockquote>{paragraphs}</blockquote>{research_links(source)}</details>")


def passage_address(chunk_id: str) -> str:
    """Where a passage can be read among its neighbours (the chat's /bron page), scrolled to."""
    return "/bron/" + quote_path(chunk_id) + "#doel"


def research_links(source: "Source") -> str:
    """Links to the research report's passages on the pages this source quotes."""
    if not source.research_refs:
        return ""
    return f"<p>{labels.READ_IN_REPORT} {_ref_links(source.research_refs)}</p>"


def _ref_links(refs: Sequence["ResearchRef"]) -> str:
    return ", ".join(
        f'<a href="{passage_address(ref.chunk_id)}" target="_blank" rel="noopener">'
        f"{text_html(f'p. {ref.page}' + (f' ({ref.section})' if ref.section else ''))}</a>"
        for ref in refs)


def passage_page(hits: Sequence["Hit"], target: str, describe: str) -> str:
    """A whole page with one passage among the others of its section, the passage marked and
    scrolled to (the address of a source: /bron/<chunk id>)."""
    title = hits[0].place.publication_title if hits else ""
    body = "".join(
        ('<section id="doel" aria-label="De passage">' if hit.chunk_id == target else "<section>")
        + paragraphs_html(hit.text) + "</section>" for hit in hits)
    return PAGE.format(title=text_html(title), heading=text_html(describe), body=body)


PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading} · Wegwijzer</title><style>
body{{font-family:system-ui,sans-serif;max-width:42rem;margin:1rem auto;padding:0 1rem;
line-height:1.5;color:#1a1a1a}} #doel{{background:#fff3bf;outline:2px solid #8a6d00;
padding:.25rem .75rem}} a{{color:#0b4f9c}}</style></head><body><main>
<p><a href="/">Terug naar Wegwijzer</a></p><h1>{title}</h1><h2>{heading}</h2>{body}</main>
</body></html>"""


def render_sources(sources: Sequence["Source"], refused: bool = False,
                   cited: set[int] | None = None) -> str:
    """The sources under an answer: with `cited` (the finished answer's markers), the cited
    ones under 'Bronnen' and the others under 'Ook relevant'; else all under one heading."""
    if not sources:
        return ""
    if refused:
        groups = [(labels.NEAREST, list(sources))]
    elif cited:
        groups = [(labels.SOURCES, [s for s in sources if s.marker in cited]),
                  (labels.ALSO_RELEVANT, [s for s in sources if s.marker not in cited])]
    else:
        groups = [(labels.SOURCES, list(sources))]
    parts = []
    for number, (heading, group) in enumerate(g for g in groups if g[1]):
        hint = " (klik om de passage te lezen)" if number == 0 else (
            " (niet aangehaald in het antwoord)")
        parts.append(f"<p><strong>{heading}</strong>{hint}</p>"
                     + "".join(source_details(source) for source in group))
    return "".join(parts)


answer_text = readable_text


def describe_filters(publication: str | None, wegwijzer: int | None,
                     publication_titles: dict[str, str] | None = None,
                     wegwijzer_titles: dict[int, str] | None = None) -> str:
    """'Gezocht in: …' for the active filters, or '' without filters."""
    bits = []
    if publication:
        bits.append((publication_titles or {}).get(publication, publication))
    if wegwijzer:
        title = (wegwijzer_titles or {}).get(wegwijzer)
        bits.append(f"Wegwijzer {wegwijzer}" + (f" '{title}'" if title else ""))
    return note_html("Gezocht in: " + " · ".join(bits)) if bits else ""


def unsupported_html(sentences: Sequence[str]) -> str:
    """A warning listing the model's sentences that no source supports (left out)."""
    if not sentences:
        return ""
    items = "".join(f"<li>{text_html(sentence)}</li>" for sentence in sentences)
    return (f"<p><strong>⚠ {labels.OMITTED}</strong> {labels.OMITTED_WHY}</p>"
            f"<ul>{items}</ul>")


def render_partial(text: str, notices: Sequence[str] = (),
                   sources: Sequence["Source"] = ()) -> str:
    """The message while the answer streams in: notices, the text so far, the sources."""
    parts = [note_html(f"{labels.NOTICE} {notice}") for notice in notices]
    parts.append(paragraphs_html(answer_text(text, sources)))
    parts.append(render_sources(sources))
    return "".join(part for part in parts if part)


def render_answer(answer: "Answer", scope: str = "") -> str:
    """The final message: notices, text, warnings, the understood question, sources."""
    parts = [note_html(f"{labels.NOTICE} {notice}") for notice in answer.notices]
    parts += [paragraphs_html(answer_text(answer.answer, answer.sources)),
              unsupported_html([answer_text(sentence, answer.sources)
                               for sentence in answer.unsupported])]
    understood = labels.understood(answer)
    if understood:
        parts.append(f"<p><em>{labels.UNDERSTOOD_AS}</em> {text_html(understood)}</p>")
    cited = set(markers.markers(answer.answer))
    parts.append(render_sources(answer.sources, answer.refused, cited))
    parts.append(scope)
    return "".join(part for part in parts if part)


def render_error(message: str) -> str:
    """A Dutch message for something that went wrong (never a stack trace)."""
    return f"<p><strong>{labels.FAILED}</strong> {text_html(message)}</p>"


def render_user(question: str) -> str:
    """The user's own message in the chat: always text, its line breaks kept."""
    return "<p>" + "<br>".join(text_html(line) for line in question.split("\n")) + "</p>"


def routekaart_html(stories: Sequence[tuple[str, str | None]], research_pages: Sequence[int],
                    handreiking: Sequence[str], refs: Sequence["ResearchRef"] = ()) -> str:
    """The body of one wegwijzer on the Routekaart tab; `refs`: the research report's passages
    on its research pages, when the report is indexed."""
    parts = []
    if stories:
        label = "Verhaal" if len(stories) == 1 else "Verhalen"
        listed = "; ".join(f"'{title}'" + (f" — {author}" if author else "")
                           for title, author in stories)
        parts.append(f"<p><strong>{label}:</strong> {text_html(listed)}</p>")
    research = format_research_pages(list(research_pages))
    if research:
        parts.append(f"<p><strong>Uit het onderzoek:</strong> {text_html(research)}</p>")
    if refs:
        parts.append(f"<p>{labels.READ_IN_REPORT} {_ref_links(refs)}</p>")
    parts.append(f"<p><strong>{HANDREIKING_PART}</strong></p>")
    if handreiking:
        parts += [paragraphs_html(text) for text in handreiking]
    else:
        parts.append(note_html("De handreiking van deze wegwijzer staat niet in de index."))
    return "".join(parts)
