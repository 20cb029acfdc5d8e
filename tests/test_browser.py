"""The chat as a person uses it: Debian's Chromium (headless, via Playwright) on the real server,
on a computer screen (1280×800) and on a phone (390×844).

With the keyboard: Tab to the question box, type, Enter; the finished answer is announced once
(aria-live) and its start is in view; Shift+Tab reaches the answer's sources, Enter opens the
first one (the quoted sentences are marked), Tab reaches the thumbs-up, Enter votes. Checks the
layout (on a phone the conversation and the input come first, full width, the filters and the
feedback in a panel opened on demand), that nothing lies over the first line of the chat, that
focus is visible, and runs axe-core (WCAG 2.0/2.1 A and AA) on the empty chat, after an answer,
with a source opened and on the Routekaart tab. Also the Markdown download, the Routekaart and
the accessibility statement. Saves screenshots of both screens (to docs/ with
`make screenshot`). Chromium comes from Debian (`make browser`), axe-core from npm
(`make setup-test`, pinned in tests/browser/package.json); nothing is downloaded at run time.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from chat_support import REPO_ROOT, chat_server  # noqa: F401  (fixture)
from indexing_support import STORIES, WEGWIJZERS
from waiting import READY_CEILING_MS, wait_until

from assistant.chat.statement import AXE_VERSION

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = REPO_ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# name: (width, height, screenshot file name)
SCREENS = {
    "computer": (1280, 800, "screenshot-chat.png"),
    "telefoon": (390, 844, "screenshot-chat-telefoon.png"),
}
# `make screenshot` points this at docs/ (the README's pictures); a plain test run writes to
# the temp folder so it leaves the work tree clean.
SCREENSHOTS = Path(os.environ.get("WEGWIJZER_SCREENSHOT") or tempfile.gettempdir())
QUESTION = "Wat is een attractieve agenda?"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
# What axe found per screen and state (serious or critical fail the test; printed with -s).
AXE_RESULTS: dict[str, list[str]] = {}
# How long the live region is watched after the first announcement, for a second one that must
# NOT come. A deliberate wait for time to pass: no event says "nothing more will be announced".
QUIET_WINDOW_MS = 600
# True once the scroll positions (the page's and the chat log's) are the same in two animation
# frames in a row: whatever scrolled has finished (polled per frame with polling="raf").
STILL_JS = """() => {
    const now = [window.scrollX, window.scrollY,
                 ...[...document.querySelectorAll("[role='log']")].map(el => el.scrollTop)].join();
    const still = window.wegwijzerLastScroll === now;
    window.wegwijzerLastScroll = now;
    return still;
}"""


def _feedback_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Debian Chromium for the module (each test opens its own context)."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium ontbreekt ({CHROMIUM}). Installeer het met `make browser` "
                    "(apt-get install chromium chromium-driver) en draai de test opnieuw.")
    if not AXE.exists():
        pytest.fail(f"axe-core ontbreekt ({AXE}). Installeer het met `make setup-test` "
                    "(npm ci --prefix tests/browser) en draai de test opnieuw.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    print("\naxe-core " + AXE_VERSION + " (ernstig/kritiek · overige bevindingen):")
    for key, found in AXE_RESULTS.items():
        print(f"  {key}: {'; '.join(found) or 'geen bevindingen'}")


def run_axe(page: Any, state: str, screen: str) -> None:
    """axe-core on the page as it is now: no serious or critical WCAG 2.x A/AA violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    assert page.evaluate("() => axe.version") == AXE_VERSION
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
            .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                   nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))""",
        AXE_TAGS)
    AXE_RESULTS[f"{screen} · {state}"] = [f"{v['id']} ({v['impact']})" for v in violations]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe-core ({screen}, {state}): {json.dumps(serious, indent=1)}"


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not rendered"
    return found


def focus_is_visible(page: Any) -> bool:
    """Whether the focused element shows a focus ring (an outline or a box shadow)."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) { return false; }
        const style = getComputedStyle(el);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        return outline || (style.boxShadow && style.boxShadow !== 'none');
    }""")


def nothing_over_first_line(page: Any, selector: str) -> None:
    """Points along the first line of the (last) element are the element itself: nothing lies
    over it."""
    hits = page.evaluate("""(selector) => {
        const all = document.querySelectorAll(selector);
        const el = all[all.length - 1];
        const r = el.getBoundingClientRect();
        const y = r.top + 8;
        return [r.left + 6, r.left + r.width / 2, r.right - 6].map(x => {
            const hit = document.elementFromPoint(x, y);
            return {x, y, inside: !!hit && el.contains(hit),
                    hit: hit ? hit.tagName + '.' + [...hit.classList].join('.') : null};
        });
    }""", selector)
    covered = [hit for hit in hits if not hit["inside"]]
    assert not covered, f"something lies over the first line of {selector}: {covered}"


def wait_until_still(page: Any) -> None:
    """Wait until nothing scrolls any more (two animation frames with the same positions)."""
    page.evaluate("() => { window.wegwijzerLastScroll = null; }")
    page.wait_for_function(STILL_JS, polling="raf")


def tab_until(page: Any, check: str, key: str = "Tab", limit: int = 40) -> int:
    """Press `key` until the JS predicate `check` (on the focused element) holds; the count."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({check}); }}"):
            return presses
    raise AssertionError(f"{check} not reached with {limit} × {key}")


