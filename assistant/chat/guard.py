"""ASGI guard around the Gradio app: what Gradio leaves open for a shared install.

With a login: the routes Gradio does not check answer only to a logged-in browser, and failed
logins are limited. The API and MCP routes take the bearer token (`WEGWIJZER_API_KEY`), else the
login. Always: no uploads, no fetching of web addresses, and a Dutch 404 for an unknown result.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
from collections import defaultdict, deque
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW_S = 15 * 60
# Routes Gradio leaves open even with a login; every other route checks the login itself.
LOGIN_REQUIRED_SUFFIXES = ("/openapi.json", "/docs", "/redoc", "/reset", "/cancel")
# Wegwijzer's own pages for the browser (a passage's address): the login too.
LOGIN_REQUIRED_PREFIXES = ("/bron/",)


class LoginLimiter:
    """Failed logins per client in a sliding window (thread-safe)."""

    def __init__(self, max_failures: int = MAX_FAILED_LOGINS,
                 window_s: float = FAILED_LOGIN_WINDOW_S,
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


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} {'minuut' if minutes == 1 else 'minuten'}"


def too_many_keys_message(seconds: float) -> str:
    return (f"Te veel verkeerde API-sleutels vanaf dit adres. Controleer WEGWIJZER_API_KEY en "
            f"probeer het over {_minutes(seconds)} opnieuw.")


def too_many_logins_message(seconds: float) -> str:
    return (f"Te veel mislukte inlogpogingen vanaf dit adres. Probeer het over "
            f"{_minutes(seconds)} opnieuw.")


LOGIN_REQUIRED_MESSAGE = "Log eerst in om Wegwijzer te gebruiken."
API_KEY_MESSAGE = ("Deze Wegwijzer vraagt een API-sleutel. Stuur de sleutel uit WEGWIJZER_API_KEY "
                   "mee als header 'Authorization: Bearer SLEUTEL' (in de openai-client: "
                   "api_key=SLEUTEL).")
API_LOGIN_MESSAGE = ("Deze Wegwijzer heeft een login. Programma's krijgen toegang met een "
                     "API-sleutel: zet WEGWIJZER_API_KEY bij het starten van de server en stuur "
                     "die sleutel mee als 'Authorization: Bearer SLEUTEL'.")
# The chat sends its whole conversation (5–10 kB an answer) with every question: this allows
# over a thousand turns. The API has its own, smaller limit (WEGWIJZER_MAX_REQUEST_BYTES).
CHAT_MAX_BODY_BYTES = 16 * 1024 * 1024
TOO_LARGE_MESSAGE = (f"Deze aanvraag is groter dan {CHAT_MAX_BODY_BYTES // (1024 * 1024)} MB en "
                     f"wordt niet gelezen. Begin een nieuw gesprek als het huidige erg lang is.")
UPLOAD_CLOSED_MESSAGE = ("Wegwijzer neemt geen bestanden aan: de chat heeft geen uploads nodig, "
                         "dus uploaden is uitgeschakeld.")
REMOTE_FILE_MESSAGE = ("Wegwijzer haalt geen bestanden van andere websites op. Open het adres zelf "
                       "in uw browser.")
UNKNOWN_CALL_MESSAGE = ("Dit resultaat bestaat niet (meer): het event_id is onbekend of het "
                        "resultaat is al opgehaald. Stel de vraag opnieuw met POST "
                        "/gradio_api/call/ask en haal het resultaat één keer op met het event_id "
                        "dat u terugkrijgt.")
UNKNOWN_SESSION_MESSAGE = ("Voor deze session_hash staat geen vraag klaar (onbekend, of al "
                           "afgehandeld). Stel eerst een vraag via /gradio_api/queue/join.")
UNKNOWN_ENDPOINT_MESSAGE = ("Dit API-eindpunt bestaat niet. Wegwijzer heeft /ask (één vraag, "
                            "antwoord als JSON) en /chat; de beschrijving staat op "
                            "/gradio_api/info.")
# Gradio's routes that take files (any other file comes as multipart/form-data).
UPLOAD_SUFFIXES = ("/gradio_api/upload", "/gradio_api/upload_progress",
                   "/gradio_api/process_recording")
PROGRAM_PREFIXES = ("/v1/", "/gradio_api/mcp/")


def for_programs(path: str) -> bool:
    return (path.rstrip("/") + "/").startswith(PROGRAM_PREFIXES)


def bearer_token(scope: Scope) -> str | None:
    """The token of an 'Authorization: Bearer …' header, or None."""
    for value in Headers(scope=scope).getlist("authorization"):
        kind, _, token = value.partition(" ")
        if kind.lower() == "bearer" and token.strip():
            return token.strip()
    return None


class SharedInstallGuard:
    """ASGI middleware around the Gradio app: the refusals above always; the login and key
    checks only with a login or an API key."""

    def __init__(self, app: Any, limiter: LoginLimiter | None = None,
                 api_key: str | None = None) -> None:
        self.app = app
        self.limiter = limiter or LoginLimiter()
        self.api_key = api_key or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gradio_app = scope.get("app")
        if declared_length(scope) > CHAT_MAX_BODY_BYTES:
            await _json(send, 413, TOO_LARGE_MESSAGE)
            return
        receive = bounded(receive, CHAT_MAX_BODY_BYTES)
        if for_programs(scope["path"]):
            await self._program(scope, receive, send, gradio_app)
            return
        if await self._refused(scope, send, gradio_app):
            return
        path = scope["path"].rstrip("/")
        has_login = getattr(gradio_app, "auth", None) is not None
        if has_login and path.endswith("/login") and scope["method"] == "POST":
            await self._login(scope, receive, send)
        elif has_login and (path.endswith(LOGIN_REQUIRED_SUFFIXES)
                            or path.startswith(LOGIN_REQUIRED_PREFIXES)) and not logged_in(
                scope, gradio_app):
            await _json(send, 401, LOGIN_REQUIRED_MESSAGE)
        else:
            await self.app(scope, receive, send)

    async def _refused(self, scope: Scope, send: Send, gradio_app: Any) -> bool:
        """Answer the requests Gradio should not serve at all; True when answered."""
        path = scope["path"].rstrip("/")
        if path.endswith(UPLOAD_SUFFIXES) or ("/gradio_api/" in path and multipart(scope)):
            await _json(send, 403, UPLOAD_CLOSED_MESSAGE)
            return True
        _, marker, target = path.partition("/gradio_api/file=")
        if marker and target.lower().startswith(("http://", "https://")):
            await _json(send, 403, REMOTE_FILE_MESSAGE)
            return True
        # Not logged in: Gradio's login check answers (strangers do not learn what exists).
        if scope["method"] != "GET" or (getattr(gradio_app, "auth", None) is not None
                                        and not logged_in(scope, gradio_app)):
            return False
        stream = awaited_stream(path, scope.get("query_string", b""))
        if stream is None or stream_known(gradio_app, *stream):
            return False
        event_id, _ = stream
        await _json(send, 404, UNKNOWN_CALL_MESSAGE if event_id else UNKNOWN_SESSION_MESSAGE)
        return True

    async def _program(self, scope: Scope, receive: Receive, send: Send, gradio_app: Any) -> None:
        """The API and MCP routes: the bearer token, or else the login, decides."""
        if self.api_key is None:
            if getattr(gradio_app, "auth", None) is None or logged_in(scope, gradio_app):
                await self.app(scope, receive, send)
            else:
                await _api_error(send, 401, API_LOGIN_MESSAGE, "login_required")
            return
        client = (scope.get("client") or ("onbekend", 0))[0]
        wait = self.limiter.blocked_for(client)
        if wait > 0:
            await _api_error(send, 429, too_many_keys_message(wait), "rate_limit_exceeded",
                             headers=[(b"retry-after", str(math.ceil(wait)).encode())])
            return
        token = bearer_token(scope)
        if token is not None and hmac.compare_digest(token.encode(), self.api_key.encode()):
            await self.app(scope, receive, send)
            return
        if token is not None:  # a wrong key is a failed login; a missing one is not a guess
            self.limiter.failed(client)
        await _api_error(send, 401, API_KEY_MESSAGE, "invalid_api_key")

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


def declared_length(scope: Scope) -> int:
    """The request's Content-Length, or 0 without one."""
    value = Headers(scope=scope).get("content-length", "").strip()
    return int(value) if value.isdigit() else 0


