"""The citation check after a language model answers. A marker to no listed source, or outside
the marker grammar (markers.py), is removed. Every sentence is checked: support is the
idf-weighted share of its content words that a passage contains (threshold and measure chosen by
`benchmarks/citation_support.py`, docs/beslissingen/taalmodel.md). A sentence its cited passage
does not support gets the marker of the source that does; one that no source supports is left
out and listed in `unsupported`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from common.sentences import split_sentences

from .lexical import Vocabulary
from .markers import keep_markers, markers, strip_markers
from .model import Source

# Chosen on dev + core by benchmarks/citation_support.py (balanced accuracy 0.99 there; 0.87
# on vers, not tuned on; word overlap beat the embedder's sentence similarity: AUC 0.92 vs 0.90).
SUPPORT_THRESHOLD = 0.39


@dataclass
class CitationCheck:
    """What the check found: the answer as it may be shown, and what it changed."""

    text: str
    removed_markers: int = 0
    # The sentences that cite a source, and how many of those their own cited passage supports
    # (faithfulness of the answer as written).
    checked: int = 0
    supported: int = 0
    kept: int = 0  # sentences kept in `text` with something to check in them
    unsupported: list[str] = field(default_factory=list)
    # Per marker: the passage sentences that best support the answer's sentences citing it.
    quoted: dict[int, list[str]] = field(default_factory=dict)

    @property
    def faithfulness(self) -> float | None:
        """Share of cited sentences that their cited passage supports (None: nothing cited)."""
        return self.supported / self.checked if self.checked else None


def support(sentence: str, passage_terms: set[str], vocabulary: Vocabulary,
            idf: dict[str, float]) -> float:
    """The idf-weighted share of the sentence's content words found in the passage (0–1)."""
    terms = set(vocabulary.terms(strip_markers(sentence)))
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
    return [sentence for line in text.splitlines() for sentence in claims(line)]


_LEADING_MARKERS = re.compile(r"^((?:\s*\[\s*\d+\s*\])+[.!?:;…]*)\s*(.*)$", re.DOTALL)


def claims(line: str) -> list[str]:
    """The sentences of one line, each with its markers: markers that the sentence splitter
    put at the start of the next piece ('agenda’', '[1].') go back to the sentence they close."""
    result: list[str] = []
    for piece in split_sentences(line.strip()):
        piece = piece.strip()
        match = _LEADING_MARKERS.match(piece)
        if match and result:
            result[-1] += " " + match.group(1).strip()
            piece = match.group(2).strip()
        if piece:
            result.append(piece)
    return result


_TRAILING_PUNCTUATION = re.compile(r"^(.*?)\s*([.!?:;…]*)$", re.DOTALL)


def with_marker(sentence: str, marker: int) -> str:
    """The sentence with its source marker before the closing punctuation."""
    body, punctuation = _TRAILING_PUNCTUATION.match(sentence.strip()).groups()  # type: ignore[union-attr]
    return f"{body} [{marker}]{punctuation}"


class _Checker:
    def __init__(self, sources: Sequence[Source], vocabulary: Vocabulary, idf: dict[str, float],
                 threshold: float) -> None:
        self.by_marker = {source.marker: source for source in sources}
        self.terms = {marker: set(vocabulary.terms(source.quote))
                      for marker, source in self.by_marker.items()}
        self.vocabulary, self.idf, self.threshold = vocabulary, idf, threshold

    def support(self, sentence: str, cited: set[int]) -> float:
        return support(sentence, set().union(*(self.terms[m] for m in cited)), self.vocabulary,
                       self.idf)

    def sentence(self, sentence: str, result: CitationCheck) -> str | None:
        """The sentence as it may be shown (markers checked or given), or None: unsupported."""
        if not set(self.vocabulary.terms(strip_markers(sentence))):
            return sentence  # nothing to check ("Zie [1].", "Ja.")
        cited = set(markers(sentence))
        if cited:
            result.checked += 1
            if self.support(sentence, cited) >= self.threshold:
                result.supported += 1
                return self._kept(sentence, cited, result)
        # Unmarked, or its cited passage does not hold it: the source that does, if any.
        scores = {marker: self.support(sentence, {marker}) for marker in self.by_marker}
        best = max(scores, key=lambda m: scores[m], default=None)
        if best is None or scores[best] < self.threshold:
            result.unsupported.append(strip_markers(sentence).strip())
            return None
        return self._kept(with_marker(strip_markers(sentence), best), {best}, result)

    def _kept(self, sentence: str, cited: set[int], result: CitationCheck) -> str:
        result.kept += 1
        for marker in sorted(cited):
            best = best_supporting(sentence, self.by_marker[marker].quote, self.vocabulary,
                                   self.idf, self.threshold)
            if best:
                result.quoted.setdefault(marker, []).append(best)
        return sentence


def check_citations(text: str, sources: Sequence[Source], vocabulary: Vocabulary,
                    idf: dict[str, float], threshold: float = SUPPORT_THRESHOLD) -> CitationCheck:
    """Check every sentence of an answer against its sources; the answer's lines are kept (a
    list stays a list), a line whose sentences were all left out is dropped."""
    checker = _Checker(sources, vocabulary, idf, threshold)
    cleaned, removed = keep_markers(text, lambda marker: marker in checker.by_marker)
    result = CitationCheck(text="", removed_markers=removed)
    lines: list[str] = []
    for line in cleaned.splitlines():
        if not line.strip():
            if lines and lines[-1]:
                lines.append("")
            continue
        kept = [checker.sentence(sentence, result) for sentence in claims(line)]
        shown = " ".join(sentence for sentence in kept if sentence)
        if shown:
            lines.append(shown)
    result.text = "\n".join(lines).strip()
    return result