@pytest.mark.parametrize("screen", list(SCREENS))
def test_councillor_asks_reads_sources_votes_with_the_keyboard(
        browser: Any, chat_server: Any, screen: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    expect.set_options(timeout=READY_CEILING_MS)  # an answer may take long on a busy machine

    width, height, picture = SCREENS[screen]
    phone = width < 800
    outside: list[str] = []
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.on("request", lambda request: outside.append(request.url)
                if not request.url.startswith(LOCAL) else None)
        page.set_default_timeout(READY_CEILING_MS)
        page.goto(chat_server.url)
        expect(page.get_by_text("Wat vertelt de UWV-voorzitter over cijfers en feiten?")).to_be_visible()
        chat = page.locator("#wegwijzer-chat")
        question = page.locator("#wegwijzer-vraag textarea")
        panel = page.locator("#wegwijzer-paneel")
        panel_button = page.locator("#wegwijzer-paneelknop")
        assert page.evaluate("() => document.documentElement.lang") == "nl"

        # The layout: the conversation and the input on the first screen, in that order.
        chat_box, input_box = box(chat), box(question)
        assert chat_box["y"] < input_box["y"] and input_box["y"] + input_box["height"] <= height
        if phone:  # full width; the filters and the feedback behind a button
            assert chat_box["width"] >= width - 64 and input_box["width"] >= width - 96
            expect(panel).to_be_hidden()
            expect(panel_button).to_be_visible()
            expect(panel_button).to_have_attribute("aria-expanded", "false")
            assert box(panel_button)["y"] > input_box["y"]
        else:  # beside the conversation, on its right: reading order is visual order
            expect(panel).to_be_visible()
            expect(panel_button).to_be_hidden()
            assert box(panel)["x"] >= chat_box["x"] + chat_box["width"] - 1
        nothing_over_first_line(page, "#wegwijzer-chat .placeholder-content, "
                                      "#wegwijzer-chat .placeholder")
        run_axe(page, "lege chat", screen)

        # The keyboard: Tab to the question box (focus visible), type, Enter.
        page.get_by_role("heading", name="Wegwijzer", exact=True).click()  # start at the top
        presses = tab_until(page, "el.closest('#wegwijzer-vraag')")
        assert presses <= 10, f"{presses} Tabs to reach the question box"
        assert focus_is_visible(page)
        page.wait_for_function("() => typeof window.wegwijzerShow === 'function'")  # page JS ran
        page.evaluate("""() => {  // count what the aria-live region announces
            window.announced = [];
            const live = document.getElementById('wegwijzer-live');
            new MutationObserver(() => { if (live.textContent) window.announced.push(live.textContent); })
                .observe(live, {childList: true, characterData: true, subtree: true});
            // and note when the page has scrolled to a finished answer (wegwijzerShow on a bot message)
            window.answersShown = 0;
            const show = window.wegwijzerShow;
            window.wegwijzerShow = (message) => {
                show(message);
                if (message.matches("[data-testid='bot']")) { window.answersShown += 1; }
            };
        }""")
        page.keyboard.type(QUESTION)
        page.keyboard.press("Enter")

        answer = chat.locator("[data-testid='bot']").last
        expect(answer).to_contain_text(re.compile(r"\[\d\]"))
        expect(answer.locator("details").first).to_be_attached()
        page.wait_for_function("() => window.announced.length > 0")
        page.wait_for_timeout(QUIET_WINDOW_MS)  # deliberate: a second announcement would show here
        announced = page.evaluate("() => window.announced")
        live = page.locator("#wegwijzer-live")
        assert len(announced) == 1, f"announced more than once: {announced}"
        expect(live).to_have_attribute("aria-live", "polite")
        first_sentence = answer.locator("p").first.inner_text().split(" [")[0]
        assert announced[0].startswith("Antwoord: ") and first_sentence[:60] in announced[0]
        # Gradio's own chat log would read every streamed piece: it is quiet.
        assert chat.locator("[aria-live]:not([aria-live='off'])").count() == 0

        # The start of the answer is in view (in the chat box and on the screen), not the end
        # of its sources; nothing lies over it. The page scrolls there just after the answer.
        page.wait_for_function("() => window.answersShown > 0")
        wait_until_still(page)
        row = chat.locator(".message-row.bot-row").last
        top, log_box = box(row)["y"], box(chat.locator("[role='log']"))
        assert log_box["y"] <= top <= log_box["y"] + 60, (top, log_box)
        assert 0 <= top <= height - 100, (top, height)
        nothing_over_first_line(page, "#wegwijzer-chat [data-testid='bot']")
        run_axe(page, "na een antwoord", screen)

        # Shift+Tab back from the box to the first source of the answer; Enter opens it.
        page.keyboard.press("Shift+Tab")  # leave the question box
        first_source = answer.locator("summary").first
        first_source.evaluate("el => el.setAttribute('data-eerste-bron', '')")
        presses = tab_until(page, "el.hasAttribute('data-eerste-bron')", key="Shift+Tab")
        assert presses <= 25, f"{presses} Shift+Tabs to reach the first source"
        assert focus_is_visible(page)
        quote = answer.locator("details").first.locator("blockquote")
        expect(quote).to_be_hidden()
        page.keyboard.press("Enter")
        expect(quote).to_be_visible()
        # The sentences the answer took from it are marked, and they are in the answer.
        marks = quote.locator("mark")
        expect(marks.first).to_be_visible()
        answer_text = " ".join(answer.locator("p").first.inner_text().split())
        for text in marks.all_inner_texts():
            assert " ".join(text.split()) in answer_text, (text, answer_text)
        run_axe(page, "bron geopend", screen)

        # The comment for the vote (on a phone: in the panel the button opens).
        comment = f"Helder, met bronnen ({screen})."
        if phone:
            panel_button.click()
            expect(panel).to_be_visible()
            expect(panel_button).to_have_attribute("aria-expanded", "true")
        page.get_by_label("Toelichting bij uw stem (optioneel)").fill(comment)
        if phone:
            panel_button.click()
            expect(panel).to_be_hidden()

        # Vote with the keyboard: Tab from the source to the thumbs-up, Enter.
        first_source.focus()
        like = chat.get_by_role("button", name="Vind ik leuk").last
        like.evaluate("el => el.setAttribute('data-duim', '')")
        tab_until(page, "el.hasAttribute('data-duim')", limit=25)
        assert focus_is_visible(page)
        page.keyboard.press("Enter")
        expect(page.locator("#wegwijzer-status")).to_contain_text("Bedankt! Uw stem (duim omhoog)")
        votes = wait_until(
            lambda: [line for line in _feedback_lines(chat_server.feedback_path)
                     if line["question"] == QUESTION and line["comment"] == comment],
            f"a thumbs-up with {comment!r} in {chat_server.feedback_path}")
        assert votes[-1]["vote"] == "up" and votes[-1]["sources"] and votes[-1]["answer"]
        assert any(source["quoted"] for source in votes[-1]["sources"])

        if not phone:
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

        # The screenshot: the start of the answer, with the opened source.
        page.evaluate("() => window.scrollTo(0, 0)")
        answer.evaluate("el => window.wegwijzerShow(el)")
        wait_until_still(page)  # the picture after the scroll
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / picture))
        assert (SCREENSHOTS / picture).stat().st_size > 10_000

        # The Routekaart: ten wegwijzers, browsable without asking anything.
        page.get_by_role("tab", name="Routekaart").click()
        for number, (title, first, last) in WEGWIJZERS.items():
            expect(page.get_by_text(f"Wegwijzer {number} · {title} · p. {first}–{last}",
                                    exact=True)).to_be_visible()
        page.get_by_text(f"Wegwijzer 4 · {WEGWIJZERS[4][0]}", exact=False).click()
        story, author = STORIES[4][0]
        expect(page.get_by_text(f"'{story}' — {author}", exact=False)).to_be_visible()
        expect(page.get_by_text("Een handreiking", exact=True).first).to_be_visible()
        run_axe(page, "Routekaart", screen)

        # The accessibility statement, linked from the footer: what was tested, and how.
        page.locator("#wegwijzer-footer").get_by_role("link",
                                                      name="Toegankelijkheidsverklaring").click()
        statement = page.locator("#wegwijzer-verklaring")
        expect(statement).to_contain_text("Toegankelijkheidsverklaring Wegwijzer")
        expect(statement).to_contain_text(f"axe-core {AXE_VERSION}")
        expect(statement).to_contain_text("geen handmatige test met een schermlezer")
        run_axe(page, "toegankelijkheidsverklaring", screen)
    finally:
        context.close()

    assert not outside, f"the page fetched from outside this machine: {outside}"


