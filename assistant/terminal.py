"""The terminal: every line is printed as literal text.

User questions, corpus sentences, file names and error messages can contain square brackets
('[zie bijlage]', 'rapport[bold].txt', '[[publication]]') and colons (':smile:'). rich would read
those as markup or emoji codes, dropping text or crashing on '[/b]'. So the consoles here never
interpret markup, emoji or highlighting; colour is added only through `styled`, around text
that stays literal.
"""

from __future__ import annotations

import logging
from pathlib import Path

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


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_to_file(path: Path) -> Path | None:
    """Send library warnings (pypdf's 'EOF marker not found', deprecations) to a log file.

    The terminal then shows only Wegwijzer's own Dutch messages. Returns the log's path, or
    None when the file cannot be written (then warnings stay on the terminal, never lost).
    """
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
