"""Score fusion of dense and lexical retrieval: the pure rule, then on the real index."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.fusion import Ranked, ZScoreFusion
from assistant.model import Hit
from assistant.confidence import ConfidenceModel
from assistant.profile import Profile
from assistant.retrieval import Diversify, Filters
from assistant.retrievers import RETRIEVERS, Candidates, LatentTermBank, passage_sentences
from assistant.service import Assistant
from indexing.embeddings import LatentTerms
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
    """A hit with its shown score and the fused z-score behind it."""
    return Hit(chunk_id=name, text="", header="", score=score, fused=float(np.log(score / (1 - score))),
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


def with_lists(**weights: float) -> Profile:
    """The default profile with other weights for some lists (names with '-' as '_')."""
    profile = Profile.load()
    lists = {**profile.retrieval.lists, **{k.replace("_", "-"): w for k, w in weights.items()}}
    return profile.model_copy(update={"retrieval": profile.retrieval.model_copy(
        update={"lists": lists})})


def test_the_profile_decides_which_registered_lists_take_part(built_index, assistant) -> None:
    """By default e5, e5 per sentence, BM25 and latent terms; the title match is registered but
    off. Turning it on is one profile line (the retriever is one file and one registration)."""
    assert [m.retriever.name for m in assistant.snapshot.search.members] == [
        "e5", "e5-zinnen", "bm25", "e5-latente-termen"]
    assert {"e5", "e5-zinnen", "bm25", "e5-latente-termen", "titel"} <= set(RETRIEVERS.names())
    titled = Assistant(built_index.settings, embeddings=built_index.embeddings,
                       profile=with_lists(titel=0.3), confidence=ConfidenceModel.neutral())
    members = {m.retriever.name: m.weight for m in titled.snapshot.search.members}
    assert members["titel"] == 0.3
    # The title list finds the wegwijzer whose title the question names.
    title = titled.snapshot.search.members[-1].retriever
    found = title.search("Ken het netwerk", 3, Filters())
    best = max(found.scores, key=found.scores.get)
    assert titled.snapshot.passages.places[best].wegwijzer_title == "Ken het netwerk"
    hits = titled.search("Hoe krijgt de gemeenteraad grip op regionale besluiten?", 5, None, 6)
    assert len(hits) == 5 and all(h.place.wegwijzer == 6 for h in hits)


def test_the_question_vector_is_embedded_once_and_read_by_the_confidence_model(assistant) -> None:
    wordy = "Ik ben net wethouder. Waar vind ik cijfers over de arbeidsmarkt in mijn regio?"
    assessment = assistant.ask(wordy).assessment
    asked = np.asarray(assistant.embeddings.embed_query(wordy), dtype=np.float32)
    assert np.allclose(assessment.vector, asked / np.linalg.norm(asked), atol=1e-5)
    assert assessment.query == wordy and assessment.level in ("hoog", "onzeker", "geen")


def test_every_hit_carries_its_exact_cosine_similarity(assistant) -> None:
    """Every hit's dense score is the cosine similarity of the vector stored in Chroma."""
    question = "Mag je als bestuurder fouten maken in een regionale samenwerking?"
    hits = assistant.search(question, k=10)
    vector = np.asarray(assistant.embeddings.embed_query(question), dtype=np.float32)
    stored = assistant.store.collection(assistant.generation).get(
        where={"chunk_id": {"$in": [h.chunk_id for h in hits]}}, include=["embeddings", "metadatas"])
    by_id = {m["chunk_id"]: e for m, e in zip(stored["metadatas"], stored["embeddings"])}
    for hit in hits:
        row = np.asarray(by_id[hit.chunk_id], dtype=np.float32)
        expected = float(row @ vector / (np.linalg.norm(row) * np.linalg.norm(vector)))
        assert abs(hit.dense - expected) < 1e-3, hit.chunk_id
        assert 0.0 < hit.score < 1.0


def test_a_passage_scores_as_its_best_sentence(assistant) -> None:  # noqa: ANN001
    """The sentence list: a passage's score is the cosine similarity of its best sentence."""
    sentences = assistant.snapshot.search.sentence_list()
    question = "Waarom moet je als regio eerst de feiten op een rij zetten?"
    index = assistant.search(question, k=1)[0].position
    owners, texts = passage_sentences(assistant.snapshot.passages)
    own = [text for owner, text in zip(owners, texts) if owner == index]
    vectors = np.asarray(assistant.embeddings.embed_documents(own), dtype=np.float32)
    query = np.asarray(assistant.embeddings.embed_query(question), dtype=np.float32)
    best = max(float(v @ query / (np.linalg.norm(v) * np.linalg.norm(query))) for v in vectors)
    assert abs(sentences.score(question, [index])[index] - best) < 1e-3


