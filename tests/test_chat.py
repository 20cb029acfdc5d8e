"""The Gradio chat (issue 4): the real server over HTTP, and the pure pieces of assistant.chat.

The end-to-end tests start `wegwijzer serve` as a subprocess on a copy of the real index and
talk to it with gradio_client, as any client would.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from chat_support import REPO_ROOT, chat_server, free_port, start_server  # noqa: F401  (fixture)
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError
from markdown_it import MarkdownIt
from indexing_support import JAARBERICHT, PERSPECTIEF, STORIES, WEGWIJZERS, drop_publications
from waiting import READY_CEILING_S

from assistant.chat.layout import _assistant_index, build_app
from assistant.chat.records import (
    append_feedback,
    MAX_COMMENT_CHARS,
    feedback_record,
    history_turns,
    judge_vote,
    make_record,
)
from assistant.present import speech
from assistant.present.html import SEARCHING
from assistant.present.markdown import conversation_markdown, exchange_markdown
from assistant.chat.passage_route import passage_routes
from assistant.chat.server import launch_options
from assistant.chat.statement import AXE_VERSION, STATEMENT
from assistant.chat.service import ChatService
from assistant.model import Answer, Source
from assistant.present.errors import GENERIC_ERROR
from assistant.service import Assistant
from common.errors import WegwijzerError
from indexing.pipeline import Indexer

ANSWERABLE = "Wat is een attractieve agenda?"
OUT_OF_SCOPE = "Wat is de begroting van Gouda voor 2025?"
FOLLOW_UP = "en wat zegt het onderzoek daarover?"
COLOFON = "jaarbericht-2018-werkende-samenwerking/colofon/1"  # a passage's address (/bron/…)


@pytest.fixture(scope="module")
def assistant(built_index: Any) -> Assistant:
    """An in-process Assistant on the session's index (shares the loaded embedder)."""
    return Assistant(built_index.settings, embeddings=built_index.embeddings)


@pytest.fixture(scope="module")
def client(chat_server: Any) -> Client:  # noqa: F811
    return Client(chat_server.url, verbose=False)


def markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def message_text(message: dict[str, Any]) -> str:
    """The text of a chat message as gradio_client returns it (content: list of parts)."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


# --- end to end: /ask ------------------------------------------------------------------------


def test_ask_endpoint_answers_with_sources_like_the_cli(client: Client, assistant: Assistant) -> None:
    result = client.predict(ANSWERABLE, api_name="/ask")

    assert isinstance(result, dict), result
    assert result["refused"] is False, result["answer"]
    assert result["question"] == ANSWERABLE
    assert result["sources"], "an answer without sources"
    listed = {source["marker"] for source in result["sources"]}
    cited = markers(result["answer"])
    assert cited, f"no [n] markers in {result['answer']!r}"
    assert cited <= listed, f"markers {cited - listed} point at no listed source"
    assert any(s["wegwijzer"] and s["pages"] for s in result["sources"]), result["sources"]
    # The same JSON as `wegwijzer ask --json` (Answer.to_json), timings aside.
    expected = assistant.ask(ANSWERABLE).to_json()
    assert set(result) == set(expected)
    result.pop("timings_ms")
    expected.pop("timings_ms")
    # Scores may differ in the last printed digit: the query is embedded in another
    # batch/thread, and float sums are not associative.
    for got, want in zip(result["sources"], expected["sources"], strict=True):
        assert got.pop("score") == pytest.approx(want.pop("score"), abs=2e-3)
    assert result == expected


def test_ask_endpoint_refuses_out_of_scope(client: Client) -> None:
    result = client.predict(OUT_OF_SCOPE, api_name="/ask")

    assert result["refused"] is True
    assert result["answer"].startswith("Dat staat er niet in"), result["answer"]


def test_ask_endpoint_reports_a_bad_question_in_dutch(client: Client) -> None:
    with pytest.raises(AppError) as caught:
        client.predict("   ", api_name="/ask")

    message = str(caught.value)
    assert "De vraag is leeg" in message
    assert "Traceback" not in message


# --- end to end: the streamed chat -----------------------------------------------------------


def test_chat_streams_the_answer_then_shows_cited_sources(chat_server: Any) -> None:  # noqa: F811
    client = Client(chat_server.url, verbose=False)
    job = client.submit(ANSWERABLE, [], "", 0, api_name="/chat")
    final = job.result(timeout=READY_CEILING_S)
    updates = job.outputs()

    texts = [message_text(output[0][-1]) for output in updates if output[0]]
    distinct = list(dict.fromkeys(texts))
    assert len(distinct) >= 3, f"expected a stream of growing answers, got {distinct}"
    assert distinct[0] == SEARCHING
    # The sources are shown as soon as they are found, before the answer text is complete.
    assert "<details>" in distinct[1], "the sources should appear before the text"

    history = final[0]
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert message_text(history[0]) == f"<p>{ANSWERABLE}</p>"
    answer = message_text(history[1])
    body, _, sources = answer.partition("<strong>Bronnen</strong>")
    assert sources, f"no sources block in {answer!r}"
    cited = markers(body)
    summaries = re.findall(r"<summary>\[(\d+)\] (.+?)</summary>", sources)
    assert cited and cited <= {int(n) for n, _ in summaries}, (cited, summaries)
    assert any(re.search(r"Wegwijzer \d+ &#x27;.+&#x27; .*p\. \d+", line)
               for _, line in summaries), summaries
    assert "<blockquote><p>" in sources, "the quoted passages are missing"
    # The Markdown export travels with the answer (the browser saves it; no file on the server).
    exported = final[-1]  # the API leaves out the state and the button
    assert exported.startswith("# Gesprek met Wegwijzer"), exported[:200]
    assert exported.count("## Vraag 1") == 1 and ANSWERABLE in exported

    # A follow-up in the same session is read together with the previous question.
    follow = client.submit(FOLLOW_UP, history, "", 0, api_name="/chat").result(
        timeout=READY_CEILING_S)
    follow_text = message_text(follow[0][-1])
    assert len(follow[0]) == 4
    assert f"<em>Vraag begrepen als:</em> {ANSWERABLE} {FOLLOW_UP}" in follow_text, follow_text


def test_chat_shows_user_html_as_text(chat_server: Any) -> None:  # noqa: F811
    client = Client(chat_server.url, verbose=False)
    question = "<script>alert('x')</script> <b>Wat</b> is een attractieve agenda?"
    final = client.submit(question, [], "", 0, api_name="/chat").result(
        timeout=READY_CEILING_S)

    shown = message_text(final[0][0])
    assert "<script" not in shown and "<b>" not in shown, shown
    assert "&lt;script&gt;" in shown
    assert all("<script" not in message_text(m) for m in final[0])


def test_chat_strips_control_characters_from_the_users_bubble(chat_server: Any) -> None:  # noqa: F811
    client = Client(chat_server.url, verbose=False)
    question = "Wat is een \u202eattractieve\u202c agenda?\x07"
    final = client.submit(question, [], "", 0, api_name="/chat").result(
        timeout=READY_CEILING_S)

    shown = message_text(final[0][0])
    assert "attractieve" in shown
    assert not any(ch in shown for ch in "\u202e\u202c\x07"), ascii(shown)


def test_chat_wegwijzer_filter_limits_the_sources(chat_server: Any) -> None:  # noqa: F811
    client = Client(chat_server.url, verbose=False)
    filtered = client.submit(ANSWERABLE, [], "", 2, api_name="/chat").result(
        timeout=READY_CEILING_S)

    text = message_text(filtered[0][-1])
    assert "Gezocht in: Wegwijzer 2 &#x27;Definieer samen de opgave&#x27;" in text
    cited = re.findall(r"<summary>\[\d+\] [^<]*?Wegwijzer (\d+)", text)
    assert cited and set(cited) == {"2"}, text


# --- the chat service without a server ---------------------------------------------------------


class _Broken:
    """An assistant whose stream fails: the chat must not show the exception."""

    def __init__(self, inner: Assistant, error: Exception) -> None:
        self.catalog = inner.catalog
        self.error = error

    def refresh(self) -> bool:
        return False

    def stream(self, *args: Any, **kwargs: Any):
        raise self.error

    def ask(self, *args: Any, **kwargs: Any):
        raise self.error


def test_internal_error_gives_generic_dutch_message(assistant: Assistant, built_index: Any,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    service = ChatService(_Broken(assistant, KeyError("secret internals")), built_index.settings)

    with caplog.at_level("ERROR", logger="wegwijzer.chat"):
        shown = list(service.stream(ANSWERABLE, [], None, None))

    message, record = shown[-1]
    assert GENERIC_ERROR in message
    assert "secret internals" not in message and "Traceback" not in message
    assert record["error"] == GENERIC_ERROR
    assert "secret internals" in caplog.text, "the error must be logged server-side"


class _Counting:
    """The real assistant, counting refresh() calls (a re-index must be picked up per question)."""

    def __init__(self, inner: Assistant) -> None:
        self.inner = inner
        self.refreshes = 0

    def refresh(self) -> bool:
        self.refreshes += 1
        return self.inner.refresh()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_every_question_checks_for_a_newer_index(assistant: Assistant, built_index: Any) -> None:
    counting = _Counting(assistant)
    service = ChatService(counting, built_index.settings)

    assert service.ask(ANSWERABLE)["refused"] is False
    list(service.stream(ANSWERABLE, [], None, None))
    assert counting.refreshes == 2


def test_after_a_reindex_the_filters_and_routekaart_follow_the_new_index(
        built_index: Any, index_copy: Any) -> None:
    served = Assistant(index_copy, embeddings=built_index.embeddings)
    service = ChatService(served, index_copy)
    before = [value for _, value in service.publication_choices()]
    assert before[0] == "" and PERSPECTIEF in before
    assert [value for _, value in service.wegwijzer_choices()] == list(range(0, 11))
    assert "Groene stroom of netwerkstoring?" in service.routekaart_page(4)

    drop_publications(index_copy.corpus_dir, PERSPECTIEF)
    Indexer(index_copy, embeddings=built_index.embeddings).build()
    assert service.refresh() is True
    after = [value for _, value in service.publication_choices()]
    assert after == [value for value in before if value != PERSPECTIEF]
    assert service.refresh() is False  # nothing newer
    assert "Groene stroom of netwerkstoring?" in service.routekaart_page(4)

    # Without the Jaarbericht the new index has no routekaart: the tab must say so.
    drop_publications(index_copy.corpus_dir, JAARBERICHT)
    Indexer(index_copy, embeddings=built_index.embeddings).build()
    assert service.refresh() is True
    assert service.stops == []
    assert "niet (meer) in de index" in service.routekaart_page(4)


def test_refusal_error_shows_its_own_message(assistant: Assistant, built_index: Any) -> None:
    error = WegwijzerError("Wegwijzer 12 bestaat niet. Kies een nummer van 1 tot en met 10.")
    service = ChatService(_Broken(assistant, error), built_index.settings)

    message, record = list(service.stream(ANSWERABLE, [], None, None))[-1]
    assert "Dat lukte niet." in message and "Wegwijzer 12 bestaat niet" in message
    assert history_turns([record]) == []


# Gradio's queue statistics use a pandas option that pandas 3 deprecates: not ours to fix.
# The MCP server warns about the chat's endpoint with a State (it is no MCP tool; see server.py).
@pytest.mark.filterwarnings("ignore:.*no_silent_downcasting", "ignore:The copy keyword",
                            "ignore:This MCP server includes a tool that has a gr.State")
def test_basic_auth_guards_the_app(assistant: Assistant, built_index: Any) -> None:
    settings = built_index.settings.with_(auth=("raadslid", "geheim123"), port=free_port())
    demo = build_app(assistant, settings)
    demo.launch(prevent_thread_lock=True, **launch_options(settings, passage_routes(assistant)))
    try:
        url = f"http://127.0.0.1:{settings.port}/"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "config", timeout=READY_CEILING_S)
        assert refused.value.code == 401
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        result = Client(url, auth=("raadslid", "geheim123"), verbose=False).predict(
            OUT_OF_SCOPE, api_name="/ask")
        assert result["refused"] is True
        _routes_gradio_leaves_open_need_login(url)
        _failed_logins_are_limited(url)
    finally:
        demo.close()


def _request(opener: Any, url: str, method: str = "GET", data: bytes | None = None,
             form: bool = False) -> tuple[int, str]:
    kind = "application/x-www-form-urlencoded" if form else "application/json"
    request = urllib.request.Request(url, method=method, data=data,
                                     headers={"content-type": kind} if data else {})
    try:
        with opener.open(request, timeout=READY_CEILING_S) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _routes_gradio_leaves_open_need_login(url: str) -> None:
    anonymous = urllib.request.build_opener()
    body = b'{"session_hash": "x", "fn_index": 0, "event_id": "y"}'
    routes = [("GET", "openapi.json", None), ("GET", "docs", None),
              ("GET", "gradio_api/openapi.json", None), ("POST", "gradio_api/reset", body),
              ("POST", "gradio_api/cancel", body), ("GET", f"bron/{COLOFON}", None)]
    for method, route, data in routes:
        status, text = _request(anonymous, url + route, method, data)
        assert status == 401, (route, status, text)
        assert "Log eerst in" in text
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    status, _ = _request(browser, url + "login", "POST",
                         b"username=raadslid&password=geheim123", form=True)
    assert status == 200
    assert _request(browser, url + "gradio_api/reset", "POST", body)[0] == 200  # logged in: fine
    status, page = _request(browser, url + f"bron/{COLOFON}")
    assert status == 200 and 'id="doel"' in page
    status, page = _request(browser, url + "bron/geen/passage")
    assert status == 404 and "niet (meer) in de index" in page


def _failed_logins_are_limited(url: str) -> None:
    from assistant.chat.guard import MAX_FAILED_LOGINS

    opener = urllib.request.build_opener()
    wrong = b"username=raadslid&password=fout"
    for _ in range(MAX_FAILED_LOGINS):
        assert _request(opener, url + "login", "POST", wrong, form=True)[0] == 400
    right = b"username=raadslid&password=geheim123"
    status, text = _request(opener, url + "login", "POST", right, form=True)
    assert status == 429, text  # even the right password waits: no guessing on
    assert "Te veel mislukte inlogpogingen" in text and "15 minuten" in text


def test_login_limiter_forgets_after_the_window() -> None:
    from assistant.chat.guard import LoginLimiter

    now = [0.0]
    limiter = LoginLimiter(max_failures=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.blocked_for("10.0.0.1") == 0
        limiter.failed("10.0.0.1")
        now[0] += 1
    assert limiter.blocked_for("10.0.0.1") == pytest.approx(57)
    assert limiter.blocked_for("10.0.0.2") == 0  # per client
    now[0] = 60.5
    assert limiter.blocked_for("10.0.0.1") == 0  # the first failure left the window
    for _ in range(2):
        limiter.failed("10.0.0.2")
    limiter.succeeded("10.0.0.2")  # a good login clears the count
    limiter.failed("10.0.0.2")
    assert limiter.blocked_for("10.0.0.2") == 0


# --- pure pieces ------------------------------------------------------------------------------


def _source(**changes: Any) -> Source:
    data = dict(
        marker=1, chunk_id="jaarbericht/ww4/1", publication_id="jaarbericht",
        publication_title="Jaarbericht 2018 'Werkende samenwerking'", kind="jaarbericht",
        source_file="jaarbericht.md", wegwijzer=4, wegwijzer_title="Ken het netwerk",
        section="Wegwijzer 4: Ken het netwerk", part="Uit het onderzoek", pages=[41, 44],
        research_pages=[182], score=0.5,
        quote="Ken de spelers in de regio.\n\nWie zit waar <aan tafel>?",
    )
    data.update(changes)
    return Source.from_json(data)


def _record(question: str = ANSWERABLE, refused: bool = False) -> dict[str, Any]:
    return {"question": question, "answer": "Ken het netwerk. [1]", "refused": refused,
            "sources": [_source().to_json()], "notices": [], "publication": None,
            "wegwijzer": 4, "error": None}


def test_feedback_lines_are_appended_as_json(tmp_path: Path) -> None:
    path = tmp_path / "data" / "feedback.jsonl"
    moment = datetime(2026, 11, 22, 10, 30, tzinfo=timezone.utc)

    append_feedback(path, feedback_record(_record(), "up", "  Duidelijk antwoord  ", now=moment))
    append_feedback(path, feedback_record(_record(OUT_OF_SCOPE, refused=True), "down"))

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2
    first, second = lines
    assert first["question"] == ANSWERABLE and first["vote"] == "up"
    assert first["comment"] == "Duidelijk antwoord"
    assert first["timestamp"] == "2026-11-22T10:30:00+00:00"
    assert first["sources"][0]["marker"] == 1 and first["sources"][0]["pages"] == [41, 44]
    assert first["answer"] == "Ken het netwerk. [1]"
    assert second["vote"] == "down" and second["comment"] is None and second["refused"] is True
    datetime.fromisoformat(second["timestamp"])
    with pytest.raises(ValueError):
        feedback_record(_record(), "maybe")


def test_one_vote_per_answer_with_one_change_of_mind_and_a_limited_comment() -> None:
    record = {**_record(), "answer_id": "abc"}
    moment = datetime(2026, 11, 22, 10, 30, tzinfo=timezone.utc)

    line, message, votes = judge_vote(record, True, "x" * (MAX_COMMENT_CHARS + 1), {})
    assert line is None and votes == {} and "te lang (1001 tekens; maximaal 1000)" in message
    line, message, votes = judge_vote(record, None, "", votes)
    assert line is None and message == "Uw stem is ingetrokken; er was nog niets opgeslagen."

    line, message, votes = judge_vote(record, True, "  Helder  ", votes, now=moment)
    assert message == "Bedankt! Uw stem (duim omhoog) is opgeslagen."
    assert line == feedback_record(record, "up", "Helder", now=moment)
    assert line["answer_id"] == "abc"
    for liked in (True, None, True):  # the same thumb again, also after withdrawing it
        again, message, votes = judge_vote(record, liked, "nog iets", votes)
        assert again is None
    assert "U heeft al gestemd op dit antwoord (duim omhoog)" in message

    line, message, votes = judge_vote(record, False, "", votes, now=moment)
    assert message.startswith("Uw stem is gewijzigd in duim omlaag")
    assert line == {**feedback_record(record, "down", "Helder", now=moment), "changed_from": "up"}
    for liked in (True, False):
        again, message, votes = judge_vote(record, liked, "", votes)
        assert again is None and "al gewijzigd (duim omlaag)" in message

    other = {**_record(), "answer_id": "def"}  # another answer has its own vote
    line, _, votes = judge_vote(other, False, "y" * MAX_COMMENT_CHARS, votes)
    assert line is not None and line["comment"] == "y" * MAX_COMMENT_CHARS
    assert make_record("a")["answer_id"] != make_record("a")["answer_id"]


def test_like_index_maps_to_the_answer() -> None:
    history = [{"role": "user"}, {"role": "assistant"}, {"role": "user"}, {"role": "assistant"}]

    assert _assistant_index(history, 1) == 0
    assert _assistant_index(history, 3) == 1
    assert _assistant_index(history, 2) is None
    assert _assistant_index(history, 9) is None


def _answer(question: str = ANSWERABLE, refused: bool = False, text: str = "Ken het netwerk. [1]",
            sources: list[Source] | None = None) -> Answer:
    return Answer(question=question, answer=text, refused=refused,
                  sources=sources if sources is not None else [_source()])


def test_markdown_export_holds_questions_answers_and_quotes() -> None:
    records = [make_record(ANSWERABLE, _answer(), number=1),
               make_record(OUT_OF_SCOPE, _answer(OUT_OF_SCOPE, refused=True), number=2),
               make_record("Wat?", error="De vraag is leeg.", number=3)]

    text = conversation_markdown([r["markdown"] for r in records], "Wegwijzer",
                                 now=datetime(2026, 11, 22, 10, 30))

    assert text.startswith("# Gesprek met Wegwijzer")
    assert "Geëxporteerd op 22-11-2026 10:30." in text
    assert "## Vraag 1\n\n" + ANSWERABLE in text
    assert "### Bronnen\n\n- \\[1\\] Jaarbericht 2018 'Werkende samenwerking'" in text
    assert "### Mogelijk relevante passages" in text
    assert "  > Ken de spelers in de regio.\n  > Wie zit waar \\<aan tafel\\>?" in text
    assert "## Vraag 3\n\nWat?\n\n### Antwoord\n\n_Dat lukte niet._ De vraag is leeg." in text
    assert conversation_markdown([], "Wegwijzer").count("Nog geen vragen gesteld") == 1


def test_markdown_export_keeps_the_lines_of_a_catalog_list() -> None:
    listing = "De 10 wegwijzers [1]:\n- Wegwijzer 1: Laat de feiten spreken [1]\n- Wegwijzer 2 [1]"
    text = exchange_markdown(1, ANSWERABLE, _answer(text=listing))
    html = MarkdownIt("commonmark").render(text)
    answer = html.split("<h3>Antwoord</h3>")[1].split("<h3>")[0]
    assert answer.count("<li>") == 2 and "<br />" not in answer  # the intro line and a list


def test_a_finished_answer_is_announced_as_text_with_its_sources_counted() -> None:
    two = [_source(), _source(marker=2)]
    answer = _answer(text="Zo staat het er. (p. 182) [1]", sources=two)
    assert speech.announcement(answer) == (
        "Antwoord: Zo staat het er. (onderzoeksrapport p. 182) 1 bron staat eronder, "
        "en 1 ook relevant.")
    refused = _answer(OUT_OF_SCOPE, refused=True, text="Dat staat er niet in.")
    assert speech.announcement(refused).endswith("1 mogelijk relevante passages staan eronder.")
    failed = make_record("Wat?", error="De index is niet bereikbaar.")
    assert failed["announcement"] == "Dat lukte niet. De index is niet bereikbaar."


def test_the_statement_names_the_pinned_axe_core_and_what_was_not_tested() -> None:
    pinned = json.loads((REPO_ROOT / "tests" / "browser" / "package.json").read_text())
    assert pinned["devDependencies"]["axe-core"] == AXE_VERSION
    lock = json.loads((REPO_ROOT / "tests" / "browser" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/axe-core"]["version"] == AXE_VERSION
    for promised in (f"axe-core {AXE_VERSION}", "1280 × 800", "390 × 844", "4,5 : 1",
                     "geen handmatige test met een schermlezer", "aria-live", "WCAG 2.1"):
        assert promised in STATEMENT, promised


@pytest.mark.server
def test_stopping_the_server_says_so_in_dutch(built_index: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(built_index.settings.data_dir, data_dir)
    server = start_server(data_dir, tmp_path / "server.log")
    try:
        server.wait_for_output("Wegwijzer draait op")  # it answers HTTP just before it says so
        server.process.send_signal(signal.SIGINT)  # Ctrl+C
        assert server.process.wait(timeout=READY_CEILING_S) == 0
    finally:
        server.stop()
    output = server.log_tail()
    assert "Closing server" not in output, output
    assert re.search(r"Wegwijzer gestopt; poort \d+ is weer vrij\.", output), output


def test_routekaart_lists_the_ten_wegwijzers_from_the_index(assistant: Assistant) -> None:
    stops = assistant.catalog.wegwijzers

    assert [stop.number for stop in stops] == list(range(1, 11))
    for stop in stops:
        title, first, last = WEGWIJZERS[stop.number]
        assert stop.title == title
        assert stop.pages == [first, last]
        assert stop.stories == STORIES[stop.number]
        assert stop.handreiking and all(text.strip() for text in stop.handreiking)
        assert stop.label == f"Wegwijzer {stop.number} · {title} · p. {first}–{last}"
    passages = assistant.snapshot.passages
    texts = [passages.texts[i] for i, m in enumerate(passages.metadatas)
             if m.get("wegwijzer") == 1 and m.get("part") == "Een handreiking"]
    assert stops[0].handreiking == texts
