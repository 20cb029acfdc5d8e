"""The chat's Blocks and events: questions, filters, Routekaart, votes, export."""

from __future__ import annotations

import logging
from typing import Any, Sequence

import gradio as gr
from gradio.exceptions import InvalidComponentError

from common.settings import Settings

from ..conversation import strip_controls
from ..llm import describe_llm
from ..mcp_tools import PublicationTools, register
from ..present.html import SEARCHING, note_html, render_user, text_html
from ..present.markdown import conversation_markdown
from .records import MAX_COMMENT_CHARS, append_feedback, judge_vote
from .service import ChatService
from .statement import STATEMENT, STATEMENT_PATH, STATEMENT_TITLE
from .texts import (
    BAD_INPUT,
    EXAMPLE_QUESTIONS,
    INTRO,
    PANEL_BUTTON,
    PLACEHOLDER,
    TITLE,
    VOTE_NOT_SAVED,
    VOTE_UNLINKED,
)
from .theme import ANSWERED_JS, ASKED_JS, DOWNLOAD_JS, PANEL_JS

log = logging.getLogger("wegwijzer.chat")


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


class ChatBlocks(gr.Blocks):
    """gr.Blocks that answers a client's wrong input with a Dutch error, not Gradio's English
    one with a traceback in the log."""

    def validate_inputs(self, block_fn: Any, inputs: list[Any]) -> None:
        if len(inputs) < len(block_fn.inputs):
            needed = len(block_fn.inputs)
            raise gr.Error(f"Dit verzoek mist invoer: nodig {'is' if needed == 1 else 'zijn'} "
                           f"{needed} {'waarde' if needed == 1 else 'waarden'}, gekregen "
                           f"{len(inputs)}. Voorbeeld voor /ask: "
                           f'{{"data": ["Wat is een attractieve agenda?"]}}.',
                           print_exception=False)
        super().validate_inputs(block_fn, inputs)

    async def preprocess_data(self, block_fn: Any, inputs: list[Any], state: Any,
                              explicit_call: bool = False) -> list[Any]:
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except InvalidComponentError:  # the app's own mistake: Gradio logs it
            raise
        except (ValueError, gr.Error) as error:  # pydantic's ValidationError is a ValueError
            if isinstance(error, gr.Error) and not error.print_exception:
                raise
            raise gr.Error(BAD_INPUT, print_exception=False) from None


