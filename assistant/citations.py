"""Citation formatting shared by the CLI, the chat and the reports (pure)."""

from __future__ import annotations

import re
from dataclasses import replace

from indexing.places import describe_place

from .model import Source


def format_citation(source: Source) -> str:
    """`[1] Jaarbericht 2018 'Werkende samenwerking' · Wegwijzer 4 'Ken het netwerk' · Uit het
    onderzoek · p. 41–44 · onderzoeksrapport p. 182`"""
    return f"[{source.marker}] {describe_place(source.place)}"


def cited_first(text: str, sources: list[Source]) -> tuple[str, list[Source]]:
    """Sources the answer cites come first, in order of first citation; markers renumbered."""
    order = list(dict.fromkeys(int(m) for m in re.findall(r"\[(\d+)\]", text)))
    by_marker = {s.marker: s for s in sources}
    cited = [by_marker[m] for m in order if m in by_marker]
    ranked = cited + [s for s in sources if s not in cited]
    renumber = {s.marker: new for new, s in enumerate(ranked, start=1)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber.get(int(m.group(1)), m.group(1))}]", text)
    return text, [replace(s, marker=renumber[s.marker]) for s in ranked]
