"""A maintainer adds a publication full of dates and numbers: its facts are answered, not refused.

The confidence model learned from the suites which question forms tend to be out of scope
('hoeveel', 'wanneer'); a sentence that holds the asked fact must outweigh that (issue 28).
"""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from indexing.pipeline import Indexer

pytestmark = pytest.mark.slow

NEWS = """Regiodag Zwolle: raadsleden uit de regio leren van elkaar

De eerste Regiodag werd op 14 maart 2019 in Zwolle gehouden, in het provinciehuis van Overijssel.

Het landelijke raadsledenpanel telt 1.250 raadsleden uit 180 gemeenten. Het panel geeft twee keer \
per jaar zijn mening over regionale samenwerking.

De organisatoren willen de Regiodag elk voorjaar herhalen, telkens in een andere regio.
"""

MANIFEST = """
[[publication]]
id = "nieuws-regiodag-zwolle"
title = "Regiodag Zwolle: raadsleden uit de regio leren van elkaar"
kind = "nieuws"
publisher = "VNG"
year = 2019
file = "nieuws-regiodag-zwolle.txt"
"""


@pytest.mark.parametrize("question, fact", [
    ("Wanneer was de eerste Regiodag in Zwolle?", "14 maart 2019"),
    ("Hoeveel raadsleden zitten in het landelijke raadsledenpanel?", "1.250"),
])
def test_a_factual_question_about_a_new_publication_is_answered(
        index_copy, built_index, question: str, fact: str) -> None:  # noqa: ANN001
    corpus = index_copy.corpus_dir
    (corpus / "nieuws-regiodag-zwolle.txt").write_text(NEWS, encoding="utf-8")
    with (corpus / "publications.toml").open("a", encoding="utf-8") as manifest:
        manifest.write(MANIFEST)
    Indexer(index_copy, embeddings=built_index.embeddings).build()

    answer = Assistant(index_copy, embeddings=built_index.embeddings).ask(question)

    assert not answer.refused, answer.answer
    assert fact in answer.answer.split("[")[0]
