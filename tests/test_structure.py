"""Structure recovery and chunking on the real corpus (pure: no model, no index).

The Jaarbericht has no page markers; its table of contents is the only source of printed
pages, and its headings are irregular. These tests pin down what recovery must find.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexing.blocks import normalise
from indexing.chunking import chunk_sections
from indexing.loaders import load
from indexing.manifest import load_manifest
from indexing.model import Passage, Publication, Section
from indexing.routekaart import research_pages
from common.settings import Settings
from indexing.structure import recover
from indexing_support import (
    ADVICE_PART, CORPUS_DIR, JAARBERICHT, RESEARCH_PART, STORIES, STORY_PARTS, WEGWIJZERS,
)

CHUNK_WORDS = Settings().chunk_words

CHAPTER_I = "I. Over ‘werkende samenwerking’"
CHAPTER_I_SECTIONS = [
    ("Regionale samenwerking is niet nieuw", 14, 14),
    ("Opgaven oppakken in netwerken", 14, 14),
    ("Handreikingen voor regionale samenwerking", 14, 14),
    ("Arbeidsmarktopgaven", 15, 15),
    ("Vragen voor lokale bestuurders", 15, 15),
    ("Literatuurstudie en tien regioverhalen", 15, 15),
    ("Routekaart als metafoor", 16, 16),
    ("Bestaande samenwerking", 16, 16),
    ("Vijf onderdelen van de routekaart", 17, 19),
    ("Tien wegwijzers", 20, 20),
    ("Leeswijzer", 21, 22),
]
CHAPTER_III = "III. Verantwoording"
CHAPTER_III_SECTIONS = [
    ("Gebaande paden", 72, 72),
    ("Start met een exploratiefase", 72, 72),
    ("Denken in dienst van het doen", 72, 72),
    ("Focus en locus", 73, 73),
    ("Teamsamenstelling", 73, 73),
    ("Van start tot finish", 74, 74),
    ("Status Jaarbericht", 74, 74),
    ("Opbrengst voor andere partijen", 74, 74),
    ("Mogelijkheden voor verdieping", 75, 75),
    ("Aan de slag", 75, 76),
]


# --- fixtures ------------------------------------------------------------------------------


def _prepare(corpus_dir: Path) -> tuple[dict[str, Publication], dict[str, list[Section]],
                                         dict[str, list[Passage]]]:
    publications = {p.id: p for p in load_manifest(corpus_dir / "publications.toml")}
    sections = {pid: recover(load(p)) for pid, p in publications.items()}
    passages = {pid: chunk_sections(s, CHUNK_WORDS) for pid, s in sections.items()}
    return publications, sections, passages


@pytest.fixture(scope="module")
def corpus() -> tuple[dict[str, Publication], dict[str, list[Section]], dict[str, list[Passage]]]:
    return _prepare(CORPUS_DIR)


@pytest.fixture(scope="module")
def sections(corpus) -> list[Section]:
    return corpus[1][JAARBERICHT]


@pytest.fixture(scope="module")
def passages(corpus) -> list[Passage]:
    return corpus[2][JAARBERICHT]


def _wegwijzer_sections(sections: list[Section], number: int) -> list[Section]:
    return [s for s in sections if s.place.wegwijzer == number]


def _by_title(sections: list[Section], chapter: str) -> dict[str, list[Section]]:
    found: dict[str, list[Section]] = {}
    for section in sections:
        if section.place.chapter == chapter:
            found.setdefault(section.title, []).append(section)
    return found


def _words(texts: list[str]) -> list[str]:
    return " ".join(texts).split()


# --- the ten wegwijzers --------------------------------------------------------------------


def test_all_ten_wegwijzers_in_reading_order(sections: list[Section]) -> None:
    numbers = [s.place.wegwijzer for s in sections if s.place.wegwijzer is not None]
    assert sorted(set(numbers)) == list(range(1, 11))
    assert numbers == sorted(numbers), "wegwijzer sections are out of reading order"


@pytest.mark.parametrize("number", sorted(WEGWIJZERS))
def test_wegwijzer_title_and_toc_pages(sections: list[Section], number: int) -> None:
    title, first, last = WEGWIJZERS[number]
    found = _wegwijzer_sections(sections, number)
    assert found, f"wegwijzer {number} not found"
    assert {(s.place.wegwijzer_title, s.place.page_start, s.place.page_end) for s in found} == {(title, first, last)}
    assert {s.title for s in found} == {f"Wegwijzer {number}: {title}"}
    assert {s.place.chapter for s in found} == {"II. Een routekaart"}


@pytest.mark.parametrize("number", sorted(WEGWIJZERS))
def test_wegwijzer_has_story_research_and_advice_parts(sections: list[Section], number: int) -> None:
    parts: list[str | None] = []
    for section in _wegwijzer_sections(sections, number):
        if not parts or parts[-1] != section.place.part:
            parts.append(section.place.part)
    story = "Twee verhalen" if number in (2, 6) else "Een verhaal"
    assert parts == [story, RESEARCH_PART, ADVICE_PART]


@pytest.mark.parametrize("number", sorted(STORIES))
def test_story_titles_and_authors(sections: list[Section], passages: list[Passage],
                                  number: int) -> None:
    stories = [(s.place.story_title, s.place.story_author) for s in _wegwijzer_sections(sections, number)
               if s.place.part in STORY_PARTS]
    assert stories == STORIES[number]
    # The passages carry them too, and name them in their context header.
    for title, author in STORIES[number]:
        story_passages = [p for p in passages if p.metadata.get("story_title") == title]
        assert story_passages, f"no passage for story '{title}'"
        for passage in story_passages:
            assert passage.metadata["wegwijzer"] == number
            assert passage.metadata["story_author"] == author
            assert f"'{title}' van {author}" in passage.header


def test_story_author_line_is_kept_as_text(sections: list[Section]) -> None:
    fred = next(s for s in sections if s.place.story_author == "Fred Paling")
    assert fred.paragraphs[0] == "Fred Paling, voorzitter Raad van Bestuur UWV"
    mikkers = next(s for s in sections if s.place.story_author == "Jack Mikkers")
    # Title and author share one heading line in the source; the title keeps only the capitals.
    assert mikkers.place.story_title == "Kijk naar waar je vandaan komt"
    assert mikkers.paragraphs[0].startswith("Jack Mikkers, burgemeester")


# --- research pages ------------------------------------------------------------------------


@pytest.mark.parametrize("number,pages", [
    (1, [180]), (1, [155]),
    (2, [140]), (2, [62]),
    (3, [18, 19]), (3, [139]),
    (4, [182]), (4, [157]), (4, [61]),
    (5, [184, 185]), (5, [27]),
    (10, [64]),
])
def test_research_pages_on_research_passages(passages: list[Passage], number: int,
                                             pages: list[int]) -> None:
    research = [p for p in passages
                if p.metadata.get("wegwijzer") == number and p.metadata.get("part") == RESEARCH_PART]
    assert pages in [p.metadata.get("research_pages") for p in research]


def test_page_reference_stays_with_its_quote(passages: list[Passage]) -> None:
    quote = next(p for p in passages if p.metadata.get("research_pages") == [184, 185])
    assert quote.metadata["wegwijzer"] == 5
    assert "de kans dat er iets gebeurt heel klein is" in quote.text
    assert quote.text.rstrip().endswith("(p. 184, 185)")
    first = next(p for p in passages if p.metadata.get("research_pages") == [180])
    assert "objectieve en feitelijke opgave" in first.text


@pytest.mark.parametrize("number", sorted(WEGWIJZERS))
def test_every_research_part_cites_the_report(passages: list[Passage], number: int) -> None:
    pages = {page for p in passages
             if p.metadata.get("wegwijzer") == number and p.metadata.get("part") == RESEARCH_PART
             for page in p.metadata.get("research_pages", [])}
    assert pages, f"wegwijzer {number}: no research pages found"
    assert all(isinstance(page, int) and 0 < page < 300 for page in pages)


@pytest.mark.parametrize("text,expected", [
    ("… opgave die partijen met elkaar benoemen.' (p. 182)", [182]),
    ("… heel klein is.' (p. 184, 185)", [184, 185]),
    ("… met andere accenten’. (p. 18, 19).", [18, 19]),
    ("… bij elkaar brengen van beide.' (p.180)", [180]),
    ("zie (p. 18-19) en (p. 20–22)", [18, 19, 20, 21, 22]),
    ("prioriteit 1, 2 en 3'. (p. 140). En later: (p. 62)", [62, 140]),
    ("(SER, 2017) en (Raad voor Openbaar Bestuur, 2015b)", []),
    ("Zonder verwijzing; pagina 12 telt niet.", []),
])
def test_research_pages_parsing(text: str, expected: list[int]) -> None:
    assert research_pages(text) == expected


# --- chapters I and III, Dankwoord, Colofon, front matter ----------------------------------


@pytest.mark.parametrize("title,first,last", CHAPTER_I_SECTIONS)
def test_chapter_one_sections_with_pages(sections: list[Section], title: str, first: int,
                                         last: int) -> None:
    found = _by_title(sections, CHAPTER_I).get(title)
    assert found, f"section '{title}' not found in chapter I"
    assert {(s.place.page_start, s.place.page_end) for s in found} == {(first, last)}
    assert all(s.paragraphs for s in found)


def test_five_parts_of_the_routekaart_are_subsections(sections: list[Section]) -> None:
    found = _by_title(sections, CHAPTER_I)["Vijf onderdelen van de routekaart"]
    subsections = [s.place.subsection for s in found if s.place.subsection]
    majors = [s for s in subsections if "·" not in s]
    assert [re.match(r"\d\.", s).group() for s in majors] == ["1.", "2.", "3.", "4.", "5."]
    assert majors[0] == "1. Definieer het vraagstuk"
    assert majors[1] == "2. Bepaal in welk netwerk de opgave speelt"
    assert majors[2] == "3. Kies het perspectief"
    assert majors[3].startswith("4. Investeer in gedeeld denken")
    assert majors[4] == "5. Borg en verbind"
    steering = [s for s in subsections if "·" in s]
    assert steering == [
        "3. Kies het perspectief · a. De rechtmatige overheid",
        "3. Kies het perspectief · b. De presterende overheid",
        "3. Kies het perspectief · c. De netwerkende overheid",
        "3. Kies het perspectief · d. De responsieve overheid",
    ]
    by_sub = {s.place.subsection: s for s in found}
    assert "New Public Management" in " ".join(by_sub[steering[1]].paragraphs)
    assert "initiatieven vanuit de samenleving" in " ".join(by_sub[steering[3]].paragraphs)
    assert {(s.place.page_start, s.place.page_end) for s in found} == {(17, 19)}


@pytest.mark.parametrize("title,first,last", CHAPTER_III_SECTIONS)
def test_chapter_three_sections_with_pages(sections: list[Section], title: str, first: int,
                                           last: int) -> None:
    found = _by_title(sections, CHAPTER_III).get(title)
    assert found, f"section '{title}' not found in chapter III"
    assert {(s.place.page_start, s.place.page_end) for s in found} == {(first, last)}


def test_chapter_three_spans_pages_72_to_76(sections: list[Section]) -> None:
    found = [s for s in sections if s.place.chapter == CHAPTER_III]
    assert min(s.place.page_start for s in found) == 72
    assert max(s.place.page_end for s in found) == 76


def test_dankwoord_and_colofon(sections: list[Section]) -> None:
    dankwoord = [s for s in sections if s.place.chapter == "IV. Dankwoord"]
    assert {(s.title, s.place.page_start, s.place.page_end) for s in dankwoord} == {("Dankwoord", 77, 79)}
    assert "Jantine Kriens en Job Cohen" in " ".join(dankwoord[0].paragraphs)
    colofon = [s for s in sections if s.title == "Colofon"]
    assert {(s.place.chapter, s.place.page_start, s.place.page_end) for s in colofon} == {("Colofon", 80, 80)}
    assert "Studio Dimdim, Den Haag" in colofon[0].paragraphs
    assert sections[-1] is colofon[-1]


def test_front_matter_sections(sections: list[Section]) -> None:
    front = [s for s in sections if s.place.chapter == "Voorwerk"]
    assert {(s.place.page_start, s.place.page_end) for s in front} == {(1, 12)}
    titles = [s.title for s in front]
    assert "Samenstelling 4e VNG Denktank" in titles
    assert "Voorwoord" in titles
    members = next(s for s in front if s.title == "Samenstelling 4e VNG Denktank")
    assert len(members.paragraphs) == 21
    assert members.paragraphs[0].startswith("Milo Schoenmaker, burgemeester Gouda, tevens voorzitter")
    team = next(s for s in front if s.title.startswith("Samenstelling onderzoeksteam"))
    assert len(team.paragraphs) == 6
    assert any(p.startswith("Jitske van Popering-Verkerk") for p in team.paragraphs)
    # The table of contents is navigation, not content.
    assert "Inhoud" not in titles
    assert not any(re.search(r"Leeswijzer\s+21", p) for s in front for p in s.paragraphs)
    # Front matter comes first, chapter I right after it.
    assert sections[: len(front)] == front
    assert sections[len(front)].place.chapter == CHAPTER_I


# --- chunks --------------------------------------------------------------------------------


def test_chunks_never_cross_a_section(sections: list[Section], passages: list[Passage]) -> None:
    """Each section's passages hold exactly its words, in order; nothing from a neighbour."""
    by_order = {s.order: s for s in sections}
    grouped: dict[int, list[Passage]] = {}
    for passage in passages:
        grouped.setdefault(passage.metadata["section_order"], []).append(passage)
    assert set(grouped) == set(by_order)
    for order, group in grouped.items():
        section = by_order[order]
        assert _words([p.text for p in group]) == _words(section.paragraphs), section.key
        for passage in group:
            meta = passage.metadata
            assert meta.get("wegwijzer") == section.place.wegwijzer
            assert meta.get("part") == section.place.part
            assert meta.get("story_title") == section.place.story_title
            assert meta["section"] == section.title


