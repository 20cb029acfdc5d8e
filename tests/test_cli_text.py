"""The terminal shows user and corpus text literally: square brackets are text, not formatting.

Runs the real `wegwijzer` command on a copy of the real index with one extra publication whose
sentences carry brackets, a closing tag of the terminal library ('[/b]') and an emoji code.
"""

from __future__ import annotations

import json

import pytest
from chat_support import run_wegwijzer
from indexing_support import add_publication

from assistant.model import Answer, Source
from indexing.pipeline import Indexer
from common.settings import Settings

BRACKETS_ID = "bericht-met-haken"
BRACKETS_TEXT = (
    "Werkbezoek aan de Zuidwaardse haven\n\n"
    "De wethouders van de Zuidwaardse gemeenten bespraken de haven [zie bijlage] in de regio. "
    "De Zuidwaardse havenraad sloot het overleg af met [/b] een gezamenlijke havenagenda. "
    "Voor de Zuidwaardse haven geldt :smile: een aparte havenregeling [red]tot 2030[/red].\n"
)


def _paths(settings: Settings) -> list[str]:
    return ["--data-dir", str(settings.data_dir), "--corpus-dir", str(settings.corpus_dir)]


@pytest.fixture
def bracket_index(index_copy: Settings, built_index) -> Settings:
    (index_copy.corpus_dir / "haken.txt").write_text(BRACKETS_TEXT, encoding="utf-8")
    add_publication(index_copy.corpus_dir, id=BRACKETS_ID, file="haken.txt",
                    title="Verslag [concept] van het havenoverleg")
    Indexer(index_copy, embeddings=built_index.embeddings).build()
    return index_copy


def test_plain_ask_prints_corpus_brackets_literally(bracket_index: Settings) -> None:
    question = "Wat bespraken de wethouders over de Zuidwaardse haven en de havenagenda?"
    done = run_wegwijzer("ask", question, "--publication", BRACKETS_ID, *_paths(bracket_index))

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "MarkupError" not in done.stderr
    shown = done.stdout
    assert "[zie bijlage]" in shown and "[/b]" in shown, shown
    assert "Verslag [concept] van het havenoverleg" in shown, shown

    as_json = run_wegwijzer("ask", question, "--publication", BRACKETS_ID, "--json",
                            *_paths(bracket_index))
    answer = json.loads(as_json.stdout)
    # The plain answer is the JSON answer, character for character.
    assert answer["answer"] in shown.replace("\n", " ") or answer["answer"] in shown


def test_error_lines_keep_brackets_in_file_names(index_copy: Settings) -> None:
    add_publication(index_copy.corpus_dir, id="rapport-vet", file="rapport[bold].txt")
    done = run_wegwijzer("index", *_paths(index_copy))

    assert done.returncode == 1
    assert "rapport[bold].txt" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_empty_manifest_message_names_the_block(index_copy: Settings) -> None:
    (index_copy.corpus_dir / "publications.toml").write_text("# nog leeg\n", encoding="utf-8")
    done = run_wegwijzer("index", *_paths(index_copy))

    assert done.returncode == 1
    assert "[[publication]]" in done.stderr, done.stderr


def test_symlink_outside_the_corpus_is_refused_by_the_command(index_copy: Settings) -> None:
    (index_copy.corpus_dir / "wachtwoorden.txt").symlink_to("/etc/passwd")
    add_publication(index_copy.corpus_dir, id="wachtwoorden", file="wachtwoorden.txt")
    done = run_wegwijzer("index", *_paths(index_copy))

    assert done.returncode == 1
    assert "buiten de corpusmap" in done.stderr and "/etc/passwd" in done.stderr, done.stderr
    asked = run_wegwijzer("ask", "root", "--json", *_paths(index_copy))
    assert "root:x:0:0" not in asked.stdout


