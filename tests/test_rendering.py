"""What the chat shows is HTML that Wegwijzer writes itself; text never becomes markup (pure).

Also the indexing side: links, images and HTML in a publication do not reach the index.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dataclasses import replace

from assistant.model import Answer, Source
from assistant.present.markdown import markdown_literal
from assistant.present.html import (
    describe_filters,
    marked_html,
    paragraphs_html,
    render_answer,
    render_partial,
    render_error,
    render_sources,
    render_user,
    routekaart_html,
    text_html,
)
from indexing.blocks import clean_inline, markdown_blocks, plain_blocks

HOSTILE_LINES = [
    line for line in (Path(__file__).parent / "data" / "kwaadaardige-publicatie.md")
    .read_text(encoding="utf-8").splitlines() if line.strip()
] + [
    "<a href='javascript:alert(1)'>klik</a> <img src=x onerror=alert(1)>",
    "[![logo](http://x/l.png)](http://x/) ![a](<http://x/b c.png>) <object data='http://x'>",
    "**vet** _schuin_ # kop `code` ~~weg~~ | tabel | $x$ \\(y\\) :smile: ${value} {{x}}",
]
OWN_TAGS = {"p", "em", "strong", "details", "summary", "blockquote", "br", "mark"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += attrs


def _parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def _source(quote: str, title: str = "Bron") -> Source:
    return Source.from_json(dict(
        marker=1, chunk_id="x/1", publication_id="x", publication_title=title, kind="nieuws",
        source_file="x.md", wegwijzer=None, wegwijzer_title=None, section=None, part=None,
        pages=None, research_pages=[], score=0.5, quote=quote))


@pytest.mark.parametrize("text", HOSTILE_LINES)
def test_every_renderer_keeps_hostile_text_as_text(text: str) -> None:
    answer = Answer(question=text, answer=f"{text} [1]", refused=False,
                    sources=[replace(_source(f"{text}\n\n{text}", title=text), quoted=(text,)),
                             replace(_source(text), marker=2)], notices=[text],
                    resolved_question=f"vorige vraag {text}")
    rendered = [
        render_answer(answer, scope=describe_filters("x", 4, {"x": text}, {4: text})),
        render_partial(answer.answer, answer.notices),
        render_sources(answer.sources, refused=True), render_error(text), render_user(text),
        routekaart_html([(text, text)], [182], [text]),
    ]
    for markup in rendered:
        parsed = _parse(markup)
        assert parsed.tags <= OWN_TAGS, (parsed.tags, markup)
        assert parsed.attributes == [], markup
        for special in "`${}":
            assert special not in markup.replace("&#", "")  # template syntax stays inert


def test_text_html_shows_every_character() -> None:
    for text in HOSTILE_LINES:
        assert html.unescape(text_html(text)) == text


def test_paragraphs_and_line_breaks() -> None:
    assert paragraphs_html("Een\nzin.\n\n  Twee  ") == "<p>Een zin.</p><p>Twee</p>"
    assert render_user("regel 1\n<b>regel 2</b>") == "<p>regel 1<br>&lt;b&gt;regel 2&lt;/b&gt;</p>"


def test_a_list_in_an_answer_stays_a_list() -> None:
    text = "De 10 wegwijzers [1]:\n- Wegwijzer 1: Laat de feiten spreken [2]\n- Wegwijzer 2: <b> [3]"
    assert paragraphs_html(text) == (
        "<p>De 10 wegwijzers [1]:</p><ul><li>Wegwijzer 1: Laat de feiten spreken [2]</li>"
        "<li>Wegwijzer 2: &lt;b&gt; [3]</li></ul>")
    assert paragraphs_html("Eerst\n- a\n- b\nDaarna.") == (
        "<p>Eerst</p><ul><li>a</li><li>b</li></ul><p>Daarna.</p>")
    assert paragraphs_html("Geen - lijst hier.") == "<p>Geen - lijst hier.</p>"


def test_answer_message_parts_in_order() -> None:
    answer = Answer(question="q", answer="Ken het netwerk. [1]", refused=False,
                    sources=[_source("Ken de spelers.\n\nWie zit waar <aan tafel>?")],
                    notices=["Uw vraag is ingekort."])
    streaming = render_partial(answer.answer, answer.notices)
    final = render_answer(answer, scope="<p><em>Gezocht in: x</em></p>")

    assert "<details>" not in streaming
    assert streaming.startswith("<p><em>Let op: Uw vraag is ingekort.</em></p>")
    assert "<summary>[1] Bron</summary><blockquote><p>Ken de spelers.</p>" in final
    assert "<p>Wie zit waar &lt;aan tafel&gt;?</p></blockquote></details>" in final
    assert final.index("<strong>Bronnen</strong>") < final.index("<details>")
    assert final.endswith("<p><em>Gezocht in: x</em></p>")


def test_a_follow_up_shows_how_it_was_read_with_its_focus_in_every_face() -> None:
    from io import StringIO

    from rich.console import Console

    from assistant.present.markdown import tail_markdown
    from assistant.present.terminal import print_stream

    focus = "wegwijzer 4 'Ken het netwerk', Uit het onderzoek"
    answer = Answer(question="En het onderzoek?", answer="Ken het netwerk. [1]", refused=False,
                    sources=[_source("Ken het netwerk.")],
                    resolved_question="Waarom het netwerk? En het onderzoek?", focus=focus)
    read = f"Vraag begrepen als: Waarom het netwerk? En het onderzoek? (binnen {focus})"
    assert html.unescape(read.replace("als: ", "als:</em> ")) in html.unescape(
        render_answer(answer))
    assert read.replace("als:", "als:_").replace("Vraag", "_Vraag") in tail_markdown(answer)
    out, notes = StringIO(), StringIO()
    print_stream([answer], Console(file=out, width=200), Console(file=notes, width=200))
    assert read in notes.getvalue()
    alone = replace(answer, resolved_question=None, focus=None)
    assert "begrepen" not in render_answer(alone) + tail_markdown(alone)
    both = replace(alone, question="Wie vertelt dat voorbeeld?", focus=focus,
                   searched_with="Welke gemeente laat haar stadhuis schoonmaken?")
    read = ("Vraag begrepen als: Wie vertelt dat voorbeeld? (ook gezocht met de vorige vraag: "
            f"Welke gemeente laat haar stadhuis schoonmaken?; binnen {focus})")
    assert html.unescape(read.replace("als: ", "als:</em> ")) in html.unescape(render_answer(both))
    out, notes = StringIO(), StringIO()
    print_stream([both], Console(file=out, width=200), Console(file=notes, width=200))
    assert read in notes.getvalue()


def _research_source(marker: int, quote: str, quoted: tuple[str, ...] = (),
                     research_pages: tuple[int, ...] = (61,)) -> Source:
    source = replace(_source(quote), marker=marker, quoted=quoted)
    return replace(source, place=replace(source.place, research_pages=research_pages))


def test_the_quoted_sentences_are_marked_in_the_opened_passage() -> None:
    passage = "Eerste zin.  Het netwerk\ntelt. Derde <zin>.\n\nHet netwerk telt. Slot."
    source = _research_source(1, passage, quoted=("Het netwerk telt.", "Derde <zin>."))
    shown = render_sources([source], cited={1})
    assert ("<blockquote><p>Eerste zin. <mark>Het netwerk telt.</mark> "
            "<mark>Derde &lt;zin&gt;.</mark></p><p><mark>Het netwerk telt.</mark> Slot.</p>"
            "</blockquote>") in shown
    # Adjacent or overlapping sentences make one mark; a sentence that is not there, none.
    assert marked_html("A b. C d.", ["A b. C", "C d.", "X y."]) == "<mark>A b. C d.</mark>"
    assert marked_html("Niets <hier>.", []) == "Niets &lt;hier&gt;."


def test_cited_sources_first_and_the_others_under_ook_relevant() -> None:
    sources = [_research_source(1, "Een."), _research_source(2, "Twee."),
               _research_source(3, "Drie.")]
    final = render_answer(Answer(question="q", answer="Zo [1]. En zo [2].", refused=False,
                                 sources=sources))
    cited, _, also = final.partition("<strong>Ook relevant</strong>")
    assert "<strong>Bronnen</strong>" in cited and "[1] Bron" in cited and "[2] Bron" in cited
    assert "[3] Bron" in also and "[3]" not in cited
    # Nothing uncited: no 'Ook relevant'; a refusal lists them all as possibly relevant.
    assert "Ook relevant" not in render_answer(Answer(
        question="q", answer="Zo [1].", refused=False, sources=sources[:1]))
    refusal = render_answer(Answer(question="q", answer="Dat staat er niet in.", refused=True,
                                   sources=sources))
    assert "Mogelijk relevante passages" in refusal and "Ook relevant" not in refusal


def test_research_report_pages_read_as_such_in_answers_and_passages() -> None:
    source = _research_source(1, "'Men kende elkaar al.' (p. 61)", quoted=(
        "'Men kende elkaar al.' (p. 61)",))
    answer = Answer(question="q", answer="'Men kende elkaar al.' (p. 61) [1] Zie p. 41 (p. 41).",
                    refused=False, sources=[source])
    for shown in (render_answer(answer), render_partial(answer.answer, (), [source])):
        assert "(p. 61)" not in shown and shown.count("(onderzoeksrapport p. 61)") == 2
        assert "(p. 41)" in shown  # not a research page of the sources: left as it is
    assert "<mark>&#x27;Men kende elkaar al.&#x27; (onderzoeksrapport p. 61)</mark>" in \
        render_answer(answer)
    # The JSON (ask --json, MCP, the records) reads the same; a source's quote stays as printed.
    data = answer.to_json()
    assert data["answer"] == ("'Men kende elkaar al.' (onderzoeksrapport p. 61) [1] Zie p. 41 "
                              "(p. 41).")
    assert data["sources"][0]["quote"] == "'Men kende elkaar al.' (p. 61)"


def test_markdown_export_text_has_no_live_markup() -> None:
    for text in HOSTILE_LINES:
        literal = markdown_literal(text)
        assert "![" not in literal and "](" not in literal.replace("\\](", "")
        assert "<" not in literal.replace("\\<", "")
    assert markdown_literal("- lijst\n1. punt") == "\\- lijst\n1\\. punt"


@pytest.mark.parametrize("raw, clean", [
    ("Zie ![[kaart]](http://127.0.0.1:8102/nested.png) hier.", "Zie kaart hier."),
    ("Beeld ![x][k1] en ![alt][] klaar.", "Beeld x en alt klaar."),
    ("Ga naar [[de site]](http://evil/) of [tekst](http://a.b/c_(d)).", "Ga naar de site of tekst."),
    ("Mail <info@vng.nl>, web <https://vng.nl> en <javascript:alert(1)>.",
     "Mail info@vng.nl, web https://vng.nl en ."),
    ('Een <img src="http://x/p.png"> <a href="http://x">link</a> <iframe src="http://x">'
     '</iframe><script>alert(1)</script>.', "Een link ."),
    ("[js](javascript:alert(1)) en ![d](data:image/png;base64,AAAA)", "js en d"),
    ("&lt;img src=x onerror=alert(1)&gt;tekst", "tekst"),
    # The real corpus: its inline links, superscripts and bold markers read as before.
    ("Op [Samenvoordeklant.nl](https://www.samenvoordeklant.nl) bundelen we", "Op Samenvoordeklant.nl bundelen we"),
    ("De 4<sup>e</sup> VNG Denktank", "De 4e VNG Denktank"),
    ("Een [zie bijlage] en a < b blijven.", "Een [zie bijlage] en a < b blijven."),
])
def test_indexing_strips_links_images_and_html(raw: str, clean: str) -> None:
    assert clean_inline(raw) == clean


def test_reference_definitions_do_not_reach_the_index() -> None:
    text = "Tekst ![x][k1] hier.\n[k1]: http://x/ref.png\n  [k2]: <http://y> 'titel'\nVerder."
    for blocks in (markdown_blocks(text), plain_blocks(text)):
        joined = " ".join(block.text for block in blocks)
        assert "http" not in joined and "k1" not in joined, joined


def test_a_live_markdown_stream_writes_research_pages_out_as_the_whole_answer_does() -> None:
    from assistant.model import SourcesFound, TextDelta
    from assistant.present.markdown import MarkdownStream, answer_markdown
    from indexing.places import Place

    place = Place(publication_id="jaarbericht", wegwijzer=3, part="Uit het onderzoek",
                  research_pages=(182,))
    sources = [Source(marker=1, chunk_id="c1", place=place, quote="'Een agenda.' (p. 182)")]
    text = "'Een agenda.' (p. 182) [1]"
    answer = Answer(question="Wat is een agenda?", answer=text, refused=False, sources=sources)
    stream = MarkdownStream(live=True)
    pieces = [piece for event in (SourcesFound(sources), TextDelta("'Een agenda.' (p. 1"),
                                  TextDelta("82) [1]"), answer)
              for piece in stream.feed(event)]
    assert "".join(pieces) == answer_markdown(answer)
    assert "(onderzoeksrapport p. 182)" in "".join(pieces)


# --- links into the research report -----------------------------------------------------------


def test_research_pages_link_to_the_report_s_passages() -> None:
    from assistant.model import Hit, ResearchRef
    from assistant.present.html import passage_page, source_details
    from indexing.places import Place

    jaarbericht = Place("jaarbericht", "Jaarbericht 2018", wegwijzer=4, wegwijzer_title="Ken het netwerk",
                        part="Uit het onderzoek", page_start=41, page_end=44, research_pages=(182, 300))
    ref = ResearchRef(182, "rapport/8-1/2", "8.1 Haven <script>alert(1)</script>", [181, 182])
    source = Source(1, "jaarbericht/ww4/1", jaarbericht, "Het netwerk telt (p. 182).",
                    research_refs=(ref,))
    shown = source_details(source)
    assert ('Lees in het onderzoeksrapport: <a href="/bron/rapport/8-1/2#doel" target="_blank" '
            'rel="noopener">p. 182 (8.1 Haven &lt;script&gt;') in shown
    assert "p. 300" not in shown.split("Lees in")[1]  # a page the index does not hold: no link
    assert "<a " not in source_details(replace(source, research_refs=()))

    report = Place("rapport", "Onderzoeksrapport", section="8.1 Haven", page_start=181, page_end=182)
    hits = [Hit(f"rapport/8-1/{n}", f"Tekst {n} <b>vet</b>", "", report, position=n) for n in (1, 2, 3)]
    page = passage_page(hits, "rapport/8-1/2", "Onderzoeksrapport · 8.1 Haven · p. 181–182")
    assert page.startswith("<!doctype html><html lang=\"nl\">")
    assert page.count('id="doel"') == 1
    assert '<section id="doel" aria-label="De passage"><p>Tekst 2 &lt;b&gt;vet&lt;/b&gt;</p>' in page
    assert "<h2>Onderzoeksrapport · 8.1 Haven · p. 181–182</h2>" in page
