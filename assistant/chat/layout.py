"""The Gradio chat for new councillors: `wegwijzer serve`.

Everything a user reads is Dutch. The Assistant (models and index) is loaded once by
:func:`serve`; :func:`build_app` only wires the interface around it. The pure pieces (rendering
answers and sources, escaping user input, feedback records, the Markdown export and the
routekaart) are plain functions so they can be tested without a server.
"""

from __future__ import annotations

import os

# Before gradio is imported: it reads this at import time.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Iterator, Sequence  # noqa: E402

import gradio as gr  # noqa: E402

from common.errors import WegwijzerError  # noqa: E402
from common.settings import Settings  # noqa: E402
from indexing.store import connection_lost  # noqa: E402

from indexing.catalog import Wegwijzer  # noqa: E402
from indexing.places import HANDREIKING_PART, WEGWIJZER_NUMBERS  # noqa: E402

from .citations import format_citation  # noqa: E402
from .conversation import strip_controls  # noqa: E402
from .model import Answer, Source, Turn  # noqa: E402
from .rendering import (  # noqa: E402
    SEARCHING,
    describe_filters,
    markdown_literal,
    note_html,
    render_answer,
    render_error,
    render_user,
    routekaart_html,
)

log = logging.getLogger("wegwijzer.chat")

TITLE = "Wegwijzer"
INTRO = (
    "Stel uw vraag over de publicaties van de VNG Denktank *Werkende samenwerking* (2018). "
    "Wegwijzer antwoordt alleen met wat in de publicaties staat en noemt bij elk antwoord de "
    "bronnen: publicatie, wegwijzer, onderdeel en pagina's. Klik op een bron om de passage te lezen."
)
EXAMPLE_QUESTIONS = (
    "Hoe betrek ik de gemeenteraad bij regionale samenwerking?",
    "Wat is een attractieve agenda?",
    "Wat vertelt de UWV-voorzitter over cijfers en feiten?",
    "Wat kan ik als raadslid doen om grip te houden op regionale samenwerking?",
    "Waarom is kennis van het netwerk belangrijk?",
)
PLACEHOLDER = (
    "<p><strong>Welkom bij Wegwijzer.</strong> Nieuw in de raad of als wethouder? Stel hieronder "
    "een vraag over regionale samenwerking, of kies een voorbeeldvraag. Vervolgvragen zoals "
    "<em>'en wat zegt het onderzoek daarover?'</em> kunnen ook.</p>"
)
INDEX_UNREACHABLE = (
    "De index is op dit moment niet bereikbaar. Probeer het over een paar minuten opnieuw; aan "
    "uw vraag ligt het niet."
)
GENERIC_ERROR = (
    "Er ging iets mis bij het beantwoorden van uw vraag. Probeer het nog eens of stel de vraag "
    "anders. De fout is vastgelegd voor de beheerder."
)
ALL_PUBLICATIONS = "Alle publicaties"
ALL_WEGWIJZERS = "Alle wegwijzers"

# System fonts only: the app must work without reaching a font CDN.
# Dark blue buttons and links keep white/blue text above a 4.5:1 contrast ratio; subdued text is
# darkened for the same reason.
THEME = gr.themes.Default(
    primary_hue="blue", font=["system-ui", "sans-serif"], font_mono=["monospace"],
).set(
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="white",
    color_accent="*primary_700",
    body_text_color_subdued="*neutral_600",
    input_placeholder_color="*neutral_500",
)
CSS = """
#wegwijzer-status { min-height: 1.5em; }
.wegwijzer-sources summary { cursor: pointer; }
.message details { margin: 0.35em 0; }
.message details > summary { cursor: pointer; font-weight: 600; }
.message blockquote { border-left: 3px solid #4b5563; padding-left: 0.75em; color: inherit; }
"""
# Gradio's own Dutch translations miss a few chatbot labels.
I18N = gr.I18n(nl={"chatbot.copy_message": "Bericht kopiëren",
                   "chatbot.copy_conversation": "Gesprek kopiëren"})
# Saves the conversation's Markdown (kept in a hidden textbox) as a file, in the browser itself.
DOWNLOAD_JS = """(text) => {
    const blob = new Blob([text || ""], {type: "text/markdown;charset=utf-8"});
    const link = document.createElement("a");
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
    link.href = URL.createObjectURL(blob);
    link.download = `wegwijzer-gesprek-${stamp}.md`;
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    return [];
}"""
# The page is Dutch: tell browsers and screen readers so.
JS = "() => { document.documentElement.lang = 'nl'; }"


