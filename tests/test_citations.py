"""Citation formatting (pure)."""

from assistant.citations import ResearchRefStream, format_citation, label_research_refs, with_quoted
from indexing.places import format_pages
from assistant.model import Source, SourcesFound, TextDelta


def make_source(**changes):
    base = dict(
        marker=1, chunk_id="x", publication_id="jaarbericht-2018-werkende-samenwerking",
        publication_title="Jaarbericht 2018 'Werkende samenwerking'", kind="jaarbericht",
        source_file="j.md", wegwijzer=4, wegwijzer_title="Ken het netwerk", section="Wegwijzer 4",
        part="Uit het onderzoek", pages=[41, 44], research_pages=[182], score=0.5, quote="…",
    )
    base.update(changes)
    return Source.from_json(base)


def test_citation_format_matches_the_agreed_shape():
    assert format_citation(make_source()) == (
        "[1] Jaarbericht 2018 'Werkende samenwerking' · Wegwijzer 4 'Ken het netwerk' · "
        "Uit het onderzoek · p. 41–44 · onderzoeksrapport p. 182"
    )


def test_story_section_and_single_pages():
    story = make_source(marker=2, part="Een verhaal", story_title="Groene stroom of netwerkstoring?",
                        story_author="Jan van Ginkel", research_pages=[])
    assert format_citation(story).endswith(
        "Een verhaal ('Groene stroom of netwerkstoring?', Jan van Ginkel) · p. 41–44")
    chapter = make_source(marker=3, wegwijzer=None, wegwijzer_title=None, part=None,
                          section="Routekaart als metafoor", pages=[16, 16], research_pages=[])
    assert format_citation(chapter) == (
        "[3] Jaarbericht 2018 'Werkende samenwerking' · Routekaart als metafoor · p. 16")
    news = make_source(marker=4, wegwijzer=None, part=None, pages=None, research_pages=[],
                       publication_title="Nieuwsbericht", section="Tien wegwijzers")
    assert format_citation(news) == "[4] Nieuwsbericht · Tien wegwijzers"


def test_research_pages_listed_and_roman_labels():
    assert format_citation(make_source(research_pages=[185, 184])).endswith("onderzoeksrapport p. 184, 185")
    assert format_pages([None, None], ["iv", "iv"]) == "p. iv"
    assert format_pages([41, 43], ["41", "43"]) == "p. 41–43"


def test_research_report_pages_are_written_out():
    text = "'Zo is het.' (p. 61) Zie ook (p.180), (p. 18, 19) en (p. 18-19); de Jaarbericht-pagina (p. 41) blijft."
    assert label_research_refs(text, {61, 180, 18, 19}) == (
        "'Zo is het.' (onderzoeksrapport p. 61) Zie ook (onderzoeksrapport p. 180), "
        "(onderzoeksrapport p. 18, 19) en (onderzoeksrapport p. 18-19); de Jaarbericht-pagina "
        "(p. 41) blijft.")
    assert label_research_refs(text, ()) == text  # no research pages: nothing to rewrite
    assert label_research_refs("(p. 184, 185)", {184}) == "(p. 184, 185)"  # only when all are
    once = label_research_refs("(p. 61)", {61})
    assert label_research_refs(once, {61}) == once == "(onderzoeksrapport p. 61)"


def test_with_quoted_sets_the_quoted_sentences_by_marker():
    sources = [make_source(marker=1), make_source(marker=2)]
    marked = with_quoted(sources, {2: ["Zin één.", "Zin één.", "Zin twee."]})
    assert [s.quoted for s in marked] == [(), ("Zin één.", "Zin twee.")]
    assert sources[1].quoted == ()  # the originals are left alone


def test_research_references_are_written_out_while_the_text_streams():
    text = "'Zo is het.' (p. 61) Zie ook (p.180) en de Jaarbericht-pagina (p. 41) [1]."
    expected = label_research_refs(text, {61, 180})
    for size in (1, 2, 3, 5, len(text)):
        stream = ResearchRefStream({61, 180})
        shown = "".join(stream.feed(text[i:i + size]) for i in range(0, len(text), size))
        assert shown + stream.flush() == expected, size
    unfinished = ResearchRefStream({61})
    assert unfinished.feed("Een open haakje (p. 6") == "Een open haakje "
    assert unfinished.flush() == "(p. 6"  # the end of the answer releases what was held


def test_ask_in_the_terminal_writes_research_pages_out(capsys):  # noqa: ANN001
    from assistant.model import Answer
    from assistant.present.terminal import make_console, print_stream

    source = make_source(research_pages=[61])
    answer = Answer(question="q", answer="Zo staat het er. (p. 61) [1]", refused=False,
                    sources=[source])
    print_stream([SourcesFound(answer.sources), TextDelta(answer.answer), answer],
                 make_console(), make_console(stderr=True))
    assert "Zo staat het er. (onderzoeksrapport p. 61) [1]" in capsys.readouterr().out


def test_cited_pieces_are_the_text_before_each_marker() -> None:
    from assistant.markers import cited_pieces

    assert cited_pieces("Eén zin. [1] Twee zinnen, één bron. [2] [01] niets") == [
        ("Eén zin. [1]", 1), ("Twee zinnen, één bron. [2]", 2)]
