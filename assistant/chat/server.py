"""Serving the chat: launch options (address, login, theme, the guard) and `serve()`."""

from __future__ import annotations

import logging
import time
from typing import Any

from common.settings import Settings

from .theme import CSS, I18N, JS, THEME

log = logging.getLogger("wegwijzer.chat")


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
    from ..service import Assistant
    from .layout import build_app

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "bm25s", "chromadb", "uvicorn.access"):
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
    demo.launch(prevent_thread_lock=True, **launch_options(settings))
    log.info("Wegwijzer draait op http://%s:%s (klaar in %.1f s; stoppen met Ctrl+C)",
             settings.host, settings.port, time.perf_counter() - started)
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        demo.close(verbose=False)  # Gradio's own line on closing is English
        log.info("Wegwijzer gestopt; poort %s is weer vrij.", settings.port)
