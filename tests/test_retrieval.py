"""Score fusion of dense and lexical retrieval: the pure rule, then on the real index."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.fusion import Ranked, ZScoreFusion
from assistant.model import Hit
from assistant.retrieval import Diversify, Filters, Weights, make_retrieval
from assistant.retrievers import Candidates, passage_sentences
from indexing.places import Place


def _ranked(weight: float, own: dict[int, float], exact: dict[int, float] | None = None,
            baseline: float = 0.0) -> Ranked:
    return Ranked(weight, Candidates(own, baseline), {**(exact or {}), **own})


def test_zscore_fusion_prefers_a_passage_strong_on_both_lists() -> None:
    dense = {0: 0.90, 1: 0.86, 2: 0.80}
    lexical_all = {0: 0.0, 1: 6.0, 2: 0.5, 3: 7.0}
    lexical = {1: 6.0, 2: 0.5, 3: 7.0}
    fusion = ZScoreFusion()
    fused = fusion.fuse([_ranked(0.35, dense, {3: 0.60}), _ranked(0.65, lexical, lexical_all)])
    assert set(fused) == {0, 1, 2, 3}  # candidates of either list
    assert max(fused, key=fused.get) == 1
    # Passage 3 is scored with its own (low) similarity, not with the dense list's mean.
    without_own = fusion.fuse([_ranked(0.35, dense), _ranked(0.65, lexical, lexical_all)])
    assert fused[3] < without_own[3]


def test_zscore_fusion_weights_decide_between_the_lists() -> None:
    dense = {0: 0.95, 1: 0.80, 2: 0.79}
    lexical = {0: 1.0, 1: 9.0, 2: 1.0}
    fusion = ZScoreFusion()
    dense_only = fusion.fuse([_ranked(1.0, dense), _ranked(0.0, lexical)])
    lexical_only = fusion.fuse([_ranked(0.0, dense), _ranked(1.0, lexical)])
    assert max(dense_only, key=dense_only.get) == 0
    assert max(lexical_only, key=lexical_only.get) == 1
    assert fusion.fuse([_ranked(0.35, {}), _ranked(0.65, {})]) == {}


def _hit(name: str, section: str, score: float) -> Hit:
    return Hit(chunk_id=name, text="", header="", score=score,
               place=Place(publication_id="p", section=section))


def test_a_close_runner_up_from_another_section_moves_up() -> None:
    """Diversity by section: a second passage of a shown section yields to a close runner-up
    from elsewhere, but not to one far behind."""
    close = [_hit("a1", "A", 0.95), _hit("a2", "A", 0.90), _hit("b1", "B", 0.88)]
    assert [h.chunk_id for h in Diversify(0.5).apply("q", close, 3)] == ["a1", "b1", "a2"]
    far = [_hit("a1", "A", 0.95), _hit("a2", "A", 0.90), _hit("b1", "B", 0.60)]
    assert [h.chunk_id for h in Diversify(0.5).apply("q", far, 3)] == ["a1", "a2", "b1"]
    # Beyond the depth nothing moves.
    assert [h.chunk_id for h in Diversify(0.5, depth=2).apply("q", close, 3)] == ["a1", "a2", "b1"]


def test_the_dense_score_averages_the_query_views() -> None:
    full, keywords = {0: 0.9, 1: 0.7, 2: 0.8}, {0: 0.7, 1: 0.9, 2: 0.8}
    fusion = ZScoreFusion()
    fused = fusion.fuse([_ranked(0.175, full), _ranked(0.175, keywords)])
    assert fused[0] == pytest.approx(fused[1])  # each wins one view by as much
    one_view = fusion.fuse([_ranked(0.35, full)])
    assert one_view[0] > one_view[1]


def test_members_of_a_group_share_its_weight(assistant) -> None:
    """Both e5 views apply to a wordy question; only one to a bare list of content words."""
    search = assistant.search
    views = [m.retriever.view for m in search.members if m.group == "dense"]
    wordy = "Ik ben net wethouder. Waar vind ik cijfers over de arbeidsmarkt in mijn regio?"
    assert [view(wordy) for view in views] == [
        wordy, "net wethouder waar vind cijfers arbeidsmarkt regio"]
    assert [view("arbeidsmarkt regio") for view in views] == ["arbeidsmarkt regio", None]
    single = make_retrieval(search.members[0].retriever.collection, assistant.embeddings,
                            assistant.passages, weights=Weights(keyword_view=False))
    assert [m.group for m in single.members] == ["dense", "lexical"]


def test_the_scope_vector_holds_both_views_of_the_question(assistant) -> None:
    """The confidence model's scope signal reads the question as asked and its content words;
    where the content-word view does not apply, the question as asked stands in for it."""
    search = assistant.search
    wordy = "Ik ben net wethouder. Waar vind ik cijfers over de arbeidsmarkt in mijn regio?"
    vector = search.scope_vector(wordy)
    asked = search.query_vector(wordy)
    keywords = np.asarray(assistant.embeddings.embed_query(
        "net wethouder waar vind cijfers arbeidsmarkt regio"), dtype=np.float32)
    assert vector.shape == (2 * len(asked),)
    assert np.allclose(vector[:len(asked)], asked)
    assert np.allclose(vector[len(asked):], keywords / np.linalg.norm(keywords), atol=1e-5)
    assert not np.allclose(vector[:len(asked)], vector[len(asked):], atol=1e-3)
    bare = search.scope_vector("arbeidsmarkt regio")
    assert np.allclose(bare[:len(asked)], bare[len(asked):])


def test_every_hit_carries_its_exact_cosine_similarity(assistant) -> None:
    """Lexical candidates outside Chroma's nearest list get their true similarity, not a guess."""
    search = assistant.search
    question = "Mag je als bestuurder fouten maken in een regionale samenwerking?"
    hits = search.search(question, k=10)
    dense = search.members[0].retriever
    vector = np.asarray(dense.embeddings.embed_query(question), dtype=np.float32)
    stored = dense.collection.get(where={"chunk_id": {"$in": [h.chunk_id for h in hits]}},
                                   include=["embeddings", "metadatas"])
    by_id = {m["chunk_id"]: e for m, e in zip(stored["metadatas"], stored["embeddings"])}
    for hit in hits:
        row = np.asarray(by_id[hit.chunk_id], dtype=np.float32)
        expected = float(row @ vector / (np.linalg.norm(row) * np.linalg.norm(vector)))
        assert abs(hit.dense - expected) < 1e-3, hit.chunk_id
        assert 0.0 < hit.score < 1.0