ENGLISH_LABELS = ("Copy message", "Like", "Dislike", "Clear", "Retry", "Undo", "More tabs",
                  "bot's message", "user's message", "chatbot conversation")


@contextmanager
def answered(browser: Any, url: str, question: str, locale: str, width: int,
             height: int) -> Iterator[tuple[Any, Any]]:
    """A fresh page that asked `question` and shows the complete answer: (page, answer)."""
    from playwright.sync_api import expect

    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.set_default_timeout(READY_CEILING_MS)
        page.goto(url)
        page.locator("#wegwijzer-vraag textarea").fill(question)
        page.keyboard.press("Enter")
        answer = page.locator("#wegwijzer-chat [aria-label='Antwoord van Wegwijzer']")
        expect(answer.get_by_text("Bronnen")).to_be_visible(timeout=READY_CEILING_MS)
        yield page, answer
    finally:
        context.close()


def test_gradio_s_own_labels_are_dutch_in_an_english_browser(
        browser: Any, chat_server: Any) -> None:  # noqa: F811
    with answered(browser, chat_server.url, "Wat is een attractieve agenda?", "en-US",
                  1280, 800) as (page, _):
        labels = page.evaluate("""() => Array.from(document.querySelectorAll('[aria-label], [title]'))
            .flatMap(el => [el.getAttribute('aria-label'), el.getAttribute('title')])
            .filter(Boolean)""")
    english = [label for label in labels if label.startswith(ENGLISH_LABELS)]
    assert not english, english
    assert {"Bericht kopiëren", "Vind ik leuk", "Uw vraag", "Gesprek"} <= set(labels), labels


