"""The named steps of answering one question, run in order by `Steps.run`:

    clean → follow-up (retrieve + assess one reading) → overview → compose
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from typing import Any, Iterator, Sequence

import numpy as np

from common.errors import WegwijzerError
from indexing.catalog import Catalog
from indexing.places import WEGWIJZER_NUMBERS

from .answering import Answerer, tells
from .asked import Kind, asked_for, asks_for_a_list, topic
from .markers import cited_pieces
from .confidence import ConfidenceModel, answered_in, language_share, signals
from .conversation import (as_read, clean_question, leans_on, points_back, recent_history,
                           with_previous)
from .model import (Answer, AnswerEvent, Hit, Notice, Source, SourcesFound, TextDelta, Turn,
                    final_answer)
from .overviews import Overview, OverviewIndex, overview_answer, overview_hits
from .passages import PassageIndex
from .profile import EvidenceProfile
from .retrieval import RetrievalPipeline, Retrieved
from .retrievers import Filters, QueryEncoder

REFUSAL = (
    "Dat staat er niet in: de publicaties van de VNG Denktank geven geen antwoord op deze vraag."
)
# What a refused factual question says is missing (Compose.partial).
MISSING_FACT = {Kind.NUMBER: "aantal of bedrag dat op deze vraag antwoordt",
                Kind.DATE: "datum die op deze vraag antwoordt",
                Kind.NAME: "naam die op deze vraag antwoordt"}
REFUSAL_WITH_SOURCES = REFUSAL + " Deze passages liggen er het dichtst bij en zijn mogelijk relevant:"
# For a question in another language (see confidence.language_share): one line in English.
OTHER_LANGUAGE = "The sources are in Dutch, so the answer quotes them in Dutch."
UNSURE = ("Niet zeker: de publicaties gaan hier mogelijk niet precies over. Controleer het "
          "antwoord in de bronnen; het zijn de passages die het dichtst bij uw vraag liggen.")
# Short: on the suites a third of the answers carry it, often read on a phone.
DISAGREE = ("Niet zeker welke bron het antwoord geeft: controleer het in de bronnen, ook de "
            "latere.")


@dataclass(frozen=True)
class Request:
    """The question as it will be answered: cleaned, with what it is asked with."""

    question: str
    notices: tuple[str, ...]
    history: tuple[Turn, ...]
    filters: Filters
    k: int
    id: Any = None
    started: float = field(default_factory=time.perf_counter)


@dataclass
class Assessment:
    """One reading of the question searched, and how sure it is that the passages answer it."""

    query: str
    retrieved: Retrieved
    signals: dict[str, float]
    probability: float
    level: str  # 'hoog', 'onzeker' or 'geen'
    foreign: bool  # the question is not in the corpus's language
    vector: np.ndarray  # the reading's e5 vector
    # Share of the fused lists whose own best passage is in the first hit's place.
    agreement: float = 1.0
    places_disagree: bool = False  # in scope, but 'onzeker' for too little agreement
    focus: "Focus | None" = None  # a follow-up's focus, when it reordered the passages
    # The earlier question this one was also searched with (FollowUp.searched_with_previous).
    searched_with: str | None = None


@dataclass
class Selection:
    """What the answer is made from: the reading, its passages and level, maybe a catalog list."""

    reading: Assessment
    hits: list[Hit]
    level: str
    overview: Overview | None = None


class Clean:
    """The question cleaned, filters and k checked, the conversation cut to what a follow-up
    needs."""

    def __init__(self, catalog: Catalog, top_k: int, history_turns: int) -> None:
        self.catalog, self.top_k, self.history_turns = catalog, top_k, history_turns

    def run(self, question: str, history: Sequence[Turn] | None, top_k: int | None,
            publication: str | None, wegwijzer: int | None, id: Any = None) -> Request:
        text, notices = clean_question(question)
        k = self.top_k if top_k is None else top_k
        if k < 1:
            raise WegwijzerError(
                f"Het aantal bronnen (--top-k) moet minstens 1 zijn, niet {k}. Geef een getal "
                f"van 1 of meer, of laat --top-k weg voor de standaard ({self.top_k}).")
        ids = sorted(self.catalog.publication_titles)
        if publication and publication not in ids:
            raise WegwijzerError(
                f"Publicatie '{publication}' staat niet in de index. Kies uit: {', '.join(ids)}.")
        numbers = self.catalog.wegwijzer_numbers or list(WEGWIJZER_NUMBERS)
        if wegwijzer is not None and int(wegwijzer) not in numbers:
            raise WegwijzerError(f"Wegwijzer {wegwijzer} bestaat niet. Kies een nummer van "
                                 f"{min(numbers)} tot en met {max(numbers)}.")
        return Request(text, tuple(notices), tuple(recent_history(history, self.history_turns)),
                       Filters(publication, wegwijzer), k, id)


class Assess:
    """Retrieve for one reading of the question, then estimate whether the passages answer it."""

    def __init__(self, search: RetrievalPipeline, passages: PassageIndex, idf: dict[str, float],
                 query_vector: QueryEncoder, confidence: ConfidenceModel, embedder: str,
                 foreign_below: float, evidence: EvidenceProfile) -> None:
        self.search, self.passages, self.idf = search, passages, idf
        self.query_vector, self.confidence, self.embedder = query_vector, confidence, embedder
        self.foreign_below, self.evidence = foreign_below, evidence

    def run(self, query: str, request: Request, form: str | None = None) -> Assessment:
        """`form`: the question as asked, when `query` is a follow-up joined to the one before.
        How a question is asked (scope, nearest example questions) is read from it, what it is
        about from the joined reading (docs/beslissingen/zekerheid.md)."""
        language = language_share(query, self.passages.word_forms)
        retrieved = self.search.retrieve(query, request.k, request.filters, language,
                                         self.foreign_below)
        vector = self.query_vector(query)  # embedded by retrieval already (cached)
        values = self.confidence.read_vector(
            signals(query, retrieved, self.passages, self.idf, language, self.foreign_below),
            vector if form is None else self.query_vector(form), self.embedder)
        if form is not None:  # joined: longer than any question the model was fitted on
            values["latent_top"] = math.nan  # a sum over the query's terms (zekerheid.md)
        probability = self.confidence.probability(values) if retrieved.hits else 0.0
        level = self.confidence.level(probability, values)
        if level == "geen" and answered_in(query, [h.position for h in retrieved.hits[:3]],
                                           self.passages, self.idf, self.evidence.coverage):
            level = "onzeker"  # a sentence holds the asked fact: not refused, with a caveat
        agreement = self.agreement(retrieved)
        disagree = level == "hoog" and agreement < self.evidence.agreement
        return Assessment(query, retrieved, values, probability,
                          "onzeker" if disagree else level, language < self.foreign_below,
                          vector, agreement, disagree)

    def agreement(self, retrieved: Retrieved) -> float:
        """Share of the fused lists that put the first hit's place first themselves: where they
        disagree, the first source is right about half as often (docs/beslissingen/zekerheid.md)."""
        if not retrieved.hits or not retrieved.firsts:
            return 0.0
        first = retrieved.hits[0].place.key
        return sum(self.passages.places[p].key == first
                   for p in retrieved.firsts.values()) / len(retrieved.firsts)


@dataclass(frozen=True)
class Focus:
    """What a follow-up keeps of the answer before it: the wegwijzer of that answer's first
    source with one, and the part of it the follow-up asks for ('het onderzoek')."""

    publication: str
    wegwijzer: int
    title: str
    parts: tuple[str, ...]  # the parts its words name ('verhaal': 'Een verhaal', 'Twee verhalen')

    def label(self) -> str:
        return f"wegwijzer {self.wegwijzer} '{self.title}', {' of '.join(self.parts)}"


class FollowUp:
    """A question that points back at the conversation (conversation.points_back) is rewritten
    by the language model when there is one, else joined to the previous question; one that only
    leans on it (conversation.leans_on) is searched alone and joined. When it asks for a part of
    the publications ('En wat zegt het onderzoek daarover?'), that part of the previous answer's
    wegwijzer comes first (docs/beslissingen/vervolgvragen.md)."""

    def __init__(self, assess: Assess, rewriter: Any = None) -> None:
        self.assess, self.rewriter = assess, rewriter
        places = assess.passages.places
        # A part is asked for by its name's words ('Twee verhalen': 'verhaal'), numbers aside.
        self.parts = {part: {t for t in assess.passages.vocabulary.terms(part) if not t.isdigit()}
                      for part in {place.part for place in places if place.part}}

    def run(self, request: Request) -> Assessment:
        question, history = request.question, list(request.history)
        if history and not points_back(question) and leans_on(question):
            reading = self.searched_with_previous(request)
            focus = self.focus(question, request)
            return self.within(reading, focus, request) if focus else reading
        if not (history and points_back(question)):
            return self.assess.run(question, request)
        focus = self.focus(question, request)
        if self.rewriter is not None:  # a question of its own: read as any other
            reading = self.assess.run(
                self.rewriter.rewrite(question, history, focus and focus.label()), request)
        else:
            reading = self.assess.run(with_previous(question, history) or question, request,
                                      form=question)
        return self.within(reading, focus, request) if focus else reading

    def searched_with_previous(self, request: Request) -> Assessment:
        """A question that may point back with a demonstrative ('wie vertelt dat voorbeeld?'):
        answered as asked, its passages taken in turn from its own search and from a search
        joined to the previous question. A standalone question keeps its own first passage and
        confidence; a follow-up finds the passage its topic needs among the first few."""
        alone = self.assess.run(request.question, request)
        if alone.level == "geen":
            return alone
        history = list(request.history)
        joined = self.assess.run(with_previous(request.question, history) or request.question,
                                 request, form=request.question)
        hits: dict[str, Hit] = {}
        lists = [alone.retrieved.hits, joined.retrieved.hits]
        if joined.agreement > alone.agreement:
            lists.reverse()
        for pair in zip_longest(*lists):
            hits.update((hit.chunk_id, hit) for hit in pair if hit and hit.chunk_id not in hits)
        return replace(alone, retrieved=replace(alone.retrieved,
                                                hits=list(hits.values())[:request.k]),
                       searched_with=as_read(history[-1].question, history[:-1]))

    def focus(self, question: str, request: Request) -> Focus | None:
        """The part the follow-up names, in the wegwijzer the previous answer came from (its
        question searched again, with the one before when it pointed back too)."""
        asked = set(self.assess.passages.vocabulary.terms(question))
        named = tuple(sorted(part for part, terms in self.parts.items() if terms and terms <= asked))
        if not named:
            return None
        history = list(request.history)
        previous = as_read(history[-1].question, history[:-1])
        hits = self.assess.search.retrieve(previous, request.k, request.filters).hits
        place = next((h.place for h in hits[:3] if h.place.wegwijzer is not None), None)
        if place is None:
            return None
        return Focus(place.publication_id, place.wegwijzer, place.wegwijzer_title or "", named)

    def within(self, reading: Assessment, focus: Focus, request: Request) -> Assessment:
        """The reading with the best passage of the focus first, when there is one to answer."""
        if reading.level == "geen":
            return reading
        inside = Filters(focus.publication, focus.wegwijzer)
        found = self.assess.search.retrieve(reading.query, request.k, inside).hits
        best = next((h for h in found if h.place.part in focus.parts), None)
        if best is None or not request.filters.accepts(best.place):
            return reading
        hits = [best] + [h for h in reading.retrieved.hits if h.chunk_id != best.chunk_id]
        return replace(reading, retrieved=replace(reading.retrieved, hits=hits[:request.k]),
                       focus=replace(focus, parts=(best.place.part,)))


class ChooseOverview:
    """A question about the structure of the publications gets a list from the catalog."""

    def __init__(self, overviews: OverviewIndex, passages: PassageIndex,
                 query_vector: QueryEncoder) -> None:
        self.overviews, self.passages, self.query_vector = overviews, passages, query_vector

    def run(self, request: Request, reading: Assessment) -> Selection:
        selection = Selection(reading, reading.retrieved.hits, reading.level)
        # Without confidence, only a question that names a list gets one: measured on core and
        # blind, out-of-scope questions otherwise drew the list closest to them.
        if not selection.hits or (selection.level == "geen"
                                  and not self.overviews.named(reading.query)):
            return selection
        if not asks_for_a_list(request.question):
            return selection  # a yes/no question asks for a judgement (asked.asks_for_a_list)
        overview = self.overviews.match(reading.query, self.query_vector(reading.query),
                                        selection.hits)
        if overview is None or not all(request.filters.accepts(self.passages.places[i.position])
                                       for i in overview.items):
            return selection  # none, or a list that cites passages outside the filters
        # The list comes from the catalog: no doubt about it.
        return Selection(reading, overview_hits(overview, self.passages, selection.hits,
                                                self.overviews.anchors_of(overview)),
                         "hoog", overview)


def one_source_per_place(hits: Sequence[Hit]) -> list[Source]:
    """The hits as numbered sources, in rank order; passages of one place (two parts of one
    story) are one source, their texts in the order of the publication, so the same label is
    never shown twice."""
    places: dict[Any, list[Hit]] = {}
    for hit in hits:
        places.setdefault(hit.place, []).append(hit)
    sources = []
    for marker, group in enumerate(places.values(), start=1):
        source = Source.from_hit(marker, group[0])
        in_order = sorted(group, key=lambda hit: hit.position)
        sources.append(replace(source, quote="\n\n".join(hit.text for hit in in_order)))
    return sources


class Compose:
    """The answer's events: notices, the sources, the text, then the complete Answer."""

    def __init__(self, answerer: Answerer, passages: PassageIndex, idf: dict[str, float]) -> None:
        self.answerer, self.passages, self.idf = answerer, passages, idf

    def run(self, request: Request, selection: Selection) -> Iterator[AnswerEvent]:
        reading = selection.reading
        sources = [replace(s, research_refs=self.passages.research_refs(s.place.research_pages))
                   for s in one_source_per_place(selection.hits)]
        answer = Answer(question=request.question, answer="", refused=selection.level == "geen",
                        sources=sources, id=request.id,
                        notices=list(request.notices), resolved_question=reading.query,
                        confidence=selection.level, probability=reading.probability,
                        assessment=reading, focus=reading.focus and reading.focus.label(),
                        searched_with=reading.searched_with)
        doubt = DISAGREE if reading.places_disagree else UNSURE
        answer.notices += ([doubt] if answer.confidence == "onzeker" else []) + (
            [OTHER_LANGUAGE] if reading.foreign and not answer.refused else [])
        answer.timings_ms["retrieve"] = (time.perf_counter() - request.started) * 1000
        started = time.perf_counter()
        for notice in answer.notices:
            yield Notice(notice)
        missing = self.missing_fact(reading) if answer.refused else None
        if missing is not None:
            yield from self.partial(request, reading, answer, missing)
            return
        if answer.refused or selection.overview is not None:
            answer.answer = self.fixed_text(answer, selection)
            yield SourcesFound(answer.sources)
            yield TextDelta(answer.answer)
        else:
            for event in self.answerer.stream(reading.query, answer.sources, request.history):
                if not isinstance(event, Answer):
                    yield event
                    continue
                answer = replace(event, question=answer.question, id=answer.id,
                                 notices=answer.notices + event.notices,
                                 resolved_question=answer.resolved_question, focus=answer.focus,
                                 searched_with=answer.searched_with,
                                 confidence=answer.confidence, probability=answer.probability,
                                 timings_ms=answer.timings_ms, assessment=reading)
                if answer.refused:  # the model's refusal reads as ours, with the nearest passages
                    answer.answer = self.fixed_text(answer, selection)
        answer.timings_ms["answer"] = (time.perf_counter() - started) * 1000
        answer.timings_ms["total"] = answer.timings_ms["retrieve"] + answer.timings_ms["answer"]
        yield answer

    @staticmethod
    def missing_fact(reading: Assessment) -> str | None:
        """For a refused question that asks for a number, a date or a name, on a topic the corpus
        knows (no name it never mentions): how to say which fact is missing."""
        asked = asked_for(reading.query)
        if asked is None or reading.signals.get("missing_name") or not reading.retrieved.hits:
            return None
        return MISSING_FACT.get(asked[0])

    def partial(self, request: Request, reading: Assessment, refusal: Answer,
                missing: str) -> Iterator[AnswerEvent]:
        """A refusal that names the missing fact, then quotes what the closest passages say
        about what was asked."""
        found = final_answer(self.answerer.stream(reading.query, refusal.sources, request.history))
        quoted = "" if found.refused else self.about(reading.query, found)
        if not quoted:
            refusal.answer = REFUSAL_WITH_SOURCES
            yield SourcesFound(refusal.sources)
            yield TextDelta(refusal.answer)
            yield refusal
            return
        text = f"Dat staat er niet in: de publicaties noemen geen {missing}. Wel staat er: {quoted}"
        yield SourcesFound(found.sources)
        yield TextDelta(text)
        timings = refusal.timings_ms
        timings["total"] = (time.perf_counter() - request.started) * 1000
        timings["answer"] = timings["total"] - timings["retrieve"]
        yield replace(refusal, answer=text, sources=found.sources, partial=True)

    def about(self, question: str, answer: Answer) -> str:
        """The answer's sentences that hold the question's most specific word (its rarest corpus
        term), each with its marker and a story's with its author; '' when none does. Only
        those are about what was asked (docs/beslissingen/zekerheid.md)."""
        terms = [t for t in self.passages.vocabulary.terms(topic(question)) if t in self.idf]
        if not terms:
            return ""
        specific = max(terms, key=self.idf.__getitem__)
        author_of = {source.marker: source.place.story_author for source in answer.sources}
        kept, told = [], None
        for sentence, marker in cited_pieces(answer.answer):
            if specific not in self.passages.vocabulary.terms(sentence):
                continue
            author = author_of.get(marker)
            if author and author != told and not sentence.startswith(author):
                sentence = f"{author} {tells(author)}: {sentence}"
            told = author
            kept.append(sentence)
        return " ".join(kept)

    @staticmethod
    def fixed_text(answer: Answer, selection: Selection) -> str:
        """A refusal, or the catalog's list with the markers of the passages it cites."""
        if answer.refused:
            return REFUSAL_WITH_SOURCES if answer.sources else REFUSAL
        marker = {source.place: source.marker for source in answer.sources}
        marker_of = {hit.position: marker[hit.place] for hit in selection.hits}
        return overview_answer(selection.overview, marker_of,  # type: ignore[arg-type]
                               title_marker=answer.sources[0].marker)


@dataclass(frozen=True)
class Steps:
    clean: Clean
    follow_up: FollowUp
    overview: ChooseOverview
    compose: Compose

    def run(self, question: str, history: Sequence[Turn] | None = None,
            top_k: int | None = None, publication: str | None = None,
            wegwijzer: int | None = None, id: Any = None) -> Iterator[AnswerEvent]:
        request = self.clean.run(question, history, top_k, publication, wegwijzer, id)
        reading = self.follow_up.run(request)
        return self.compose.run(request, self.overview.run(request, reading))
