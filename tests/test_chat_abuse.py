"""What the second fault and abuse probe found on the Gradio side (issue 26), on the real server.

One `wegwijzer serve` for the module, started as a host with a Hugging Face token would run it:
HF_TOKEN set, HF_HUB_OFFLINE=0 (so only Wegwijzer's own settings keep it quiet) and HF_ENDPOINT
pointing at a fake hub on 127.0.0.1 that records every request. Its log is read for tracebacks.

- no request header (Gradio's run history: `x-gradio-history-bucket`) makes the server call out;
- uploads are refused and leave no file behind; no web address is fetched for a client;
- a client's mistakes (a number or list as the question, missing input, an unknown call id or
  endpoint) get a Dutch error and leave no traceback in the log;
- feedback: a comment over the limit stores nothing; one vote per answer, one change of mind.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Iterator

import pytest
from chat_support import REPO_ROOT, ChatServer, RecordingServer, run_wegwijzer, start_server
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.chat.guard import CHAT_MAX_BODY_BYTES
from assistant.chat.records import MAX_COMMENT_CHARS
from waiting import READY_CEILING_S

ANSWERABLE = "Wat is een attractieve agenda?"
BUCKET_HEADER = {"x-gradio-history-bucket": "someone/bucket"}
# How long the fake hub is watched after a call, for a request that must NOT come. This is a
# deliberate wait for time to pass: no event says "the server has decided not to call out" (its
# run history would record the run in a background task after answering), so the test watches
# for a while. Today's Gradio reaches the hub within milliseconds; and the module's last test
# checks the hub again after everything else, for any call that came later still.
HUB_GRACE_S = 10.0


@pytest.fixture(scope="module")
def hub() -> Iterator[RecordingServer]:
    with RecordingServer() as server:
        yield server


@pytest.fixture(scope="module")
def server(built_index: Any, assistant: Any, hub: RecordingServer,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    """The chat on a copy of the index, on a host with a Hugging Face token. (`assistant` has
    filled the index's sentence cache, so the copy starts without embedding again.)"""
    root = tmp_path_factory.mktemp("abuse")
    data_dir = root / "data"
    shutil.copytree(built_index.settings.data_dir, data_dir)
    chat = start_server(data_dir, root / "server.log", extra_env={
        "HF_TOKEN": "hf_dummyTokenForTheFakeHub0123456789", "HF_ENDPOINT": hub.url,
        "HF_HUB_OFFLINE": "0", "HF_HOME": str(root / "hf-home"),
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    try:
        yield chat
    finally:
        chat.stop()


def _request(url: str, method: str = "GET", body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=READY_CEILING_S) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _call(server: ChatServer, endpoint: str, data: Any,
          headers: dict[str, str] | None = None) -> str:
    """Gradio's REST call: POST /gradio_api/call/NAME, then the result stream (as text)."""
    status, text = _request(f"{server.url}gradio_api/call/{endpoint}", "POST",
                            json.dumps({"data": data}).encode(),
                            {"content-type": "application/json", **(headers or {})})
    assert status == 200, text
    event_id = json.loads(text)["event_id"]
    status, stream = _request(f"{server.url}gradio_api/call/{endpoint}/{event_id}",
                              headers=headers)
    assert status == 200, stream
    return stream


def _new_log(server: ChatServer, start: int) -> str:
    return server.log_path.read_text(encoding="utf-8", errors="replace")[start:]


def _log_size(server: ChatServer) -> int:
    return len(server.log_path.read_text(encoding="utf-8", errors="replace"))


# --- 1. nothing calls out ----------------------------------------------------------------------


@pytest.mark.server
def test_a_history_bucket_header_makes_the_server_call_no_hub(
        server: ChatServer, hub: RecordingServer) -> None:
    stream = _call(server, "ask", [ANSWERABLE], headers=BUCKET_HEADER)
    assert "event: complete" in stream and "attractieve agenda" in stream, stream[:500]
    deadline = time.monotonic() + HUB_GRACE_S
    while not hub.requests and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hub.requests == [], f"the server called the hub: {hub.requests}"
    assert "gradio.history" not in _new_log(server, 0), server.log_tail()

    # Run history's own route, which creates the bucket with the host's token.
    status, text = _request(f"{server.url}gradio_api/run-history/connect", "POST",
                            json.dumps({"bucket_id": "someone/bucket"}).encode(),
                            {"content-type": "application/json", **BUCKET_HEADER})
    assert status == 404 and hub.requests == [], (status, text, hub.requests)


def test_serve_on_a_taken_port_says_so_in_dutch_at_once() -> None:
    """Found by running `make run` twice: Gradio's English OSError after the index had loaded.
    Now the port is checked first, with a message that names it and the fixes."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = run_wegwijzer("serve", "--port", str(port))
    assert done.returncode != 0
    assert f"Poort {port} op 127.0.0.1 is al in gebruik" in done.stderr
    assert "--port 7861" in done.stderr and "Traceback" not in done.stderr


def test_serve_sets_the_offline_variables_before_gradio_is_imported() -> None:
    script = """
import os, sys
os.environ.pop("HF_HUB_OFFLINE", None)
os.environ["GRADIO_RUN_HISTORY"] = "True"
import wegwijzer.cli
from assistant.chat.server import keep_offline
assert "gradio" not in sys.modules and "huggingface_hub" not in sys.modules, "imported too early"
keep_offline()
import gradio, huggingface_hub.constants as hub
print(hub.HF_HUB_OFFLINE, hub.HF_HUB_DISABLE_TELEMETRY, os.environ["GRADIO_RUN_HISTORY"],
      os.environ["GRADIO_ANALYTICS_ENABLED"])
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=READY_CEILING_S)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "False", "False"]


# --- 2. no uploads -----------------------------------------------------------------------------


def _multipart(payload: bytes) -> tuple[bytes, dict[str, str]]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"notitie.txt\"\r\nContent-Type: text/plain\r\n\r\n").encode() + payload + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.server
def test_uploads_are_refused_and_leave_no_file(server: ChatServer) -> None:
    payload = f"geheime notitie {uuid.uuid4().hex}".encode() * 100
    body, headers = _multipart(payload)
    for route in ("gradio_api/upload", "gradio_api/upload?upload_id=abc",
                  "gradio_api/component_server"):
        status, text = _request(server.url + route, "POST", body, headers)
        assert status == 403, (route, status, text)
        assert "Wegwijzer neemt geen bestanden aan" in json.loads(text)["detail"]

    assert server.tmp_dir is not None
    left = [path for path in server.tmp_dir.rglob("*")
            if path.is_file() and payload[:40] in path.read_bytes()]
    assert left == [], f"the upload was stored: {left}"

    status, text = _request(f"{server.url}gradio_api/file=https://example.org/pixel.png")
    assert status == 403 and "haalt geen bestanden van andere websites op" in text, (status, text)


