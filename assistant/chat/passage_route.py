"""The address of a passage (`/bron/<chunk id>`): a page with its section, the passage marked.
The chat links the research report's pages there; a chunk id stays the same over a re-index
that does not change the passage."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from common.errors import WegwijzerError

from ..present.html import passage_page, text_html

NOT_FOUND = ("Deze passage staat niet (meer) in de index. Stel je vraag opnieuw in de chat: "
             "de bronnen onder het antwoord wijzen naar de passages van nu.")


def passage_routes(assistant: Any) -> list[Route]:
    async def page(request: Request) -> HTMLResponse:
        chunk_id = request.path_params["chunk_id"]
        try:
            found = await run_in_threadpool(assistant.section_of, chunk_id)
        except WegwijzerError as error:
            return _message(str(error), 503)
        if found is None:
            return _message(NOT_FOUND, 404)
        hits, where = found
        return HTMLResponse(passage_page(hits, chunk_id, where))

    return [Route("/bron/{chunk_id:path}", page, methods=["GET"])]


def _message(text: str, status: int) -> HTMLResponse:
    return HTMLResponse(f'<!doctype html><html lang="nl"><head><meta charset="utf-8">'
                        f"<title>Wegwijzer</title></head><body><main><p>{text_html(text)}</p>"
                        f'<p><a href="/">Terug naar Wegwijzer</a></p></main></body></html>',
                        status_code=status)
