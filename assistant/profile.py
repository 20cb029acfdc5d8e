"""The profile: every tuned number of the answer path, typed, from `profile.toml`; the file
that `WEGWIJZER_PROFILE` names overrides the values it gives."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.errors import WegwijzerError

DEFAULT_PATH = Path(__file__).with_name("profile.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetrievalProfile(_Section):
    candidates: int = Field(gt=0)
    bm25_k1: float = Field(ge=0)
    bm25_b: float = Field(ge=0, le=1)
    sentence_min_words: int = Field(ge=1)
    floor: float
    diversity: float = Field(ge=0)
    diversity_depth: int = Field(ge=1)
    rerank_depth: int = Field(ge=1)
    lists: dict[str, float]


class ConfidenceProfile(_Section):
    foreign_below: float = Field(ge=0, le=1)


class AnswerProfile(_Section):
    min_sentences: int = Field(ge=1)
    max_sentences: int = Field(ge=1)
    max_sources: int = Field(ge=1)
    min_sentence_words: int = Field(ge=1)
    meaning_weight: float = Field(ge=0, le=1)
    rank_prior: float = Field(ge=0)
    lead_bonus: float = Field(ge=0)
    own_question_factor: float = Field(ge=0)
    stop_below: float = Field(ge=0)
    duplicate_overlap: float = Field(gt=0, le=1)
    continuation_alpha: float = Field(gt=0, lt=1)


class EvidenceProfile(_Section):
    coverage: float = Field(gt=0, le=1)
    agreement: float = Field(ge=0, le=1)


class CitationProfile(_Section):
    support_threshold: float = Field(gt=0, le=1)


class Profile(_Section):
    retrieval: RetrievalProfile
    confidence: ConfidenceProfile
    answer: AnswerProfile
    evidence: EvidenceProfile
    citations: CitationProfile
    source: str = Field(default=str(DEFAULT_PATH), exclude=True)

    def fingerprint(self) -> str:
        """What the confidence model depends on: the retrieval and confidence sections (the
        signals it reads come from them), as a short hash."""
        parts = self.model_dump(include={"retrieval", "confidence"})
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def load(cls, path: Path | None = None) -> "Profile":
        """The default profile, with the values of `path` (if given) over it."""
        data = _read(DEFAULT_PATH)
        if path is not None:
            data = _merged(data, _read(Path(path)))
        try:
            return cls(**data, source=str(path or DEFAULT_PATH))
        except ValidationError as error:
            raise WegwijzerError(_problem(path or DEFAULT_PATH, error)) from None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WegwijzerError(f"Het profiel {path} bestaat niet. Controleer WEGWIJZER_PROFILE, of "
                             f"laat die leeg voor het standaardprofiel.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise WegwijzerError(f"Het profiel {path} is geen geldige TOML ({error}). Vergelijk het "
                             f"met het standaardprofiel {DEFAULT_PATH}.") from None


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merged(base[key], value)
        else:
            merged[key] = value
    return merged


def _problem(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        what = "bestaat niet in het profiel"
    elif first["type"] == "missing":
        what = "ontbreekt"
    else:
        what = f"heeft een ongeldige waarde ({first['input']!r}); verwacht: {_expected(first)}"
    return (f"Profiel {path}: '{where}' {what}. Vergelijk met het standaardprofiel "
            f"{DEFAULT_PATH}.")


_BOUNDS = {"greater_than": "groter dan", "greater_than_equal": "minstens",
           "less_than": "kleiner dan", "less_than_equal": "hoogstens"}
_KINDS = {"int": "een geheel getal", "float": "een getal", "dict": "een tabel (naam = gewicht)"}


def _expected(error: Any) -> str:
    kind, context = error["type"], error.get("ctx") or {}
    if kind in _BOUNDS:
        return f"een getal {_BOUNDS[kind]} {next(iter(context.values()))}"
    return next((text for prefix, text in _KINDS.items() if kind.startswith(prefix)),
                "zie het standaardprofiel")
