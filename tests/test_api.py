"""The OpenAI-compatible API (issue 13): the official `openai` client against a running
`wegwijzer serve`, started here on 127.0.0.1 with WEGWIJZER_API_KEY set; and the pure pieces
(the answer as Markdown, streaming it, reading earlier answers back).
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import Any, Iterator

import cmarkgfm
import pytest
import uvicorn
from chat_support import ChatServer, free_port, start_server
from fastapi import FastAPI
from markdown_it import MarkdownIt
from openai import AuthenticationError, BadRequestError, NotFoundError, OpenAI
from openai_stub import OpenAIStub, Reply
from starlette.testclient import TestClient
from waiting import READY_CEILING_S

from assistant.api import ApiError, OpenAIApi, parse_chat_request
from assistant.chat.guard import API_LOGIN_MESSAGE
from assistant.chat.layout import build_app
from assistant.chat.server import launch_options
from assistant.present.markdown import MarkdownStream, answer_markdown, strip_answer_markdown
from assistant.model import Answer, Notice, Source, SourcesFound, TextDelta, Turn
from assistant.service import Assistant
from common.settings import Settings
from indexing.places import Place

API_KEY = "test-sleutel-13"
ANSWERABLE = "Wat is een attractieve agenda?"
FOLLOW_UP = "en wat zegt het onderzoek daarover?"
TUSSENBERICHT = "tussenbericht-2018-regionale-samenwerking-next-level"


@pytest.fixture(scope="module")
def api_server(built_index: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    """`wegwijzer serve` with an API key, on a private copy of the session's index."""
    root = tmp_path_factory.mktemp("api-server")
    shutil.copytree(built_index.settings.data_dir, root / "data")
    server = start_server(root / "data", root / "server.log",
                          extra_env={"WEGWIJZER_API_KEY": API_KEY})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def client(api_server: ChatServer) -> OpenAI:
    return OpenAI(base_url=f"{api_server.url}v1", api_key=API_KEY, max_retries=0, timeout=READY_CEILING_S)


def markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def ask(client: OpenAI, *messages: str, **options: Any) -> Any:
    """A chat completion for alternating user/assistant messages (the last one a question)."""
    roles = ["user", "assistant"]
    return client.chat.completions.create(
        model=options.pop("model", "wegwijzer"),
        messages=[{"role": roles[i % 2], "content": text} for i, text in enumerate(messages)],
        **options)


def rendered(markdown: str) -> str:
    """What a chat front-end shows: CommonMark with raw HTML allowed (the strictest case)."""
    return MarkdownIt("commonmark").render(markdown)


def rendered_linkified(markdown: str) -> list[str]:
    """What chat front-ends that link bare addresses show: GitHub's GFM (autolinks) and
    markdown-it with linkify (fuzzy domain names too, as in Open WebUI)."""
    return [cmarkgfm.github_flavored_markdown_to_html(markdown),
            MarkdownIt("gfm-like").render(markdown)]


def api_app(api: OpenAIApi) -> FastAPI:
    """The API alone, as a FastAPI app (the chat server passes the same routes to Gradio's)."""
    app = FastAPI()
    app.include_router(api.router)
    return app


# --- end to end, with the openai client -----------------------------------------------------


def test_models_lists_wegwijzer_and_one_per_publication(client: OpenAI, assistant: Any) -> None:
    ids = [model.id for model in client.models.list()]

    publications = sorted(assistant.catalog.publication_titles)
    assert ids == ["wegwijzer"] + [f"wegwijzer-{p}" for p in publications]
    assert f"wegwijzer-{TUSSENBERICHT}" in ids
    assert client.models.retrieve(f"wegwijzer-{TUSSENBERICHT}").id == f"wegwijzer-{TUSSENBERICHT}"


