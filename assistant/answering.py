"""Answerers turn a question and its ranked sources into an answer with [n] markers: the
extractive one (the default) quotes sentences verbatim; `llm.py` has the language model's."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from common.registry import Registry
from common.sentences import split_sentences
from common.settings import Settings

from . import markers
from .asked import Kind, asked_for, holds
from .citations import cited_first, with_quoted
from .conversation import POINTING_ADVERB
from .lexical import Vocabulary, words
from .model import Answer, AnswerEvent, Source, SourcesFound, TextDelta, Turn, final_answer
from .profile import AnswerProfile, Profile

# The dense similarity of a question to sentences (None for a sentence it does not know).
SentenceSimilarity = Callable[[str, Sequence[str]], list[float | None]]
CAPTION = re.compile(r"^(figuur|tabel|foto|bron)\b", re.IGNORECASE)
REFERENCE_ONLY = re.compile(r"^\(?p\.?\s*\d")
# A sentence ends with punctuation; lines without it are titles, author lines or captions.
SENTENCE_CLOSE = re.compile(r"[.!?…][’'”\")*]*\s*(\(p\.?[^)]*\)[.*]*)?$")


class StreamingAnswerer:
    """Base for answerers: `stream` yields `SourcesFound`, then `TextDelta`s whose concatenation
    is the answer text, then the `Answer`; `answer` is the stream's final Answer."""

    name = "answerer"

    def stream(self, question: str, sources: list[Source],
               history: Sequence[Turn] = ()) -> Iterator[AnswerEvent]:
        raise NotImplementedError

    def answer(self, question: str, sources: list[Source],
               history: Sequence[Turn] = ()) -> Answer:
        """The complete answer (runs the stream)."""
        return final_answer(self.stream(question, sources, history))


Answerer = StreamingAnswerer


@dataclass
class Candidate:
    marker: int
    position: int
    text: str
    terms: set[str]
    score: float = 0.0
    previous: str | None = None  # the sentence before it in its paragraph, if any
    meaning: float = 0.5  # dense similarity to the question, scaled 0–1 over the candidates


# Before the verb of a Dutch main clause, the part that links to what came before is a few words
# ('In het kader hiervan vinden …'); later, 'daarna' points inside the sentence (antecedent).
PREFIELD_WORDS = 4


def opener(sentence: str) -> str:
    """The first word of a sentence, lower-cased, without quotes or punctuation."""
    first = sentence.split()[0] if sentence.split() else ""
    return first.strip("‘’'\"“”()[],;:").lower()


def continuation_openers(texts: Sequence[str], alpha: float) -> frozenset[str]:
    """First words ('Dat', 'Daar', 'Maar') that the corpus uses to continue a paragraph: they
    open one significantly less often than sentence openers in general do (one-sided binomial
    test at `alpha`, so a rare word is never flagged on a handful of occurrences; pure)."""
    first: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for text in texts:
        for paragraph in text.split("\n\n"):
            for index, sentence in enumerate(split_sentences(paragraph.strip())):
                word = opener(sentence)
                if word:
                    total[word] += 1
                    first[word] += index == 0
    n_all = sum(total.values())
    if not n_all:
        return frozenset()
    base = sum(first.values()) / n_all
    return frozenset(word for word, n in total.items()
                     if _binomial_cdf(first[word], n, base) < alpha)


def _binomial_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))


