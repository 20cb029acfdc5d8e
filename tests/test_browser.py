"""The chat as a person uses it: Debian's Chromium (headless, via Playwright) on the real server.

Types a question, reads the cited answer, opens a source, votes, browses the Routekaart, and
saves a screenshot of the chat (to docs/screenshot-chat.png with `make screenshot`). Chromium comes from Debian
(`make browser`); Playwright never downloads a browser.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from chat_support import REPO_ROOT, chat_server  # noqa: F401  (fixture)
from indexing_support import STORIES, WEGWIJZERS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# `make screenshot` points this at docs/screenshot-chat.png (the README's picture); a plain
# test run writes to the temp folder so it leaves the work tree clean.
SCREENSHOT = Path(os.environ.get("WEGWIJZER_SCREENSHOT")
                  or Path(tempfile.gettempdir()) / "wegwijzer-screenshot-chat.png")
QUESTION = "Wat is een attractieve agenda?"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def _feedback_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_councillor_asks_reads_sources_votes_and_browses_routekaart(chat_server: Any) -> None:  # noqa: F811
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium ontbreekt ({CHROMIUM}). Installeer het met `make browser` "
                    "(apt-get install chromium chromium-driver) en draai de test opnieuw.")
    from playwright.sync_api import expect, sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 1000})
            page = context.new_page()
            page.on("request", lambda request: outside.append(request.url)
                    if not request.url.startswith(LOCAL) else None)
            page.set_default_timeout(30_000)
            page.goto(chat_server.url)

            # Ask with the keyboard: type, press Enter.
            expect(page.get_by_text("Wat vertelt de UWV-voorzitter over cijfers en feiten?")).to_be_visible()
            box = page.get_by_label("Uw vraag")
            box.fill(QUESTION)
            box.press("Enter")

            chat = page.locator("#wegwijzer-chat")
            answer = chat.locator("[data-testid='bot']").last
            sources = chat.locator("details")
            expect(sources.first).to_be_attached()
            expect(answer).to_contain_text(re.compile(r"\[\d\]"))
            wegwijzer_summary = page.locator(
                "summary", has_text=re.compile(r"Wegwijzer \d+ '.+'.* p\. \d+"))
            details = chat.locator("details").filter(has=wegwijzer_summary).first
            summary = details.locator("summary")
            expect(summary).to_be_visible()

            # Open a source: its quoted passage appears.
            quote = details.locator("blockquote").first
            expect(quote).to_be_attached()
            expect(quote).to_be_hidden()
            summary.click()
            expect(quote).to_be_visible()
            assert len(quote.inner_text().strip()) > 40, quote.inner_text()

            # Thumbs up: the vote lands in feedback.jsonl with the answer and its sources.
            page.get_by_label("Toelichting bij uw stem (optioneel)").fill("Helder, met bronnen.")
            chat.get_by_role("button", name="Vind ik leuk").last.click()
            expect(page.locator("#wegwijzer-status")).to_contain_text("Bedankt! Uw stem (duim omhoog)")
            deadline = time.monotonic() + 15
            votes: list[dict[str, Any]] = []
            while time.monotonic() < deadline:
                votes = [line for line in _feedback_lines(chat_server.feedback_path)
                         if line["question"] == QUESTION and line["vote"] == "up"]
                if votes:
                    break
                time.sleep(0.2)
            assert votes, f"no thumbs-up for {QUESTION!r} in {chat_server.feedback_path}"
            vote = votes[-1]
            assert vote["comment"] == "Helder, met bronnen."
            assert vote["sources"] and vote["answer"] and vote["timestamp"]

            # The conversation downloads as Markdown, made in the browser: no file on the server.
            with page.expect_download() as download_info:
                page.get_by_role("button", name="Gesprek downloaden (Markdown)").click()
            download = download_info.value
            assert re.fullmatch(r"wegwijzer-gesprek-\d{12}\.md", download.suggested_filename)
            exported = Path(download.path()).read_text(encoding="utf-8")
            assert exported.startswith("# Gesprek met Wegwijzer") and QUESTION in exported
            assert "### Bronnen" in exported and "  > " in exported
            left = [p for p in chat_server.tmp_dir.rglob("*") if p.is_file()]
            assert not [p for p in left if p.suffix == ".md"], f"exports left on the server: {left}"

            # The screenshot of the chat, with the opened source.
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            # Show the conversation from its start: question, answer, opened source.
            chat.evaluate("""root => root.querySelectorAll('*').forEach(el => {
                if (el.scrollHeight > el.clientHeight + 4) { el.scrollTop = 0; } })""")
            page.wait_for_timeout(300)  # let the scroll settle before the picture (not an assert)
            page.screenshot(path=str(SCREENSHOT))
            assert SCREENSHOT.stat().st_size > 10_000

            # The Routekaart: ten wegwijzers, browsable without asking anything.
            page.get_by_role("tab", name="Routekaart").click()
            for number, (title, first, last) in WEGWIJZERS.items():
                expect(page.get_by_text(f"Wegwijzer {number} · {title} · p. {first}–{last}",
                                        exact=True)).to_be_visible()
            page.get_by_text(f"Wegwijzer 4 · {WEGWIJZERS[4][0]}", exact=False).click()
            story, author = STORIES[4][0]
            expect(page.get_by_text(f"'{story}' — {author}", exact=False)).to_be_visible()
            expect(page.get_by_text("Een handreiking", exact=True).first).to_be_visible()
        finally:
            browser.close()

    assert not outside, f"the page fetched from outside this machine: {outside}"
