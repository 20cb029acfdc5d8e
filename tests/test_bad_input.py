"""Bad input stops the index run with a Dutch CorpusError and leaves the previous index alone.

Every case modifies a copy of the corpus next to a copy of the real index, runs
`Indexer.build`, and then checks that the previous generation is still active and answers.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

import pytest

from common.errors import CorpusError
from indexing.pipeline import Indexer
from common.settings import Settings
from indexing_support import (
    JAARBERICHT, NIEUWS_DENKTANK, TUSSENBERICHT, CountingEmbeddings, EmbedderBroke,
    FailingEmbeddings, add_publication, assert_previous_index_answers, make_text_pdf,
)

NEW_ID = "nieuwe-publicatie"


def _active_name(settings: Settings, embeddings) -> str:
    active = Indexer(settings, embeddings=embeddings).store.active()
    assert active is not None
    return active.name


def _add_file(corpus: Path, name: str, data: bytes, kind: str = "onderzoeksrapport") -> None:
    (corpus / name).write_bytes(data)
    add_publication(corpus, id=NEW_ID, file=name, kind=kind)


def _scan_pdf(corpus: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    pdf.rect(20, 20, 170, 250, style="F")  # a 'scanned page': graphics, no text
    pdf.output(str(corpus / "scan.pdf"))
    add_publication(corpus, id=NEW_ID, file="scan.pdf", kind="onderzoeksrapport")


def _encrypted_pdf(corpus: Path) -> None:
    from pypdf import PdfWriter

    plain = make_text_pdf(corpus.parent / "plain.pdf", [
        "Dit rapport is beveiligd met een wachtwoord en kan dus niet worden uitgelezen."])
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt("geheim")
    writer.write(str(corpus / "beveiligd.pdf"))
    add_publication(corpus, id=NEW_ID, file="beveiligd.pdf", kind="onderzoeksrapport")


def _random_pdf(corpus: Path) -> None:
    _add_file(corpus, "willekeurig.pdf", random.Random(20180601).randbytes(4096))


def _truncated_pdf(corpus: Path) -> None:
    whole = make_text_pdf(corpus.parent / "heel.pdf", [
        "Regionale samenwerking vraagt om een attractieve agenda voor alle partijen.",
        "Het weefsel tussen mensen groeit door goede relaties en vertrouwen.",
    ]).read_bytes()
    _add_file(corpus, "afgebroken.pdf", whole[: len(whole) // 2])


def _nul_bytes_txt(corpus: Path) -> None:
    _add_file(corpus, "binair.txt", b"Dit lijkt tekst\x00\x00\x00\x01\x02 maar is binair.\n",
              kind="nieuws")


def _latin1_txt(corpus: Path) -> None:
    text = "Één gemeente werkt samen met de regio aan een gedeelde opgave: ça va.\n"
    _add_file(corpus, "latin1.txt", text.encode("latin-1"), kind="nieuws")


def _empty_txt(corpus: Path) -> None:
    _add_file(corpus, "leeg.txt", b"", kind="nieuws")


def _whitespace_md(corpus: Path) -> None:
    _add_file(corpus, "alleen-witruimte.md", b"\n   \n\t\n", kind="nieuws")


def _empty_pdf(corpus: Path) -> None:
    _add_file(corpus, "leeg.pdf", b"")


def _unknown_format(corpus: Path) -> None:
    _add_file(corpus, "verslag.docx", b"PK\x03\x04 not really a docx", kind="nieuws")


def _missing_file(corpus: Path) -> None:
    add_publication(corpus, id=NEW_ID, file="bestaat-niet.txt", kind="nieuws")


def _removed_file(corpus: Path) -> None:
    (corpus / f"{NIEUWS_DENKTANK}.txt").unlink()


def _duplicate_id(corpus: Path) -> None:
    (corpus / "dubbel.txt").write_text("Een tweede bericht met hetzelfde id.\n", encoding="utf-8")
    add_publication(corpus, id=TUSSENBERICHT, file="dubbel.txt", kind="nieuws")


def _broken_toml(corpus: Path) -> None:
    manifest = corpus / "publications.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '\n[[publication]]\nid = "kapot\n',
                        encoding="utf-8")


def _unknown_kind(corpus: Path) -> None:
    (corpus / "blog.txt").write_text("Een blogbericht over regionale samenwerking.\n",
                                     encoding="utf-8")
    add_publication(corpus, id=NEW_ID, file="blog.txt", kind="blogbericht")


def _missing_field(corpus: Path) -> None:
    manifest = corpus / "publications.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8")
        + '\n[[publication]]\nid = "zonder-titel"\nkind = "nieuws"\npublisher = "VNG"\n'
          'date = "2018"\nfile = "nieuws-2018-denktank-presenteert-bevindingen.txt"\n',
        encoding="utf-8")


SECRET = "root:x:0:0:geheim-buiten-het-corpus"


def _secret_outside(corpus: Path) -> Path:
    outside = corpus.parent / "buiten" / "secret.txt"
    outside.parent.mkdir(exist_ok=True)
    outside.write_text(f"{SECRET}\nDit bestand hoort niet in de index.\n", encoding="utf-8")
    return outside


def _absolute_path(corpus: Path) -> None:
    add_publication(corpus, id=NEW_ID, file=str(_secret_outside(corpus)))


def _dotdot_path(corpus: Path) -> None:
    _secret_outside(corpus)
    add_publication(corpus, id=NEW_ID, file="../buiten/secret.txt")


def _symlink_elsewhere(corpus: Path) -> None:
    (corpus / "koppeling.txt").symlink_to(_secret_outside(corpus))
    add_publication(corpus, id=NEW_ID, file="koppeling.txt")


def _symlink_passwd(corpus: Path) -> None:
    (corpus / "wachtwoorden.txt").symlink_to("/etc/passwd")
    add_publication(corpus, id=NEW_ID, file="wachtwoorden.txt")


def _symlinked_folder(corpus: Path) -> None:
    (corpus / "map").symlink_to(_secret_outside(corpus).parent, target_is_directory=True)
    add_publication(corpus, id=NEW_ID, file="map/secret.txt")


# (make the bad input, words the message must contain: the thing it names and the fix)
CASES: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    "pdf-zonder-tekst": (_scan_pdf, ("scan.pdf", NEW_ID, "geen uitleesbare tekst", "OCR")),
    "versleutelde-pdf": (_encrypted_pdf, ("beveiligd.pdf", NEW_ID, "versleuteld",
                                          "zonder wachtwoord")),
    "pdf-willekeurige-bytes": (_random_pdf, ("willekeurig.pdf", NEW_ID, "beschadigd",
                                             "opnieuw")),
    "pdf-afgebroken": (_truncated_pdf, ("afgebroken.pdf", NEW_ID, "beschadigd", "opnieuw")),
    "txt-met-nul-bytes": (_nul_bytes_txt, ("binair.txt", NEW_ID, "binaire gegevens",
                                           "UTF-8-tekst")),
    "txt-latin-1": (_latin1_txt, ("latin1.txt", NEW_ID, "geen UTF-8-tekst",
                                  "Sla het op als UTF-8")),
    "txt-leeg": (_empty_txt, ("leeg.txt", NEW_ID, "is leeg", "publications.toml")),
    "md-alleen-witruimte": (_whitespace_md, ("alleen-witruimte.md", NEW_ID, "is leeg")),
    "pdf-leeg": (_empty_pdf, ("leeg.pdf", NEW_ID, "is leeg", "Lever het opnieuw aan")),
    "onbekend-formaat": (_unknown_format, ("verslag.docx", NEW_ID, "onbekend",
                                           ".md", ".pdf", ".txt")),
    "bestand-ontbreekt": (_missing_file, ("bestaat-niet.txt", NEW_ID, "ontbreekt",
                                          "pas 'file' aan")),
    "bestand-verwijderd": (_removed_file, (f"{NIEUWS_DENKTANK}.txt", NIEUWS_DENKTANK,
                                           "ontbreekt")),
    "dubbel-id": (_duplicate_id, ("publications.toml", TUSSENBERICHT, "twee keer",
                                  "eigen id")),
    "kapotte-toml": (_broken_toml, ("publications.toml", "geen geldige TOML",
                                    "Herstel de regel")),
    "onbekende-kind": (_unknown_kind, ("publications.toml", NEW_ID, "blogbericht",
                                       "is onbekend", "Kies uit", "onderzoeksrapport")),
    "veld-ontbreekt": (_missing_field, ("publications.toml", "mist", "title", "Vul dit aan")),
    "absoluut-pad-buiten-corpus": (_absolute_path, (NEW_ID, "secret.txt", "buiten de corpusmap",
                                                    "Kopieer het bestand")),
    "pad-met-puntpunt": (_dotdot_path, (NEW_ID, "../buiten/secret.txt", "buiten de corpusmap",
                                        "Kopieer het bestand")),
    "symlink-naar-elders": (_symlink_elsewhere, (NEW_ID, "koppeling.txt", "via een koppeling",
                                                 "secret.txt", "buiten de corpusmap")),
    "symlink-naar-etc-passwd": (_symlink_passwd, (NEW_ID, "wachtwoorden.txt", "/etc/passwd",
                                                  "via een koppeling", "buiten de corpusmap")),
    "map-symlink-naar-elders": (_symlinked_folder, (NEW_ID, "map/secret.txt", "via een koppeling",
                                                    "buiten de corpusmap")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_dutch_corpus_error_and_keeps_index(
        case: str, index_copy: Settings, counting_embeddings: CountingEmbeddings) -> None:
    make_bad_input, expected = CASES[case]
    before = _active_name(index_copy, counting_embeddings)
    make_bad_input(index_copy.corpus_dir)

    with pytest.raises(CorpusError) as caught:
        Indexer(index_copy, embeddings=counting_embeddings).build()

    message = str(caught.value)
    for words in expected:
        assert words in message, f"{words!r} missing from: {message}"
    assert "Traceback" not in message
    assert counting_embeddings.calls == 0, "bad input must stop the run before embedding"
    assert_previous_index_answers(index_copy, counting_embeddings, before, generations=[before])


def test_bad_input_fixed_then_indexed(index_copy: Settings,
                                      counting_embeddings: CountingEmbeddings) -> None:
    """After the fix the same publication is indexed; the error left nothing half-done."""
    _latin1_txt(index_copy.corpus_dir)
    with pytest.raises(CorpusError):
        Indexer(index_copy, embeddings=counting_embeddings).build()
    fixed = "Één gemeente werkt samen met de regio aan een gedeelde opgave voor werk en scholing.\n"
    (index_copy.corpus_dir / "latin1.txt").write_text(fixed, encoding="utf-8")

    report = Indexer(index_copy, embeddings=counting_embeddings).build()

    assert report.added == 1 and report.deleted == 0
    assert len(counting_embeddings.texts) == 1
    assert "Één gemeente werkt samen" in counting_embeddings.texts[0]


@pytest.mark.parametrize("error", [EmbedderBroke, KeyboardInterrupt], ids=["fout", "ctrl-c"])
def test_failure_during_embedding_keeps_previous_generation(
        index_copy: Settings, built_index, error: type[BaseException]) -> None:
    store = Indexer(index_copy, embeddings=built_index.embeddings).store
    before = store.active()
    assert before is not None
    records_before = sorted(p.name for p in store.records_dir.iterdir())

    # A rebuild embeds everything in batches: the first batch succeeds, the second fails.
    failing = FailingEmbeddings(fail_on=2, error=error)
    with pytest.raises(error):
        Indexer(index_copy, embeddings=failing).build(rebuild=True)
    assert failing.calls == 2

    assert_previous_index_answers(index_copy, built_index.embeddings, before.name,
                                  generations=[before.name])
    assert sorted(p.name for p in store.records_dir.iterdir()) == records_before
    assert store.active() == before
    assert store.collection(before).count() == before.chunks

    # The next ordinary run finds the index intact: nothing to embed.
    counting = CountingEmbeddings(built_index.embeddings)
    report = Indexer(index_copy, embeddings=counting).build()
    assert report.added == 0 and report.skipped == report.passages
    assert counting.calls == 0


def test_failure_on_first_embedding_call(index_copy: Settings, built_index) -> None:
    """An error in the very first batch of an incremental run also leaves no staging behind."""
    with (index_copy.corpus_dir / f"{TUSSENBERICHT}.txt").open("a", encoding="utf-8") as file:
        file.write("\n \n\nDe Denktank vraagt nieuwe raden om regionale samenwerking op de "
                   "agenda te zetten. \n")
    store = Indexer(index_copy, embeddings=built_index.embeddings).store
    before = store.active()

    failing = FailingEmbeddings(fail_on=1)
    with pytest.raises(EmbedderBroke):
        Indexer(index_copy, embeddings=failing).build()

    assert_previous_index_answers(index_copy, built_index.embeddings, before.name,
                                  generations=[before.name])
    metas = Indexer(index_copy, embeddings=built_index.embeddings).all_metadata()
    assert {m["publication_id"] for m in metas} >= {JAARBERICHT, TUSSENBERICHT}
