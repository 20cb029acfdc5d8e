"""Questions about the structure, answered from the catalog; readable extractive answers."""

from __future__ import annotations

import re

from assistant.answering import ExtractiveAnswerer, balance_quotes, continuation_openers
from assistant.profile import AnswerProfile, Profile
from assistant.citations import cited_first
from assistant.lexical import Vocabulary
from assistant.model import Source
from assistant.overviews import build_overviews
from indexing.places import Place


def test_the_ten_wegwijzers_are_listed_with_their_pages(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Wat zijn de tien wegwijzers?")
    assert not answer.refused and answer.confidence == "hoog"
    lines = [line for line in answer.answer.splitlines() if line.startswith("- Wegwijzer")]
    assert [int(re.match(r"- Wegwijzer (\d+)", line).group(1)) for line in lines] == list(range(1, 11))
    by_marker = {s.marker: s for s in answer.sources}
    for number, line in enumerate(lines, start=1):
        assert re.search(r"\(p\. \d+–\d+\) \[\d+\]$", line), line
        cited = by_marker[int(re.search(r"\[(\d+)\]$", line).group(1))]
        assert cited.place.wegwijzer == number  # each line cites its own wegwijzer


def test_stories_of_one_wegwijzer_come_with_their_authors(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Welke verhalen horen bij wegwijzer 6?")
    assert "'Dualisme nieuwe stijl' door Hedwich Rinkes" in answer.answer
    assert "'Betrokkenheid vormgeven' door Boudewijn Steur" in answer.answer
    assert "wegwijzer 7" not in answer.answer.lower()


def test_a_question_about_one_wegwijzer_is_not_answered_with_the_list(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Wat is wegwijzer 3?")
    assert "- Wegwijzer 1" not in answer.answer
    assert not answer.refused


def test_the_parts_of_a_wegwijzer_come_from_the_catalog_citing_the_leeswijzer(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Welke drie onderdelen heeft elke wegwijzer?")
    lines = answer.answer.splitlines()
    assert lines[0].startswith("De onderdelen van een wegwijzer [1]")
    assert {"Een verhaal", "Uit het onderzoek", "Een handreiking"} <= {
        line[2:].split(" (")[0] for line in lines[1:]}
    assert "- Wegwijzer 1" not in answer.answer
    # The title cites the passage that describes the same parts, not the best retrieved one.
    assert answer.sources[0].place.section == "Leeswijzer"


def test_a_yes_no_question_gets_a_judgement_not_a_list(assistant) -> None:  # noqa: ANN001
    for question in ("Klopt het dat je de wegwijzers in een vaste volgorde moet aflopen?",
                     "Moet ik die routekaart netjes van begin tot eind doorlopen?"):
        answer = assistant.ask(question)
        assert "\n- " not in answer.answer and not answer.refused, answer.answer
    # Counting what it asks about, a yes/no question asks for the list after all.
    counted = assistant.ask("Kunt u de tien wegwijzers noemen?")
    assert counted.answer.startswith("De 10 wegwijzers van de routekaart")


def test_overviews_come_from_the_catalog(assistant) -> None:  # noqa: ANN001
    overviews = {o.title: o for o in build_overviews(assistant.catalog, assistant.snapshot.passages)}
    parts = overviews["Vijf onderdelen van de routekaart"]
    assert [item.label.split(" (")[0] for item in parts.items][:2] == [
        "1. Definieer het vraagstuk", "2. Bepaal in welk netwerk de opgave speelt"]
    assert len(parts.items) == 5
    assert len(overviews["De 10 wegwijzers van de routekaart"].items) == 10


def test_unbalanced_quote_marks_are_stripped() -> None:
    assert balance_quotes("‘Weefsel is de kern van samenwerking.") == "Weefsel is de kern van samenwerking."
    assert balance_quotes("Weefsel is de kern van samenwerking.’") == "Weefsel is de kern van samenwerking."
    assert balance_quotes("‘Weefsel is de kern.’") == "‘Weefsel is de kern.’"
    assert balance_quotes("‘De regio’s werken samen.") == "De regio’s werken samen."
    assert balance_quotes("De regio’s werken samen.") == "De regio’s werken samen."


def test_cited_sources_come_first_and_markers_follow() -> None:
    sources = [Source(marker=n, chunk_id=f"c{n}", place=Place(publication_id="p"), quote=f"q{n}",
                      score=1.0 - n / 10) for n in (1, 2, 3)]
    text, ordered = cited_first("Eerste zin. [3] Tweede zin. [1] Nog eens. [3]", sources)
    assert text == "Eerste zin. [1] Tweede zin. [2] Nog eens. [1]"
    assert [s.chunk_id for s in ordered] == ["c3", "c1", "c2"]
    assert [s.marker for s in ordered] == [1, 2, 3]


def test_shown_sources_are_above_the_relevance_floor_and_cited_first(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Hoe krijgt de gemeenteraad grip op wat er in de regio wordt besloten?")
    assert all(s.score >= 0.5 for s in answer.sources)
    cited = list(dict.fromkeys(int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)))
    assert cited == list(range(1, len(cited) + 1))


def test_the_members_of_the_denktank_are_listed_from_their_section(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Wie waren de leden van de vierde Denktank?")
    lines = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert len(lines) == 21
    assert lines[0].startswith("- Milo Schoenmaker, burgemeester Gouda, tevens voorzitter [")
    assert all("(1)" not in line for line in lines)  # photo numbers are not part of an entry
    cited = {s.marker: s for s in answer.sources}
    for line in lines:
        place = cited[int(re.search(r"\[(\d+)\]$", line).group(1))].place
        assert place.section == "Samenstelling 4e VNG Denktank"


def test_a_question_about_one_member_is_not_answered_with_the_list(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Wie is Jack Mikkers?")
    assert "- Milo Schoenmaker" not in answer.answer


def knobs(**changes: float) -> AnswerProfile:
    """The profile's answerer numbers with some changed."""
    return Profile.load().answer.model_copy(update=changes)


def test_continuation_openers_come_from_the_corpus() -> None:
    texts = ["Regio's werken samen. Dat kost tijd.\n\nGemeenten kiezen. Dat is lastig."] * 8
    alpha = Profile.load().answer.continuation_alpha
    openers = continuation_openers(texts, alpha)
    assert "dat" in openers  # never opens a paragraph, always continues one
    assert "regio's" not in openers and "gemeenten" not in openers
    assert continuation_openers(texts[:1], alpha) == frozenset()  # too few occurrences to tell


def test_a_sentence_leaning_on_the_one_before_brings_it_along() -> None:
    quote = ("De raad stelt de regionale agenda vast en bewaakt de koers van de samenwerking. "
             "Dat vraagt om een duidelijke rol voor de raad bij regionale besluiten.")
    source = Source(marker=1, chunk_id="c1", place=Place(publication_id="p"), quote=quote, score=0.9)
    vocabulary = Vocabulary([quote])
    leaning = ExtractiveAnswerer(vocabulary, profile=knobs(min_sentences=1, max_sentences=1),
                                 openers=frozenset({"dat"}))
    text = leaning.answer("Welke rol heeft de raad bij regionale besluiten?", [source]).answer
    assert text.startswith("De raad stelt de regionale agenda vast") and "Dat vraagt" in text
    plain = ExtractiveAnswerer(vocabulary, profile=knobs(min_sentences=1, max_sentences=1))
    assert plain.answer("Welke rol heeft de raad bij regionale besluiten?",
                        [source]).answer.startswith("Dat vraagt")


def test_a_sentence_pointing_back_in_its_first_clause_brings_the_one_before() -> None:
    """From a browser session: 'In het kader hiervan …' (Utrecht's U10) was quoted alone under
    the Drechtraad's sentence, as if it were about the Drechtraad."""
    quote = ("In de regio Utrecht is gekozen voor een licht samenwerkingsverband, de U10. "
             "In het kader hiervan vinden geregeld U10-cafés plaats met raadsleden.")
    source = Source(marker=1, chunk_id="c1", place=Place(publication_id="p"), quote=quote, score=0.9)
    answerer = ExtractiveAnswerer(Vocabulary([quote]),
                                  profile=knobs(min_sentences=1, max_sentences=1))
    text = answerer.answer("Wat zijn U10-cafés met raadsleden?", [source]).answer
    assert text.startswith("In de regio Utrecht is gekozen") and "In het kader hiervan" in text


def test_a_story_is_quoted_in_its_author_s_name(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Wat vertelt Jack Mikkers over wat de regio Noordoost-Brabant bindt?")
    first = answer.sources[0]
    assert first.place.story_author == "Jack Mikkers"
    assert answer.answer.startswith("Jack Mikkers vertelt: ")
    assert answer.answer.count("Jack Mikkers vertelt") == 1  # once per run of its sentences


def test_a_sentence_saying_the_question_in_other_words_is_chosen_by_its_meaning() -> None:
    """With a sentence similarity, a sentence that shares no word with the question can win
    over one that repeats the question's words without answering it."""
    echo = "De vraag hoe gemeenten regionaal samenwerken komt in dit jaarbericht vaak terug."
    answer = "Bestuurders bouwen eerst vertrouwen op en spreken pas daarna over geld en taken."
    source = Source(marker=1, chunk_id="c1", place=Place(publication_id="p"),
                    quote=f"{echo} {answer}", score=0.9)
    vocabulary = Vocabulary([source.quote])
    question = "Hoe werken gemeenten regionaal goed samen?"

    def meaning(_question: str, sentences: list[str]) -> list[float | None]:
        return [0.9 if sentence == answer else 0.7 for sentence in sentences]

    by_words = ExtractiveAnswerer(vocabulary, profile=knobs(min_sentences=1, max_sentences=1))
    assert by_words.answer(question, [source]).answer.startswith("De vraag hoe")
    strong = knobs(min_sentences=1, max_sentences=1, meaning_weight=0.8)
    by_meaning = ExtractiveAnswerer(vocabulary, profile=strong, similarity=meaning)
    assert by_meaning.answer(question, [source]).answer.startswith("Bestuurders bouwen")
    unknown = ExtractiveAnswerer(vocabulary, profile=strong,
                                 similarity=lambda q, s: [None] * len(s))
    assert unknown.answer(question, [source]).answer.startswith("De vraag hoe")


def test_a_story_by_two_people_is_told_in_the_plural() -> None:
    from assistant.answering import tells

    assert tells("Jack Mikkers") == "vertelt"
    assert tells("Els van der Pool en Guido Rijnja") == "vertellen"
