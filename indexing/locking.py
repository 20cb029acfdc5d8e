"""One writer at a time: a lock file in the data dir (which holds the record-manager files, in
local and Chroma-server mode alike), released by the OS when a killed run dies."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from common.errors import IndexBusyError


@dataclass(frozen=True)
class Owner:
    """Which process writes a staging generation (stored in the collection's metadata)."""

    host: str
    pid: int
    lock: str  # the lock file's resolved path: the data dir the owner works in

    @classmethod
    def current(cls, lock_path: Path) -> "Owner":
        return cls(host=socket.gethostname(), pid=os.getpid(), lock=str(lock_path.resolve()))

    def as_metadata(self) -> dict[str, str | int]:
        return {"owner_host": self.host, "owner_pid": self.pid, "owner_lock": self.lock}

    @classmethod
    def from_metadata(cls, meta: dict | None) -> "Owner | None":
        meta = meta or {}
        if not meta.get("owner_host") or not meta.get("owner_pid"):
            return None
        return cls(host=str(meta["owner_host"]), pid=int(meta["owner_pid"]),
                   lock=str(meta.get("owner_lock", "")))


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    return True


class WriterLock:
    """The data dir's writer lock. Use as a context manager around a whole index run."""

    def __init__(self, data_dir: Path, timeout: float,
                 on_wait: Callable[[str], None] | None = None) -> None:  # a Dutch message
        self.path = data_dir / "index.lock"
        self.info_path = data_dir / "index.lock.json"
        self.timeout = timeout
        self.on_wait = on_wait
        self._lock = FileLock(str(self.path))

    def holder(self) -> str:
        """A Dutch description of the run that holds the lock, for messages."""
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
            return f"proces {info['pid']} op {info['host']}, gestart {info['started']}"
        except (OSError, ValueError, KeyError):
            return "een ander proces"

    def __enter__(self) -> Owner:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            if self.on_wait:
                self.on_wait(
                    f"Er loopt al een herindexering ({self.holder()}). Wachten tot die klaar is "
                    f"(hooguit {self.timeout:.0f} s)…")
            try:
                self._lock.acquire(timeout=self.timeout)
            except Timeout:
                raise IndexBusyError(
                    f"Er loopt nog een herindexering in {self.path.parent} ({self.holder()}); er "
                    f"mag er maar één tegelijk schrijven. Probeer het opnieuw als die klaar is, of "
                    f"wacht langer met --wait SECONDEN (of WEGWIJZER_INDEX_WAIT).") from None
        owner = Owner.current(self.path)
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        info = {"pid": owner.pid, "host": owner.host, "started": started}
        self.info_path.write_text(json.dumps(info), encoding="utf-8")
        return owner

    def __exit__(self, *exc: object) -> None:
        try:
            self.info_path.unlink(missing_ok=True)
        finally:
            self._lock.release()