def test_answer_has_markers_a_sources_list_and_the_sources_of_ask_json(
        client: OpenAI, assistant: Any) -> None:
    response = ask(client, ANSWERABLE)

    content = response.choices[0].message.content
    assert response.choices[0].finish_reason == "stop"
    expected = assistant.ask(ANSWERABLE).to_json()
    # The structured sources are exactly those of `wegwijzer ask --json`.
    assert response.model_extra["sources"] == expected["sources"]
    text, _, listed = content.partition("\n\n**Bronnen**\n\n")
    assert text == expected["answer"], content
    assert markers(text) and markers(text) <= {s["marker"] for s in expected["sources"]}
    lines = listed.splitlines()
    assert [int(re.match(r"- \[(\d+)\] ", line).group(1)) for line in lines] == \
        [s["marker"] for s in expected["sources"]]
    assert any(re.search(r"Wegwijzer \d+ '.+' · .* · p\. \d+", line) for line in lines), lines


def test_streamed_chunks_join_to_the_same_text(client: OpenAI) -> None:
    whole = ask(client, ANSWERABLE)
    chunks = list(ask(client, ANSWERABLE, stream=True))

    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(pieces) >= 3, pieces  # streamed, not sent in one piece
    assert "".join(pieces) == whole.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.id == chunks[0].id and c.object == "chat.completion.chunk" for c in chunks)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["sources"] == whole.model_extra["sources"]
    assert all("sources" not in (c.model_extra or {}) for c in chunks[:-1])


def test_earlier_messages_make_a_follow_up(client: OpenAI, assistant: Any) -> None:
    first = ask(client, ANSWERABLE).choices[0].message.content
    follow = ask(client, ANSWERABLE, first, FOLLOW_UP)

    content = follow.choices[0].message.content
    assert f"_Vraag begrepen als:_ {ANSWERABLE} {FOLLOW_UP}" in content, content
    # The same answer as the Assistant gives with the first exchange as history.
    earlier = assistant.ask(ANSWERABLE)
    expected = assistant.ask(FOLLOW_UP, history=[Turn(ANSWERABLE, earlier.answer)])
    assert follow.model_extra["sources"] == expected.to_json()["sources"]
    alone = ask(client, FOLLOW_UP).choices[0].message.content
    assert "Vraag begrepen als" not in alone


def test_a_publication_model_answers_from_that_publication_only(client: OpenAI) -> None:
    response = ask(client, ANSWERABLE, model=f"wegwijzer-{TUSSENBERICHT}")

    sources = response.model_extra["sources"]
    assert sources and {s["publication_id"] for s in sources} == {TUSSENBERICHT}


def test_html_and_markdown_in_the_question_come_back_as_text(client: OpenAI) -> None:
    question = "<script>alert('x')</script> **Wat** is een [attractieve agenda](http://example.org/x)?"
    first = ask(client, question).choices[0].message.content
    # The follow-up is read together with the question, which comes back as 'Vraag begrepen als'.
    follow = ask(client, question, first, FOLLOW_UP).choices[0].message.content

    assert "Vraag begrepen als" in follow, follow
    for content in (first, follow):
        page = rendered(content)
        assert "<script" not in page and "<a " not in page and "<img" not in page, page
        assert "<strong>Wat</strong>" not in page
    page = rendered(follow)
    assert "&lt;script&gt;alert('x')&lt;/script&gt; **Wat** is een [attractieve agenda]" \
           "(<code>http://example.org/x</code>)?" in page.replace("&quot;", '"'), page
    for page in rendered_linkified(follow):
        assert "<a " not in page and "<code>http://example.org/x</code>" in page, page


def test_addresses_never_become_links_in_a_gfm_client() -> None:
    text = ("Zie https://vng.nl/denktank, www.werk.nl of vng.nl en mail denktank@vng.nl [1]. "
            "Of (http://example.org/a_(b)).")
    answer = Answer(question="Waar staat www.vng.nl?", answer=text, refused=False,
                    sources=[_source(1)], notices=["Zie ook https://x.nl."],
                    unsupported=["Kijk op www.example.com!"],
                    resolved_question="Waar staat www.vng.nl? mailto:a@b.nl")
    content = answer_markdown(answer)
    for page in [rendered(content), *rendered_linkified(content)]:
        assert "<a " not in page, page
        for address in ("https://vng.nl/denktank", "www.werk.nl", "vng.nl", "denktank@vng.nl",
                        "http://example.org/a_(b)", "https://x.nl", "www.example.com"):
            assert f"<code>{address}</code>" in page, (address, page)


