"""A scripted server that speaks OpenAI's chat-completions protocol (JSON and SSE streaming).

Tests start it on 127.0.0.1 and script its replies; LangChain's real `ChatOpenAI` client talks
to it. A reply is a callable that gets the request's messages and returns a `Reply`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


@dataclass
class Reply:
    """What the server does for one request."""

    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering (a timeout when longer than the client waits)
    raw: bytes | None = None  # sent as-is instead of a proper completion (garbage)
    chunk_delay: float = 0.0  # seconds between streamed chunks (a slow model)
    chunk_size: int = 12  # characters per streamed chunk


Script = Callable[[list[dict[str, Any]]], Reply]


@dataclass
class OpenAIStub:
    """The running server: its base URL, the requests it saw, and the script it follows."""

    script: Script
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    chunks_sent: int = 0  # streamed chunks written, over all requests
    closed_early: int = 0  # streams the client closed before the end

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> "OpenAIStub":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                self._json(200, {"object": "list", "data": [{"id": "stub", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                stub.requests.append(body)
                reply = stub.script(body.get("messages") or [])
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.raw is not None:
                    self._send(reply.status, "application/json", reply.raw)
                elif reply.status != 200:
                    self._json(reply.status, {"error": {"message": "scripted failure",
                                                        "type": "server_error"}})
                elif body.get("stream"):
                    self._stream(reply)
                else:
                    self._json(200, completion(reply.text))

            def _json(self, status: int, data: dict[str, Any]) -> None:
                self._send(status, "application/json", json.dumps(data).encode())

            def _send(self, status: int, kind: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                text, size = reply.text, reply.chunk_size
                pieces = [text[i:i + size] for i in range(0, len(text), size)] or [""]
                try:
                    for piece in pieces:
                        self._event(chunk({"role": "assistant", "content": piece}))
                        stub.chunks_sent += 1
                        if reply.chunk_delay:
                            time.sleep(reply.chunk_delay)
                    self._event(chunk({}, finish="stop"))
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):  # the client stopped reading
                    stub.closed_early += 1

            def _event(self, data: dict[str, Any]) -> None:
                self.wfile.write(b"data: " + json.dumps(data).encode() + b"\n\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def completion(text: str) -> dict[str, Any]:
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": "stub", "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": "stub", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
