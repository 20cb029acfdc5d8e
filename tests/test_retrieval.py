"""Score fusion of dense and lexical retrieval: the pure rule, then on the real index."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval import Filters, HybridSearch, Weights, _zscore_fusion


def test_zscore_fusion_prefers_a_passage_strong_on_both_lists() -> None:
    dense = {0: 0.90, 1: 0.86, 2: 0.80}
    lexical_all = np.array([0.0, 6.0, 0.5, 7.0, 0.0], dtype=np.float32)
    lexical = {1: 6.0, 2: 0.5, 3: 7.0}
    fused = _zscore_fusion([dense], [{**dense, 3: 0.60}], lexical_all, lexical, Weights())
    assert set(fused) == {0, 1, 2, 3}  # candidates of either list
    assert max(fused, key=fused.get) == 1
    # Passage 3 is scored with its own (low) similarity, not with the dense list's mean.
    without_own = _zscore_fusion([dense], [dense], lexical_all, lexical, Weights())
    assert fused[3] < without_own[3]


def test_zscore_fusion_weights_decide_between_the_lists() -> None:
    dense = {0: 0.95, 1: 0.80, 2: 0.79}
    lexical_all = np.array([1.0, 9.0, 1.0], dtype=np.float32)
    lexical = {0: 1.0, 1: 9.0, 2: 1.0}
    dense_only = _zscore_fusion([dense], [dense], lexical_all, lexical, Weights(dense=1.0, lexical=0.0))
    lexical_only = _zscore_fusion([dense], [dense], lexical_all, lexical, Weights(dense=0.0, lexical=1.0))
    assert max(dense_only, key=dense_only.get) == 0
    assert max(lexical_only, key=lexical_only.get) == 1
    assert _zscore_fusion([{}], [{}], np.zeros(3, dtype=np.float32), {}, Weights()) == {}


def test_the_dense_score_averages_the_query_views() -> None:
    full, keywords = {0: 0.9, 1: 0.7, 2: 0.8}, {0: 0.7, 1: 0.9, 2: 0.8}
    lexical_all = np.zeros(3, dtype=np.float32)
    fused = _zscore_fusion([full, keywords], [full, keywords], lexical_all, {}, Weights())
    assert fused[0] == pytest.approx(fused[1])  # each wins one view by as much
    one_view = _zscore_fusion([full], [full], lexical_all, {}, Weights())
    assert one_view[0] > one_view[1]


def test_query_views_are_the_question_and_its_content_words(assistant) -> None:
    search = assistant.search
    views = search.query_views("Ik ben net wethouder. Waar vind ik cijfers over de arbeidsmarkt in mijn regio?")
    assert views[0].startswith("Ik ben net wethouder")
    assert views[1] == "net wethouder vind cijfers arbeidsmarkt regio"
    assert search.query_views("arbeidsmarkt regio") == ["arbeidsmarkt regio"]  # nothing to strip
    assert HybridSearch(search.collection, search.embeddings, search.passages,
                        Weights(keyword_view=False)).query_views("Wat is een regio?") == ["Wat is een regio?"]


def test_every_hit_carries_its_exact_cosine_similarity(assistant) -> None:
    """Lexical candidates outside Chroma's nearest list get their true similarity, not a guess."""
    search = assistant.search
    question = "Mag je als bestuurder fouten maken in een regionale samenwerking?"
    hits = search.search(question, k=10)
    vector = np.asarray(search.embeddings.embed_query(question), dtype=np.float32)
    stored = search.collection.get(where={"chunk_id": {"$in": [h.chunk_id for h in hits]}},
                                   include=["embeddings", "metadatas"])
    by_id = {m["chunk_id"]: e for m, e in zip(stored["metadatas"], stored["embeddings"])}
    for hit in hits:
        row = np.asarray(by_id[hit.chunk_id], dtype=np.float32)
        expected = float(row @ vector / (np.linalg.norm(row) * np.linalg.norm(vector)))
        assert abs(hit.dense - expected) < 1e-3, hit.chunk_id
        assert 0.0 < hit.score < 1.0


def test_rank_fusion_remains_available(assistant) -> None:
    search = assistant.search
    rrf = type(search)(search.collection, search.embeddings, search.passages,
                       Weights(fusion="rrf", dense=1.0, lexical=1.0))
    hits = rrf.search("Hoe krijgt de gemeenteraad grip op regionale besluiten?", k=5,
                      filters=Filters(wegwijzer=6))
    assert len(hits) == 5
    assert all(h.metadata["wegwijzer"] == 6 for h in hits)