@pytest.mark.server
def test_a_body_over_the_chat_limit_is_refused_before_it_is_read(server: ChatServer) -> None:
    # Only the headers are sent: the answer must come without waiting for the body.
    host, port = server.url.split("/")[2].split(":")
    with socket.create_connection((host, int(port)), timeout=READY_CEILING_S) as connection:
        connection.sendall(b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/json\r\n"
                           + f"Content-Length: {CHAT_MAX_BODY_BYTES + 1}\r\n\r\n".encode())
        reply = b""
        while b"}" not in reply:
            chunk = connection.recv(65536)
            assert chunk, reply
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert "groter dan 16 MB" in json.loads(body)["detail"]


# --- 4. a client's mistakes ------------------------------------------------------------------


@pytest.mark.server
def test_client_mistakes_get_dutch_errors_and_no_traceback(server: ChatServer) -> None:
    start = _log_size(server)
    client = Client(server.url, verbose=False)
    for wrong, kind in ((42, "getal"), (["Wat is", "een agenda?"], "lijst"),
                        ({"vraag": "x"}, "object")):
        with pytest.raises(AppError) as caught:
            client.predict(wrong, api_name="/ask")
        assert f"De vraag moet tekst zijn, geen {kind}" in str(caught.value)
    assert "Dit verzoek mist invoer" in _call(server, "ask", [])
    assert "'aantal' moet een geheel getal zijn" in _call(
        server, "zoek_passages", [ANSWERABLE, None, None, "veel"])
    assert "De vraag moet tekst zijn, geen getal" in _call(server, "beantwoord", [7])
    with pytest.raises(AppError) as caught:  # a history that is no list of messages
        client.predict(ANSWERABLE, 5, "", 0, api_name="/chat")
    assert "heeft niet de goede vorm" in str(caught.value)

    status, text = _request(f"{server.url}gradio_api/call/ask/{uuid.uuid4().hex}")
    assert status == 404 and "Dit resultaat bestaat niet (meer)" in text, (status, text)
    status, text = _request(f"{server.url}gradio_api/queue/data?session_hash=bestaat-niet")
    assert status == 404 and "geen vraag klaar" in text, (status, text)
    status, text = _request(f"{server.url}gradio_api/call/bestaat_niet", "POST",
                            b'{"data": ["x"]}', {"content-type": "application/json"})
    assert status == 404 and "Dit API-eindpunt bestaat niet" in text, (status, text)

    # A well-formed call still answers, and nothing above left a traceback.
    assert "event: complete" in _call(server, "ask", [ANSWERABLE])
    log = _new_log(server, start)
    assert "Traceback" not in log and "Exception in ASGI" not in log, log[-4000:]


# --- 5. feedback -------------------------------------------------------------------------------


