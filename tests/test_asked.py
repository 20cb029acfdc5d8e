"""Which fact a question asks for, and which sentence holds it (assistant.asked)."""

from __future__ import annotations

import pytest

from assistant.asked import Kind, asked_for, asks_for_a_list, holds
from assistant.lexical import Vocabulary


@pytest.mark.parametrize("question, kind", [
    ("Wie was de voorzitter van de vierde Denktank?", Kind.NAME),
    ("En wie schreef dat verhaal?", Kind.NAME),
    ("Wanneer was de eerste Regiodag in Zwolle?", Kind.DATE),
    ("In welk jaar kwam de eerste Denktank met een rapport?", Kind.DATE),
    ("Hoeveel raadsleden zitten in het landelijke raadsledenpanel?", Kind.NUMBER),
    ("Wat is de Drechtraad?", Kind.DEFINITION),
    ("Hoe betrek je de raad bij regionale samenwerking?", None),
    # The question word in a later clause asks for something besides the topic.
    ("Wat doet de Denktank, en wie betaalt het onderzoek?", None),
    ("Wat is de rol van de raad bij een gemeenschappelijke regeling en hoe stuur je bij?", None),
    # A statement before the question is context; in a joined follow-up the last question asks.
    ("Ik las over de eerste Regiodag in Zwolle. Wanneer was die?", Kind.DATE),
    ("Wat doet de Drechtraad? En hoeveel gemeenten zitten erin?", Kind.NUMBER),
])
def test_the_question_word_decides_the_kind(question: str, kind: Kind | None) -> None:
    found = asked_for(question)
    assert (found[0] if found else None) == kind


def test_what_is_keeps_the_asked_term() -> None:
    assert asked_for("Wat is een attractieve agenda?") == (Kind.DEFINITION,
                                                           "een attractieve agenda")


@pytest.mark.parametrize("kind, term, sentence, answers", [
    (Kind.NAME, "", "Voor u ligt het eindproduct van de 4e VNG Denktank, met Milo Schoenmaker "
                    "als voorzitter.", True),
    (Kind.NAME, "", "Als voorzitter van de 4e Denktank dank ik allen.", False),
    (Kind.DATE, "", "In september 2017 vond de kick-off plaats.", True),
    (Kind.DATE, "", "De Denktank kwam vaak bij elkaar.", False),
    (Kind.NUMBER, "", "Het panel telt 1.200 raadsleden.", True),
    (Kind.NUMBER, "", "Het panel telt veel raadsleden.", False),
    (Kind.DEFINITION, "de Drechtraad", "Zo is in de Drechtsteden gekozen voor een Drechtraad, "
                                       "die het algemeen bestuur van de regio vormt.", True),
    (Kind.DEFINITION, "de Drechtraad", "De Drechtraad vergaderde gisteren lang.", False),
])
def test_a_sentence_holds_the_asked_fact(kind: Kind, term: str, sentence: str,
                                         answers: bool) -> None:
    assert holds(kind, term, sentence, "Wie was de voorzitter van de Denktank?") is answers


def test_a_name_the_question_already_gives_is_no_answer() -> None:
    assert not holds(Kind.NAME, "", "Het boek van Milo Schoenmaker verscheen.",
                     "Wie schreef met Milo Schoenmaker?")


def test_numbers_match_written_out_and_as_digits() -> None:
    vocabulary = Vocabulary([])
    assert vocabulary.terms("de vierde Denktank") == vocabulary.terms("de 4e Denktank")
    assert vocabulary.terms("tien wegwijzers") == vocabulary.terms("10 wegwijzers")


@pytest.mark.parametrize("question, list_ok", [
    ("Klopt het dat je de wegwijzers in een vaste volgorde moet aflopen?", False),
    ("Moet ik die routekaart netjes van begin tot eind doorlopen?", False),
    ("Organiseert het Zijlstra Center ook iets voor bestuurders? Hoe heet dat?", False),
    ("Kunt u de tien wegwijzers noemen?", True),  # it counts what it asks about
    ("Kun je alle leden van de Denktank noemen?", True),
    ("Could you list the ten waymarkers on the route map?", True),
    ("Uit welke vijf onderdelen bestaat de routekaart?", True),  # a question word
    ("Van wie zijn de verhalen bij de tweede wegwijzer?", True),
    ("Noem de tien wegwijzers", True),
])
def test_only_a_content_question_or_a_counting_one_asks_for_a_list(question: str,
                                                                    list_ok: bool) -> None:
    assert asks_for_a_list(question) is list_ok