def _post(url: str, body: bytes, key: str | None = API_KEY) -> tuple[int, dict[str, Any]]:
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=READY_CEILING_S) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _openai_error(body: dict[str, Any]) -> dict[str, Any]:
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def test_a_malformed_body_or_an_empty_question_is_a_400_in_dutch(
        client: OpenAI, api_server: ChatServer) -> None:
    url = f"{api_server.url}v1/chat/completions"
    deep = b'{"messages": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    for body in (b'{"model": "wegwijzer", "messages": [', b'[]', b'{"model": "wegwijzer"}',
                 b'{"messages": [{"role": "assistant", "content": "Hallo"}]}',
                 b'{"messages": [{"role": "robot", "content": "Hallo"}]}',
                 b'{"messages": [{"role": ["user"], "content": "Hallo"}]}',
                 b'{"messages": [{"role": {"a": 1}, "content": "Hallo"}]}',
                 b'{"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}',
                 deep):
        status, answer = _post(url, body)
        error = _openai_error(answer)
        assert status == 400, (body[:80], answer)
        assert error["type"] == "invalid_request_error"
        assert "Voorbeeld van een geldige aanvraag" in error["message"], error
    # A client's mistake is no server error: no traceback, and the connection stays usable.
    connection = http.client.HTTPConnection(api_server.url.split("/")[2], timeout=READY_CEILING_S)
    headers = {"content-type": "application/json", "authorization": f"Bearer {API_KEY}"}
    for body in (deep, json.dumps({"messages": [{"role": "user", "content": ANSWERABLE}]})):
        connection.request("POST", "/v1/chat/completions", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status in (400, 200)
    assert response.status == 200
    connection.close()
    assert "Traceback" not in api_server.log_tail(200_000)

    with pytest.raises(BadRequestError) as empty:
        ask(client, " \n\t ")
    error = _openai_error(empty.value.response.json())
    assert error["code"] == "empty_question" and error["param"] == "messages"
    assert error["message"].startswith("De vraag is leeg")


def test_an_unknown_model_is_a_404_naming_the_models(client: OpenAI) -> None:
    with pytest.raises(NotFoundError) as unknown:
        ask(client, ANSWERABLE, model="gpt-4o")
    error = _openai_error(unknown.value.response.json())
    assert error["code"] == "model_not_found" and error["param"] == "model"
    assert "Het model 'gpt-4o' bestaat niet" in error["message"]
    assert f"wegwijzer-{TUSSENBERICHT}" in error["message"]
    with pytest.raises(NotFoundError):
        client.models.retrieve("wegwijzer-onbekend")


def test_without_the_api_key_the_api_and_mcp_answer_401(api_server: ChatServer) -> None:
    wrong = OpenAI(base_url=f"{api_server.url}v1", api_key="verkeerd", max_retries=0)
    with pytest.raises(AuthenticationError) as refused:
        ask(wrong, ANSWERABLE)
    error = _openai_error(refused.value.response.json())
    assert error["code"] == "invalid_api_key"
    assert "WEGWIJZER_API_KEY" in error["message"]
    with pytest.raises(AuthenticationError):
        wrong.models.list()
    # No key at all (the openai client always sends one), on the API and on the MCP server.
    question = json.dumps({"messages": [{"role": "user", "content": ANSWERABLE}]}).encode()
    tools = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    for route, body in (("v1/chat/completions", question), ("gradio_api/mcp/", tools)):
        status, answer = _post(api_server.url + route, body, key=None)
        assert status == 401 and _openai_error(answer)["code"] == "invalid_api_key", answer
    # The chat itself stays open: the key guards only the routes for programs.
    with urllib.request.urlopen(api_server.url, timeout=READY_CEILING_S) as page:
        assert page.status == 200


@pytest.mark.filterwarnings("ignore:.*no_silent_downcasting", "ignore:The copy keyword",
                            "ignore:This MCP server includes a tool that has a gr.State")
def test_with_a_login_and_no_key_the_api_needs_a_logged_in_browser(assistant: Any,
                                                                   built_index: Any) -> None:
    settings = built_index.settings.with_(auth=("raadslid", "geheim123"), port=free_port())
    demo = build_app(assistant, settings)
    demo.launch(prevent_thread_lock=True,
                **launch_options(settings, OpenAIApi(assistant).router.routes))
    try:
        url = f"http://127.0.0.1:{settings.port}/"
        request = urllib.request.Request(url + "v1/models")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=READY_CEILING_S)
        assert refused.value.code == 401
        assert _openai_error(json.loads(refused.value.read()))["message"] == API_LOGIN_MESSAGE
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        login = urllib.request.Request(url + "login", data=b"username=raadslid&password=geheim123",
                                       headers={"content-type": "application/x-www-form-urlencoded"})
        assert browser.open(login, timeout=READY_CEILING_S).status == 200
        with browser.open(url + "v1/models", timeout=READY_CEILING_S) as response:
            assert json.loads(response.read())["data"][0]["id"] == "wegwijzer"
    finally:
        demo.close()


# --- the pure pieces --------------------------------------------------------------------------


def _source(marker: int, title: str = "Jaarbericht 2018 'Werkende samenwerking'") -> Source:
    place = Place(publication_id="jaarbericht", publication_title=title, wegwijzer=4,
                  wegwijzer_title="Ken het netwerk", part="Uit het onderzoek", page_start=41,
                  page_end=44)
    return Source(marker=marker, chunk_id=f"c{marker}", place=place, quote="…")


HOSTILE_TEXT = ("Zie ![kaart](http://127.0.0.1:9/x.png) en <img src=x onerror=alert(1)> of "
                "[hier](javascript:alert(1)). **Vet** [1] [2](http://example.org) [3]: http://x\n"
                "- geen lijst\n1. geen lijst [12")


def test_answer_markdown_keeps_markers_and_shows_the_rest_as_text() -> None:
    answer = Answer(question="q", answer=HOSTILE_TEXT, refused=False,
                    sources=[_source(1, "Titel met <b>opmaak</b> en [link](http://x)"), _source(2)],
                    notices=["Let <i>op</i>"])
    content = answer_markdown(answer)
    page = rendered(content)

    for tag in ("<img", "<a ", "<b>", "<i>", "<ol", "<em>op", "<strong>Vet"):
        assert tag not in page, (tag, page)
    assert "[1]" in content and "[2]" in content and "[3]" in content
    assert page.count("<strong>") == 1 and "<strong>Bronnen</strong>" in page
    assert "- [1] Titel met \\<b\\>opmaak\\</b\\>" in content
    # The two sources and the answer's '- ' line (a list stays a list; nothing else becomes
    # structure: '1.' stays text).
    assert rendered(content).count("<li>") == 3 and "<li>geen lijst" in rendered(content)


def test_streamed_pieces_join_to_the_final_markdown_however_the_text_is_split() -> None:
    text = "Eerste zin [1] met *nadruk*. Tweede [12](x) zin [2]."
    answer = Answer(question="q", answer=text, refused=False, sources=[_source(1), _source(2)],
                    notices=["Niet zeker."])
    expected = answer_markdown(answer)
    for size in (1, 2, 3, 7, len(text)):
        for live in (True, False):
            stream = MarkdownStream(live=live)
            pieces = stream.feed(Notice("Niet zeker.")) + stream.feed(SourcesFound(answer.sources))
            for start in range(0, len(text), size):
                pieces += stream.feed(TextDelta(text[start:start + size]))
            assert live or not pieces  # without live text, nothing before the final answer
            pieces += stream.feed(answer)
            assert "".join(pieces) == expected, (size, live, pieces)


def test_an_earlier_answer_reads_back_as_its_text() -> None:
    answer = Answer(question="q", answer="Een *agenda* [1] met <b>haken</b> [2].", refused=False,
                    sources=[_source(1), _source(2)], notices=["Niet zeker."],
                    resolved_question="q en meer")
    assert strip_answer_markdown(answer_markdown(answer)) == answer.answer


def test_parse_chat_request_takes_the_last_user_message_and_the_turns_before() -> None:
    body = json.dumps({"model": "wegwijzer", "stream": True, "messages": [
        {"role": "system", "content": "Je bent een behulpzame assistent."},
        {"role": "user", "content": [{"type": "text", "text": "Vraag één"}]},
        {"role": "assistant", "content": "Antwoord [1]\n\n**Bronnen**\n\n- [1] bron"},
        {"role": "user", "content": "Vraag twee"}]}).encode()
    chat = parse_chat_request(body)

    assert chat.question == "Vraag twee" and chat.stream is True
    assert chat.history == [Turn("Vraag één", "Antwoord [1]")]
    with pytest.raises(ApiError) as bad:
        parse_chat_request(b'{"messages": [{"role": "user", "content": 5}]}')
    assert bad.value.status == 400 and bad.value.param == "messages"



USER = b'[{"role": "user", "content": "Hallo"}]'


@pytest.mark.parametrize(("body", "message", "param"), [
    (b'{"model": "wegwijzer", "messages": [', "De aanvraag is geen geldige JSON.", None),
    (b"", "De aanvraag is geen geldige JSON.", None),
    (b'{"messages": ' + b"[" * 5000 + b"]" * 5000 + b"}",
     "De aanvraag is te diep genest om te lezen.", None),
    (b"[]", "De aanvraag moet een JSON-object zijn.", None),
    (b'{"model": 5, "messages": []}', "'model' moet de naam van een model zijn", "model"),
    (b'{"model": " ", "messages": ' + USER + b"}", "'model' moet de naam van een model zijn",
     "model"),
    (b'{"stream": "ja", "messages": ' + USER + b"}", "'stream' moet true of false zijn.", "stream"),
    (b'{"model": "wegwijzer"}', "'messages' ontbreekt of is leeg", "messages"),
    (b'{"messages": {"role": "user"}}', "'messages' ontbreekt of is leeg", "messages"),
    (b'{"messages": ["Hallo"]}', "messages[0] moet een object met 'role' en 'content' zijn.",
     "messages"),
    (b'{"messages": [{"role": "user", "content": "a"}, {"content": "b"}]}',
     "messages[1] heeft een onbekende role 'None'; gebruik 'user' of 'assistant'", "messages"),
    (b'{"messages": [{"role": ["user"], "content": "Hallo"}]}',
     "messages[0] heeft een onbekende role \"['user']\";", "messages"),
    (b'{"messages": [{"role": "user", "content": 5}]}',
     "messages[0].content moet tekst zijn (of een lijst onderdelen met type 'text').", "messages"),
    (b'{"messages": [{"role": "user", "content": ["Hallo"]}]}',
     "messages[0].content bevat een onderdeel dat geen object is.", "messages"),
    (b'{"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}',
     "messages[0].content: 'text' moet tekst zijn.", "messages"),
    (b'{"messages": [{"role": "user", "content": "Hallo"}, {"role": "assistant", "content": '
     b'"Dag"}, {"role": "system", "content": "x"}]}',
     "Het laatste bericht in 'messages' moet de vraag zijn (role 'user').", "messages"),
])
def test_a_malformed_request_names_what_is_wrong(body: bytes, message: str,
                                                 param: str | None) -> None:
    with pytest.raises(ApiError) as bad:
        parse_chat_request(body)
    error = bad.value
    assert (error.status, error.code, error.param) == (400, "invalid_request", param)
    assert error.message.startswith(message), error.message
    assert "Voorbeeld van een geldige aanvraag: {" in error.message


def test_parts_that_are_not_text_and_unknown_fields_are_left_out() -> None:
    chat = parse_chat_request(json.dumps({
        "model": " wegwijzer ", "stream": None, "temperature": 0.2, "messages": [
            {"role": "user", "name": "raadslid", "content": [
                {"type": "text", "text": "Wat is"}, {"type": "image_url", "text": 5},
                {"type": "text", "text": "een agenda?"}]}]}).encode())
    assert (chat.model, chat.stream, chat.question, chat.history) == (
        "wegwijzer", False, "Wat is\neen agenda?", [])


class _AnswersEcho:
    """Just enough of an Assistant for the routes: one publication, answers that echo."""

    chat_model = None
    catalog = type("Catalog", (), {"publication_titles": {"jaarbericht": "Jaarbericht"}})()
    generation = type("Generation", (), {"name": "generatie-1"})()

    def refresh(self) -> bool:
        return False

    def stream(self, question: str, history: list[Turn], publication: str | None) -> Iterator[Any]:
        yield Answer(question=question, answer=f"U vroeg: {question}", refused=False, sources=[])


def test_every_route_answers_in_openai_shape_and_never_with_a_422() -> None:
    question = json.dumps({"messages": [{"role": "user", "content": "Hallo"}]})
    with TestClient(api_app(OpenAIApi(_AnswersEcho()))) as client:
        assert [m["id"] for m in client.get("/v1/models").json()["data"]] == \
            ["wegwijzer", "wegwijzer-jaarbericht"]
        assert client.head("/v1/models").status_code == 200
        # Not JSON by its header (curl -d), and a query: the body counts, nothing else.
        answered = client.post("/v1/chat/completions?stream=5", content=question,
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert answered.json()["choices"][0]["message"]["content"] == "U vroeg: Hallo"
        for method, path, body, status, code in [
                ("GET", "/v1/models/wegwijzer-onbekend", None, 404, "model_not_found"),
                ("POST", "/v1/chat/completions", '{"model": "x", "messages": [{"role": "user", '
                                                 '"content": "Hallo"}]}', 404, "model_not_found"),
                ("GET", "/v1/chat/completions", None, 405, "method_not_allowed"),
                ("POST", "/v1/models", question, 405, "method_not_allowed"),
                ("DELETE", "/v1/models/wegwijzer", None, 405, "method_not_allowed"),
                ("GET", "/v1", None, 404, "not_found"),
                ("GET", "/v1/elders?x=1", None, 404, "not_found"),
                ("POST", "/v1/chat/completions", '{"messages": 5}', 400, "invalid_request"),
                ("POST", "/v1/chat/completions", "", 400, "invalid_request"),
                ("POST", "/v1/chat/completions", '{"messages": [{"role": "user", '
                                                 '"content": "  "}]}', 400, "empty_question")]:
            response = client.request(method, path, content=body)
            assert (response.status_code, _openai_error(response.json())["code"]) == \
                (status, code), (method, path, body, response.text)


def test_the_api_key_comes_from_the_environment_and_stays_out_of_repr() -> None:
    settings = Settings.from_env({"WEGWIJZER_API_KEY": "geheim-13"})
    assert settings.api_key == "geheim-13" and "geheim-13" not in repr(settings)
    assert Settings.from_env({}).api_key is None


# --- with a language model: the checked answer, never the unchecked stream --------------------


UNSUPPORTED = "De gemeente Gouda betaalt alle kosten van de brandweer uit eigen zak [1]."


def test_with_a_language_model_the_stream_is_the_checked_answer(built_index: Any) -> None:
    def reply(messages: list[dict[str, Any]]) -> Reply:
        block = messages[-1]["content"].split("Bron [1]", 1)[1].split('"""')[1]
        first = next(s for s in re.split(r"(?<=[.!?])\s+", block.strip()) if len(s.split()) >= 6)
        return Reply(f"{first.rstrip('.')} [1][9]. {UNSUPPORTED}")

    stub = OpenAIStub(script=reply).start()
    try:
        settings = built_index.settings.with_(llm="openai:stub", llm_base_url=stub.base_url,
                                              llm_timeout=10)
        assistant = Assistant(settings, embeddings=built_index.embeddings)
        app = api_app(OpenAIApi(assistant))
        request = {"model": "wegwijzer", "messages": [{"role": "user", "content": ANSWERABLE}]}
        with TestClient(app) as client:
            whole = client.post("/v1/chat/completions", json=request).json()
            with client.stream("POST", "/v1/chat/completions",
                               json={**request, "stream": True}) as response:
                lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    finally:
        stub.stop()

    content = whole["choices"][0]["message"]["content"]
    # Checked: the marker to a missing source is gone, the unsupported claim is left out of the
    # answer and flagged under it.
    assert "[9]" not in content and "[1]" in content
    text, warning = content.split("\n\n_Weggelaten, niet teruggevonden in de bronnen: ", 1)
    assert "Gouda" not in text and warning.startswith("De gemeente Gouda")
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[len("data: "):]) for line in lines[:-1]]
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks]
    assert [p for p in pieces if p] == [content]  # one piece, after the check
    assert chunks[-1]["sources"] == whole["sources"]


