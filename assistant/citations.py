"""Citation formatting shared by the CLI and the chat (pure)."""

from __future__ import annotations

from .model import Source


def format_pages(pages: list[int] | None, labels: list[str] | None = None) -> str | None:
    """'p. 41–44', 'p. 16' or, for printed labels that are not numbers, 'p. iv'."""
    if labels and not all(label.isdigit() for label in labels):
        first, last = labels
        return f"p. {first}" if first == last else f"p. {first}–{last}"
    if not pages:
        return None
    first, last = pages
    return f"p. {first}" if first == last or last is None else f"p. {first}–{last}"


def format_research_pages(pages: list[int]) -> str | None:
    """'onderzoeksrapport p. 184, 185' for the research-report pages a passage quotes."""
    if not pages:
        return None
    return "onderzoeksrapport p. " + ", ".join(str(p) for p in sorted(pages))


def place(source: Source) -> str:
    """Where a source sits, without its marker."""
    bits = [source.publication_title]
    if source.wegwijzer is not None:
        bits.append(f"Wegwijzer {source.wegwijzer} '{source.wegwijzer_title}'")
        if source.part:
            part = source.part
            if source.story_title:
                author = f", {source.story_author}" if source.story_author else ""
                part += f" ('{source.story_title}'{author})"
            bits.append(part)
    elif source.section and source.section != source.publication_title:
        bits.append(source.section)
    pages = format_pages(source.pages, source.page_labels)
    if pages:
        bits.append(pages)
    research = format_research_pages(source.research_pages)
    if research:
        bits.append(research)
    return " · ".join(bits)


def format_citation(source: Source) -> str:
    """`[1] Jaarbericht 2018 'Werkende samenwerking' · Wegwijzer 4 'Ken het netwerk' · Uit het
    onderzoek · p. 41–44 · onderzoeksrapport p. 182`"""
    return f"[{source.marker}] {place(source)}"


def format_sources(sources: list[Source]) -> str:
    """All citations, one per line."""
    return "\n".join(format_citation(source) for source in sources)
