"""Chat models the user configures: `openai:MODEL` (any OpenAI-compatible server) or
`ollama:MODEL`. Both backends are LangChain chat models from the `.[llm]` extra, imported only
when configured, with temperature 0 so answers are repeatable.
"""

from __future__ import annotations

from typing import Any

from common.errors import WegwijzerError
from common.settings import Settings

BACKENDS = ("openai", "ollama")
INSTALL_HINT = "Installeer de taalmodelkoppelingen met: pip install -e '.[llm]' (of make setup)."


def parse_llm(spec: str) -> tuple[str, str]:
    """'openai:qwen2.5' → ('openai', 'qwen2.5'); a Dutch error for anything else."""
    backend, _, model = spec.partition(":")
    if backend not in BACKENDS or not model.strip():
        raise WegwijzerError(
            f"Onbekend taalmodel '{spec}'. Geef het op als openai:MODEL (elke OpenAI-compatibele "
            f"server, met --llm-base-url) of ollama:MODEL, bijvoorbeeld --llm ollama:qwen2.5:7b.")
    return backend, model.strip()


def make_chat_model(settings: Settings) -> Any:
    """The LangChain chat model named by `settings.llm`."""
    backend, model = parse_llm(settings.llm or "")
    try:
        if backend == "openai":
            from langchain_openai import ChatOpenAI

            # A local server needs no key, but the client insists on one.
            return ChatOpenAI(model=model, base_url=settings.llm_base_url,
                              api_key=settings.llm_api_key or "geen-sleutel",
                              temperature=0, timeout=settings.llm_timeout,
                              max_tokens=settings.llm_max_tokens, max_retries=1)
        from langchain_ollama import ChatOllama

        return ChatOllama(model=model, base_url=settings.ollama_url, temperature=0,
                          num_predict=settings.llm_max_tokens,
                          client_kwargs={"timeout": settings.llm_timeout})
    except ImportError as error:
        raise WegwijzerError(
            f"Het taalmodel '{settings.llm}' kan niet worden gebruikt: het pakket "
            f"{error.name or 'langchain-' + backend} ontbreekt. {INSTALL_HINT}") from None