def test_no_part_heading_inside_a_passage(passages: list[Passage]) -> None:
    part_names = {normalise(p) for p in (*STORY_PARTS, RESEARCH_PART, ADVICE_PART)}
    for passage in passages:
        for paragraph in passage.text.split("\n\n"):
            assert normalise(paragraph) not in part_names, passage.chunk_id


def test_wegwijzer_passages_have_one_wegwijzer_and_part(passages: list[Passage]) -> None:
    wegwijzer_passages = [p for p in passages if "wegwijzer" in p.metadata]
    assert {p.metadata["wegwijzer"] for p in wegwijzer_passages} == set(range(1, 11))
    for passage in wegwijzer_passages:
        meta = passage.metadata
        assert isinstance(meta["wegwijzer"], int)
        assert meta["part"] in (*STORY_PARTS, RESEARCH_PART, ADVICE_PART)
        title, first, last = WEGWIJZERS[meta["wegwijzer"]]
        assert (meta["wegwijzer_title"], meta["page_start"], meta["page_end"]) == (title, first, last)


def test_chunk_ids_unique_and_stable(corpus, corpus_copy: Path) -> None:
    ids = [p.chunk_id for group in corpus[2].values() for p in group]
    assert len(ids) == len(set(ids))
    # A second run, from a copy of the corpus in another folder, gives the same ids and texts.
    _, _, again = _prepare(corpus_copy)
    assert [p.chunk_id for group in again.values() for p in group] == ids
    assert [p.embedded_text for group in again.values() for p in group] == [
        p.embedded_text for group in corpus[2].values() for p in group
    ]


