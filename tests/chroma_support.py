"""A real Chroma server (`chroma run`) for tests: start it, kill it, start it again.

The server binds to 127.0.0.1 on a free port and is always stopped by the fixture using it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import lanes
from chat_support import STOP_GRACE_S, free_port
from waiting import READY_CEILING_S, wait_until


def heartbeat(url: str) -> bool:
    """Whether a Chroma server answers on `url`."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=READY_CEILING_S) as response:
            return response.status == 200 and bool(json.loads(response.read()))
    except OSError:
        return False


class ChromaServer:
    """`chroma run --path FOLDER/data` on a fixed port, restartable on the same data."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "server.log"
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> "ChromaServer":
        """Start `chroma run` and wait until it answers its heartbeat (or exits)."""
        lanes.require("server", "starts `chroma run`")
        chroma = Path(sys.executable).parent / "chroma"
        if not chroma.exists():
            raise RuntimeError(f"the chroma CLI is missing next to {sys.executable}")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(chroma), "run", "--path", str(self.folder / "data"), "--host", "127.0.0.1",
                 "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT,
            )

        def up() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"Chroma server on {self.url} exited with code "
                                   f"{self.process.returncode}:\n{self._log_tail()}")
            return heartbeat(self.url)

        try:
            wait_until(up, f"the Chroma server on {self.url} answering its heartbeat",
                       poll_s=0.25)
        except AssertionError as error:  # past the ceiling: a hung server
            self.stop()
            raise RuntimeError(f"{error}\n{self._log_tail()}") from error
        return self

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would; waits until it is gone."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=READY_CEILING_S)

    def stop(self) -> None:
        """SIGTERM; SIGKILL when it has not ended after STOP_GRACE_S (gone either way)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=READY_CEILING_S)
