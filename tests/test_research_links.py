"""The Jaarbericht's research-page references open the research report, once a maintainer has
added it: `research_refs` in `ask --json`, and in the chat a link under the source that opens
the report's passage on that printed page (/bron/<chunk id>), in Chromium.

The report is the generated stand-in (benchmarks/standin_report.py), 20 pages (printed 1–17),
added to a copy of the session's index: only its passages are embedded.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from chat_support import REPO_ROOT, run_wegwijzer, start_server
from common.settings import Settings
from indexing.pipeline import Indexer
from indexing_support import CORPUS_DIR
from test_browser import answered, browser, run_axe  # noqa: F401  (fixture)
from waiting import READY_CEILING_MS

if str(REPO_ROOT) not in sys.path:  # `benchmarks` is a namespace package in the repository root
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.standin_report import REPORT_ID, add_to_corpus  # noqa: E402

pytestmark = pytest.mark.slow
QUESTION = "Wat zegt het onderzoek over domeinoverschrijdend denken?"


@pytest.fixture(scope="module")
def with_report(built_index: Any, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("met-rapport")
    corpus, data = folder / "corpus", folder / "data"
    shutil.copytree(CORPUS_DIR, corpus)
    shutil.copytree(built_index.settings.data_dir, data)
    add_to_corpus(corpus, pages=20)
    settings = built_index.settings.with_(data_dir=data, corpus_dir=corpus)
    Indexer(settings, embeddings=built_index.embeddings).build()
    return settings


@pytest.fixture(scope="module")
def report_server(with_report: Settings) -> Iterator[Any]:
    server = start_server(with_report.data_dir, with_report.data_dir.parent / "serve.log")
    try:
        yield server
    finally:
        server.stop()


def test_ask_json_links_research_pages_to_the_report(with_report: Settings) -> None:
    result = run_wegwijzer("ask", "--json", "--wegwijzer", "3", "--data-dir",
                           str(with_report.data_dir), "--corpus-dir", str(with_report.corpus_dir),
                           "Wat zegt het onderzoek?")
    assert result.returncode == 0, result.stderr
    sources = json.loads(result.stdout)["sources"]
    refs = [(source, ref) for source in sources for ref in source["research_refs"]]
    assert refs, sources
    for source, ref in refs:
        assert ref["page"] in source["research_pages"]
        assert ref["chunk_id"].startswith(REPORT_ID + "/")
        assert ref["pages"][0] <= ref["page"] <= ref["pages"][1]
        assert ref["section"]
    # Pages the stand-in does not reach (it ends at printed page 17) stay plain text.
    cited = {page for source in sources for page in source["research_pages"]}
    linked = {ref["page"] for _, ref in refs}
    assert linked == {page for page in cited if page <= 17}


@pytest.mark.server
@pytest.mark.browser
@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_a_research_page_opens_the_report_in_the_chat(
        browser: Any, report_server: Any, width: int, height: int) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with answered(browser, report_server.url, QUESTION, "nl-NL", width, height) as (page, answer):
        sources = answer.locator("details").filter(has=page.get_by_text("onderzoeksrapport p."))
        opened = sources.filter(has=page.locator("a[href^='/bron/']")).first
        opened.locator("summary").click()
        link = opened.locator("a[href^='/bron/']").first
        expect(link).to_be_visible()
        page_number = link.inner_text().split()[1]
        with page.context.expect_page(timeout=READY_CEILING_MS) as popup:
            link.click()
        report = popup.value
        report.wait_for_load_state()
        expect(report.locator("h1")).to_have_text("Onderzoeksrapport 'Werkende samenwerking'")
        target = report.locator("#doel")
        expect(target).to_be_visible()
        heading = report.locator("h2").inner_text()
        assert heading.startswith("Onderzoeksrapport 'Werkende samenwerking' · "), heading
        first, last = re.search(r"p\. (\d+)(?:–(\d+))?$", heading).groups()  # type: ignore[union-attr]
        assert int(first) <= int(page_number) <= int(last or first), heading
        run_axe(report, "bronpagina", f"{width}x{height}")


def test_the_routekaart_links_a_wegwijzer_s_research_pages(with_report: Settings,
                                                          built_index: Any) -> None:
    from assistant.chat.service import ChatService
    from assistant.service import Assistant

    service = ChatService(Assistant(with_report, embeddings=built_index.embeddings), with_report)
    page = service.routekaart_page(3)  # 'Uit het onderzoek' cites p. 16, 18, 19 and 139
    assert "Lees in het onderzoeksrapport:" in page
    assert re.search(r'<a href="/bron/' + re.escape(REPORT_ID) + r'/[^"]+#doel"[^>]*>p\. 16 \(', page)
    assert "p. 139 (" not in page  # beyond the stand-in's 17 printed pages: no link
