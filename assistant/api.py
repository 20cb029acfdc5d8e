"""The OpenAI-compatible API next to the chat (/v1): answers as Markdown with their sources.

The body is read and checked here, not by FastAPI, so the size limit holds while it arrives and
a client's mistake is a Dutch 4xx in OpenAI's error shape, never a 422 or a 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, AsyncIterator, Awaitable, Callable, Iterator, Literal, TypeVar

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import (BaseModel, ConfigDict, Discriminator, Field, StrictBool, StrictStr,
                      StringConstraints, Tag, ValidationError, field_validator, model_validator)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from indexing.catalog import Catalog

from .conversation import strip_controls
from .present.errors import describe
from .present.markdown import MarkdownStream, answer_markdown, strip_answer_markdown
from .model import Answer, AnswerEvent, Turn

log = logging.getLogger("wegwijzer.api")

PREFIX = "/v1"
MODEL = "wegwijzer"
EXAMPLE = ('{"model": "wegwijzer", "messages": [{"role": "user", "content": '
           '"Wat is een attractieve agenda?"}]}')
# Roles whose messages are not part of the conversation Wegwijzer answers (a client's own
# instructions to a model; Wegwijzer has its own).
IGNORED_ROLES = {"system", "developer", "tool", "function"}


class ApiError(Exception):
    """A request the API answers with an error: HTTP status and OpenAI's error fields."""

    def __init__(self, status: int, message: str, type: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = (
            status, message, type, code, param)

    def body(self) -> dict[str, Any]:
        """OpenAI's error shape."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param,
                          "code": self.code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status)


def malformed(message: str, param: str | None = None) -> ApiError:
    return ApiError(400, f"{message} Voorbeeld van een geldige aanvraag: {EXAMPLE}",
                    code="invalid_request", param=param)


def _content_kind(content: Any) -> str | None:
    return {str: "text", list: "parts", type(None): "none"}.get(type(content))


def _part_kind(part: Any) -> str | None:
    if not isinstance(part, dict):
        return None
    return "text" if part.get("type") == "text" else "other"


class TextPart(BaseModel):
    type: Literal["text"]
    text: StrictStr | None = None


class OtherPart(BaseModel):
    """A part that is not text (an image, a file): left out of the question."""


# The discriminators pick the member, so a wrong value has one error, at its own place.
Part = Annotated[Annotated[TextPart, Tag("text")] | Annotated[OtherPart, Tag("other")],
                 Discriminator(_part_kind)]
Content = Annotated[Annotated[StrictStr, Tag("text")] | Annotated[list[Part], Tag("parts")]
                    | Annotated[None, Tag("none")], Discriminator(_content_kind)]


class Message(BaseModel):
    role: Literal["system", "developer", "tool", "function", "user", "assistant"]
    content: Content = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(part.text or "" for part in self.content
                             if isinstance(part, TextPart))
        return self.content or ""


class ChatRequest(BaseModel):
    """The fields Wegwijzer uses (others are ignored), ending in a user message with text."""

    model_config = ConfigDict(frozen=True)

    model: Annotated[str, StringConstraints(strict=True, strip_whitespace=True,
                                            min_length=1)] = MODEL
    stream: StrictBool | None = False
    messages: Annotated[list[Message], Field(min_length=1)]

    @field_validator("stream")
    @classmethod
    def _null_is_false(cls, stream: bool | None) -> bool:
        return bool(stream)

    @model_validator(mode="after")
    def _ends_in_a_question(self) -> ChatRequest:
        # ApiError is no ValueError: pydantic lets it through as it is, with its own code.
        conversation = self.conversation
        if not conversation or conversation[-1][0] != "user":
            raise malformed("Het laatste bericht in 'messages' moet de vraag zijn (role "
                            "'user').", "messages")
        if not strip_controls(conversation[-1][1]).strip():
            raise ApiError(400, "De vraag is leeg: het laatste bericht (role 'user') bevat geen "
                                "tekst. Zet uw vraag in dat bericht, bijvoorbeeld 'Wat is een "
                                "attractieve agenda?'.", code="empty_question", param="messages")
        return self

    @property
    def conversation(self) -> list[tuple[str, str]]:
        return [(m.role, m.text) for m in self.messages if m.role not in IGNORED_ROLES]

    @property
    def question(self) -> str:
        return self.conversation[-1][1]

    @property
    def history(self) -> list[Turn]:
        """Earlier messages as Turns: each user message with the answer after it."""
        turns: list[Turn] = []
        for role, text in self.conversation[:-1]:
            if role == "user":
                turns.append(Turn(question=text))
            elif turns and not turns[-1].answer:
                turns[-1].answer = strip_answer_markdown(text)
        return [turn for turn in turns if turn.question.strip()]


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"De aanvraag is groter dan {limit} bytes. Stuur minder of kortere "
                         f"eerdere berichten mee: Wegwijzer gebruikt er alleen de laatste paar "
                         f"van. De grens is WEGWIJZER_MAX_REQUEST_BYTES.",
                    code="request_too_large", param="messages")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is larger than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


def parse_chat_request(body: bytes) -> ChatRequest:
    try:
        return ChatRequest.model_validate_json(body)
    except ValidationError as error:
        raise invalid_request(error) from None


def invalid_request(error: ValidationError) -> ApiError:
    """The Dutch 400 for the first thing wrong in a body (pydantic finds them in field order)."""
    problem = error.errors(include_url=False)[0]
    kind, where = problem["type"], problem["loc"]
    if kind == "json_invalid":
        if "recursion limit" in problem["ctx"]["error"]:  # JSON nested hundreds of levels deep
            return malformed("De aanvraag is te diep genest om te lezen.")
        return malformed("De aanvraag is geen geldige JSON.")
    if not where:
        return malformed("De aanvraag moet een JSON-object zijn.")
    if where[0] == "model":
        return malformed("'model' moet de naam van een model zijn, bijvoorbeeld 'wegwijzer' "
                         "(zie GET /v1/models).", "model")
    if where[0] == "stream":
        return malformed("'stream' moet true of false zijn.", "stream")
    if len(where) == 1:
        return malformed("'messages' ontbreekt of is leeg: geef een lijst berichten, met als "
                         "laatste de vraag (role 'user').", "messages")
    index = where[1]
    if len(where) == 2:
        return malformed(f"messages[{index}] moet een object met 'role' en 'content' zijn.",
                         "messages")
    if where[2] == "role":
        role = None if kind == "missing" else problem["input"]
        return malformed(f"messages[{index}] heeft een onbekende role {str(role)[:40]!r}; "
                         f"gebruik 'user' of 'assistant' (of 'system').", "messages")
    if len(where) == 3:
        return malformed(f"messages[{index}].content moet tekst zijn (of een lijst onderdelen "
                         f"met type 'text').", "messages")
    if len(where) == 5:  # ('messages', i, 'content', 'parts', j): the part itself
        return malformed(f"messages[{index}].content bevat een onderdeel dat geen object is.",
                         "messages")
    return malformed(f"messages[{index}].content: 'text' moet tekst zijn.", "messages")


def model_publications(catalog: Catalog) -> dict[str, str | None]:
    """Model id → the publication it answers from (None: all publications)."""
    return {MODEL: None, **{f"{MODEL}-{publication_id}": publication_id
                            for publication_id in sorted(catalog.publication_titles)}}


def unknown_model(model: str, catalog: Catalog) -> ApiError:
    return ApiError(404, f"Het model '{model}' bestaat niet. Kies 'wegwijzer' (alle publicaties) "
                         f"of één publicatie: {', '.join(list(model_publications(catalog))[1:])} "
                         f"(zie GET /v1/models).", code="model_not_found", param="model")


def answer_error(error: BaseException, question: str) -> ApiError:
    problem = describe(error, question)
    return ApiError(problem.status, problem.message,
                    type="server_error" if problem.server_side else "invalid_request_error",
                    code=problem.code, param="messages" if problem.code == "invalid_question"
                    else None)


def sse(data: dict[str, Any] | str) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {text}\n\n".encode("utf-8")


_END = object()
T = TypeVar("T")


class ClientGone(Exception):
    """The client closed the connection before its answer was complete."""


class AnswerWorker:
    """One answer's events, computed in a thread while it holds one of the API's slots.

    `stop()` (the client has gone) frees the slot at once; the thread closes the answer's stream
    (and so a language model's) at its next event.
    """

    def __init__(self, events: Iterator[AnswerEvent], slots: asyncio.Semaphore) -> None:
        self.events, self.slots = events, slots
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._stop = threading.Event()
        self._holds_slot = False

    async def start(self) -> None:
        await self.slots.acquire()
        self._holds_slot = True
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._run, args=(loop,), name="wegwijzer-answer",
                         daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._release()

    def _release(self) -> None:
        if self._holds_slot:  # only ever touched on the event loop: no lock needed
            self._holds_slot = False
            self.slots.release()

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        def hand_over(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(self.inbox.put_nowait, item)
            except RuntimeError:  # the server is shutting down: nobody is listening
                self._stop.set()

        try:
            for event in self.events:
                if self._stop.is_set():
                    break
                hand_over(event)
        except Exception as error:
            hand_over(error)
        finally:
            self.events.close()
            hand_over(_END)
            try:
                loop.call_soon_threadsafe(self._release)
            except RuntimeError:
                pass

    async def next(self) -> Any:
        """The next event, or _END; raises the answer's error."""
        item = await self.inbox.get()
        if isinstance(item, Exception):  # the answer's error (events are never exceptions)
            raise item
        return item

    async def final(self) -> Answer:
        """Every event up to the complete Answer."""
        answer = None
        while (event := await self.next()) is not _END:
            if isinstance(event, Answer):
                answer = event
        return answer


async def unless_gone(request: Request, work: Awaitable[T]) -> T:
    """The result of `work`, or ClientGone as soon as the client disconnects."""
    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(watch())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if not task.done():
        task.cancel()
        raise ClientGone()
    return task.result()


class ApiRoute(APIRoute):
    """A route that answers an ApiError raised anywhere in it in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handle(request)
            except ApiError as error:
                return error.response()

        return answer


class OpenAIApi:
    """The /v1 routes (`router`) around a loaded Assistant."""

    def __init__(self, assistant: Any, concurrency: int = 4,
                 max_request_bytes: int = 1_000_000) -> None:
        self.assistant = assistant
        # Answers at once through the API (the chat's queue has its own limit).
        self.slots = asyncio.Semaphore(max(1, int(concurrency)))
        self.max_request_bytes = max_request_bytes
        self.created = int(time.time())
        # Out of Gradio's /openapi.json, as before: the API is described in the README.
        self.router = APIRouter(prefix=PREFIX, route_class=ApiRoute, include_in_schema=False)
        read = ["GET", "HEAD"]  # HEAD as Starlette adds it to a GET route
        self.router.add_api_route("/models", self.models, methods=read)
        self.router.add_api_route("/models/{model_id}", self.model, methods=read)
        self.router.add_api_route("/chat/completions", self.chat_completions, methods=["POST"])
        for path in ("", "/{rest:path}"):  # anything else under /v1, also a wrong method
            self.router.add_api_route(path, self.not_found,
                                      methods=[*read, "POST", "PUT", "PATCH", "DELETE"])

    def _model_object(self, model_id: str, publication: str | None) -> dict[str, Any]:
        titles = self.assistant.catalog.publication_titles
        name = f"Wegwijzer: {titles[publication]}" if publication else "Wegwijzer: alle publicaties"
        return {"id": model_id, "object": "model", "created": self.created,
                "owned_by": "wegwijzer", "name": name}

    async def models(self) -> Response:
        self._refresh()
        return JSONResponse({"object": "list", "data": [
            self._model_object(model_id, publication) for model_id, publication
            in model_publications(self.assistant.catalog).items()]})

    async def model(self, model_id: str) -> Response:
        models = model_publications(self.assistant.catalog)
        if model_id not in models:
            raise unknown_model(model_id, self.assistant.catalog)
        return JSONResponse(self._model_object(model_id, models[model_id]))

    async def not_found(self, request: Request) -> Response:
        path = request.url.path.rstrip("/")
        if path == f"{PREFIX}/chat/completions":
            raise ApiError(405, "Gebruik POST voor /v1/chat/completions.",
                           code="method_not_allowed")
        if path.startswith(f"{PREFIX}/models"):
            raise ApiError(405, "Gebruik GET voor /v1/models.", code="method_not_allowed")
        raise ApiError(404, f"Het adres {request.url.path} bestaat niet in de API van Wegwijzer. "
                            f"Gebruik GET /v1/models of POST /v1/chat/completions.",
                       code="not_found")

    def _refresh(self) -> None:
        if self.assistant.refresh():
            log.info("Nieuwe indexgeneratie in gebruik: %s", self.assistant.generation.name)

    def _events(self, chat: ChatRequest, publication: str | None) -> Iterator[AnswerEvent]:
        self._refresh()
        yield from self.assistant.stream(chat.question, history=chat.history,
                                         publication=publication)

    async def chat_completions(self, request: Request) -> Response:
        chat = parse_chat_request(await read_body(request, self.max_request_bytes))
        models = model_publications(self.assistant.catalog)
        if chat.model not in models:
            raise unknown_model(chat.model, self.assistant.catalog)
        worker = AnswerWorker(self._events(chat, models[chat.model]), self.slots)
        try:
            await unless_gone(request, worker.start())
            if not chat.stream:
                answer = await unless_gone(request, worker.final())
                return JSONResponse(self._completion(chat).response(answer))
            # The first event comes after retrieval: a failure up to there is still an
            # HTTP error, not a broken stream.
            first = await unless_gone(request, worker.next())
        except ClientGone:
            worker.stop()
            log.info("Aanvraag afgebroken door de client; het antwoord is gestopt.")
            return Response(status_code=499)
        except Exception as error:
            worker.stop()
            return answer_error(error, chat.question).response()
        completion = self._completion(chat)
        return StreamingResponse(self._stream(completion, chat, first, worker),
                                 media_type="text/event-stream",
                                 headers={"cache-control": "no-cache", "x-accel-buffering": "no"})

    def _completion(self, chat: ChatRequest) -> "Completion":
        return Completion(model=chat.model, fingerprint=self.assistant.generation.name)

    async def _stream(self, completion: "Completion", chat: ChatRequest, first: Any,
                      worker: AnswerWorker) -> AsyncIterator[bytes]:
        markdown = MarkdownStream(live=self.assistant.chat_model is None)
        try:
            yield sse(completion.chunk({"role": "assistant", "content": ""}))
            try:
                event = first
                while event is not _END:
                    for piece in markdown.feed(event):
                        yield sse(completion.chunk({"content": piece}))
                    event = await worker.next()
                yield sse(completion.last_chunk(markdown.answer))
            except Exception as error:  # the stream has started: the error goes in the stream
                yield sse(answer_error(error, chat.question).body())
            yield sse("[DONE]")
        finally:  # also when the client has gone and the response is cancelled
            worker.stop()


@dataclass
class Completion:
    """The fixed fields of one chat completion and its chunks."""

    model: str
    fingerprint: str
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex}")
    created: int = field(default_factory=lambda: int(time.time()))

    def _object(self, kind: str, choice: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model,
                "system_fingerprint": self.fingerprint,
                "choices": [{"index": 0, **choice, "logprobs": None}], **extra}

    def response(self, answer: Answer) -> dict[str, Any]:
        message = {"role": "assistant", "content": answer_markdown(answer)}
        return self._object("chat.completion", {"message": message, "finish_reason": "stop"},
                            sources=[source.to_json() for source in answer.sources])

    def chunk(self, delta: dict[str, Any]) -> dict[str, Any]:
        return self._object("chat.completion.chunk", {"delta": delta, "finish_reason": None})

    def last_chunk(self, answer: Answer) -> dict[str, Any]:
        return self._object("chat.completion.chunk", {"delta": {}, "finish_reason": "stop"},
                            sources=[source.to_json() for source in answer.sources])