def bounded(receive: Receive, limit: int) -> Receive:
    """`receive` that stops a body (sent without a length) once it passes `limit` bytes: the
    app then reads it as a client that went away, and nothing more of it is held in memory."""
    seen = 0

    async def bounded_receive() -> dict[str, Any]:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                return {"type": "http.disconnect"}
        return message

    return bounded_receive


def multipart(scope: Scope) -> bool:
    return any(value.lower().startswith("multipart/")
               for value in Headers(scope=scope).getlist("content-type"))


def awaited_stream(path: str, query_string: bytes) -> tuple[str | None, str | None] | None:
    """(event_id, session_hash) of a request for results: GET /gradio_api/call/NAME/EVENT_ID
    (also /call/v2/…) or /gradio_api/queue/data?session_hash=…; None for any other request."""
    _, marker, rest = path.partition("/gradio_api/")
    parts = rest.split("/") if marker else []
    if parts[:1] == ["call"] and len(parts) in (3, 4) and (len(parts) == 3 or parts[1] == "v2"):
        return parts[-1], None
    if parts == ["queue", "data"]:
        session = parse_qs(query_string.decode("latin-1")).get("session_hash", [""])[0]
        return (None, session) if session else None
    return None


def stream_known(gradio_app: Any, event_id: str | None, session_hash: str | None) -> bool:
    """Gradio's own test (routes.py, queue_data_helper), made before the stream starts: Gradio
    makes it after, and breaks the stream off with a traceback in the log."""
    try:
        queue = gradio_app.get_blocks()._queue
        if event_id is not None:
            event = queue.event_ids_to_events.get(event_id)
            session_hash = event.session_hash if event is not None else next(
                (session for session, ids in list(queue.pending_event_ids_session.items())
                 if event_id in ids), event_id)
        return session_hash in queue.pending_messages_per_session
    except AttributeError:  # another Gradio version: let Gradio answer
        return True


async def unknown_endpoint(request: Request, error: Exception) -> JSONResponse:
    """A call to an API name Gradio does not know (its FnIndexInferError): 404, not a 500."""
    return JSONResponse({"detail": UNKNOWN_ENDPOINT_MESSAGE}, status_code=404)


def logged_in(scope: Scope, gradio_app: Any) -> bool:
    """Whether the request carries one of Gradio's login cookies with a live token."""
    cookies = SimpleCookie()
    for value in Headers(scope=scope).getlist("cookie"):
        cookies.load(value)
    cookie_id = getattr(gradio_app, "cookie_id", "")
    tokens = getattr(gradio_app, "tokens", {}) or {}
    return any(key in cookies and cookies[key].value in tokens
               for key in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"))


async def _api_error(send: Send, status: int, message: str, code: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """An error in OpenAI's shape (what API clients read), for the API and MCP routes."""
    payload = {"error": {"message": message, "type": "invalid_request_error", "param": None,
                         "code": code}}
    await _json(send, status, payload, [(b"www-authenticate", b"Bearer"), *(headers or [])])


async def _json(send: Send, status: int, detail: str | dict[str, Any],
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    payload = {"detail": detail} if isinstance(detail, str) else detail
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
