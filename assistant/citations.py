"""Citation formatting shared by the CLI, the chat and the reports (pure)."""

from __future__ import annotations

from indexing.places import describe_place

from .model import Source


def format_citation(source: Source) -> str:
    """`[1] Jaarbericht 2018 'Werkende samenwerking' · Wegwijzer 4 'Ken het netwerk' · Uit het
    onderzoek · p. 41–44 · onderzoeksrapport p. 182`"""
    return f"[{source.marker}] {describe_place(source.place)}"