def build_app(assistant: Any, settings: Settings) -> gr.Blocks:
    service = ChatService(assistant, settings)

    with ChatBlocks(title=f"{TITLE} – Werkende samenwerking", analytics_enabled=False) as demo:
        records = gr.State([])
        votes = gr.State({})  # this session's votes by answer_id (records.judge_vote)
        gr.Navbar(visible=False)
        gr.Markdown(f"# {TITLE}")
        # On a small screen the chat's welcome says this, so the question box stays in view.
        gr.Markdown(INTRO, elem_id="wegwijzer-intro")
        with gr.Tabs() as tabs:
            with gr.Tab("Vragen", id="vragen"):
                # Reading order is visual order: the conversation first (see theme.CSS).
                with gr.Row(equal_height=False, elem_id="wegwijzer-main"):
                    with gr.Column(scale=3, min_width=300, elem_id="wegwijzer-conversation"):
                        chatbot = gr.Chatbot(
                            # theme.ASKED_JS and ANSWERED_JS scroll the chat.
                            label="Gesprek", show_label=False, height=560, autoscroll=False,
                            placeholder=PLACEHOLDER,
                            examples=[{"text": q} for q in EXAMPLE_QUESTIONS],
                            buttons=["copy"], sanitize_html=True,
                            # Inert HTML from present.html: no image or link from a publication.
                            render_markdown=False, latex_delimiters=[],
                            feedback_options=("Like", "Dislike"), elem_id="wegwijzer-chat")
                        with gr.Row(elem_id="wegwijzer-ask"):
                            question = gr.Textbox(
                                label="Uw vraag", placeholder="Typ uw vraag en druk op Enter…",
                                lines=1, max_lines=4, scale=5,
                                elem_id="wegwijzer-vraag")
                            ask_button = gr.Button("Vraag stellen", variant="primary", scale=1,
                                                   min_width=120, elem_id="wegwijzer-vraag-knop")
                        status = gr.Markdown("", label="Melding", elem_id="wegwijzer-status")
                        # For screen readers: theme.ANSWERED_JS puts it in the aria-live region.
                        announcement = gr.Textbox(visible="hidden", elem_id="wegwijzer-melding")
                        panel_button = gr.Button(PANEL_BUTTON, variant="secondary",
                                                 elem_id="wegwijzer-paneelknop")
                    with gr.Column(scale=1, min_width=240, elem_id="wegwijzer-paneel"):
                        gr.Markdown("### Zoeken in")
                        publication = gr.Dropdown(
                            service.publication_choices(), value="", label="Publicatie",
                            info="Zoek in één publicatie of in alle.", interactive=True)
                        wegwijzer = gr.Dropdown(
                            service.wegwijzer_choices(), value=0, label="Wegwijzer",
                            info="Zoek in één wegwijzer van de routekaart of in alle.",
                            interactive=True)
                        reset = gr.Button("Nieuw gesprek", variant="secondary")
                        # The export is a file made in the browser, never on the server.
                        export = gr.Textbox(visible="hidden", elem_id="wegwijzer-export")
                        download = gr.Button("Gesprek downloaden (Markdown)", interactive=False,
                                             elem_id="wegwijzer-download")
                        gr.Markdown("### Uw mening")
                        comment = gr.Textbox(
                            label="Toelichting bij uw stem (optioneel)", lines=2, max_lines=4,
                            max_length=MAX_COMMENT_CHARS,
                            placeholder="Typ eventueel eerst een toelichting en klik dan op duim "
                                        "omhoog of omlaag bij het antwoord.")
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
                        pages[stop.number] = gr.HTML(service.routekaart_page(stop.number))
                        focus = gr.Button(f"Vraag stellen over wegwijzer {stop.number}", size="sm")
                        focus.click(lambda n=stop.number: (n, gr.Tabs(selected="vragen")),
                                    outputs=[wegwijzer, tabs], api_visibility="private",
                                    queue=False)

        def respond(text: str, history: list[dict[str, Any]], state: list[dict[str, Any]],
                    publication_id: str, wegwijzer_number: Any):
            history = list(history or [])
            state = list(state or [])
            text = text or ""
            shown = strip_controls(text).strip()
            if not shown:
                yield history, state, text, gr.skip(), \
                    "Typ eerst een vraag, of kies een voorbeeldvraag.", "", gr.skip()
                return
            pub, number = _filter_values(publication_id, wegwijzer_number)
            history.append({"role": "user", "content": render_user(shown)})
            history.append({"role": "assistant", "content": SEARCHING})
            yield history, state, "", gr.skip(), "", "", gr.skip()
            for message, record in service.stream(text, state, pub, number):
                history[-1] = {"role": "assistant", "content": message}
                if record is None:
                    yield history, state, "", gr.skip(), "", gr.skip(), gr.skip()
                else:
                    state = state + [record]
                    yield history, state, "", gr.Button(interactive=True), "", \
                        record["announcement"], conversation_markdown(
                            [r["markdown"] for r in state], TITLE)

        chat_outputs = [chatbot, records, question, download, status, announcement, export]
        chat_inputs = [question, chatbot, records, publication, wegwijzer]
        answered = dict(fn=None, inputs=[announcement], outputs=None, js=ANSWERED_JS,
                        api_visibility="private", queue=False)
        question.submit(respond, chat_inputs, chat_outputs, api_name="chat",
                        show_progress="hidden").then(**answered)
        ask_button.click(respond, chat_inputs, chat_outputs, api_visibility="private",
                         show_progress="hidden").then(**answered)
        panel_button.click(None, None, None, js=PANEL_JS, api_visibility="private", queue=False)
        chatbot.change(None, None, None, js=ASKED_JS, api_visibility="private", queue=False)

        def show_current_index():
            # A re-index may add or drop publications: each page load shows the current ones.
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
            respond, chat_inputs, chat_outputs, api_visibility="private",
            show_progress="hidden").then(**answered)

        def vote(state: list[dict[str, Any]], note: str, history: list[dict[str, Any]],
                 given: dict[str, Any], event: gr.LikeData):
            """A thumb: the answer, its sources and the vote to feedback.jsonl (judge_vote)."""
            index = _assistant_index(history or [], event.index)
            if index is None or index >= len(state or []):
                return note, VOTE_UNLINKED, given
            line, message, after = judge_vote(state[index], event.liked, note, given)
            if line is None:
                return note, message, given
            try:
                append_feedback(settings.feedback_path, line)
            except OSError:
                log.exception("Feedback opslaan in %s mislukt", settings.feedback_path)
                return note, VOTE_NOT_SAVED, given
            return "", message, after

        # One at a time, so quick repeated clicks cannot store an answer twice.
        chatbot.like(vote, [records, comment, chatbot, votes], [comment, status, votes],
                     api_visibility="private", concurrency_limit=1, concurrency_id="vote",
                     show_progress="hidden")

        def new_conversation():
            return [], [], "", gr.Button(interactive=False), "Nieuw gesprek gestart.", "", "", {}

        reset_outputs = [*chat_outputs, votes]
        reset.click(new_conversation, None, reset_outputs, api_visibility="private", queue=False)
        download.click(None, [export], None, js=DOWNLOAD_JS, api_visibility="private")
        # The chat's own bin icon empties the messages: forget the answers behind them too.
        chatbot.clear(new_conversation, None, reset_outputs, api_visibility="private",
                      queue=False)

        def ask(question: str) -> dict:
            """Answer one question; the JSON answer as `wegwijzer ask --json` prints it."""
            return service.ask(question)

        gr.api(ask, api_name="ask")  # an API endpoint, no MCP tool (server.py)
        register(PublicationTools(assistant))
        # HTML rather than Markdown: Gradio opens Markdown links in a new tab.
        gr.HTML(f"<p>Antwoorden: {text_html(describe_llm(settings))}. · "
                f'<a href="{STATEMENT_PATH}">{STATEMENT_TITLE}</a></p>',
                elem_id="wegwijzer-footer")

    with demo.route(STATEMENT_TITLE, STATEMENT_PATH, show_in_navbar=False):
        gr.Navbar(visible=False)
        gr.Markdown(STATEMENT, elem_id="wegwijzer-verklaring")
        gr.HTML(f'<p><a href="./">Terug naar {TITLE}</a></p>', elem_id="wegwijzer-terug")

    demo.queue(default_concurrency_limit=max(1, int(settings.concurrency)))
    return demo
