"""Meet hoe snel Wegwijzer de meegeleverde corpus indexeert.

Bouwt de index van corpus/ in een nieuwe tijdelijke datamap (met de standaard-embedder,
of die uit WEGWIJZER_EMBEDDER), en indexeert daarna drie keer opnieuw zonder wijzigingen.
Drukt af: bouwtijd, passages per seconde, de mediaan van de herindexering (doel: onder 3 s)
en het aantal passages. Gebruik: `python benchmarks/index_speed.py` of `make bench`.
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
    args = parser.parse_args(argv)

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


if __name__ == "__main__":
    raise SystemExit(main())