class ExtractiveAnswerer(StreamingAnswerer):
    """Picks the sentences of the sources that best match the question, verbatim: by the
    idf-weighted overlap of their terms with the question, their meaning (e5) and their
    source's rank; near-duplicates skipped. Its numbers: the profile's [answer] section
    (docs/beslissingen/antwoord.md)."""

    name = "extractief"

    def __init__(self, vocabulary: Vocabulary, idf: dict[str, float] | None = None,
                 profile: AnswerProfile | None = None, openers: frozenset[str] = frozenset(),
                 similarity: SentenceSimilarity | None = None) -> None:
        self.vocabulary = vocabulary
        self.idf = idf or {}
        self.openers = openers  # see continuation_openers
        self.profile = profile or Profile.load().answer
        self.similarity = similarity
        self.meaning_weight = self.profile.meaning_weight if similarity is not None else 0.0

    def candidates(self, sources: list[Source]) -> list[Candidate]:
        found = []
        for source in sources:
            position = 0
            for paragraph in source.quote.split("\n\n"):
                previous = None
                for sentence in split_sentences(paragraph):
                    text = balance_quotes(sentence.strip())
                    before, previous = previous, text
                    # A list item cut from its lead-in (lower case) reads as a fragment.
                    if (len(text.split()) < self.profile.min_sentence_words or CAPTION.match(text)
                            or REFERENCE_ONLY.match(text) or not SENTENCE_CLOSE.search(text)
                            or text[0].islower()):
                        continue
                    found.append(Candidate(source.marker, position, text,
                                           set(self.vocabulary.terms(text)), previous=before))
                    position += 1
        return found

    def antecedent(self, candidate: Candidate) -> str | None:
        """The sentence before this one when it opens with a word that leans on that sentence
        ('Dat kunt u invullen zoals u wilt.') or points back at it in its first clause ('In het
        kader hiervan …': without it, the U10 of Utrecht read as the Drechtraad's), else None."""
        prefield = words(re.split(r"[,;:]", candidate.text, maxsplit=1)[0])[:PREFIELD_WORDS]
        leans = opener(candidate.text) in self.openers or any(
            POINTING_ADVERB.fullmatch(word) for word in prefield)
        return candidate.previous if leans else None

    def measure_meaning(self, question: str, candidates: list[Candidate]) -> None:
        """Each candidate's similarity to the question, scaled to 0–1 over the candidates (the
        cosines of e5 lie close together); a sentence without one gets their mean."""
        if self.similarity is None or not candidates:
            return
        found = self.similarity(question, [c.text for c in candidates])
        known = [value for value in found if value is not None]
        if not known:
            return
        low, high, middle = min(known), max(known), sum(known) / len(known)
        for candidate, value in zip(candidates, found):
            value = middle if value is None else value
            candidate.meaning = (value - low) / (high - low) if high > low else 0.5

    def select(self, question: str, sources: list[Source]) -> list[Candidate]:
        """The chosen sentences, in answer order."""
        knobs = self.profile
        ranks = {source.marker: rank for rank, source in enumerate(sources)}
        every = self.candidates(sources)
        candidates = [c for c in every if ranks[c.marker] < knobs.max_sources]
        if len(candidates) < knobs.min_sentences:
            candidates = every
        asked = asked_for(question)
        # A factual question may find its fact in any source shown, not only the best two.
        self.measure_meaning(question, every if asked else candidates)
        self.score(question, every if asked else candidates, ranks)
        ordered = sorted(candidates, key=lambda c: -c.score)
        chosen: list[Candidate] = []
        for candidate in ordered:
            if len(chosen) >= knobs.max_sentences:
                break
            if any(_similar(candidate.terms, c.terms, knobs.duplicate_overlap) for c in chosen):
                continue
            if (len(chosen) >= knobs.min_sentences
                    and candidate.score < knobs.stop_below * chosen[0].score):
                break
            chosen.append(candidate)
        fact = self.fact(question, asked, every, chosen)
        if fact is not None:
            chosen = [fact] + [c for c in chosen if c is not fact][: knobs.max_sentences - 1]
        # Read like a text: the asked fact first, then by source in rank order, sentences in
        # their own order.
        chosen.sort(key=lambda c: (c is not fact, ranks[c.marker], c.position))
        return chosen

    def score(self, question: str, candidates: list[Candidate], ranks: dict[int, int]) -> None:
        query = set(self.vocabulary.terms(question))
        norm = sum(self.idf.get(t, 1.0) for t in query) or 1.0
        knobs = self.profile
        for candidate in candidates:
            overlap = sum(self.idf.get(t, 1.0) for t in query & candidate.terms) / norm
            rank_prior = 1.0 / (1.0 + ranks[candidate.marker])
            lead = knobs.lead_bonus if candidate.position == 0 else 0.0
            candidate.score = ((1 - self.meaning_weight) * overlap
                               + self.meaning_weight * candidate.meaning
                               + knobs.rank_prior * rank_prior + lead)
            if candidate.text.rstrip("’'”\" ").endswith("?"):
                # The text's own questions rarely answer the user's.
                candidate.score *= knobs.own_question_factor

    def fact(self, question: str, asked: tuple[Kind, str] | None, every: list[Candidate],
             chosen: list[Candidate]) -> Candidate | None:
        """For a who/when/how-many/what-is question: the best sentence that holds the asked
        fact, if it scores at least `stop_below` of the best chosen sentence."""
        if asked is None or not chosen:
            return None
        bar = self.profile.stop_below * max(c.score for c in chosen)
        holding = [c for c in every
                   if c.score >= bar and holds(asked[0], asked[1], c.text, question)]
        return max(holding, key=lambda c: c.score, default=None)

    def stream(self, question: str, sources: list[Source],
               history: Sequence[Turn] = ()) -> Iterator[AnswerEvent]:
        """The sources (cited first), one sentence and its marker at a time, then the Answer.
        History is not used: a follow-up is already resolved into `question`."""
        chosen = self.select(question, sources)
        renumbered, sources = cited_first(" ".join(f"[{c.marker}]" for c in chosen), sources)
        new_marker = {c.marker: int(m) for c, m in
                      zip(chosen, markers.markers(renumbered))}
        # Each chosen sentence, preceded by its antecedent when it leans on it (once).
        seen = {c.text for c in chosen}
        runs: list[list[str]] = []
        for candidate in chosen:
            before = self.antecedent(candidate)
            runs.append([before, candidate.text] if before and before not in seen
                        else [candidate.text])
            seen.update(runs[-1])
        taken: dict[int, list[str]] = {}
        for candidate, run in zip(chosen, runs):  # verbatim sentences: the chat marks them
            taken.setdefault(new_marker[candidate.marker], []).extend(run)
        sources = with_quoted(sources, taken)
        yield SourcesFound(sources)
        by_marker = {source.marker: source for source in sources}
        pieces = []
        for number, (candidate, run) in enumerate(zip(chosen, runs)):
            marker = new_marker[candidate.marker]
            text = " ".join(run)
            # A story is someone's own account: the first of a run of its author's sentences
            # names the author (two passages of one story are one run).
            author = by_marker[marker].place.story_author
            before = by_marker[new_marker[chosen[number - 1].marker]] if number else None
            if author and (before is None or before.place.story_author != author):
                text = f"{author} {tells(author)}: {text}"
            pieces.append(f"{' ' if number else ''}{text} [{marker}]")
            yield TextDelta(pieces[-1])
        yield Answer(question=question, answer="".join(pieces).strip(), refused=False,
                     sources=sources)