def test_embedded_text_starts_with_context_header(corpus) -> None:
    publications, _, passages = corpus
    for pid, group in passages.items():
        assert group, f"{pid} gave no passages"
        for passage in group:
            assert passage.embedded_text == f"{passage.header}\n\n{passage.text}"
            assert passage.header.startswith(publications[pid].label)
            assert passage.metadata["header"] == passage.header
            assert passage.text.strip()
            number = passage.metadata.get("wegwijzer")
            if number is not None:
                title = WEGWIJZERS[number][0]
                assert f"Wegwijzer {number} '{title}' · {passage.metadata['part']}" in passage.header


def test_chunks_respect_the_size_limit(passages: list[Passage]) -> None:
    sizes = [len(p.text.split()) for p in passages]
    # A chunk may exceed the limit only by one short trailing paragraph (a caption).
    assert max(sizes) <= CHUNK_WORDS + 40
    assert sum(sizes) / len(sizes) > CHUNK_WORDS / 3


def test_web_page_furniture_is_dropped(corpus) -> None:
    texts = " ".join(p.text for p in corpus[2]["nieuws-link-tussen-valleys-en-praktijk"])
    assert "Oog voor elkaars perspectief" in " ".join(
        s.title for s in corpus[1]["nieuws-link-tussen-valleys-en-praktijk"])
    assert "spam" not in texts
    assert "Links en documenten" not in texts
    assert "De urgentie om met arbeidsmarktproblemen aan de slag te gaan" in texts