# --- conversation records, feedback and export (pure) -----------------------------------------

def make_record(question: str, answer: Answer | None = None, error: str | None = None,
                publication: str | None = None, wegwijzer: int | None = None) -> dict[str, Any]:
    """What the chat remembers of one exchange (JSON-able)."""
    if answer is not None:
        data = answer.to_json()
        return {"question": answer.question or question, "answer": data["answer"],
                "refused": data["refused"], "sources": data["sources"],
                "notices": data.get("notices", []), "publication": publication,
                "wegwijzer": wegwijzer, "error": None}
    return {"question": question, "answer": error or "", "refused": False, "sources": [],
            "notices": [], "publication": publication, "wegwijzer": wegwijzer, "error": error}


def history_turns(records: Sequence[dict[str, Any]]) -> list[Turn]:
    """Earlier answered exchanges as Turns for follow-up questions (errors left out)."""
    return [Turn(question=r["question"], answer=r["answer"]) for r in records if not r.get("error")]


def feedback_record(record: dict[str, Any], vote: str, comment: str | None = None,
                    now: datetime | None = None) -> dict[str, Any]:
    """One line of feedback.jsonl: question, answer, sources, vote ('up'/'down'), comment, time."""
    if vote not in ("up", "down"):
        raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    line: dict[str, Any] = {
        "question": record["question"], "answer": record["answer"],
        "sources": record.get("sources", []), "vote": vote,
        "comment": (comment or "").strip() or None, "timestamp": stamp,
        "refused": bool(record.get("refused")),
    }
    for key in ("publication", "wegwijzer", "error"):
        if record.get(key):
            line[key] = record[key]
    return line


_feedback_lock = threading.Lock()


