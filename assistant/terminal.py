"""The terminal: every line is printed as literal text.

User questions, corpus sentences, file names and error messages can contain square brackets
('[zie bijlage]', 'rapport[bold].txt', '[[publication]]') and colons (':smile:'). rich would read
those as markup or emoji codes, dropping text or crashing on '[/b]'. So the consoles here never
interpret markup, emoji or highlighting; colour is added only through `styled`, around text
that stays literal.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def make_console(stderr: bool = False) -> Console:
    """A console that prints strings exactly as given (no markup, emoji codes or highlighting)."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=True)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Literal text with styled pieces: `styled(("Fout:", "red"), " ", message)`."""
    return Text.assemble(*parts)


def labelled(label: str, style: str, message: str) -> Text:
    """'Fout: message' with only the label coloured."""
    return styled((label, style), " ", message)