# --- robustness: a synthetic publication with the same irregular layout --------------------


def synthetic_markdown(padded: bool) -> str:
    """A small 'jaarbericht' with four numbered items set in the Jaarbericht's irregular ways.

    `padded` adds paragraphs, blank lines and a figure caption, so every block and line
    moves: recovery must give the same result.
    """
    pad = "\n\n\n" if padded else "\n\n"
    extra = (
        "Deze alinea staat er alleen om alle regels en blokken te verschuiven. Zij noemt "
        "ook de titel Zoek de partners nog eens, midden in een zin.\n\n"
        if padded else ""
    )
    return f"""

# Samen op weg

*Een proefpublicatie over regionale samenwerking*

# Samen op weg

*Een proefpublicatie over regionale samenwerking*

### Samenstelling werkgroep

- Anna de Vries, *voorzitter*
- Bram Jansen, *secretaris*

# Voorwoord

Deze proefpublicatie volgt dezelfde onregelmatige opmaak als het Jaarbericht. Zo toetsen we dat de structuur uit de tekst zelf volgt.
{pad}{extra}# Inhoud

<b>I.</b>\t<b>Over deze proef</b>\t5
\tAchtergrond van de proef\t6
\tOpbouw van de routekaart\t7
<b>II.</b>\t<b>Een kleine routekaart</b>\t9
\t1. Zoek de partners\t11
\t2. Maak samen een plan\t14
\t3. Deel de resultaten\t17
\t4. Houd het vol\t20

---

<b>III. Verantwoording</b>\t23
Werkwijze van de werkgroep\t24
Colofon\t26
{pad}

I

Over deze  
proef

## Achtergrond van de proef

Gemeenten werken steeds vaker samen in de regio. Deze proef laat zien hoe een routekaart met vier wegwijzers eruit kan zien.
{pad}{extra}## Opbouw van de routekaart

De vier wegwijzers zijn de volgende:

1. Zoek de partners
2. Maak samen een plan
3. Deel de resultaten
4. Houd het vol

Elke wegwijzer kent een verhaal, een stuk uit het onderzoek en een handreiking.

# II

Een kleine routekaart
{pad}{extra}
Zoek de partners

2. Maak samen een plan

3. Deel de  
resultaten

4. Houd het vol

Stadhuis
{pad}{"Figuur 1: de kleine routekaart" + pad if padded else ""}
Zoek de  
partners

## Een verhaal

### BEGIN BIJ DE BUREN

Anna de Vries, voorzitter van de werkgroep

'Wij begonnen met een kop koffie bij de buurgemeente. Daar bleek meer mogelijk dan we dachten, want iedereen had dezelfde vragen over werk en scholing.'

## Uit het onderzoek

- *'Samenwerking begint bij het kennen van elkaars belangen en bij het benoemen van een gedeelde opgave die partijen echt raakt.'* (p. 12)

## Een handreiking

Breng in kaart welke partners er al zijn en nodig ze uit voor een eerste gesprek over de opgave van de regio.
{pad}
# Maak samen een plan
{pad}
## Twee verhalen

### PLANNEN MAKEN WE SAMEN

Bram Jansen, secretaris van de werkgroep

'Een plan dat alleen op het stadhuis wordt geschreven, blijft in de la liggen. Pas toen werkgevers meeschreven, kwam er beweging in de regio.'

### **EEN AGENDA MET ENERGIE**

**Carla Smit, directeur van een regionaal opleidingscentrum**

'Onze agenda werd pas aantrekkelijk toen de leerlingen, de docenten en de bedrijven er alle drie iets in terugzagen.'

## Uit het onderzoek

- *'Een attractieve agenda maakt individuele belangen gedeeld en geeft partijen een reden om samen door te gaan.'* (p. 184, 185)

## Een handreiking

Schrijf het plan samen met de partners en spreek af wie welke stap zet.
{pad}
3

Deel de  
resultaten
{pad}
## Een verhaal

### LAAT ZIEN WAT WERKT Daan Bakker, wethouder in een middelgrote gemeente

'Elke maand delen wij de cijfers over werk en scholing met alle partners, zodat iedereen ziet wat werkt en wat niet.'

## Uit het onderzoek

- *'Partijen die hun resultaten met elkaar delen, leren sneller van elkaar en passen hun aanpak eerder aan.'* (p.180)

## Een handreiking

Deel resultaten ook als ze tegenvallen: daar leer je als regio het meeste van.

# 4

## Houd het vol

## Een verhaal

### DE LANGE ADEM

Eva Visser, gemeentesecretaris

'Samenwerking in de regio vraagt geduld. Wij hielden vol omdat we elk jaar samen terugkeken op wat er was bereikt.'

## Uit het onderzoek

- *'Werkende samenwerking vraagt om onderhoud van het weefsel tussen mensen, ook als het even tegenzit in de regio.'* (p. 18, 19)

## Een handreiking

Plan elk jaar een moment om samen terug te kijken en de agenda bij te stellen.
{pad}
# III

Verantwoording

## Werkwijze van de werkgroep

De werkgroep kwam vijf keer bijeen en sprak met bestuurders uit tien regio's over hun ervaringen.

# Colofon

Deze proefpublicatie is gemaakt voor de tests van Wegwijzer.
"""


