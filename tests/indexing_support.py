"""Helpers shared by the indexing tests (import with `from indexing_support import ...`).

Nothing here fakes library behaviour: the helpers edit a *copy* of the corpus, build test
PDFs, wrap the real embedder to count what gets embedded, and check that an index still answers.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from indexing.embeddings import LatentTerms, latent_term_encoder
from indexing.pipeline import Indexer
from common.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT / "corpus"

JAARBERICHT = "jaarbericht-2018-werkende-samenwerking"
TUSSENBERICHT = "tussenbericht-2018-regionale-samenwerking-next-level"
NIEUWS_DENKTANK = "nieuws-2018-denktank-presenteert-bevindingen"
NIEUWS_VALLEYS = "nieuws-link-tussen-valleys-en-praktijk"
PERSPECTIEF = "perspectief-op-werk-2020-next-level-samenwerking"
ALL_IDS = (JAARBERICHT, TUSSENBERICHT, NIEUWS_DENKTANK, NIEUWS_VALLEYS, PERSPECTIEF)
NEWS_IDS = (NIEUWS_DENKTANK, NIEUWS_VALLEYS, PERSPECTIEF)

CHAIR_QUESTION = "Wie was voorzitter van de Denktank?"

# Printed pages of the ten wegwijzers, from the Jaarbericht's table of contents.
WEGWIJZERS: dict[int, tuple[str, int, int]] = {
    1: ("Laat de feiten spreken", 27, 30),
    2: ("Definieer samen de opgave", 31, 36),
    3: ("Denk domeinoverschrijdend", 37, 40),
    4: ("Ken het netwerk", 41, 44),
    5: ("Kies bewust een sturingsprincipe", 45, 48),
    6: ("Legitimeer wat je doet", 49, 54),
    7: ("Breng in kaart wat er is", 55, 58),
    8: ("Vind wat verbindt", 59, 62),
    9: ("Reflecteer & leer", 63, 66),
    10: ("Geef het voorbeeld", 67, 70),
}
# (story title, author) per wegwijzer, in reading order.
STORIES: dict[int, list[tuple[str, str]]] = {
    1: [("Doe recht aan wat er is", "Fred Paling")],
    2: [("Hoe pakken we de vraag van morgen op?", "Pierre Heijnen"),
        ("Van praten naar doen", "Bert Mooren")],
    3: [("Ondernemende houding", "Rolph Dols")],
    4: [("Groene stroom of netwerkstoring?", "Jan van Ginkel")],
    5: [("Hoe maak ik duidelijk wat ik wil en waarom", "Maarten Struijvenberg")],
    6: [("Dualisme nieuwe stijl", "Hedwich Rinkes"),
        ("Betrokkenheid vormgeven", "Boudewijn Steur")],
    7: [("Kijk naar waar je vandaan komt", "Jack Mikkers")],
    8: [("Wendbaar door het weefsel", "Els van der Pool en Guido Rijnja")],
    9: [("Wie neemt hier de leiding?", "Gerda van Dijk")],
    10: [("Bruggen bouw je samen", "Anneke Knol")],
}

STORY_PARTS = ("Een verhaal", "Twee verhalen")
RESEARCH_PART = "Uit het onderzoek"
ADVICE_PART = "Een handreiking"


# --- corpus copies and manifest editing ---------------------------------------------------


def copy_corpus(target: Path, source: Path = CORPUS_DIR) -> Path:
    """Copy a corpus folder; the copies are writable even though the originals are read-only."""
    shutil.copytree(
        source, target, copy_function=shutil.copyfile,
        ignore=shutil.ignore_patterns("__pycache__", ".*"),
    )
    return target


def _split_manifest(text: str) -> tuple[str, list[str]]:
    pieces = re.split(r"(?m)^(?=\[\[publication\]\]\s*$)", text)
    return pieces[0], pieces[1:]


def drop_publications(corpus_dir: Path, *ids: str) -> None:
    """Remove the [[publication]] blocks with these ids from corpus_dir/publications.toml."""
    path = corpus_dir / "publications.toml"
    head, blocks = _split_manifest(path.read_text(encoding="utf-8"))
    kept = [
        block for block in blocks
        if not any(re.search(rf'(?m)^id\s*=\s*"{re.escape(pid)}"\s*$', block) for pid in ids)
    ]
    if len(blocks) - len(kept) != len(ids):
        raise AssertionError(f"not all of {ids} were in {path}")
    path.write_text(head + "".join(kept), encoding="utf-8")


def keep_publications(corpus_dir: Path, *ids: str) -> None:
    """Keep only the publications with these ids in the manifest of a corpus copy."""
    drop_publications(corpus_dir, *[pid for pid in ALL_IDS if pid not in ids])


def add_publication(corpus_dir: Path, *, id: str, file: str, kind: str = "nieuws",
                    title: str | None = None, publisher: str = "Testredactie",
                    date: str = "2018-06", **extra: Any) -> None:
    """Append a [[publication]] block to the manifest of a corpus copy."""
    fields = {"id": id, "title": title or f"Testpublicatie {id}", "kind": kind,
              "publisher": publisher, "date": date, "file": file, **extra}
    lines = ["", "[[publication]]"]
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    path = corpus_dir / "publications.toml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")


# --- PDFs ----------------------------------------------------------------------------------


def make_text_pdf(path: Path, pages: list[str]) -> Path:
    """A real PDF with one page per text (fpdf2, core font)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def label_pages(source: Path, target: Path) -> Path:
    """Copy a 4-page PDF with printed labels: 'i' for page 1, then 41, 42, 43."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(source))
    writer.set_page_label(0, 0, style="/r")
    writer.set_page_label(1, len(writer.pages) - 1, style="/D", start=41)
    writer.write(str(target))
    return target


# --- embedders -----------------------------------------------------------------------------


class CountingEmbeddings(Embeddings):
    """Delegates to a real embedder and remembers every text it was asked to embed."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.calls = 0
        self.texts: list[str] = []
        self.latent_texts: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.texts.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    @property
    def has_latent_terms(self) -> bool:
        return latent_term_encoder(self.inner) is not None

    def latent_terms(self, texts: list[str]) -> list[LatentTerms]:
        self.latent_texts.extend(texts)  # counted apart: embedding counts stay what they were
        return self.inner.latent_terms(texts)


