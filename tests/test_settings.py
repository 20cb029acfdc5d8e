"""Settings: every field from its WEGWIJZER_* variable, flags over variables, Dutch errors for
values that do not fit, immutable, and secrets kept out of repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from common.errors import WegwijzerError
from common.settings import Settings

# One value per field, different from its default, as the variable gives it and as it is read.
FROM_VARIABLES = {
    "corpus_dir": ("/srv/corpus", Path("/srv/corpus")),
    "data_dir": ("/srv/data", Path("/srv/data")),
    "chroma_url": ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    "embedder": ("sentence-transformers:/m", "sentence-transformers:/m"),
    "reranker": ("cross-encoder:/r", "cross-encoder:/r"),
    "collection": ("raad", "raad"),
    "profile": ("/srv/profiel.toml", Path("/srv/profiel.toml")),
    "chunk_words": ("90", 90),
    "top_k": ("8", 8),
    "max_passages": ("100", 100),
    "index_wait": ("0", 0),
    "llm": ("ollama:qwen", "ollama:qwen"),
    "llm_base_url": ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1"),
    "llm_api_key": ("sleutel-llm", "sleutel-llm"),
    "ollama_url": ("http://127.0.0.1:11434", "http://127.0.0.1:11434"),
    "llm_timeout": ("30", 30),
    "llm_max_tokens": ("200", 200),
    "llm_deadline": ("1", 1),
    "llm_max_chars": ("1", 1),
    "history_turns": ("0", 0),
    "max_request_bytes": ("1", 1),
    "host": ("0.0.0.0", "0.0.0.0"),
    "port": ("8080", 8080),
    "concurrency": ("2", 2),
    "api_key": ("sleutel-api", "sleutel-api"),
}


def test_every_field_has_its_variable() -> None:
    assert set(FROM_VARIABLES) | {"auth"} == set(Settings.model_fields)
    env = {f"WEGWIJZER_{field.upper()}": raw for field, (raw, _) in FROM_VARIABLES.items()}
    settings = Settings.from_env(env)

    for field, (_, value) in FROM_VARIABLES.items():
        assert getattr(settings, field) == value != getattr(Settings(), field), field


def test_defaults_empty_and_unrelated_variables() -> None:
    defaults = Settings()
    env = {f"WEGWIJZER_{field.upper()}": "" for field in FROM_VARIABLES}
    env |= {"WEGWIJZER_SCREENSHOT": "/tmp", "PORT": "1", "wegwijzer-port": "2"}

    assert Settings.from_env(env) == defaults == Settings.from_env({})
    assert (defaults.port, defaults.history_turns, defaults.llm, defaults.api_key) == \
        (7860, 3, None, None)


def test_the_login_needs_both_variables() -> None:
    both = {"WEGWIJZER_AUTH_USER": "raadslid", "WEGWIJZER_AUTH_PASSWORD": "geheim123"}
    assert Settings.from_env(both).auth == ("raadslid", "geheim123")
    assert Settings.from_env({"WEGWIJZER_AUTH_USER": "raadslid"}).auth is None
    assert Settings.from_env({**both, "WEGWIJZER_AUTH_PASSWORD": ""}).auth is None
    # The login is the pair only; a variable for the whole field is not read.
    assert Settings.from_env({"WEGWIJZER_AUTH": '["a", "b"]'}).auth is None


def test_flags_override_variables_and_none_is_no_flag() -> None:
    env = {"WEGWIJZER_DATA_DIR": "/srv/data", "WEGWIJZER_PORT": "8080"}
    settings = Settings.from_env(env, data_dir="elders", port=None, llm=None)

    assert settings.data_dir == Path("elders") and settings.port == 8080 and settings.llm is None


def test_from_env_reads_the_process_environment_and_settings_do_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJZER_TOP_K", "9")
    assert Settings.from_env().top_k == 9
    assert Settings().top_k == Settings(data_dir="x").top_k == 5


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PORT", "abc", "WEGWIJZER_PORT='abc' is geen geheel getal. Geef een getal op, "
                    "bijvoorbeeld WEGWIJZER_PORT=5."),
    ("TOP_K", "5,5", "WEGWIJZER_TOP_K='5,5' is geen geheel getal. Geef een getal op, "
                     "bijvoorbeeld WEGWIJZER_TOP_K=5."),
    ("LLM_DEADLINE", "0", "WEGWIJZER_LLM_DEADLINE=0 is te klein: geef een getal van 1 of meer, "
                          "of laat de variabele weg voor de standaard (120)."),
    ("LLM_MAX_CHARS", "-5", "WEGWIJZER_LLM_MAX_CHARS=-5 is te klein: geef een getal van 1 of "
                            "meer, of laat de variabele weg voor de standaard (6000)."),
    ("HISTORY_TURNS", "-1", "WEGWIJZER_HISTORY_TURNS=-1 is te klein: geef een getal van 0 of "
                            "meer, of laat de variabele weg voor de standaard (3)."),
    ("MAX_REQUEST_BYTES", "0", "WEGWIJZER_MAX_REQUEST_BYTES=0 is te klein: geef een getal van 1 "
                               "of meer, of laat de variabele weg voor de standaard (1000000)."),
])
def test_a_value_that_does_not_fit_names_the_variable_and_the_fix(name: str, value: str,
                                                                  message: str) -> None:
    with pytest.raises(WegwijzerError) as error:
        Settings.from_env({f"WEGWIJZER_{name}": value, "WEGWIJZER_LLM": "ollama:qwen"})
    assert str(error.value) == message


def test_a_bad_variable_under_a_flag_is_not_used() -> None:
    assert Settings.from_env({"WEGWIJZER_PORT": "abc"}, port=8080).port == 8080


def test_settings_are_immutable_and_with_gives_a_checked_copy() -> None:
    settings = Settings(data_dir="data")
    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]

    changed = settings.with_(port=8080, corpus_dir="elders", auth=("a", "b"))
    assert (changed.port, changed.corpus_dir, changed.auth) == (8080, Path("elders"), ("a", "b"))
    assert changed.data_dir == Path("data") and settings.port == 7860 and settings.auth is None
    assert changed.with_() == changed
    with pytest.raises(ValidationError):
        settings.with_(history_turns=-1)
    with pytest.raises(ValidationError):
        settings.with_(poort=8080)  # a misspelt field is an error, not ignored


def test_paths_follow_the_directories() -> None:
    settings = Settings(corpus_dir="c", data_dir="d")
    assert settings.manifest_path == Path("c/publications.toml")
    assert settings.feedback_path == Path("d/feedback.jsonl")
    assert settings.rates_path == Path("d/index-rates.json")
    assert settings.log_path == Path("d/wegwijzer.log")


def test_secrets_stay_out_of_repr() -> None:
    settings = Settings.from_env({"WEGWIJZER_API_KEY": "geheim-api", "WEGWIJZER_LLM_API_KEY":
                                  "geheim-llm", "WEGWIJZER_AUTH_USER": "raadslid",
                                  "WEGWIJZER_AUTH_PASSWORD": "geheim-login"})
    shown = repr(settings) + str(settings)
    assert settings.api_key == "geheim-api" and settings.llm_api_key == "geheim-llm"
    assert "geheim" not in shown and "data_dir=" in shown