SYNTHETIC_MANIFEST = """
[[publication]]
id = "proef-jaarbericht"
title = "Samen op weg. Een proefpublicatie"
kind = "jaarbericht"
publisher = "Testredactie"
date = "2018-06"
file = "proef-jaarbericht.md"

[publication.structure]
toc_heading = "Inhoud"
wegwijzer_chapter = "II"
parts = ["Een verhaal", "Twee verhalen", "Uit het onderzoek", "Een handreiking"]
story_parts = ["Een verhaal", "Twee verhalen"]
research_part = "Uit het onderzoek"
front_matter = "Voorwerk"
"""

SYNTHETIC_ITEMS = {
    1: ("Zoek de partners", 11, 13),
    2: ("Maak samen een plan", 14, 16),
    3: ("Deel de resultaten", 17, 19),
    4: ("Houd het vol", 20, 22),
}
SYNTHETIC_STORIES = {
    1: [("Begin bij de buren", "Anna de Vries")],
    2: [("Plannen maken we samen", "Bram Jansen"), ("Een agenda met energie", "Carla Smit")],
    3: [("Laat zien wat werkt", "Daan Bakker")],
    4: [("De lange adem", "Eva Visser")],
}
SYNTHETIC_RESEARCH = {1: [12], 2: [184, 185], 3: [180], 4: [18, 19]}


