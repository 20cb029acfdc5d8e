"""Meet hoe snel Wegwijzer de meegeleverde corpus indexeert.

Bouwt de index van corpus/ in een nieuwe tijdelijke datamap (met de standaard-embedder,
of die uit WEGWIJZER_EMBEDDER), en indexeert daarna drie keer opnieuw zonder wijzigingen.
Drukt af: bouwtijd, passages per seconde, de mediaan van de herindexering (doel: onder 3 s)
en het aantal passages. Gebruik: `python benchmarks/index_speed.py` of `make bench`.

Met `--pdf`: het nagebootste onderzoeksrapport van 260 pagina's (benchmarks/standin_report.py)
komt bij een kopie van de corpus, zoals een beheerder het echte toevoegt. Gemeten wordt het
toevoegen ervan aan een index van de corpus, en in dezelfde run hoe lang de embedder erover doet
om dezelfde passages één keer in te bedden: de verhouding is wat het indexeren méér kost dan
inbedden. `--bewaar MAP` laat corpus en index staan (voor `wegwijzer eval --suite onderzoek`).
"""

from __future__ import annotations

import os

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexing.embeddings import make_embeddings  # noqa: E402
from indexing.pipeline import Indexer  # noqa: E402
from common.settings import Settings  # noqa: E402

TARGET_SECONDS = 3.0


def _seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Meet de indexeersnelheid van Wegwijzer.")
    parser.add_argument("--herhalingen", type=int, default=3,
                        help="aantal herindexeringen zonder wijzigingen (standaard 3)")
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / "corpus",
                        help="map met publications.toml (standaard de meegeleverde corpus)")
    parser.add_argument("--pdf", action="store_true",
                        help="meet het toevoegen van het nagebootste onderzoeksrapport (260 p.)")
    parser.add_argument("--pages", type=int, default=260, help="pagina's van dat rapport")
    parser.add_argument("--bewaar", type=Path, help="laat corpus en index in deze map staan")
    args = parser.parse_args(argv)
    if args.pdf:
        return measure_pdf(args.corpus_dir, args.pages, args.bewaar)

    with tempfile.TemporaryDirectory(prefix="wegwijzer-bench-") as tmp:
        settings = Settings.from_env(corpus_dir=args.corpus_dir, data_dir=Path(tmp) / "data")
        settings = settings.with_(chroma_url=None)  # always a fresh local index
        print(f"Corpus: {settings.corpus_dir}")
        print(f"Embedder: {settings.embedder}")

        started = time.perf_counter()
        embeddings = make_embeddings(settings.embedder)
        load_seconds = time.perf_counter() - started

        started = time.perf_counter()
        report = Indexer(settings, embeddings=embeddings).build()
        build_seconds = time.perf_counter() - started

        reindex: list[float] = []
        for _ in range(args.herhalingen):
            started = time.perf_counter()
            again = Indexer(settings, embeddings=embeddings).build()
            reindex.append(time.perf_counter() - started)
            if again.added or again.updated or again.deleted:
                print(f"Let op: herindexering zonder wijzigingen veranderde iets: {again.summary()}")

    median = statistics.median(reindex)
    print(f"Model laden: {_seconds(load_seconds)}")
    print(f"Index bouwen: {_seconds(build_seconds)} ({report.publications} publicaties, "
          f"{report.passages} passages)")
    print(f"Snelheid: {report.passages / build_seconds:.1f}".replace(".", ",")
          + " passages (chunks) per seconde")
    print("Herindexeren zonder wijzigingen: " + ", ".join(_seconds(s) for s in reindex)
          + f" (mediaan {_seconds(median)}, doel onder {_seconds(TARGET_SECONDS)}: "
          + ("gehaald" if median < TARGET_SECONDS else "NIET gehaald") + ")")
    print(f"Aantal passages: {report.passages}")
    return 0


def measure_pdf(corpus_dir: Path, pages: int, keep: Path | None) -> int:
    """Index the corpus, add the stand-in report, index again: the seconds of that second run
    against the embedder embedding the same new passages once, in the same run."""
    import shutil

    from benchmarks.standin_report import REPORT_ID, add_to_corpus
    from indexing.pipeline import prepare

    with tempfile.TemporaryDirectory(prefix="wegwijzer-bench-") as tmp:
        root = keep or Path(tmp)
        corpus, data = root / "corpus", root / "data"
        shutil.copytree(corpus_dir, corpus, dirs_exist_ok=True)
        settings = Settings.from_env(corpus_dir=corpus, data_dir=data).with_(chroma_url=None)
        embeddings = make_embeddings(settings.embedder)
        Indexer(settings, embeddings=embeddings).build()
        standin = add_to_corpus(corpus, pages=pages)

        load = os.getloadavg()[0]
        started = time.perf_counter()
        report = Indexer(settings, embeddings=embeddings).build(
            notify=lambda message: print(message, flush=True))
        build_seconds = time.perf_counter() - started

        texts = [p.embedded_text for p in prepare(settings)[1]
                 if p.metadata["publication_id"] == REPORT_ID]
        started = time.perf_counter()
        embeddings.embed_documents(texts)
        embed_seconds = time.perf_counter() - started

    print(f"Rapport: {len(standin.labels)} pagina's, {len(texts)} passages; embedder "
          f"{settings.embedder}; belasting bij de start {load:.1f}".replace(".", ","))
    print(f"Toevoegen aan de index: {_seconds(build_seconds)} "
          f"({report.added} passages, {report.added / build_seconds:.1f} passages per seconde)"
          .replace(".", ",", 1))
    print(f"Alleen inbedden, één keer: {_seconds(embed_seconds)} "
          f"({len(texts) / embed_seconds:.1f} passages per seconde)".replace(".", ",", 1))
    print(f"Verhouding: {build_seconds / embed_seconds:.2f}".replace(".", ",")
          + " × de tijd van alleen inbedden")
    if keep:
        print(f"Bewaard: corpus {corpus}, index {data}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
