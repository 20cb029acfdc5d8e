"""The Assistant behind the chat: the newest index, answers as messages, Dutch errors only."""

from __future__ import annotations

import logging
import threading
from typing import Any, Iterator, Sequence

import gradio as gr

from common.errors import WegwijzerError
from common.settings import Settings
from indexing.places import WEGWIJZER_NUMBERS
from indexing.store import connection_lost

from ..model import Answer, Notice, SourcesFound, TextDelta, TextReset
from ..present.errors import describe
from ..present.html import (
    describe_filters,
    note_html,
    render_answer,
    render_error,
    render_partial,
    routekaart_html,
)
from .records import history_turns, make_record
from .texts import ALL_PUBLICATIONS, ALL_WEGWIJZERS

log = logging.getLogger("wegwijzer.chat")


class ChatService:

    def __init__(self, assistant: Any, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self._refresh_lock = threading.Lock()

    publication_titles = property(lambda self: self.assistant.catalog.publication_titles)
    wegwijzer_titles = property(lambda self: self.assistant.catalog.wegwijzer_titles)
    stops = property(lambda self: self.assistant.catalog.wegwijzers)

    def refresh_quietly(self) -> None:
        """Refresh on page load: an unreachable index is logged once, the page still loads."""
        try:
            self.refresh()
        except Exception as error:
            if not connection_lost(error):
                raise
            log.error("Index niet bereikbaar bij het laden van de pagina (%s)", type(error).__name__)

    def refresh(self) -> bool:
        """Serve the newest index generation if a re-index finished; True when it switched."""
        with self._refresh_lock:
            switched = self.assistant.refresh()
            if switched:
                log.info("Nieuwe indexgeneratie in gebruik: %s", self.assistant.generation.name)
            return switched

    def publication_choices(self) -> list[tuple[str, str]]:
        return [(ALL_PUBLICATIONS, "")] + [
            (title, pid) for pid, title in sorted(self.publication_titles.items())]

    def wegwijzer_choices(self) -> list[tuple[str, int]]:
        return [(ALL_WEGWIJZERS, 0)] + [
            (f"{n} · {self.wegwijzer_titles.get(n, f'Wegwijzer {n}')}", n)
            for n in self.assistant.catalog.wegwijzer_numbers or WEGWIJZER_NUMBERS]

    def routekaart_page(self, number: int) -> str:
        for stop in self.stops:
            if stop.number == number:
                return routekaart_html(stop.stories, stop.research_pages, stop.handreiking,
                                       self.assistant.research_refs(stop.research_pages))
        return note_html(f"Wegwijzer {number} staat niet (meer) in de index.")

    def ask(self, question: str) -> dict[str, Any]:
        """The /ask endpoint: the answer dict exactly as `wegwijzer ask --json` prints it."""
        try:
            question = question_text(question)
            self.refresh()
            return self.assistant.ask(question).to_json()
        except Exception as error:  # a Dutch message for every failure (present.errors)
            raise gr.Error(describe(error, question).message, print_exception=False) from None

    def stream(self, question: str, records: Sequence[dict[str, Any]], publication: str | None,
               wegwijzer: int | None) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """Yield (message markdown, None) while answering, then (final markdown, record)."""
        scope = describe_filters(publication, wegwijzer, self.publication_titles,
                                 self.wegwijzer_titles)
        where = dict(publication=publication, wegwijzer=wegwijzer, number=len(records) + 1)
        try:
            self.refresh()
            answer = None  # a stream always ends with its Answer
            text, notices, sources = "", [], []
            for event in self.assistant.stream(question, history=history_turns(records),
                                               publication=publication, wegwijzer=wegwijzer):
                if isinstance(event, Answer):
                    answer = event
                    continue
                if isinstance(event, Notice):
                    notices.append(event.text)
                elif isinstance(event, SourcesFound):
                    sources = event.sources  # shown before the text arrives
                elif isinstance(event, TextDelta):
                    text += event.text
                elif isinstance(event, TextReset):
                    text = ""
                yield render_partial(text, notices, sources), None
            yield render_answer(answer, scope=scope), make_record(question, answer, **where)
        except Exception as error:  # a Dutch message for every failure (present.errors)
            message = describe(error, question).message
            yield render_error(message), make_record(question, error=message, **where)


KINDS = ((bool, "ja/nee-waarde"), ((int, float), "getal"), ((list, tuple), "lijst"),
         (dict, "object"))


def kind_of(value: Any) -> str:
    """What a client sent instead of text or a number, in Dutch."""
    for kinds, name in KINDS:
        if isinstance(value, kinds):
            return name
    return f"waarde van het type {type(value).__name__}"


def question_text(value: Any) -> str | None:
    """A client's question as text; a number, list or object is the client's mistake (a Dutch
    error, nothing logged). None stays None: the assistant says the question is empty."""
    if value is None or isinstance(value, str):
        return value
    raise WegwijzerError(f"De vraag moet tekst zijn, geen {kind_of(value)}. Stuur de vraag als "
                         f"tekst, bijvoorbeeld: \"Wat is een attractieve agenda?\"")
