"""The citation check after a language model answers.

- A marker [n] that points to no listed source is removed and counted.
- Every sentence that carries a marker is checked against the passage(s) it cites. Support is
  the idf-weighted share of the sentence's content words (stems, compounds split on corpus
  words) that the cited passage contains. The measure and its threshold were chosen by
  `benchmarks/citation_support.py` (see the README): on the suites' hand-written reference
  answers against their own passages versus passages elsewhere in the corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from common.sentences import split_sentences

from .lexical import Vocabulary
from .model import Source

MARKER = re.compile(r"\[(\d+)\]")
MARKER_WITH_SPACE = re.compile(r"\s*\[(\d+)\]")
# Chosen on dev + core by benchmarks/citation_support.py (balanced accuracy 0.99 there; 0.87
# on vers, not tuned on; word overlap beat the embedder's sentence similarity: AUC 0.92 vs 0.90).
SUPPORT_THRESHOLD = 0.39


@dataclass
class CitationCheck:
    """What the check found: the cleaned text and the sentences their passages don't support."""

    text: str
    removed_markers: int = 0
    checked: int = 0
    supported: int = 0
    unsupported: list[str] = field(default_factory=list)
    # Per marker: the passage sentences that best support the answer's sentences citing it.
    quoted: dict[int, list[str]] = field(default_factory=dict)

    @property
    def faithfulness(self) -> float | None:
        """Share of checked sentences that their cited passage supports (None: nothing cited)."""
        return self.supported / self.checked if self.checked else None


def support(sentence: str, passage_terms: set[str], vocabulary: Vocabulary,
            idf: dict[str, float]) -> float:
    """The idf-weighted share of the sentence's content words found in the passage (0–1)."""
    terms = set(vocabulary.terms(MARKER.sub(" ", sentence)))
    if not terms:
        return 1.0  # nothing to check ("Zie [1].")
    total = sum(idf.get(t, 1.0) for t in terms)
    found = sum(idf.get(t, 1.0) for t in terms & passage_terms)
    return found / total


def passage_sentences(passage: str) -> list[str]:
    """The sentences of a passage, paragraph by paragraph, as they stand in it."""
    return [sentence.strip() for paragraph in passage.split("\n\n")
            for sentence in split_sentences(paragraph) if sentence.strip()]


def best_supporting(sentence: str, passage: str, vocabulary: Vocabulary, idf: dict[str, float],
                    threshold: float = SUPPORT_THRESHOLD) -> str | None:
    """The passage sentence that supports an answer sentence most (None: none reaches the
    threshold on its own)."""
    best, best_score = None, threshold
    for candidate in passage_sentences(passage):
        score = support(sentence, set(vocabulary.terms(candidate)), vocabulary, idf)
        if score >= best_score:
            best, best_score = candidate, score
    return best


def answer_sentences(text: str) -> list[str]:
    """The sentences of an answer, list items and lines kept apart."""
    sentences: list[str] = []
    for line in text.splitlines():
        if line.strip():
            sentences.extend(s for s in split_sentences(line.strip()) if s.strip())
    return sentences


def remove_unknown_markers(text: str, markers: set[int]) -> tuple[str, int]:
    """The text without markers that point to no source, and how many were removed."""
    removed = 0

    def keep(match: re.Match[str]) -> str:
        nonlocal removed
        if int(match.group(1)) in markers:
            return match.group(0)
        removed += 1
        return ""

    return MARKER_WITH_SPACE.sub(keep, text), removed


def check_citations(text: str, sources: Sequence[Source], vocabulary: Vocabulary,
                    idf: dict[str, float], threshold: float = SUPPORT_THRESHOLD) -> CitationCheck:
    """Remove markers to missing sources, then check every cited sentence against its passage."""
    by_marker = {source.marker: source for source in sources}
    cleaned, removed = remove_unknown_markers(text, set(by_marker))
    result = CitationCheck(text=cleaned, removed_markers=removed)
    terms = {marker: set(vocabulary.terms(source.quote)) for marker, source in by_marker.items()}
    for sentence in answer_sentences(cleaned):
        cited = {int(m) for m in MARKER.findall(sentence)}
        if not cited:
            continue
        result.checked += 1
        passage_terms = set().union(*(terms[m] for m in cited))
        if support(sentence, passage_terms, vocabulary, idf) >= threshold:
            result.supported += 1
            for marker in sorted(cited):
                best = best_supporting(sentence, by_marker[marker].quote, vocabulary, idf,
                                       threshold)
                if best:
                    result.quoted.setdefault(marker, []).append(best)
        else:
            result.unsupported.append(MARKER_WITH_SPACE.sub("", sentence).strip())
    return result