class EmbedderBroke(RuntimeError):
    """Raised by FailingEmbeddings, so a test can tell it from any other error."""


class FailingEmbeddings(Embeddings):
    """Answers the first embed_documents call with fixed vectors, then fails.

    `error` is raised on call number `fail_on` (1-based); pass KeyboardInterrupt to imitate Ctrl-C.
    """

    def __init__(self, fail_on: int = 2, error: BaseException | type[BaseException] = EmbedderBroke,
                 dimension: int = 384) -> None:
        self.fail_on = fail_on
        self.error = error
        self.dimension = dimension
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls >= self.fail_on:
            error = self.error
            if isinstance(error, type):
                error = error(f"embedder failed on call {self.calls}")
            raise error
        return [[1.0] + [0.0] * (self.dimension - 1) for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0] + [0.0] * (self.dimension - 1)


# --- checks --------------------------------------------------------------------------------


def search(settings: Settings, embeddings: Embeddings, query: str, k: int = 3,
           **kwargs: Any) -> list[Any]:
    """Similarity search in the active generation, as the assistant does it."""
    indexer = Indexer(settings, embeddings=embeddings)
    generation = indexer.store.require_active(settings.embedder)
    return indexer.store.vectorstore(generation, embeddings).similarity_search(query, k=k, **kwargs)


def assert_previous_index_answers(settings: Settings, embeddings: Embeddings,
                                  generation_name: str,
                                  generations: list[str] | None = None) -> None:
    """The active generation is still `generation_name` and it answers the chair question.

    With `generations`, the store must hold exactly those generations (no staging leftovers).
    """
    store = Indexer(settings, embeddings=embeddings).store
    active = store.active()
    assert active is not None, f"no active generation in {settings.data_dir}"
    assert active.name == generation_name
    if generations is not None:
        assert sorted(store.generation_names()) == sorted(generations), (
            "a staging collection was left behind")
    results = search(settings, embeddings, CHAIR_QUESTION, k=3)
    assert len(results) == 3
    assert any(doc.metadata["publication_id"] == JAARBERICHT for doc in results), [
        doc.metadata["chunk_id"] for doc in results
    ]
