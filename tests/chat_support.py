"""Start the real chat server (`wegwijzer serve`) for the chat and browser tests.

The server runs as a subprocess on a free loopback port, on a private copy of the session's
built index, so feedback it writes never touches the shared index. Both test modules use the
``chat_server`` fixture below; they share one server per test session (started on first use,
stopped when the last user's fixture is torn down, and killed at exit as a last resort).

Import the fixture into a test module with ``from chat_support import chat_server``.
"""

from __future__ import annotations

import atexit
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

import lanes
from waiting import READY_CEILING_S, wait_until

REPO_ROOT = Path(__file__).resolve().parent.parent
# How long `stop()` gives the server to end after SIGTERM before it kills it. Not a wait for
# anything to succeed: either way the server is gone afterwards.
STOP_GRACE_S = 10.0

SERVER_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
}


def wegwijzer_command() -> Path:
    """The `wegwijzer` console script of the running interpreter's venv (or the repo's .venv)."""
    beside = Path(sys.executable).parent / "wegwijzer"
    return beside if beside.exists() else REPO_ROOT / ".venv" / "bin" / "wegwijzer"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    """The environment for the server: no telemetry or hub downloads, no WEGWIJZER_* leaks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEGWIJZER_")}
    env.update(SERVER_ENV)
    return env


def run_wegwijzer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real `wegwijzer` command until it ends and capture its output (text)."""
    if args[:1] == ("index",):
        lanes.require("model", "runs `wegwijzer index` (the real embedder)")
    return subprocess.run(
        [str(wegwijzer_command()), *args], cwd=REPO_ROOT, env=env or server_env(),
        capture_output=True, text=True, timeout=READY_CEILING_S, stdin=subprocess.DEVNULL,
    )


@dataclass
class ChatServer:
    """A running `wegwijzer serve` process."""

    process: subprocess.Popen
    url: str
    data_dir: Path
    log_path: Path
    started_in_s: float
    tmp_dir: Path | None = None  # the server's TMPDIR and Gradio cache: files it left behind

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's output, for failure messages."""
        if not self.log_path.exists():
            return "(no server output)"
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]

    def wait_for_output(self, text: str) -> None:
        """Wait until the server has printed `text` (fail if it exits first)."""

        def printed() -> bool:
            if text in self.log_tail(chars=1_000_000):
                return True
            if self.process.poll() is not None:
                raise AssertionError(f"`wegwijzer serve` exited ({self.process.returncode}) "
                                     f"without printing {text!r}:\n{self.log_tail()}")
            return False

        wait_until(printed, f"`wegwijzer serve` printing {text!r}")

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within STOP_GRACE_S)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=READY_CEILING_S)


def _responds(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def start_server(data_dir: Path, log_path: Path, extra_args: tuple[str, ...] = (),
                 extra_env: dict[str, str] | None = None,
                 timeout: float | None = None) -> ChatServer:
    """Start `wegwijzer serve` on a free port and wait until it answers HTTP (or exits).

    `extra_env`: variables for the server only, such as WEGWIJZER_API_KEY. `timeout` is for the
    start-up benchmark (benchmarks/serve_startup.py) only; tests wait up to READY_CEILING_S."""
    lanes.require("server", "starts `wegwijzer serve`")
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = log_path.parent / "server-tmp"
    tmp_dir.mkdir(exist_ok=True)
    env = server_env()
    env.update(TMPDIR=str(tmp_dir), GRADIO_TEMP_DIR=str(tmp_dir / "gradio"), **(extra_env or {}))
    log_file = log_path.open("w", encoding="utf-8")
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(wegwijzer_command()), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data_dir), *extra_args],
        cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log_file.close()  # the child keeps its own handle
    server = ChatServer(process=process, url=f"http://127.0.0.1:{port}/", data_dir=data_dir,
                        log_path=log_path, started_in_s=0.0, tmp_dir=tmp_dir)

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(
                f"`wegwijzer serve` stopped with exit code {process.returncode} before it "
                f"answered:\n{server.log_tail()}")
        return _responds(server.url, READY_CEILING_S if timeout is None else timeout)

    try:
        wait_until(answers, f"`wegwijzer serve` on {server.url} answering HTTP", poll_s=0.25,
                   ceiling_s=timeout)
    except AssertionError as error:  # past the ceiling: a hung server
        server.stop()
        raise RuntimeError(f"{error}\n{server.log_tail()}") from error
    server.started_in_s = time.perf_counter() - started
    return server


class RecordingServer:
    """An HTTP server on 127.0.0.1 that records every request ('METHOD /path') and answers each
    with 200 and `body`: a tracker for the browser, a fake Hugging Face hub for the chat server.
    Use it as a context manager; `url` is its address, `requests` what it received."""

    def __init__(self, content_type: str = "application/json", body: bytes = b"{}") -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                requests.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _record  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "RecordingServer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- one shared server per test session ------------------------------------------------------

_lock = threading.Lock()
_shared: dict[str, Any] = {"server": None, "users": 0}


def _stop_shared() -> None:
    server = _shared["server"]
    _shared["server"] = None
    if server is not None:
        server.stop()


atexit.register(_stop_shared)


@pytest.fixture(scope="session")
def chat_server(built_index: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    """The real chat server on a private copy of the session's built index."""
    with _lock:
        if _shared["server"] is None:
            root = tmp_path_factory.mktemp("chat-server")
            data_dir = root / "data"
            shutil.copytree(built_index.settings.data_dir, data_dir)
            _shared["server"] = start_server(data_dir, root / "server.log")
        _shared["users"] += 1
        server = _shared["server"]
    try:
        yield server
    finally:
        with _lock:
            _shared["users"] -= 1
            if _shared["users"] == 0:
                _stop_shared()