def _synthetic_structure(tmp_path: Path, padded: bool) -> tuple[list[Section], list[Passage]]:
    folder = tmp_path / ("padded" if padded else "plain")
    folder.mkdir()
    (folder / "publications.toml").write_text(SYNTHETIC_MANIFEST, encoding="utf-8")
    (folder / "proef-jaarbericht.md").write_text(synthetic_markdown(padded), encoding="utf-8")
    (publication,) = load_manifest(folder / "publications.toml")
    sections = recover(load(publication))
    return sections, chunk_sections(sections, CHUNK_WORDS)


def _summary(sections: list[Section], passages: list[Passage]) -> dict[str, object]:
    items = {}
    for number in SYNTHETIC_ITEMS:
        found = [s for s in sections if s.place.wegwijzer == number]
        parts: list[str | None] = []
        for section in found:
            if not parts or parts[-1] != section.place.part:
                parts.append(section.place.part)
        items[number] = {
            "title": {(s.place.wegwijzer_title, s.place.page_start, s.place.page_end) for s in found},
            "parts": parts,
            "stories": [(s.place.story_title, s.place.story_author) for s in found if s.place.part in STORY_PARTS],
            "research": sorted({page for p in passages if p.metadata.get("wegwijzer") == number
                                and p.metadata.get("part") == RESEARCH_PART
                                for page in p.metadata.get("research_pages", [])}),
        }
    others = {(s.place.chapter, s.title, s.place.page_start, s.place.page_end) for s in sections if s.place.wegwijzer is None}
    return {"items": items, "others": others,
            "numbers": [s.place.wegwijzer for s in sections if s.place.wegwijzer is not None]}


