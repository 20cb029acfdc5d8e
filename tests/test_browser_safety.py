"""Text from publications can never become an image, a link or a script in the user's browser.

A publication with every Markdown and HTML image and link form (inline, nested, reference-style,
autolinks, <img>, <a>, <iframe>, javascript: and data: targets, scripts) is indexed next to the
real corpus. Its passages are then also written back into the index *raw*, as an index built by
an older version would hold them: the chat must be safe whatever the index contains. The
addresses point at a tracker on 127.0.0.1; Debian's Chromium asks three questions, opens every
source, and the tracker must see no request at all.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from chat_support import RecordingServer, start_server
from indexing_support import add_publication, copy_corpus
from waiting import READY_CEILING_MS

from indexing.pipeline import Indexer
from indexing.store import IndexStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = Path(__file__).parent / "data" / "kwaadaardige-publicatie.md"
HOSTILE_ID = "noorderkwartier-havenconvenant"
QUESTIONS = (
    "Wat staat er in het Noorderkwartierse havenconvenant?",
    "Welke bijlage en kaart heeft het havenconvenant van het Noorderkwartier?",
    "Waar lees ik meer over het havenconvenant van de Noorderkwartierse haven?",
)
# What Wegwijzer itself writes into a message; anything else came from text and is a defect.
OWN_TAGS = {"P", "EM", "STRONG", "DETAILS", "SUMMARY", "BLOCKQUOTE", "BR", "MARK"}
# How long the opened sources are left on screen for an image or frame to load, which must NOT
# happen. A deliberate wait for time to pass: no event says "nothing more will be fetched".
QUIET_WINDOW_MS = 1500

# A copy of the built index with a hostile publication added, served by `wegwijzer serve`.
pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def tracker() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request (the 'tracking pixel' host)."""
    with RecordingServer(content_type="image/png", body=b"") as server:
        yield server.port, server.requests


@pytest.fixture(scope="module")
def hostile_chat(built_index: Any, tracker: tuple[int, list[str]],
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    port, _ = tracker
    root = tmp_path_factory.mktemp("hostile-chat")
    data_dir = root / "data"
    shutil.copytree(built_index.settings.data_dir, data_dir)
    corpus = copy_corpus(root / "corpus")
    raw = HOSTILE.read_text(encoding="utf-8").replace("TRACKER", str(port))
    (corpus / "havenconvenant.md").write_text(raw, encoding="utf-8")
    add_publication(corpus, id=HOSTILE_ID, file="havenconvenant.md",
                    title="Het Noorderkwartier-havenconvenant [[concept]](http://127.0.0.1/x)")
    settings = built_index.settings.with_(data_dir=data_dir, corpus_dir=corpus)
    Indexer(settings, embeddings=built_index.embeddings).build()

    # Whatever the index holds: put the raw Markdown/HTML back into the stored passages.
    store = IndexStore(settings)
    collection = store.collection(store.active())
    stored = collection.get(where={"publication_id": HOSTILE_ID},
                            include=["metadatas", "embeddings"])
    assert stored["ids"], "the hostile publication was not indexed"
    body = raw.split("\n", 1)[1].strip()
    collection.update(ids=stored["ids"], embeddings=stored["embeddings"], documents=[
        f"{meta['header']}\n\n{body}" for meta in stored["metadatas"]])

    server = start_server(data_dir, root / "server.log")
    try:
        yield server
    finally:
        server.stop()


def test_corpus_markup_is_shown_as_text_and_fetches_nothing(
        hostile_chat: Any, tracker: tuple[int, list[str]]) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium ontbreekt ({CHROMIUM}). Installeer het met `make browser`.")
    from playwright.sync_api import expect, sync_playwright

    # Assertions keep their own 5 s default, not the page's: on a busy machine one answer in
    # the chat can take much longer, and speed is not what this tests.
    expect.set_options(timeout=READY_CEILING_MS)

    port, seen = tracker
    origin = hostile_chat.url.rstrip("/")
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("request", lambda request: requests.append(request.url))
            page.set_default_timeout(READY_CEILING_MS)
            page.goto(hostile_chat.url)
            chat = page.locator("#wegwijzer-chat")
            for number, question in enumerate(QUESTIONS, start=1):
                box = page.get_by_role("textbox", name="Uw vraag")
                box.fill(question)
                box.press("Enter")
                expect(chat.locator("[data-testid='bot']")).to_have_count(number)
                expect(chat.locator("[data-testid='bot']").last.locator("details").first
                       ).to_be_attached()
            # Open every passage. The last answer may still be drawn anew after its sources
            # first appear, which closes what was opened, so open them until the hostile
            # passage stays open (one pass of clicks could be lost: a run once waited here
            # for its ceiling).
            page.wait_for_function("""() => {
                const all = [...document.querySelectorAll("#wegwijzer-chat details")];
                all.filter(d => !d.open).forEach(d => d.querySelector("summary").click());
                return all.some(d => d.open
                    && d.textContent.includes("Noorderkwartier-havenconvenant")
                    && d.querySelector("blockquote")?.checkVisibility());
            }""", polling=500)
            hostile = chat.locator("details", has_text="Noorderkwartier-havenconvenant")
            expect(hostile.first.locator("blockquote")).to_be_visible()
            page.wait_for_timeout(QUIET_WINDOW_MS)  # deliberate: time for a fetch to show up

            # Only Wegwijzer's own markup inside the messages.
            tags = chat.evaluate("""root => {
                const found = new Set();
                for (const message of root.querySelectorAll("[data-testid='bot'], [data-testid='user']")) {
                    for (const block of message.querySelectorAll("p, details")) {
                        block.parentElement.querySelectorAll("*").forEach(el => found.add(el.tagName));
                    }
                }
                return [...found];
            }""")
            assert set(tags) <= OWN_TAGS, f"markup from the corpus was rendered: {tags}"
            # The raw forms are readable as text in the opened source.
            shown = hostile.first.inner_text()
            assert f"![[kaart]](http://127.0.0.1:{port}/nested.png)" in shown, shown
            assert f"[k1]: http://127.0.0.1:{port}/refstyle.png" in shown
            assert '<img src="http://127.0.0.1:' in shown and "<script>" in shown
            assert "${value}" in shown and "{{#each value}}" in shown
            summary_text = hostile.first.locator("summary").inner_text()
            assert "[[concept]](http://127.0.0.1/x)" in summary_text
        finally:
            browser.close()

    assert seen == [], f"the browser fetched the tracker: {seen}"
    outside = [url for url in requests if not url.startswith((origin, "data:", "blob:"))]
    assert outside == [], f"requests outside the chat server: {outside}"
    assert not [url for url in requests if re.search(rf":{port}\b", url)]