def test_a_list_is_a_list_on_a_phone(browser: Any, chat_server: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with answered(browser, chat_server.url, "Noem de tien wegwijzers", "nl-NL",
                  390, 844) as (_, answer):
        items = answer.locator("ul > li")
        expect(items).to_have_count(10)
        expect(items.first).to_contain_text("Wegwijzer 1: Laat de feiten spreken")
        bubble = box(answer)
        for index in (0, 9):  # each item, bullet included, inside the message and the screen
            item = box(items.nth(index))
            assert bubble["x"] + 8 <= item["x"] and item["x"] + item["width"] <= 390


def test_eval_report_filter_shows_only_the_aandachtspunten(browser: Any, tmp_path: Path) -> None:
    """The eval report's "Toon alleen aandachtspunten" works in a browser without any script."""
    from playwright.sync_api import expect

    expect.set_options(timeout=READY_CEILING_MS)  # the machine may be busy
    from test_evals_report import report_with_a_problem

    from evals.html_report import render_html

    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report_with_a_problem()), encoding="utf-8")
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        rows = page.locator("table.questions tbody tr")
        expect(rows).to_have_count(3)
        assert [row.is_visible() for row in rows.all()] == [True, True, True]
        page.get_by_label("Toon alleen aandachtspunten").check()
        assert [row.is_visible() for row in rows.all()] == [True, False, False]
        page.get_by_label("Toon alleen aandachtspunten").uncheck()
        assert [row.is_visible() for row in rows.all()] == [True, True, True]
    finally:
        context.close()