@pytest.mark.parametrize("padded", [False, True], ids=["compact", "padded"])
def test_synthetic_publication_items_found_with_pages(tmp_path: Path, padded: bool) -> None:
    sections, passages = _synthetic_structure(tmp_path, padded)
    summary = _summary(sections, passages)
    assert sorted(set(summary["numbers"])) == [1, 2, 3, 4]
    assert summary["numbers"] == sorted(summary["numbers"])
    for number, (title, first, last) in SYNTHETIC_ITEMS.items():
        item = summary["items"][number]
        assert item["title"] == {(title, first, last)}, number
        story = "Twee verhalen" if number == 2 else "Een verhaal"
        assert item["parts"] == [story, RESEARCH_PART, ADVICE_PART], number
        assert item["stories"] == SYNTHETIC_STORIES[number], number
        assert item["research"] == SYNTHETIC_RESEARCH[number], number
    others = summary["others"]
    assert ("I. Over deze proef", "Achtergrond van de proef", 6, 6) in others
    assert ("I. Over deze proef", "Opbouw van de routekaart", 7, 8) in others
    assert ("III. Verantwoording", "Werkwijze van de werkgroep", 24, 25) in others
    assert ("Colofon", "Colofon", 26, 26) in others
    assert ("Voorwerk", "Samenstelling werkgroep", 1, 4) in others


def test_synthetic_figure_labels_do_not_start_items(tmp_path: Path) -> None:
    sections, _ = _synthetic_structure(tmp_path, padded=False)
    intro = [s for s in sections if s.place.chapter == "II. Een kleine routekaart" and s.place.wegwijzer is None]
    assert len(intro) == 1
    # The routekaart figure's loose labels are chapter II's opening, not item 1's text.
    assert "Stadhuis" in intro[0].paragraphs
    assert "Zoek de partners" in intro[0].paragraphs
    item_text = " ".join(p for s in sections if s.place.wegwijzer is not None for p in s.paragraphs)
    assert "Stadhuis" not in item_text
    first_story = next(s for s in sections if s.place.wegwijzer == 1)
    assert first_story.paragraphs[0] == "Anna de Vries, voorzitter van de werkgroep"


def test_synthetic_layout_does_not_change_the_structure(tmp_path: Path) -> None:
    compact = _summary(*_synthetic_structure(tmp_path, padded=False))
    padded = _summary(*_synthetic_structure(tmp_path, padded=True))
    assert padded["items"] == compact["items"]
    assert padded["numbers"] == compact["numbers"]