OPENING = {"‘": "’", "“": "”", '"': '"', "'": "'"}


def balance_quotes(sentence: str) -> str:
    """Strip a quote mark at the start or end of a sentence whose partner was cut off with the
    sentence before or after it (‘Weefsel is… stays ‘Weefsel is… no longer)."""
    text = sentence
    if text and text[0] in OPENING:
        close = OPENING[text[0]]
        # The partner closes a word: an apostrophe inside one ('regio’s') does not count.
        if not re.search(re.escape(close) + r"(?![^\W\d_])", text[1:]):
            text = text[1:].lstrip()
    closing = {v: k for k, v in OPENING.items()}
    # Only the ends are touched, so the sentence stays a verbatim piece of its source.
    if text and text[-1] in closing and closing[text[-1]] not in text[:-1]:
        text = text[:-1]
    return text.strip()


def _similar(a: set[str], b: set[str], threshold: float) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= threshold


def idf_table(term_lists: list[list[str]]) -> dict[str, float]:
    """Inverse document frequency of each term over the passages."""
    df = Counter(term for terms in term_lists for term in set(terms))
    n = len(term_lists) or 1
    return {term: math.log(1 + n / count) for term, count in df.items()}


ANSWERERS: Registry[Callable[..., Answerer]] = Registry("antwoorder")


@ANSWERERS.register("extractief")
def extractive(settings: Settings, profile: Profile, vocabulary: Vocabulary,
               idf: dict[str, float], chat_model: Any, openers: frozenset[str],
               similarity: SentenceSimilarity | None) -> Answerer:
    """Quotes sentences of the sources, verbatim (no language model needed)."""
    return ExtractiveAnswerer(vocabulary, idf, profile.answer, openers, similarity)


@ANSWERERS.register("taalmodel")
def language_model(settings: Settings, profile: Profile, vocabulary: Vocabulary,
                   idf: dict[str, float], chat_model: Any, openers: frozenset[str],
                   similarity: SentenceSimilarity | None) -> Answerer:
    """The configured chat model, its every sentence checked; the extractive answer when the
    model fails."""
    from .llm import ChatModelAnswerer, FallbackAnswerer, OutputLimits, make_chat_model

    model = chat_model if chat_model is not None else make_chat_model(settings)
    return FallbackAnswerer(
        ChatModelAnswerer(model, vocabulary, idf, name=settings.llm,
                          limits=OutputLimits.from_settings(settings),
                          threshold=profile.citations.support_threshold),
        extractive(settings, profile, vocabulary, idf, chat_model, openers, similarity))


def make_answerer(settings: Settings, profile: Profile, vocabulary: Vocabulary,
                  idf: dict[str, float] | None = None, chat_model: Any = None,
                  openers: frozenset[str] = frozenset(),
                  similarity: SentenceSimilarity | None = None) -> Answerer:
    """The answerer the settings ask for: 'taalmodel' with a configured model, else
    'extractief'."""
    build = ANSWERERS.get("taalmodel" if settings.llm else "extractief")
    return build(settings, profile, vocabulary, idf or {}, chat_model, openers, similarity)


def tells(author: str) -> str:
    """'vertelt', or 'vertellen' for a story by two people ('Els van der Pool en Guido Rijnja')."""
    return "vertellen" if re.search(r"\s(?:en|and|&)\s", author) else "vertelt"