class _Session:
    """One browser session over Gradio's queue, as the chat page talks to the server."""

    def __init__(self, server: ChatServer) -> None:
        self.url = server.url
        self.session_hash = uuid.uuid4().hex
        config = json.loads(_request(server.url + "config")[1])
        dependencies = config["dependencies"]
        self.chat = next(d for d in dependencies if d.get("api_name") == "chat")
        self.like = next(d for d in dependencies if any(t[1] == "like" for t in d["targets"]))

    def _join(self, dependency: dict[str, Any], data: list[Any],
              event_data: dict[str, Any] | None = None) -> str:
        body = {"data": data, "fn_index": dependency["id"], "session_hash": self.session_hash,
                "event_data": event_data, "trigger_id": dependency["targets"][0][0]}
        status, text = _request(self.url + "gradio_api/queue/join", "POST",
                                json.dumps(body).encode(), {"content-type": "application/json"})
        assert status == 200, text
        return json.loads(text)["event_id"]

    def _results(self, event_ids: list[str]) -> list[list[Any]]:
        """The outputs of the events, read from the session's one stream."""
        done: dict[str, list[Any]] = {}
        stream_url = f"{self.url}gradio_api/queue/data?session_hash={self.session_hash}"
        with urllib.request.urlopen(stream_url, timeout=READY_CEILING_S) as stream:
            for raw in stream:
                line = raw.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[len("data:"):])
                if message.get("msg") == "process_completed" and message["event_id"] in event_ids:
                    assert message["success"], message
                    done[message["event_id"]] = message["output"]["data"]
                    if len(done) == len(event_ids):
                        break
        return [done[event_id] for event_id in event_ids]

    def ask(self, question: str) -> list[dict[str, Any]]:
        """The chat's history after one answer."""
        (output,) = self._results([self._join(self.chat, [question, [], None, "", 0])])
        return output[0]

    def votes(self, history: list[dict[str, Any]], liked: bool, comment: str = "",
              times: int = 1) -> list[str]:
        """Click a thumb on the first answer `times` times at once: the status messages."""
        event = {"index": 1, "value": history[1]["content"], "liked": liked}
        joined = [self._join(self.like, [None, comment, history, None], event)
                  for _ in range(times)]
        return [output[1] for output in self._results(joined)]


def _lines(server: ChatServer, question: str) -> list[dict[str, Any]]:
    if not server.feedback_path.exists():
        return []
    text = server.feedback_path.read_text(encoding="utf-8")
    return [line for line in map(json.loads, text.splitlines()) if line["question"] == question]


@pytest.mark.server
def test_feedback_comments_are_limited_on_the_server(server: ChatServer) -> None:
    session = _Session(server)
    question = "Waarom is kennis van het netwerk belangrijk?"
    history = session.ask(question)

    (message,) = session.votes(history, True, "x" * (5 * 1024 * 1024))  # 5 MB
    assert "Uw toelichting is te lang (5242880 tekens; maximaal 1000)" in message, message
    (message,) = session.votes(history, True, "y" * (MAX_COMMENT_CHARS + 1))
    assert "te lang" in message and _lines(server, question) == []

    (message,) = session.votes(history, True, "z" * MAX_COMMENT_CHARS)
    assert message == "Bedankt! Uw stem (duim omhoog) is opgeslagen."
    (stored,) = _lines(server, question)
    assert stored["comment"] == "z" * MAX_COMMENT_CHARS and stored["vote"] == "up"


@pytest.mark.server
def test_one_vote_per_answer_and_one_change_of_mind(server: ChatServer) -> None:
    session = _Session(server)
    question = "Hoe betrek ik de gemeenteraad bij regionale samenwerking?"
    history = session.ask(question)

    # Five clicks at once: one is stored, the others are told so.
    messages = session.votes(history, True, "Helder", times=5)
    assert messages.count("Bedankt! Uw stem (duim omhoog) is opgeslagen.") == 1, messages
    assert sum("U heeft al gestemd op dit antwoord (duim omhoog)" in m for m in messages) == 4
    assert len(_lines(server, question)) == 1

    (changed,) = session.votes(history, False)
    assert changed.startswith("Uw stem is gewijzigd in duim omlaag"), changed
    (again,) = session.votes(history, True, "toch wel")
    assert "al gewijzigd" in again, again

    first, second = _lines(server, question)
    assert first["answer_id"] == second["answer_id"]
    assert (first["vote"], second["vote"], second["changed_from"]) == ("up", "down", "up")
    assert second["comment"] == "Helder"  # the first comment stays with the changed vote
    # Another session's answer to the same question is another answer: it has its own vote.
    other = _Session(server)
    (message,) = other.votes(other.ask(question), True)
    assert message.startswith("Bedankt!") and len(_lines(server, question)) == 3


@pytest.mark.server
def test_the_hub_heard_nothing_all_along(hub: RecordingServer, server: ChatServer) -> None:
    assert hub.requests == [], hub.requests
