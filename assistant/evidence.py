"""Does the retrieved evidence answer the question? Coverage of the question's key terms.

Measured here: e5 similarity does not separate answerable from unanswerable questions
(top scores of 0.80–0.89 for both). What does: whether the question's specific terms —
numbers and years, names, and its rarer content words — occur in the retrieved passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

from .lexical import STOPWORDS, Vocabulary, content_words, fold, stem, words
from .model import Hit

NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
# English function words that are not also Dutch words.
ENGLISH_MARKERS = (frozenset(
    "the what which who whom whose how why where when does do did are were of to and about with "
    "for should could would can my our their this that these those from have has had been being "
    "will shall into on at by it its they them he she you your i i'm we us be not any some more "
    "most other such than there here so if or".split()) | frozenset(STOPWORDS_EN)
) - frozenset(STOPWORDS_DUTCH)
# Questions that ask for a quantity or a date need a number in the evidence.
ASKS_NUMBER = re.compile(
    r"\b(hoeveel|hoe ?veel|hoe lang|hoe laat|wanneer|welke datum|deadline|uiterlijk|"
    r"how many|how much|how long|when|what date)\b", re.IGNORECASE)
# Words too general in this corpus to count as evidence for a specific question.
GENERIC = frozenset(
    stem(w) for w in (
        "gemeente gemeenten regio regionale regionaal samenwerking samenwerken samen "
        "raadslid raadsleden wethouder wethouders bestuurder bestuurders burgemeester college "
        "raad gemeenteraad nieuw nieuwe eerste jaar vraag vragen ding dingen mensen partij "
        "partijen manier belangrijk echt zin hoeveel welk welke"
    ).split()
)


@dataclass
class Evidence:
    """How well the retrieved passages cover the question's key terms."""

    terms: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    missing_numbers: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    english: bool = False
    top_dense: float = 0.0
    best_passage_coverage: float = 1.0  # idf-weighted share of key terms in one passage
    number_missing: bool = False  # asks for a quantity or date, and no number in the evidence
    asks_current: bool = False  # asks for today's state of affairs; the texts are from 2018–2020

    @property
    def coverage(self) -> float:
        if not self.terms:
            return 1.0
        return 1.0 - len(self.missing) / len(self.terms)


def is_english(question: str) -> bool:
    tokens = words(question)
    if not tokens:
        return False
    return sum(1 for t in tokens if t in ENGLISH_MARKERS) / len(tokens) >= 0.2


# Questions about the present: the publications describe 2018–2020 and cannot answer them.
ASKS_CURRENT = re.compile(
    r"\b(op dit moment|momenteel|actuele|huidige|dit jaar|vandaag|tegenwoordig|"
    r"currently|right now|this year|today|at the moment)\b", re.IGNORECASE)
PAGE_REFERENCE = re.compile(r"\(\s*p\.?\s*[\d,\s–-]+\)")


def _number_near_terms(question: str, hits: list[Hit], vocabulary: Vocabulary) -> bool:
    """A number (not a page reference) in a sentence that shares a key term with the question."""
    from common.sentences import split_sentences

    wanted = {stem(w) for w in content_words(question)} - GENERIC
    for hit in hits:
        for sentence in split_sentences(PAGE_REFERENCE.sub(" ", hit.text)):
            if NUMBER.search(sentence) and wanted & set(vocabulary.terms(sentence)):
                return True
    return False


def _names(question: str) -> list[str]:
    """Capitalised words inside the sentence (not the first word): likely proper names."""
    names = []
    for sentence in re.split(r"[.!?]\s+", question):
        tokens = re.findall(r"[^\W\d_][\w'’-]*", sentence)
        for token in tokens[1:]:
            if token[0].isupper() and not token.isupper() and len(token) > 2:
                names.append(token)
    return names


def assess(question: str, hits: list[Hit], vocabulary: Vocabulary, k: int = 5,
           idf: dict[str, float] | None = None, best_of: int = 3) -> Evidence:
    """Which of the question's key terms the top-k passages contain."""
    idf = idf or {}
    evidence = Evidence(english=is_english(question))
    evidence.top_dense = max((h.dense for h in hits), default=0.0)
    top = hits[:k]
    text = fold(" ".join(f"{h.header} {h.text}" for h in top))
    stems = set(vocabulary.terms(text))
    per_passage = [set(vocabulary.terms(f"{h.header} {h.text}")) for h in hits[:best_of]]
    numbers_in_text = set(NUMBER.findall(text))
    if ASKS_NUMBER.search(question):
        evidence.number_missing = not _number_near_terms(question, hits[:best_of], vocabulary)
    evidence.asks_current = bool(ASKS_CURRENT.search(question))
    for number in NUMBER.findall(question):
        if number not in numbers_in_text:
            evidence.missing_numbers.append(number)
    for name in _names(question):
        # 'UWV-voorzitter' is present when each of its parts is.
        parts = [p for p in re.split(r"[-'’]", fold(name)) if len(p) > 1]
        if not all(p in text or stem(p) in stems for p in parts):
            evidence.missing_names.append(name)
    if evidence.english:
        return evidence  # Dutch passages share no words with an English question
    weights: list[tuple[float, str, list[str]]] = []
    joined = {w.replace("-", "") for w in re.findall(r"[^\W_]+(?:-[^\W_]+)+", fold(question))}
    for word in content_words(question):
        if word.isdigit() or word in joined:  # 'uwv-voorzitter' counts through its parts
            continue
        key = stem(word)
        if key in GENERIC or word in STOPWORDS:
            continue
        parts = [stem(p) for p in vocabulary.split(word)]
        evidence.terms.append(word)
        if key not in stems and not (parts and all(p in stems for p in parts)):
            evidence.missing.append(word)
        if key in idf or any(p in idf for p in parts):
            weight = idf.get(key) or max(idf.get(p, 0.0) for p in parts)
            weights.append((weight, key, parts))
    total = sum(w for w, _, _ in weights)
    if total and per_passage:
        evidence.best_passage_coverage = max(
            sum(w for w, key, parts in weights
                if key in terms or (parts and all(p in terms for p in parts))) / total
            for terms in per_passage
        )
    return evidence


@dataclass(frozen=True)
class RefusalPolicy:
    """When to say 'dat staat er niet in'. Thresholds calibrated on the evaluation suites."""

    min_coverage: float = 0.3
    min_missing: int = 2  # low coverage only counts when at least this many terms are missing
    max_missing: int = 4
    english_min_dense: float = 0.80
    refuse_current: bool = True

    def refuse(self, evidence: Evidence) -> bool:
        if evidence.missing_numbers or evidence.missing_names or evidence.number_missing:
            return True
        if self.refuse_current and evidence.asks_current:
            return True
        if evidence.english:
            return evidence.top_dense < self.english_min_dense
        if len(evidence.missing) > self.max_missing:
            return True
        return len(evidence.missing) >= self.min_missing and evidence.coverage < self.min_coverage