def test_rank_fusion_remains_available(assistant) -> None:
    search = assistant.search
    rrf = make_retrieval(search.members[0].retriever.collection, assistant.embeddings,
                         assistant.passages, weights=Weights(fusion="rrf", dense=1.0, lexical=1.0))
    hits = rrf.search("Hoe krijgt de gemeenteraad grip op regionale besluiten?", k=5,
                      filters=Filters(wegwijzer=6))
    assert len(hits) == 5
    assert all(h.place.wegwijzer == 6 for h in hits)


def test_a_passage_scores_as_its_best_sentence(assistant) -> None:  # noqa: ANN001
    """The sentence list: a passage's score is the cosine similarity of its best sentence."""
    search = assistant.search
    sentences = next(m.retriever for m in search.members if m.group == "sentence")
    question = "Waarom moet je als regio eerst de feiten op een rij zetten?"
    position = search.search(question, k=1)[0]
    index = assistant.passages.by_chunk_id[position.chunk_id]
    owners, texts = passage_sentences(assistant.passages)
    own = [text for owner, text in zip(owners, texts) if owner == index]
    vectors = np.asarray(assistant.embeddings.embed_documents(own), dtype=np.float32)
    query = np.asarray(assistant.embeddings.embed_query(question), dtype=np.float32)
    best = max(float(v @ query / (np.linalg.norm(v) * np.linalg.norm(query))) for v in vectors)
    assert abs(sentences.score(question, [index])[index] - best) < 1e-3


def test_cached_vectors_are_embedded_once(assistant, counting_embeddings) -> None:  # noqa: ANN001
    """A second load finds every sentence in the cache; a new sentence alone is embedded."""
    _, texts = passage_sentences(assistant.passages)
    store = assistant.store
    again = store.cached_vectors(texts[:50], counting_embeddings, assistant.settings.embedder)
    assert counting_embeddings.calls == 0 and again.shape[0] == 50
    new = "Deze zin staat nergens in de publicaties van de Denktank."
    store.cached_vectors(texts[:3] + [new], counting_embeddings, assistant.settings.embedder)
    assert counting_embeddings.texts == [new]


def test_a_name_in_an_english_question_still_counts(assistant) -> None:  # noqa: ANN001
    """BM25 weighs by the question's share of corpus words: small for English, not nothing."""
    question = "What is the Drechtraad, and why is it mentioned in the Denktank's report?"
    answer = assistant.ask(question)
    assert "Drechtraad" in answer.sources[0].quote
    assert answer.notices  # the English line: the sources are Dutch
