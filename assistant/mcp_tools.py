"""The MCP tools over the publications, served by Gradio's MCP server (/gradio_api/mcp/).

Gradio builds each tool from a method: its name, type hints and (Dutch) docstring with 'Args:'
and 'Returns:'. A tool returns JSON text, with sources as `wegwijzer ask --json` gives them.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import gradio as gr

from common.errors import WegwijzerError
from indexing.places import describe_place, format_pages

from .chat.service import kind_of, question_text
from .present.errors import describe
from .conversation import clean_question
from .model import Source

MAX_PASSAGES = 20
# In the order MCP clients list them; the chat's own endpoints (/chat, /ask) are no MCP tools.
TOOL_NAMES = ("zoek_passages", "lees_passage", "beantwoord", "routekaart")


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _argument(value: Any, name: str, optional: bool = False, number: bool = False) -> Any:
    """A text (or whole-number: no yes/no value) argument; anything else is the client's
    mistake (a Dutch error, nothing logged)."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    fits = whole if number else isinstance(value, str)
    if fits or (optional and value is None):
        return value
    wanted = "een geheel getal" if number else "tekst"
    raise WegwijzerError(f"'{name}' moet {wanted} zijn, geen {kind_of(value)}.")


def passage_json(source: Source) -> dict[str, Any]:
    """A source as `ask --json` gives it, with its citation line as `place`."""
    return {**source.to_json(), "place": describe_place(source.place)}


class PublicationTools:
    """Search, read, answer and the routekaart, over the index the Assistant serves."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant

    def _run(self, question: str, work: Callable[[], Any]) -> str:
        """Run a tool on the newest index: its JSON, or a Dutch error for the client."""
        try:
            self.assistant.refresh()
            return _json(work())
        except Exception as error:  # a Dutch message for every failure (present.errors)
            raise gr.Error(describe(error, question).message, print_exception=False) from None

    def zoek_passages(self, vraag: str, publicatie: str | None = None,
                      wegwijzer: int | None = None, aantal: int = 5) -> str:
        """Zoek in de publicaties van de VNG Denktank 'Werkende samenwerking' (2018) de passages
        die het best bij een vraag passen, de beste eerst. Geeft de passages zelf, geen antwoord.

        Args:
            vraag: de vraag of de zoekwoorden, in het Nederlands
            publicatie: alleen deze publicatie (een publication_id, bijvoorbeeld 'jaarbericht-2018-werkende-samenwerking'); leeg laten voor alle publicaties
            wegwijzer: alleen deze wegwijzer van de routekaart (1 tot en met 10); leeg laten voor alle
            aantal: hoeveel passages (1 tot en met 20; standaard 5)

        Returns:
            JSON met de vraag en de passages: per passage chunk_id, de tekst (quote), de plaats (publicatie, wegwijzer, onderdeel, pagina's) en de score
        """
        def work() -> dict[str, Any]:
            text, _ = clean_question(question_text(vraag))
            _argument(publicatie, "publicatie", optional=True)
            _argument(wegwijzer, "wegwijzer", optional=True, number=True)
            if not 1 <= _argument(aantal, "aantal", number=True) <= MAX_PASSAGES:
                raise WegwijzerError(f"Het aantal passages moet van 1 tot en met {MAX_PASSAGES} "
                                     f"zijn, niet {aantal}. Laat 'aantal' weg voor 5.")
            hits = self.assistant.search(text, int(aantal), publicatie or None, wegwijzer or None)
            return {"question": text, "publication": publicatie or None,
                    "wegwijzer": wegwijzer or None,
                    "passages": [passage_json(Source.from_hit(rank, hit))
                                 for rank, hit in enumerate(hits, start=1)]}

        return self._run(vraag, work)

    def lees_passage(self, chunk_id: str) -> str:
        """Lees één passage uit de publicaties helemaal, met de plaats waar ze staat.

        Args:
            chunk_id: het chunk_id van de passage, uit zoek_passages of beantwoord

        Returns:
            JSON met chunk_id, de volledige tekst (quote) en de plaats (publicatie, wegwijzer, onderdeel, pagina's, pagina's van het onderzoeksrapport)
        """
        def work() -> dict[str, Any]:
            text = _argument(chunk_id, "chunk_id", optional=True) or ""
            hit = self.assistant.passage(text.strip())
            if hit is None:
                raise WegwijzerError(f"Passage '{chunk_id}' staat niet in de index. Gebruik een "
                                     f"chunk_id uit zoek_passages of beantwoord.")
            data = passage_json(Source.from_hit(1, hit))
            del data["marker"], data["score"]  # a passage read on its own has no rank
            return data

        return self._run(chunk_id, work)

    def beantwoord(self, vraag: str) -> str:
        """Beantwoord een vraag uit de publicaties, zoals de chat van Wegwijzer dat doet: een antwoord met bronnummers [n] en de bronnen. Staat het antwoord er niet in, dan zegt het antwoord dat (refused).

        Args:
            vraag: de vraag, in het Nederlands

        Returns:
            JSON zoals 'wegwijzer ask --json': answer (met [n]), refused, confidence (hoog, onzeker of geen) en sources (per bron marker, chunk_id, plaats, pagina's en quote)
        """
        return self._run(vraag, lambda: self.assistant.ask(question_text(vraag)).to_json())

    def routekaart(self) -> str:
        """De routekaart van het Jaarbericht 2018 'Werkende samenwerking': de tien wegwijzers voor regionale samenwerking, elk met titel, pagina's, verhalen en handreiking.

        Returns:
            JSON met per wegwijzer number, title, pages, stories (titel en auteur), research_pages (pagina's van het onderzoeksrapport) en handreiking (de teksten van 'Een handreiking')
        """
        def work() -> dict[str, Any]:
            return {"wegwijzers": [{
                "number": stop.number, "title": stop.title, "pages": stop.pages,
                "page_text": format_pages(stop.pages),
                "stories": [{"title": title, "author": author} for title, author in stop.stories],
                "research_pages": list(stop.research_pages),
                "handreiking": list(stop.handreiking),
            } for stop in self.assistant.catalog.wegwijzers]}

        return self._run("routekaart", work)


def register(tools: PublicationTools) -> None:
    """The four tools as Gradio API endpoints (and so MCP tools), inside the Blocks. Not queued:
    the MCP server then calls them directly, not through a client that a login would stop."""
    for name in TOOL_NAMES:
        gr.api(getattr(tools, name), api_name=name, queue=False)


def keep_only_publication_tools(server: Any) -> None:
    """Make Gradio's MCP server offer only the four tools, not every API endpoint: its schema,
    tools/list and tools/call all read `tool_to_endpoint` (gradio/mcp.py)."""
    server.tool_to_endpoint = {tool: endpoint for tool, endpoint in server.tool_to_endpoint.items()
                               if tool in TOOL_NAMES}
