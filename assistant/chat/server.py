"""Serving the chat: launch options (address, login, theme, the guard) and `serve()`."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import time
import warnings
from typing import Any, AsyncIterator, MutableMapping, Sequence

from starlette.routing import BaseRoute

from common.errors import WegwijzerError
from common.settings import Settings

log = logging.getLogger("wegwijzer.chat")

# Gradio and huggingface_hub call out (run history, analytics, telemetry): Wegwijzer needs none
# of it (docs/beheer.md, 'Betrouwbaarheid en veiligheid').
FORCED_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "GRADIO_RUN_HISTORY": "False",
    "GRADIO_SHARE": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "ANONYMIZED_TELEMETRY": "False",  # Chroma
}
# Defaults a maintainer may override, e.g. to download a sentence-transformers model.
DEFAULT_ENV = {"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"}
# Nothing in the chat takes a file (guard.py closes the upload routes first).
MAX_UPLOAD_BYTES = 0


def keep_offline(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set the variables above; before gradio or huggingface_hub is imported (both read some
    on import)."""
    environ.update(FORCED_ENV)
    for name, value in DEFAULT_ENV.items():
        environ.setdefault(name, value)


# The chat's own endpoint has a State input; it is no MCP tool (see _only_publication_tools).
warnings.filterwarnings("ignore", message="This MCP server includes a tool that has a gr.State")


def launch_options(settings: Settings, routes: Sequence[BaseRoute] = ()) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch()`, with `routes` (the /v1 API, the /bron pages)
    served before Gradio's own."""
    from gradio.route_utils import FnIndexInferError
    from starlette.middleware import Middleware

    from .guard import SharedInstallGuard, unknown_endpoint
    from .theme import CSS, I18N, JS, THEME

    return dict(
        server_name=settings.host, server_port=settings.port,
        auth=tuple(settings.auth) if settings.auth else None,
        auth_message="Log in om Wegwijzer te gebruiken." if settings.auth else None,
        theme=THEME, css=CSS, js=JS, i18n=I18N, footer_links=[], ssr_mode=False, quiet=True,
        show_error=False, share=False, mcp_server=True, run_history=False,
        max_file_size=MAX_UPLOAD_BYTES,
        app_kwargs={"middleware": [Middleware(SharedInstallGuard, api_key=settings.api_key)],
                    "routes": list(routes),
                    "exception_handlers": {FnIndexInferError: unknown_endpoint},
                    "lifespan": _only_publication_tools},
    )


@contextlib.asynccontextmanager
async def _only_publication_tools(app: Any) -> AsyncIterator[None]:
    """Before the first request: the MCP server offers the four publication tools only."""
    from ..mcp_tools import keep_only_publication_tools

    server = getattr(app.get_blocks(), "mcp_server_obj", None)
    if server is not None:
        keep_only_publication_tools(server)
    yield


def check_port_free(host: str, port: int) -> None:
    """Fail at once, in Dutch, when the address is taken (often: Wegwijzer already runs), not
    after loading the index, with Gradio's English error."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise WegwijzerError(
                f"Poort {port} op {host} is al in gebruik. Draait Wegwijzer "
                f"al? Open dan http://{host}:{port}, of stop dat proces (Ctrl+C in zijn venster). "
                f"Of kies een andere poort: `wegwijzer serve --port 7861` of "
                f"WEGWIJZER_PORT=7861.") from None


def serve(settings: Settings) -> None:
    """Load the Assistant once, build the chat and serve it until Ctrl-C."""
    check_port_free(settings.host, settings.port)
    keep_offline()
    from ..api import OpenAIApi
    from ..service import Assistant
    from .layout import build_app
    from .passage_route import passage_routes

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "bm25s", "chromadb", "uvicorn.access", "mcp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    started = time.perf_counter()
    assistant = Assistant(settings)
    if assistant.chat_model is not None:
        from ..llm import probe

        problem = probe(assistant.chat_model)
        if problem:
            log.warning("Taalmodel %s antwoordt niet (%s): tot het bereikbaar is, bestaan "
                        "antwoorden uit letterlijke zinnen.", settings.llm, problem)
        else:
            log.info("Taalmodel %s antwoordt.", settings.llm)
    demo = build_app(assistant, settings)
    api = OpenAIApi(assistant, settings.concurrency, settings.max_request_bytes)
    routes = [*api.router.routes, *passage_routes(assistant)]
    # Gradio prints the MCP address in English even when quiet (logged in Dutch below).
    with contextlib.redirect_stdout(io.StringIO()):
        demo.launch(prevent_thread_lock=True, **launch_options(settings, routes))
    url = f"http://{settings.host}:{settings.port}"
    log.info("Wegwijzer draait op %s (klaar in %.1f s; stoppen met Ctrl+C)", url,
             time.perf_counter() - started)
    log.info("Voor andere programma's: OpenAI-compatibele API op %s/v1, MCP-server op "
             "%s/gradio_api/mcp/%s", url, url,
             " (met API-sleutel)" if settings.api_key else "")
    if demo.mcp_error:
        log.warning("MCP-server niet gestart (%s). Installeer Wegwijzer opnieuw met `make setup` "
                    "(het pakket 'mcp' ontbreekt waarschijnlijk).", demo.mcp_error)
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        demo.close(verbose=False)  # Gradio's own line on closing is English
        log.info("Wegwijzer gestopt; poort %s is weer vrij.", settings.port)
