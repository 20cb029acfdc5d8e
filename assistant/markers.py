"""The [n] source markers of an answer: one grammar to find, renumber and strip them (pure).
A marker is '[', ASCII digits without a leading zero, ']'; '[01]' or '[١]' cite nothing (Python's
int() would silently read them as [1])."""

from __future__ import annotations

import re
from typing import Callable

MARKER = re.compile(r"\[([1-9][0-9]{0,2})\]", re.ASCII)
# The same, captured whole: `SPLIT.split(text)` alternates text and markers.
SPLIT = re.compile(r"(\[[1-9][0-9]{0,2}\])", re.ASCII)
# What a reader would take for a marker (any digits, spaces inside), with the white space before.
_MARKER_LIKE_WITH_SPACE = re.compile(r"\s*\[\s*\d+\s*\]")


def markers(text: str) -> list[int]:
    """The numbers of the markers in `text`, in order (repeats kept)."""
    return [int(number) for number in MARKER.findall(text)]


def cited_pieces(text: str) -> list[tuple[str, int]]:
    """Each piece of text that ends in a marker, with that marker, and the marker's number."""
    parts = SPLIT.split(text)
    return [(f"{parts[i].strip()} {parts[i + 1]}", int(parts[i + 1][1:-1]))
            for i in range(0, len(parts) - 1, 2) if parts[i].strip()]


def strip_markers(text: str) -> str:
    """`text` without anything that reads as a marker."""
    return _MARKER_LIKE_WITH_SPACE.sub("", text)


def keep_markers(text: str, keep: Callable[[int], bool]) -> tuple[str, int]:
    """`text` with every marker-like token removed unless it is a real marker that `keep`
    accepts; returns the text and how many were removed."""
    removed = 0

    def decide(match: re.Match[str]) -> str:
        nonlocal removed
        token = match.group(0).strip()
        if MARKER.fullmatch(token) and keep(int(token[1:-1])):
            return match.group(0)
        removed += 1
        return ""

    return _MARKER_LIKE_WITH_SPACE.sub(decide, text), removed


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Markers renumbered by `mapping`; markers not in it stay as they are."""
    return MARKER.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", text)