def append_feedback(path: Path, line: dict[str, Any]) -> None:
    """Append one JSON line to the feedback file (creating its folder); safe across threads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(line, ensure_ascii=False) + "\n"
    with _feedback_lock, path.open("a", encoding="utf-8") as handle:
        handle.write(payload)


def conversation_markdown(records: Sequence[dict[str, Any]], now: datetime | None = None) -> str:
    """The whole conversation with its sources and quoted passages, as a Markdown document."""
    stamp = (now or datetime.now()).strftime("%d-%m-%Y %H:%M")
    lines = [f"# Gesprek met {TITLE}", "",
             "Vragen over de publicaties van de VNG Denktank 'Werkende samenwerking' (2018).",
             f"Geëxporteerd op {stamp}.", ""]
    if not records:
        lines += ["_Nog geen vragen gesteld._", ""]
    for number, record in enumerate(records, start=1):
        lines += [f"## Vraag {number}", "", markdown_literal(record["question"]), "",
                  "### Antwoord", ""]
        lines += [f"_Let op: {markdown_literal(notice)}_" for notice in record.get("notices") or []]
        lines += [markdown_literal(record["answer"]), ""]
        sources = [Source.from_json(data) for data in record.get("sources") or []]
        if sources:
            lines += ["### " + ("Mogelijk relevante passages" if record.get("refused") else "Bronnen"), ""]
            for source in sources:
                lines.append(f"- {markdown_literal(format_citation(source))}")
                for paragraph in re.split(r"\n\s*\n", source.quote.strip()):
                    if paragraph.strip():
                        lines.append("  > " + markdown_literal(" ".join(paragraph.split())))
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- routekaart ---------------------------------------------------------------------------------

def routekaart_page_html(stop: Wegwijzer) -> str:
    """The body of one wegwijzer on the Routekaart tab."""
    return routekaart_html(stop.stories, stop.research_pages, stop.handreiking, HANDREIKING_PART)


# --- the app -----------------------------------------------------------------------------------

class ChatService:
    """The Assistant behind the chat: refreshes to the newest index, never leaks a traceback."""

    def __init__(self, assistant: Any, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self._refresh_lock = threading.Lock()

    # What the index being served holds (for the filters and the Routekaart tab).
    publication_titles = property(lambda self: self.assistant.catalog.publication_titles)
    wegwijzer_titles = property(lambda self: self.assistant.catalog.wegwijzer_titles)
    stops = property(lambda self: self.assistant.catalog.wegwijzers)

    def refresh_quietly(self) -> None:
        """Refresh on page load: an unreachable index is logged once, the page still loads."""
        try:
            self.refresh()
        except Exception as error:
            if not connection_lost(error):
                raise
            log_unreachable("bij het laden van de pagina", error)

    def refresh(self) -> bool:
        """Serve the newest index generation if a re-index finished; True when it switched."""
        with self._refresh_lock:
            if not self.assistant.refresh():
                return False
            log.info("Nieuwe indexgeneratie in gebruik: %s", self.assistant.generation.name)
            return True

    def publication_choices(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the publication filter; '' is all publications."""
        return [(ALL_PUBLICATIONS, "")] + [
            (title, pid) for pid, title in sorted(self.publication_titles.items())]

    def wegwijzer_choices(self) -> list[tuple[str, int]]:
        """(label, value) pairs for the wegwijzer filter; 0 is all wegwijzers."""
        return [(ALL_WEGWIJZERS, 0)] + [
            (f"{n} · {self.wegwijzer_titles.get(n, f'Wegwijzer {n}')}", n)
            for n in self.assistant.catalog.wegwijzer_numbers or WEGWIJZER_NUMBERS]

    def routekaart_page(self, number: int) -> str:
        """The Routekaart tab's text for wegwijzer `number` in the index being served."""
        for stop in self.stops:
            if stop.number == number:
                return routekaart_page_html(stop)
        return note_html(f"Wegwijzer {number} staat niet (meer) in de index.")

    def ask(self, question: str) -> dict[str, Any]:
        """The /ask endpoint: the answer dict exactly as `wegwijzer ask --json` prints it."""
        try:
            self.refresh()
            return self.assistant.ask(question).to_json()
        except WegwijzerError as error:
            raise gr.Error(str(error), print_exception=False) from None
        except Exception as error:
            raise gr.Error(failure_message(error, question), print_exception=False) from None

    def stream(self, question: str, records: Sequence[dict[str, Any]], publication: str | None,
               wegwijzer: int | None) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """Yield (message markdown, None) while answering, then (final markdown, record)."""
        scope = describe_filters(publication, wegwijzer, self.publication_titles,
                                 self.wegwijzer_titles)
        try:
            self.refresh()
            answer: Answer | None = None
            text = ""
            for text, answer in self.assistant.stream(
                    question, history=history_turns(records), publication=publication,
                    wegwijzer=wegwijzer):
                yield render_answer(text, answer), None
            if answer is None:  # a stream always yields; guard against an empty one anyway
                raise RuntimeError("the assistant's stream yielded nothing")
            record = make_record(question, answer, publication=publication, wegwijzer=wegwijzer)
            yield render_answer(text, answer, final=True, scope=scope), record
        except WegwijzerError as error:
            yield render_error(str(error)), make_record(question, error=str(error),
                                                        publication=publication, wegwijzer=wegwijzer)
        except Exception as error:
            message = failure_message(error, question)
            yield render_error(message), make_record(question, error=message,
                                                     publication=publication, wegwijzer=wegwijzer)


def log_unreachable(where: str, error: BaseException) -> None:
    """One log line, no traceback: a stopped Chroma server is an outage, not a bug."""
    log.error("Index niet bereikbaar %s (%s: %s)", where, type(error).__name__,
              str(error).splitlines()[0][:200] if str(error) else "")


def failure_message(error: BaseException, question: str) -> str:
    """The Dutch message for an unexpected failure while answering; logs it for the maintainer."""
    if connection_lost(error):
        log_unreachable("bij het beantwoorden", error)
        return INDEX_UNREACHABLE
    log.exception("Fout bij het beantwoorden van %r", question)
    return GENERIC_ERROR


def _filter_values(publication: str | None, wegwijzer: Any) -> tuple[str | None, int | None]:
    publication = publication or None
    try:
        number = int(wegwijzer) if wegwijzer not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    return publication, (number or None)


def _assistant_index(history: Sequence[dict[str, Any]], message_index: Any) -> int | None:
    """Which answer (0-based) a chat message index points at, or None for a user message."""
    if isinstance(message_index, (list, tuple)):
        message_index = message_index[0]
    if not isinstance(message_index, int) or not 0 <= message_index < len(history):
        return None
    if history[message_index].get("role") != "assistant":
        return None
    return sum(1 for m in history[: message_index + 1] if m.get("role") == "assistant") - 1


