"""Questions about the structure, answered from the catalog; readable extractive answers."""

from __future__ import annotations

import re

from assistant.answering import balance_quotes
from assistant.citations import cited_first
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


def test_overviews_come_from_the_catalog(assistant) -> None:  # noqa: ANN001
    overviews = {o.title: o for o in build_overviews(assistant.catalog, assistant.passages)}
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
