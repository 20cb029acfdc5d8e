"""Answer-quality metrics: pure functions over expected places and cited sources."""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

MARKER = re.compile(r"\[(\d+)\]")


def source_counts(source: Mapping[str, Any], expected: Mapping[str, Any]) -> bool:
    """A source counts when publication, wegwijzer (if given) and pages (if given) match."""
    publications = expected.get("publications") or []
    if publications and source.get("publication_id") not in publications:
        return False
    wegwijzers = expected.get("wegwijzers") or []
    if wegwijzers and source.get("wegwijzer") not in wegwijzers:
        return False
    pages = expected.get("pages")
    if pages:
        got = source.get("pages")
        if not got or got[0] is None:
            return False
        if got[1] < pages[0] or got[0] > pages[1]:
            return False
    return True


def first_relevant_rank(sources: Sequence[Mapping[str, Any]], expected: Mapping[str, Any]) -> int | None:
    """1-based rank of the first counting source, or None."""
    for rank, source in enumerate(sources, start=1):
        if source_counts(source, expected):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def cited_markers(answer: str) -> list[int]:
    """The [n] markers in an answer, in order, with repeats."""
    return [int(m) for m in MARKER.findall(answer)]


def citation_precision(answer: str, sources: Sequence[Mapping[str, Any]],
                       expected: Mapping[str, Any]) -> float | None:
    """Share of [n] markers that point to a counting source; None when there are no markers."""
    markers = cited_markers(answer)
    if not markers:
        return None
    by_marker = {s.get("marker"): s for s in sources}
    good = sum(1 for m in markers if m in by_marker and source_counts(by_marker[m], expected))
    return good / len(markers)


def top1_page_accuracy(sources: Sequence[Mapping[str, Any]], expected: Mapping[str, Any]) -> float | None:
    """1 when the best source's pages overlap the expected pages; None when no pages expected."""
    pages = expected.get("pages")
    if not pages:
        return None
    if not sources:
        return 0.0
    got = sources[0].get("pages")
    if not got:
        return 0.0
    return 1.0 if got[0] <= pages[1] and got[1] >= pages[0] else 0.0


def research_page_recall(sources: Sequence[Mapping[str, Any]], expected: Mapping[str, Any]) -> float | None:
    """Share of expected research-report pages found on the sources; None when none expected."""
    wanted = set(expected.get("research_pages") or [])
    if not wanted:
        return None
    found: set[int] = set()
    for source in sources:
        found.update(source.get("research_pages") or [])
    return len(wanted & found) / len(wanted)


def must_mention_recall(answer: str, expected: Mapping[str, Any]) -> float | None:
    """Share of must-mention phrases present in the answer (case-insensitive)."""
    phrases = [p.lower() for p in expected.get("must_mention") or []]
    if not phrases:
        return None
    text = answer.lower()
    return sum(1 for p in phrases if p in text) / len(phrases)


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation; None for no values."""
    data = sorted(values)
    if not data:
        return None
    if len(data) == 1:
        return data[0]
    position = (len(data) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
