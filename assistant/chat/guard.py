"""Guards for a shared install with a login (`WEGWIJZER_AUTH_USER`/`_PASSWORD`).

Gradio checks the login on its own API routes, but not on a few others (FastAPI's
`/openapi.json`, `/gradio_api/reset`, `/gradio_api/cancel`), and it does not limit failed
logins. This small ASGI middleware closes both: with a login configured, those routes answer
only to a logged-in browser, and a client that fails to log in too often is refused for a while.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import defaultdict, deque
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW_S = 15 * 60
# Routes Gradio leaves open even with a login; every other route checks the login itself.
LOGIN_REQUIRED_SUFFIXES = ("/openapi.json", "/docs", "/redoc", "/reset", "/cancel")


class LoginLimiter:
    """Failed logins per client in a sliding window (pure; thread-safe)."""

    def __init__(self, max_failures: int = MAX_FAILED_LOGINS, window_s: float = FAILED_LOGIN_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures[client]
        while failures and self.clock() - failures[0] >= self.window_s:
            failures.popleft()
        return failures

    def blocked_for(self, client: str) -> float:
        """Seconds until `client` may try again; 0 when it may now."""
        with self._lock:
            failures = self._recent(client)
            if len(failures) < self.max_failures:
                return 0.0
            return self.window_s - (self.clock() - failures[0])

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(self.clock())

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


def too_many_logins_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (f"Te veel mislukte inlogpogingen vanaf dit adres. Probeer het over {minutes} "
            f"{'minuut' if minutes == 1 else 'minuten'} opnieuw.")


LOGIN_REQUIRED_MESSAGE = "Log eerst in om Wegwijzer te gebruiken."


class SharedInstallGuard:
    """ASGI middleware around the Gradio app; does nothing when no login is configured."""

    def __init__(self, app: Any, limiter: LoginLimiter | None = None) -> None:
        self.app = app
        self.limiter = limiter or LoginLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gradio_app = scope.get("app")
        if scope["type"] != "http" or getattr(gradio_app, "auth", None) is None:
            await self.app(scope, receive, send)
            return
        path = scope["path"].rstrip("/")
        if path.endswith("/login") and scope["method"] == "POST":
            await self._login(scope, receive, send)
        elif path.endswith(LOGIN_REQUIRED_SUFFIXES) and not logged_in(scope, gradio_app):
            await _json(send, 401, LOGIN_REQUIRED_MESSAGE)
        else:
            await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = (scope.get("client") or ("onbekend", 0))[0]
        wait = self.limiter.blocked_for(client)
        if wait > 0:
            await _json(send, 429, too_many_logins_message(wait),
                        headers=[(b"retry-after", str(math.ceil(wait)).encode())])
            return

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    self.limiter.succeeded(client)
                elif 400 <= message["status"] < 500:
                    self.limiter.failed(client)
            await send(message)

        await self.app(scope, receive, watch)


def logged_in(scope: Scope, gradio_app: Any) -> bool:
    """Whether the request carries one of Gradio's login cookies with a live token."""
    cookies = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies.load(value.decode("latin-1"))
    cookie_id = getattr(gradio_app, "cookie_id", "")
    tokens = getattr(gradio_app, "tokens", {}) or {}
    for key in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        if key in cookies and cookies[key].value in tokens:
            return True
    return False


async def _json(send: Send, status: int, detail: str,
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
