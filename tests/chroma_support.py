"""A real Chroma server (`chroma run`) for tests: start it, kill it, start it again.

The server binds to 127.0.0.1 on a free port and is always stopped by the fixture using it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from chat_support import free_port

STARTUP_SECONDS = 60


def heartbeat(url: str) -> bool:
    """Whether a Chroma server answers on `url`."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
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
        chroma = Path(sys.executable).parent / "chroma"
        if not chroma.exists():
            raise RuntimeError(f"the chroma CLI is missing next to {sys.executable}")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(chroma), "run", "--path", str(self.folder / "data"), "--host", "127.0.0.1",
                 "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not heartbeat(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.log_path.read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"Chroma server on {self.url} did not come up "
                                   f"(exit code {self.process.poll()}):\n{output}")
            time.sleep(0.3)
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would; waits until it is gone."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