def build_app(assistant: Any, settings: Settings) -> gr.Blocks:
    """The chat interface around a loaded Assistant (launch it with :func:`launch_options`)."""
    service = ChatService(assistant, settings)

    with gr.Blocks(title=f"{TITLE} – Werkende samenwerking", analytics_enabled=False) as demo:
        records = gr.State([])
        gr.Markdown(f"# {TITLE}\n\n{INTRO}")
        with gr.Tabs() as tabs:
            with gr.Tab("Vragen", id="vragen"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=240):
                        gr.Markdown("### Zoeken in")
                        publication = gr.Dropdown(
                            service.publication_choices(), value="", label="Publicatie",
                            info="Zoek in één publicatie of in alle.", interactive=True)
                        wegwijzer = gr.Dropdown(
                            service.wegwijzer_choices(), value=0, label="Wegwijzer",
                            info="Zoek in één wegwijzer van de routekaart of in alle.",
                            interactive=True)
                        reset = gr.Button("Nieuw gesprek", variant="secondary")
                        # The export is built in the browser from this hidden text: no file is
                        # ever written on the server (nothing piles up in temporary folders).
                        export = gr.Textbox(visible="hidden", elem_id="wegwijzer-export")
                        download = gr.Button("Gesprek downloaden (Markdown)", interactive=False,
                                             elem_id="wegwijzer-download")
                        gr.Markdown("### Uw mening")
                        comment = gr.Textbox(
                            label="Toelichting bij uw stem (optioneel)", lines=2, max_lines=4,
                            placeholder="Typ eventueel eerst een toelichting en klik dan op duim "
                                        "omhoog of omlaag bij het antwoord.")
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="Gesprek", height=620, placeholder=PLACEHOLDER,
                            examples=[{"text": q} for q in EXAMPLE_QUESTIONS],
                            buttons=["copy"], sanitize_html=True,
                            # Messages are HTML written by assistant.rendering; no Markdown pass,
                            # so text from publications can never become an image or a link.
                            render_markdown=False, latex_delimiters=[],
                            feedback_options=("Like", "Dislike"), elem_id="wegwijzer-chat")
                        with gr.Row():
                            question = gr.Textbox(
                                label="Uw vraag", placeholder="Typ uw vraag en druk op Enter…",
                                lines=1, max_lines=4, scale=5, autofocus=True,
                                elem_id="wegwijzer-vraag")
                            ask_button = gr.Button("Vraag stellen", variant="primary", scale=1,
                                                   min_width=120)
                        status = gr.Markdown("", label="Melding", elem_id="wegwijzer-status")
            with gr.Tab("Routekaart", id="routekaart"):
                gr.Markdown(
                    "## Routekaart: tien wegwijzers\n\nDe routekaart uit het Jaarbericht 2018 "
                    "*Werkende samenwerking*. Open een wegwijzer voor de verhalen en de "
                    "handreiking, of stel er meteen een vraag over.")
                if not service.stops:
                    gr.HTML(note_html("De routekaart staat niet in de index."))
                pages: dict[int, gr.HTML] = {}
                for stop in service.stops:
                    with gr.Accordion(stop.label, open=False):
                        pages[stop.number] = gr.HTML(routekaart_page_html(stop))
                        focus = gr.Button(f"Vraag stellen over wegwijzer {stop.number}", size="sm")
                        focus.click(lambda n=stop.number: (n, gr.Tabs(selected="vragen")),
                                    outputs=[wegwijzer, tabs], api_visibility="private",
                                    queue=False)

        def respond(text: str, history: list[dict[str, Any]], state: list[dict[str, Any]],
                    publication_id: str, wegwijzer_number: Any):
            """Stream one answer into the chat."""
            history = list(history or [])
            state = list(state or [])
            text = text or ""
            shown = strip_controls(text).strip()
            if not shown:
                yield history, state, text, gr.skip(), \
                    "Typ eerst een vraag, of kies een voorbeeldvraag.", gr.skip()
                return
            pub, number = _filter_values(publication_id, wegwijzer_number)
            history.append({"role": "user", "content": render_user(shown)})
            history.append({"role": "assistant", "content": SEARCHING})
            yield history, state, "", gr.skip(), "", gr.skip()
            for message, record in service.stream(text, state, pub, number):
                history[-1] = {"role": "assistant", "content": message}
                if record is None:
                    yield history, state, "", gr.skip(), "", gr.skip()
                else:
                    state = state + [record]
                    yield history, state, "", gr.Button(interactive=True), "", \
                        conversation_markdown(state)

        chat_outputs = [chatbot, records, question, download, status, export]
        chat_inputs = [question, chatbot, records, publication, wegwijzer]
        question.submit(respond, chat_inputs, chat_outputs, api_name="chat",
                        show_progress="hidden")
        ask_button.click(respond, chat_inputs, chat_outputs, api_visibility="private",
                         show_progress="hidden")

        def show_current_index():
            # A re-index while the chat runs may add or drop publications: each page load shows
            # the filters and the Routekaart of the generation now being served.
            service.refresh_quietly()
            return (gr.Dropdown(choices=service.publication_choices()),
                    gr.Dropdown(choices=service.wegwijzer_choices()),
                    *[service.routekaart_page(number) for number in pages])

        demo.load(show_current_index, outputs=[publication, wegwijzer, *pages.values()],
                  api_visibility="private", queue=False)

        def pick_example(event: gr.SelectData) -> str:
            value = event.value
            return value.get("text", "") if isinstance(value, dict) else str(value or "")

        chatbot.example_select(pick_example, None, question, api_visibility="private",
                               queue=False).then(
            respond, chat_inputs, chat_outputs, api_visibility="private", show_progress="hidden")

        def vote(state: list[dict[str, Any]], note: str, history: list[dict[str, Any]],
                 event: gr.LikeData):
            """Thumbs up/down: append the answer, its sources and the vote to feedback.jsonl."""
            if event.liked not in (True, False):
                return note, "Uw stem is ingetrokken. Een eerder opgeslagen stem blijft bewaard."
            index = _assistant_index(history or [], event.index)
            if index is None or index >= len(state or []):
                return note, "Deze stem kon niet aan een antwoord worden gekoppeld."
            choice = "up" if event.liked else "down"
            try:
                append_feedback(settings.feedback_path, feedback_record(state[index], choice, note))
            except OSError:
                log.exception("Feedback opslaan in %s mislukt", settings.feedback_path)
                return note, "Uw stem kon niet worden opgeslagen. Probeer het later nog eens."
            thumb = "duim omhoog" if event.liked else "duim omlaag"
            return "", f"Bedankt! Uw stem ({thumb}) is opgeslagen."

        chatbot.like(vote, [records, comment, chatbot], [comment, status],
                     api_visibility="private", queue=False)

        def new_conversation():
            return [], [], "", gr.Button(interactive=False), "Nieuw gesprek gestart.", ""

        reset.click(new_conversation, None, chat_outputs, api_visibility="private", queue=False)
        download.click(None, [export], None, js=DOWNLOAD_JS, api_visibility="private")
        # The chat's own bin icon empties the messages: forget the answers behind them too.
        chatbot.clear(new_conversation, None, chat_outputs, api_visibility="private", queue=False)

        def ask(question: str) -> dict:
            """Answer one question; the JSON answer as `wegwijzer ask --json` prints it."""
            return service.ask(question)

        gr.api(ask, api_name="ask")

    demo.queue(default_concurrency_limit=max(1, int(settings.concurrency)))
    return demo


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch()`: address, auth, theme and quiet Dutch output.

    With a login, `guard.SharedInstallGuard` limits failed logins and closes the routes
    Gradio leaves open.
    """
    from starlette.middleware import Middleware

    from .guard import SharedInstallGuard

    return dict(
        server_name=settings.host, server_port=settings.port,
        auth=tuple(settings.auth) if settings.auth else None,
        auth_message="Log in om Wegwijzer te gebruiken." if settings.auth else None,
        theme=THEME, css=CSS, js=JS, i18n=I18N, footer_links=[], ssr_mode=False, quiet=True,
        show_error=False, share=False,
        app_kwargs={"middleware": [Middleware(SharedInstallGuard)]},
    )


def serve(settings: Settings) -> None:
    """Load the Assistant once, build the chat and serve it until Ctrl-C."""
    from .service import Assistant

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "bm25s", "chromadb", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    started = time.perf_counter()
    assistant = Assistant(settings)
    demo = build_app(assistant, settings)
    demo.launch(prevent_thread_lock=True, **launch_options(settings))
    log.info("Wegwijzer draait op http://%s:%s (klaar in %.1f s; stoppen met Ctrl+C)",
             settings.host, settings.port, time.perf_counter() - started)
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        log.info("Wegwijzer gestopt.")
    finally:
        demo.close()