def test_a_catalog_list_keeps_its_lines_in_markdown() -> None:
    text = "De 10 wegwijzers van de routekaart [1]:\n- Wegwijzer 1: Laat de feiten spreken [2]\n- Wegwijzer 2: Definieer samen de opgave [3]"
    answer = Answer(question="q", answer=text, refused=False,
                    sources=[_source(1), _source(2), _source(3)])
    content = answer_markdown(answer)
    body = rendered(content).split("<strong>Bronnen</strong>")[0]
    assert body.count("<li>") == 2 and "<br />" not in body  # the intro line and a list
    # Plain-text clients read it as typed: no escapes before the bullets or after the marker.
    assert content.startswith("De 10 wegwijzers van de routekaart [1]:\n- Wegwijzer 1: Laat de "
                              "feiten spreken [2]\n- Wegwijzer 2: ")
    assert strip_answer_markdown(content) == text
    for live in (True, False):
        stream = MarkdownStream(live=live)
        pieces = stream.feed(SourcesFound(answer.sources))
        for start in range(0, len(text), 5):
            pieces += stream.feed(TextDelta(text[start:start + 5]))
        assert "".join(pieces + stream.feed(answer)) == content


# --- bounds: request size, history, clients that leave -----------------------------------------


@contextmanager
def serving(app: Any) -> Iterator[tuple[str, int]]:
    """`app` served by uvicorn on a free loopback port, in this process."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + READY_CEILING_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=READY_CEILING_S)


def _completion(address: tuple[str, int], body: bytes | str, timeout: float = READY_CEILING_S
                ) -> tuple[int, dict[str, Any], float]:
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    started = time.perf_counter()
    connection.request("POST", "/v1/chat/completions", body=body,
                       headers={"content-type": "application/json"})
    response = connection.getresponse()
    data = json.loads(response.read())
    connection.close()
    return response.status, data, time.perf_counter() - started


def _request(question: str, history: list[str] = (), stream: bool = False) -> str:
    roles = ["user", "assistant"]
    messages = [{"role": roles[i % 2], "content": text} for i, text in enumerate(history)]
    return json.dumps({"model": "wegwijzer", "stream": stream,
                       "messages": messages + [{"role": "user", "content": question}]})


def test_a_long_history_costs_about_what_a_question_costs(built_index: Any) -> None:
    """A 100 kB history once took minutes of embedding; only what a follow-up needs is used."""
    assistant = Assistant(built_index.settings, embeddings=built_index.embeddings)
    with serving(api_app(OpenAIApi(assistant, concurrency=1))) as address:
        _completion(address, _request(ANSWERABLE))  # warm
        follow_up = [ANSWERABLE, "Een agenda [1].", FOLLOW_UP, "Het onderzoek [2]."]
        status, _, plain = _completion(address, _request(FOLLOW_UP, follow_up))
        assert status == 200
        history = ["Wat vindt de Denktank van regio's? " * 700, "Zie de bron [1]. " * 1500] * 2
        body = _request(FOLLOW_UP, history + follow_up)
        assert len(body) > 100_000
        status, data, long = _completion(address, body)
        assert status == 200 and data["choices"][0]["message"]["content"]
        print(f"follow-up with a short history {plain:.2f} s, with 100 kB {long:.2f} s")
        assert long < 5 * plain  # was hundreds of times slower
        status, _, _ = _completion(address, _request(ANSWERABLE))  # the one slot is free again
        assert status == 200


def test_a_body_over_the_limit_is_refused_while_it_is_read(built_index: Any) -> None:
    assistant = Assistant(built_index.settings, embeddings=built_index.embeddings)
    app = api_app(OpenAIApi(assistant, max_request_bytes=10_000))
    big = _request("Wat is een attractieve agenda? " * 1000)
    with serving(app) as address:
        status, data, _ = _completion(address, big)
        assert status == 413 and _openai_error(data)["code"] == "request_too_large"
        assert "WEGWIJZER_MAX_REQUEST_BYTES" in data["error"]["message"]
        # Without a Content-Length (chunked), the limit holds as the body arrives.
        connection = http.client.HTTPConnection(*address, timeout=READY_CEILING_S)
        connection.request("POST", "/v1/chat/completions", encode_chunked=True,
                           body=(big[i:i + 1000].encode() for i in range(0, len(big), 1000)),
                           headers={"content-type": "application/json"})
        response = connection.getresponse()
        assert response.status == 413 and b"request_too_large" in response.read()
        connection.close()


SLOW = "Wat is een attractieve agenda volgens de Denktank?"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_client_that_leaves_frees_its_slot_and_stops_the_model(built_index: Any,
                                                                  stream: bool) -> None:
    def reply(messages: list[dict[str, Any]]) -> Reply:
        block = messages[-1]["content"].split("Bron [1]", 1)[1].split('"""')[1]
        first = next(s for s in re.split(r"(?<=[.!?])\s+", block.strip()) if len(s.split()) >= 6)
        answer = f"{first.rstrip('.')} [1]."
        if SLOW in messages[-1]["content"]:  # a minute of output, a chunk a second
            return Reply(answer[:60], chunk_size=1, chunk_delay=1.0)
        return Reply(answer)

    stub = OpenAIStub(script=reply).start()
    try:
        settings = built_index.settings.with_(llm="openai:stub", llm_base_url=stub.base_url,
                                              llm_timeout=30, llm_deadline=300)
        assistant = Assistant(settings, embeddings=built_index.embeddings)
        with serving(api_app(OpenAIApi(assistant, concurrency=1))) as address:
            leaving = socket.create_connection(address, timeout=READY_CEILING_S)
            body = _request(SLOW, stream=stream).encode()
            leaving.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                            b"Content-Type: application/json\r\n"
                            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            _wait_until(lambda: stub.chunks_sent >= 2)  # the model is writing the slow answer
            leaving.close()
            status, data, _ = _completion(address, _request(ANSWERABLE))
            assert status == 200 and "[1]" in data["choices"][0]["message"]["content"]
            assert stub.chunks_sent < 40, stub.chunks_sent  # not after the slow one finished
            _wait_until(lambda: stub.closed_early == 1)  # and the slow stream was closed
    finally:
        stub.stop()


def _wait_until(condition: Any, ceiling_s: float = READY_CEILING_S) -> None:
    deadline = time.monotonic() + ceiling_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