def test_print_answer_keeps_every_bracket(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.model import Notice, SourcesFound, TextDelta
    from assistant.present.terminal import make_console, print_stream

    source = Source.from_json(dict(
        marker=1, chunk_id="x/1", publication_id="x", publication_title="Bron [a]", kind="nieuws",
        source_file="x.txt", wegwijzer=None, wegwijzer_title=None, section=None, part=None,
        pages=None, research_pages=[], score=0.5, quote="q"))
    answer = Answer(question="q", answer="Tekst [/b] en [zie bijlage] en :smile: [1]",
                    refused=False, sources=[source], notices=["Let [op]"])
    print_stream([Notice("Let [op]"), SourcesFound(answer.sources), TextDelta(answer.answer),
                  answer], make_console(), make_console(stderr=True))
    captured = capsys.readouterr()
    assert "Tekst [/b] en [zie bijlage] en :smile: [1]" in captured.out
    assert "[1] Bron [a]" in captured.out
    assert "Let [op]" in captured.err


def test_pdf_library_warnings_go_to_the_log_not_the_terminal(index_copy: Settings) -> None:
    from indexing_support import make_text_pdf

    whole = make_text_pdf(index_copy.corpus_dir.parent / "heel.pdf", [
        "Regionale samenwerking vraagt om een attractieve agenda voor alle partijen."] * 2)
    data = whole.read_bytes()
    (index_copy.corpus_dir / "zonder-eof.pdf").write_bytes(data[: data.rfind(b"%%EOF")])
    add_publication(index_copy.corpus_dir, id="zonder-eof", file="zonder-eof.pdf",
                    kind="onderzoeksrapport")
    done = run_wegwijzer("index", *_paths(index_copy))

    assert done.returncode == 1
    assert "zonder-eof.pdf" in done.stderr and "beschadigd" in done.stderr, done.stderr
    assert "EOF marker" not in done.stderr and "CAUTION" not in done.stderr, done.stderr
    log = (index_copy.data_dir / "wegwijzer.log").read_text(encoding="utf-8")
    assert "EOF marker not found" in log


@pytest.mark.parametrize("value", ["0", "-3", "vijf"])
def test_top_k_must_be_a_whole_number_of_at_least_one(value: str) -> None:
    done = run_wegwijzer("ask", "Wat is een attractieve agenda?", "--top-k", value)

    assert done.returncode == 2
    assert "Fout in de opdracht: optie --top-k:" in done.stderr, done.stderr
    assert "invalid" not in done.stderr and "argument" not in done.stderr


def test_library_refuses_top_k_zero(assistant) -> None:
    from common.errors import WegwijzerError

    with pytest.raises(WegwijzerError, match="minstens 1"):
        assistant.ask("Wat is een attractieve agenda?", top_k=0)


CONTROL_ID = "bericht-met-stuurtekens"
CLEAR, LINK, TITLE = "\x1b[2J", "\x1b]8;;https://example.org/x\x1b\\", "\x1b]0;gekaapt\x07"
CONTROL_TEXT = (
    "Overleg over de Oostmarkse dijk\n\n"
    f"De wethouders van de Oostmarkse gemeenten bespraken de dijk{CLEAR} en het waterschap. "
    f"De Oostmarkse dijkraad stelde {LINK}een gezamenlijke dijkagenda{LINK} op voor de regio. "
    f"Voor de Oostmarkse dijk geldt {TITLE}een aparte dijkregeling tot 2030\x9b31m.\n"
)


def test_control_sequences_from_a_publication_never_reach_the_terminal(
        index_copy: Settings, built_index) -> None:
    (index_copy.corpus_dir / "stuurtekens.txt").write_text(CONTROL_TEXT, encoding="utf-8")
    add_publication(index_copy.corpus_dir, id=CONTROL_ID, file="stuurtekens.txt",
                    title=f"Verslag{TITLE} van het dijkoverleg")
    Indexer(index_copy, embeddings=built_index.embeddings).build()
    question = "Wat bespraken de wethouders over de Oostmarkse dijk en de dijkagenda?"

    as_json = run_wegwijzer("ask", question, "--publication", CONTROL_ID, "--json",
                            *_paths(index_copy))
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)  # the data keeps what the publication holds, escaped
    assert "\x1b" in data["answer"] + data["sources"][0]["quote"] + data["sources"][0]["publication_title"]
    assert "\x1b" not in as_json.stdout and "\x9b" not in as_json.stdout

    done = run_wegwijzer("ask", question, "--publication", CONTROL_ID, *_paths(index_copy))
    assert done.returncode == 0, done.stderr
    for shown in (done.stdout, done.stderr):
        assert not any(ch in shown for ch in "\x1b\x07\x9b\x9c\x9d"), repr(shown)
    assert "Verslag van het dijkoverleg" in done.stdout
    assert "een gezamenlijke dijkagenda op voor de regio" in done.stdout.replace("\n", " ")
