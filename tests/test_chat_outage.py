"""The chat while its Chroma server is down: a Dutch 'try again shortly', one log line each."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from gradio_client import Client

from assistant.chat.service import ChatService
from assistant.present.errors import INDEX_UNREACHABLE
from assistant.service import Assistant
from chat_support import run_wegwijzer, start_server
from chroma_support import ChromaServer
from common.settings import Settings
from indexing_support import NEWS_IDS, TUSSENBERICHT, copy_corpus, keep_publications
from waiting import READY_CEILING_S

# Each test starts `chroma run` and builds its own index into it with `wegwijzer index`.
pytestmark = [pytest.mark.model, pytest.mark.server, pytest.mark.slow]

QUESTION = "Wat moeten nieuwe gemeenteraden na de verkiezingen doen aan regionale samenwerking?"


@pytest.fixture
def indexed_server(tmp_path: Path):
    """A real `chroma run` holding an index of the tussenbericht and the news items."""
    server = ChromaServer(tmp_path / "chroma").start()
    try:
        corpus = copy_corpus(tmp_path / "corpus")
        keep_publications(corpus, TUSSENBERICHT, *NEWS_IDS)
        settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", chroma_url=server.url)
        result = run_wegwijzer("index", "--data-dir", str(settings.data_dir), "--corpus-dir",
                               str(corpus), "--chroma-url", server.url)
        assert result.returncode == 0, result.stderr
        yield server, settings
    finally:
        server.stop()


def test_chat_says_index_unreachable_and_logs_one_line_per_failure(indexed_server, tmp_path: Path
                                                                   ) -> None:
    chroma, settings = indexed_server
    log_path = tmp_path / "serve.log"
    chat = start_server(settings.data_dir, log_path, extra_args=("--chroma-url", chroma.url))
    try:
        client = Client(chat.url, verbose=False)
        before = client.predict(QUESTION, api_name="/ask")
        assert before["sources"], before

        chroma.kill()
        failures = 3
        for _ in range(failures - 1):
            job = client.submit(QUESTION, [], "", 0, api_name="/chat")
            final = job.result(timeout=READY_CEILING_S)
            bubble = final[0][-1]["content"]
            text = bubble if isinstance(bubble, str) else str(bubble)
            assert "De index is op dit moment niet bereikbaar" in text, text
            assert "stel de vraag anders" not in text
        with pytest.raises(Exception) as caught:
            client.predict(QUESTION, api_name="/ask")
        assert "niet bereikbaar" in str(caught.value)
    finally:
        chat.stop()
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert log.count("Index niet bereikbaar bij het beantwoorden") == failures, log[-3000:]


def test_page_load_survives_an_unreachable_index(indexed_server, built_index,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    chroma, settings = indexed_server
    service = ChatService(Assistant(settings, embeddings=built_index.embeddings), settings)
    titles = dict(service.publication_titles)
    chroma.kill()
    with caplog.at_level(logging.ERROR, logger="wegwijzer.chat"):
        service.refresh_quietly()  # the page-load hook: must not raise
    assert service.publication_titles == titles  # filters still show the index being served
    lines = [r for r in caplog.records if "Index niet bereikbaar" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert INDEX_UNREACHABLE.startswith("De index is op dit moment niet bereikbaar")