def test_cached_vectors_are_embedded_once(assistant, counting_embeddings) -> None:  # noqa: ANN001
    """A second load finds every sentence in the cache; a new sentence alone is embedded."""
    _, texts = passage_sentences(assistant.snapshot.passages)
    store = assistant.store
    again = store.cached_vectors(texts[:50], counting_embeddings, assistant.settings.embedder)
    assert counting_embeddings.calls == 0 and again.shape[0] == 50
    new = "Deze zin staat nergens in de publicaties van de Denktank."
    store.cached_vectors(texts[:3] + [new], counting_embeddings, assistant.settings.embedder)
    assert counting_embeddings.texts == [new]


def test_the_latent_term_bank_scores_by_dot_product() -> None:
    """Pure: the sparse matrix in coordinate form gives what a dense dot product gives."""
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(5):
        indices = np.sort(rng.choice(50, size=6, replace=False)).astype(np.int32)
        rows.append(LatentTerms(indices, rng.random(6).astype(np.float32)))
    rows.append(LatentTerms(np.zeros(0, np.int32), np.zeros(0, np.float32)))  # nothing fires
    query = LatentTerms(np.asarray([3, 17, 49, 80], np.int32), np.asarray([1, 2, 3, 4], np.float32))
    dense = np.zeros((len(rows), 100), np.float32)
    for row, terms in zip(dense, rows):
        row[terms.indices] = terms.values
    wanted = np.zeros(100, np.float32)
    wanted[query.indices] = query.values
    assert np.allclose(LatentTermBank(rows).scores(query), dense @ wanted)


def test_the_latent_term_list_reads_the_passages_as_embedded(assistant) -> None:  # noqa: ANN001
    """The fourth list: e5's sparse head over the question and each passage (header and text),
    scored by dot product; it runs with the default embedder."""
    latent = next(m for m in assistant.snapshot.search.members
                  if m.retriever.signal == "latent")
    assert latent.weight == Profile.load().retrieval.lists["e5-latente-termen"] > 0
    question = "Wat kan een gemeenteraad doen om grip te houden op een regionale samenwerking?"
    found = latent.retriever.search(question, 5, Filters())
    best = max(found.scores, key=found.scores.get)
    encoder = assistant.embeddings
    [asked] = encoder.latent_terms([question])
    [passage] = encoder.latent_terms([assistant.snapshot.passages.documents[best]])
    shared, mine, theirs = np.intersect1d(asked.indices, passage.indices, return_indices=True)
    assert shared.size > 0
    expected = float(asked.values[mine] @ passage.values[theirs])
    assert found.scores[best] == pytest.approx(expected, rel=1e-4)
    every = latent.retriever.score(question, range(len(assistant.snapshot.passages)))
    assert found.scores[best] > np.median(list(every.values()))


def test_latent_terms_are_computed_once(assistant, counting_embeddings) -> None:  # noqa: ANN001
    """The passages' latent terms come from the cache file (the index run filled it); a new
    text alone is encoded, and a damaged cache file is rebuilt rather than stopping the
    assistant."""
    store, spec = assistant.store, assistant.settings.embedder
    documents = assistant.snapshot.passages.documents[:20]
    again = store.cached_latent_terms(documents, counting_embeddings, spec)
    assert counting_embeddings.latent_texts == [] and len(again) == 20
    new = "Deze zin staat nergens in de publicaties van de Denktank."
    store.cached_latent_terms(documents[:2] + [new], counting_embeddings, spec)
    assert counting_embeddings.latent_texts == [new]
    path = assistant.settings.data_dir / "cache" / f"latent-{spec}.npz"
    saved = path.read_bytes()
    try:
        path.write_bytes(b"kapot")
        rebuilt = store.cached_latent_terms(documents[:2], counting_embeddings, spec)
        assert counting_embeddings.latent_texts[1:] == documents[:2]
        assert np.array_equal(rebuilt[0].indices, again[0].indices)
    finally:
        path.write_bytes(saved)


def test_a_name_in_an_english_question_still_counts(assistant) -> None:  # noqa: ANN001
    """BM25 weighs by the question's share of corpus words: small for English, not nothing."""
    question = "What is the Drechtraad, and why is it mentioned in the Denktank's report?"
    answer = assistant.ask(question)
    assert "Drechtraad" in answer.sources[0].quote
    assert answer.notices  # the English line: the sources are Dutch
