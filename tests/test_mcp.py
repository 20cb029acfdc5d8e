"""The MCP tools (issue 13): the `mcp` Python client against the running `wegwijzer serve`
(Gradio's MCP server at /gradio_api/mcp/), on the real index."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable

import httpx
import pytest
from chat_support import chat_server  # noqa: F401  (fixture)
from waiting import READY_CEILING_S
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from indexing.places import describe_place

TOOLS = {"zoek_passages", "lees_passage", "beantwoord", "routekaart"}
ANSWERABLE = "Wat is een attractieve agenda?"


def with_session(url: str, work: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    """Run `work` in an initialised MCP session with the server at `url`."""

    async def run() -> Any:
        async with httpx.AsyncClient(timeout=READY_CEILING_S) as http:
            async with streamable_http_client(f"{url}gradio_api/mcp/", http_client=http) as (
                    read, write, _):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    return await work(session)

    return asyncio.run(run())


def call(url: str, tool: str, **arguments: Any) -> Any:
    """One tool call: its result (content and isError)."""
    return with_session(url, lambda session: session.call_tool(tool, arguments))


def result_json(result: Any) -> Any:
    assert not result.isError, result.content
    return json.loads(result.content[0].text)


@pytest.fixture(scope="module")
def url(chat_server: Any) -> str:  # noqa: F811
    return chat_server.url


def test_the_server_lists_exactly_the_four_tools_with_typed_parameters(url: str) -> None:
    tools = {tool.name: tool for tool in with_session(url, lambda s: s.list_tools()).tools}

    assert set(tools) == TOOLS  # the chat's own endpoints are no tools
    search = tools["zoek_passages"].inputSchema
    assert search["required"] == ["vraag"]
    assert search["properties"]["vraag"]["type"] == "string"
    assert {"type": "integer"} in search["properties"]["wegwijzer"]["oneOf"]
    assert {"type": "string"} in search["properties"]["publicatie"]["oneOf"]
    assert search["properties"]["aantal"] == {
        "type": "integer", "default": 5, "description": "hoeveel passages (1 tot en met 20; standaard 5)"}
    assert tools["lees_passage"].inputSchema["required"] == ["chunk_id"]
    assert tools["routekaart"].inputSchema["properties"] == {}
    # The descriptions are Dutch.
    assert tools["zoek_passages"].description.startswith("Zoek in de publicaties")
    assert "wegwijzers" in tools["routekaart"].description
    assert "de vraag, in het Nederlands" == tools["beantwoord"].inputSchema["properties"]["vraag"][
        "description"]


def test_the_schema_lists_the_same_four_tools_and_the_chat_endpoints_are_no_tools(url: str) -> None:
    schema = httpx.get(f"{url}gradio_api/mcp/schema", timeout=READY_CEILING_S).json()
    assert sorted(tool["name"] for tool in schema) == sorted(TOOLS)

    for name, arguments in (("ask", {"question": ANSWERABLE}),
                            ("respond", {"text": ANSWERABLE})):
        refused = call(url, name, **arguments)
        assert refused.isError, (name, refused.content)
        assert "answer" not in refused.content[0].text


def test_zoek_passages_finds_passages_with_their_place_and_pages(url: str, assistant: Any) -> None:
    found = result_json(call(url, "zoek_passages", vraag=ANSWERABLE, wegwijzer=2, aantal=3))

    passages = found["passages"]  # at most 3: retrieval drops passages far below the best
    assert 1 <= len(passages) <= 3
    assert [p["marker"] for p in passages] == list(range(1, len(passages) + 1))
    assert {p["wegwijzer"] for p in passages} == {2}
    assert all(p["pages"] and p["place"].startswith("Jaarbericht") and "p. " in p["place"]
               for p in passages), passages
    expected = assistant.search(ANSWERABLE, 3, None, 2)
    assert [p["chunk_id"] for p in passages] == [hit.chunk_id for hit in expected]

    refused = call(url, "zoek_passages", vraag=ANSWERABLE, wegwijzer=12)
    assert refused.isError and "Wegwijzer 12 bestaat niet" in refused.content[0].text


def test_lees_passage_reads_one_passage_in_full(url: str, assistant: Any) -> None:
    found = result_json(call(url, "zoek_passages", vraag=ANSWERABLE))
    chunk_id = found["passages"][0]["chunk_id"]

    passage = result_json(call(url, "lees_passage", chunk_id=chunk_id))
    hit = assistant.passage(chunk_id)
    assert passage["chunk_id"] == chunk_id
    assert passage["quote"] == hit.text
    assert passage["place"] == describe_place(hit.place)
    assert "marker" not in passage and "score" not in passage

    missing = call(url, "lees_passage", chunk_id="bestaat/niet/1")
    assert missing.isError
    assert "Passage 'bestaat/niet/1' staat niet in de index" in missing.content[0].text


def test_beantwoord_and_routekaart(url: str, assistant: Any) -> None:
    answer = result_json(call(url, "beantwoord", vraag=ANSWERABLE))
    expected = assistant.ask(ANSWERABLE).to_json()
    assert answer["answer"] == expected["answer"] and answer["sources"] == expected["sources"]

    routekaart = result_json(call(url, "routekaart"))["wegwijzers"]
    assert [stop["number"] for stop in routekaart] == list(range(1, 11))
    assert all(stop["title"] and stop["pages"] and stop["handreiking"] for stop in routekaart)
    assert any(stop["stories"] for stop in routekaart)
